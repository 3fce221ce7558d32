"""Validation of the kinds of values allysim takes, in one place.

Every public function checks its inputs through these helpers so that a bad value always raises
the same kind of error with a message naming the parameter and the allowed range. Nothing is
clipped silently.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

SeedLike = int | np.integer | np.random.Generator | np.random.SeedSequence | None


def check_real(value: Any, name: str) -> float:
    """Return ``value`` as a finite float, or raise ``TypeError``/``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def check_probability(value: Any, name: str) -> float:
    """Return ``value`` as a float in [0, 1], or raise naming ``name``."""
    out = check_real(value, name)
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return out


def check_interval(
    value: Any,
    name: str,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float inside the interval, or raise naming ``name`` and the range."""
    out = check_real(value, name)
    too_low = out <= low if low_open else out < low
    too_high = out >= high if high_open else out > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {left}{low:g}, {high:g}{right}, got {value!r}")
    return out


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a finite float >= 0, or raise naming ``name``."""
    out = check_real(value, name)
    if out < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is one (Python or NumPy), else raise ``TypeError``.

    Truthiness is not used: ``"no"`` or ``0`` given where a flag goes is refused.
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_str(value: Any, name: str) -> str:
    """Return ``value`` if it is a str, else raise ``TypeError`` naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int (at least ``minimum``), or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return out


def as_float_array(value: Any, name: str, *, shape: tuple[int | None, ...] | None = None):
    """Return ``value`` as a finite float64 array of the given shape (None = any length).

    Integers and floats (Python or NumPy, any width) are accepted. Booleans and strings are
    refused with ``TypeError`` rather than read as 0/1 or parsed, so that ``True`` or ``"0.5"``
    given by mistake never becomes a payoff or a probability. A ragged nested list or a wrong
    shape raises ``ValueError``; NaN and infinities raise ``ValueError``. The result is a new
    array whenever the input would need converting, else the input itself (callers that keep it
    must copy it).
    """
    if isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be an array of real numbers, got a {type(value).__name__} "
            "(convert it with float() or numpy.asarray(..., dtype=float) first)"
        )
    try:
        raw = np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a rectangular array of real numbers (nested lists of equal length)"
        ) from exc
    except TypeError as exc:
        raise TypeError(f"{name} must be an array of real numbers") from exc
    kind = raw.dtype.kind
    if kind == "b":
        raise TypeError(
            f"{name} must hold real numbers, got booleans; if 0/1 is meant, convert with "
            ".astype(float)"
        )
    if kind in "US":
        raise TypeError(
            f"{name} must hold real numbers, got strings; convert with .astype(float) if they "
            "are numbers"
        )
    if kind in "iuf":
        if isinstance(value, list | tuple):
            # NumPy turns [True, 0, 1] into integers; a bool hidden in a list is refused too.
            _refuse_bools(value, name)
        arr = raw.astype(float, copy=False)
    elif kind == "O":
        arr = _object_to_float(raw, name)
    else:
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {raw.dtype}")
    if shape is not None and not shape_matches(arr.shape, shape):
        raise ValueError(f"{name} must have shape {shape_text(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def _refuse_bools(value: Any, name: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, bool | np.bool_):
            raise TypeError(
                f"{name} must hold real numbers, got a bool ({item!r}); write 1.0 or 0.0, or "
                "convert a boolean array with .astype(float)"
            )
        elif isinstance(item, np.ndarray) and item.dtype.kind == "b":
            raise TypeError(
                f"{name} must hold real numbers, got a boolean array; convert it with "
                ".astype(float)"
            )


def _object_to_float(raw: np.ndarray, name: str) -> np.ndarray:
    for item in raw.flat:
        if isinstance(item, bool | np.bool_):
            raise TypeError(
                f"{name} must hold real numbers, got a bool ({item!r}); write 1.0 or 0.0 instead"
            )
        if isinstance(item, list | tuple | np.ndarray):
            raise ValueError(
                f"{name} must be a rectangular array of real numbers (nested lists of equal length)"
            )
        if not isinstance(item, numbers.Real):
            raise TypeError(f"{name} must hold real numbers, got {type(item).__name__}")
    try:
        return raw.astype(float)
    except OverflowError as exc:
        raise ValueError(
            f"{name} must contain only finite numbers (an integer is too large)"
        ) from exc


def shape_text(shape: tuple[int | str | None, ...], free: str = "n") -> str:
    """A wanted shape as people write it: ``(4,)`` for one axis; a free size is written by its
    name (a str entry) or ``free`` (None).

    >>> shape_text((4,)), shape_text((None, 2)), shape_text(("steps", 3))
    ('(4,)', '(n, 2)', '(steps, 3)')
    """
    inner = ", ".join(free if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def shape_matches(have: tuple[int, ...], want: tuple[int | str | None, ...]) -> bool:
    """Whether shape ``have`` is ``want``, whose None or named (str) entries are free sizes.

    >>> shape_matches((3, 2), ("rows", 2)), shape_matches((3,), (None, 2))
    (True, False)
    """
    if len(have) != len(want):
        return False
    return all(w is None or isinstance(w, str) or h == w for h, w in zip(have, want, strict=True))


def as_probability_array(value: Any, name: str, *, shape: tuple[int | None, ...] | None = None):
    """Return ``value`` as a float array of probabilities in [0, 1], or raise naming ``name``.

    The same types are accepted and refused as by :func:`as_float_array` (integers such as
    ``np.array([1, 0, 1, 0])`` are fine, booleans and strings are not).
    """
    arr = as_float_array(value, name, shape=shape)
    if np.any((arr < 0.0) | (arr > 1.0)):
        bad = arr[(arr < 0.0) | (arr > 1.0)].ravel()[0]
        raise ValueError(f"{name} must contain probabilities in [0, 1], found {float(bad)!r}")
    return arr


def _check_seed(seed: Any, name: str) -> None:
    if seed is None or isinstance(seed, np.random.Generator | np.random.SeedSequence):
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, numpy.random.Generator, numpy.random.SeedSequence or None, "
            f"got {type(seed).__name__}"
        )
    if int(seed) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")


def as_generator(seed: SeedLike, name: str = "seed") -> np.random.Generator:
    """Turn ``seed`` (int, Generator, SeedSequence or None) into a ``numpy.random.Generator``.

    A Generator is used as given (so the caller's stream advances); an int or SeedSequence
    always yields the same stream, and the same streams spawned from it (a SeedSequence is
    copied, children spawned so far included: ``Generator.spawn`` spawns from its seed
    sequence, which would otherwise be the caller's object, moved on by every earlier call).
    Bad seeds raise ``TypeError``/``ValueError`` naming ``name``.
    """
    _check_seed(seed, name)
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(_copy(seed))
    return np.random.default_rng(None if seed is None else int(seed))


def _copy(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """A copy of ``seed``: same entropy, spawn key, pool size and children spawned so far.

    The count matters: after ``kids = root.spawn(2)`` a copy that started again at child 0
    gave a function passed ``root`` the caller's own ``kids`` as its streams.
    """
    return np.random.SeedSequence(
        seed.entropy,
        spawn_key=seed.spawn_key,
        pool_size=seed.pool_size,
        n_children_spawned=seed.n_children_spawned,
    )


def as_seed_sequence(seed: SeedLike, name: str = "seed") -> np.random.SeedSequence:
    """Turn ``seed`` into a ``numpy.random.SeedSequence`` (to spawn independent streams).

    A Generator contributes one draw from its stream (so it advances); None draws fresh entropy.
    A SeedSequence is a value: the result is a copy of it (children spawned so far included,
    so that spawning from it gives none of the caller's own), and spawning from the result gives
    the same children however often the same object is passed (spawning from the object itself
    would move on past its earlier children). Bad seeds raise ``TypeError``/``ValueError``
    naming ``name``.
    """
    _check_seed(seed, name)
    if isinstance(seed, np.random.SeedSequence):
        return _copy(seed)
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    return np.random.SeedSequence(None if seed is None else int(seed))


def _two_matrices(pair: Any) -> bool:
    """Whether both items look like 2-D arrays (a single 2x2 matrix is a pair of rows)."""
    try:
        return all(np.ndim(np.asarray(m, dtype=object)) == 2 for m in pair)
    except (TypeError, ValueError):
        return False


def check_game(game: Any, name: str = "game") -> Any:
    """Return ``game`` as an allysim StageGame, or raise ``TypeError`` naming ``name``.

    Accepted: a :class:`allysim.games.StageGame`, a ``nashpy.Game`` (its two payoff matrices),
    or a pair ``(row_payoffs, col_payoffs)`` of payoff arrays of one shape. Functions that take
    a game call this first and use what it returns, so that every such function takes all three
    and ``None`` or a string fails with a message naming the parameter, not an
    ``AttributeError`` deep inside.
    """
    from allysim.games import StageGame

    if isinstance(game, StageGame):
        return game
    if type(game).__module__.split(".")[0] == "nashpy" and hasattr(game, "payoff_matrices"):
        return StageGame.from_nashpy(game)
    if isinstance(game, tuple | list) and len(game) == 2 and _two_matrices(game):
        row, col = game
        try:
            return StageGame(row, col)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name} as a pair (row_payoffs, col_payoffs): {exc}") from None
    raise TypeError(
        f"{name} must be an allysim StageGame (e.g. allysim.PrisonersDilemma() or "
        "allysim.partnership_game(...)), a nashpy.Game or a pair (row_payoffs, col_payoffs) "
        f"of payoff arrays, got {type(game).__name__}"
    )


_DEFAULT_MEMORY_BUDGET = 2 * 1024**3
_memory_budget = _DEFAULT_MEMORY_BUDGET


def memory_budget() -> int:
    """Return the memory budget in bytes that allysim checks large allocations against.

    Returns
    -------
    int
        The budget in bytes (2 GiB unless changed with :func:`set_memory_budget`).

    Examples
    --------
    >>> import allysim
    >>> allysim.memory_budget() >= 0
    True
    """
    return _memory_budget


def set_memory_budget(nbytes: int | None) -> int:
    """Set the memory budget in bytes and return the previous one.

    Calls whose estimated allocation exceeds the budget raise ``ValueError`` naming the parameter
    that drives the size, the estimate, and a streaming alternative, instead of running out of
    memory.

    Parameters
    ----------
    nbytes : int or None
        New budget in bytes (at least 1); None restores the default of 2 GiB.

    Returns
    -------
    int
        The budget that was in force before the call, in bytes.

    Examples
    --------
    >>> import allysim
    >>> old = allysim.set_memory_budget(4 * 1024**3)
    >>> allysim.memory_budget()
    4294967296
    >>> _ = allysim.set_memory_budget(old)
    """
    global _memory_budget
    previous = _memory_budget
    _memory_budget = (
        _DEFAULT_MEMORY_BUDGET if nbytes is None else check_int(nbytes, "nbytes", minimum=1)
    )
    return previous


def _format_bytes(nbytes: float) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes:.0f} B"


def check_memory(nbytes: float, name: str, *, hint: str) -> None:
    """Raise ``ValueError`` if an allocation of about ``nbytes`` would exceed the memory budget.

    ``name`` is the parameter (or parameters) that drive the size; ``hint`` says what to do
    instead (a smaller value, ``record_every``, chunking, summary statistics).
    """
    if nbytes > _memory_budget:
        raise ValueError(
            f"{name}: this call would need about {_format_bytes(nbytes)} of memory, above the "
            f"budget of {_format_bytes(_memory_budget)} (see allysim.set_memory_budget); {hint}"
        )


def resolve_seed(seed: Any, rng: Any, *, seed_default: Any = None) -> Any:
    """The random-stream argument of a function that takes SPEC 7's ``rng`` and its alias ``seed``.

    Scientific Python SPEC 7 names the argument ``rng``; allysim's functions took ``seed``, which
    stays as an alias. Giving both raises ``TypeError``; the value is validated under the name
    the caller used. Returns the value to use (an int, Generator, SeedSequence or None).
    """
    if rng is not None:
        if seed is not None and not (seed_default is not None and seed == seed_default):
            raise TypeError("give rng or seed, not both (seed is an alias of rng)")
        _check_seed(rng, "rng")
        return rng
    _check_seed(seed, "seed")
    return seed
