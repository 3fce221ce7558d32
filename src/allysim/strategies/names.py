"""Strategies by name, as used in tables and on the command line."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from allysim._validation import check_game, check_str
from allysim.games import StageGame
from allysim.strategies.memory_one import MemoryOne, Strategy
from allysim.strategies.zd import extortionate, generous
from allysim.strategies.zoo import (
    ALLC,
    ALLD,
    ALTERNATOR,
    GRIM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    gtft,
    random_strategy,
)

__all__ = ["named"]

_NAMED: dict[str, Strategy] = {
    "ALLC": ALLC,
    "ALLD": ALLD,
    "TFT": TFT,
    "STFT": STFT,
    "WSLS": WSLS,
    "GRIM": GRIM,
    "TF2T": TF2T,
    "ALTERNATOR": ALTERNATOR,
}

_PARAMETRISED: dict[str, Callable[..., MemoryOne]] = {
    "RANDOM(": random_strategy,
    "EXTORT(": extortionate,
    "GENEROUS(": generous,
}


def named(name: str, game: StageGame | None = None) -> Strategy:
    """Look a strategy up by its name, as used in tables and on the command line.

    Parameters
    ----------
    name : str
        Case-insensitive. Plain names: ALLC, ALLD, TFT, STFT, WSLS, GRIM, TF2T, ALTERNATOR,
        GTFT (tuned to ``game``); with a parameter: ``RANDOM(p)``, ``EXTORT(chi)``,
        ``GENEROUS(chi)`` (built for ``game`` by
        [`extortionate`][allysim.strategies.extortionate] and
        [`generous`][allysim.strategies.generous]);
        and ``Mpqrs`` (four binary digits) for the deterministic memory-one strategies, which
        open with ``p`` (their move after CC), as in
        [`deterministic_memory_one`][allysim.strategies.deterministic_memory_one].
    game : StageGame, optional
        The game GTFT, EXTORT and GENEROUS are tuned to; default ``PrisonersDilemma()``.

    Returns
    -------
    MemoryOne or FiniteStateStrategy
        The strategy (the module's own object for the plain names).

    Raises
    ------
    TypeError
        ``name`` is not a str, or ``game`` is given and is not a
        [`StageGame`][allysim.games.StageGame].
    ValueError
        The name is unknown or its parameter is invalid (the message names ``name``), or the
        strategy cannot be built for ``game``.

    Examples
    --------
    >>> from allysim.strategies import WSLS
    >>> named("RANDOM(0.3)").p0
    0.3
    >>> named("M1001").p == WSLS.p
    True
    >>> [round(x, 4) for x in named("extort(3)").p]
    [0.8462, 0.5, 0.2692, 0.0]
    """
    check_str(name, "name")
    if game is not None:
        game = check_game(game, "game")
    key = name.strip().upper()
    if key in _NAMED:
        return _NAMED[key]
    if key == "GTFT":
        return gtft(game)
    if len(key) == 5 and key[0] == "M" and set(key[1:]) <= {"0", "1"}:
        bits = tuple(int(c) for c in key[1:])
        return MemoryOne(bits, p0=bits[0], name=key)
    for prefix, make in _PARAMETRISED.items():
        if key.startswith(prefix) and key.endswith(")"):
            try:
                value = float(key[len(prefix) : -1])
            except ValueError:
                break
            try:
                return make(value) if make is random_strategy else make(game, chi=value)
            except ValueError as exc:
                raise ValueError(f"name {name!r}: {exc}") from exc
    known = ", ".join([*_NAMED, "GTFT", "RANDOM(p)", "EXTORT(chi)", "GENEROUS(chi)"])
    known += " and Mpqrs (four 0/1 digits: cooperate after CC, CD, DC, DD; M1001 is WSLS)"
    close = [repr(c) for c in _close_names(name)]
    hint = " or ".join([", ".join(close[:-1]), close[-1]]) if len(close) > 1 else "".join(close)
    hint = f" (did you mean {hint}?)" if hint else ""
    raise ValueError(f"unknown strategy name {name!r}{hint}; known: {known}")


def _close_names(name: str) -> list[str]:
    """The strategy names close to a mistyped one, best first (ignoring case; at most three).

    For a parametrised name the parameter is kept (``RANDM(0.5)`` suggests ``RANDOM(0.5)``),
    and one typed without its parameter is shown with the parameter to give (``RANDOM(p)``).

    Examples
    --------
    >>> _close_names("wlsl"), _close_names("randm(0.5)"), _close_names("RANDOM")
    (['WSLS'], ['RANDOM(0.5)'], ['RANDOM(p)'])
    """
    heads = sorted(prefix.rstrip("(") for prefix in _PARAMETRISED)
    key = name.strip().upper()
    if "(" in key:
        head, _, rest = key.partition("(")
        return [f"{c}({rest}" for c in difflib.get_close_matches(head, heads, n=3)]
    shown = {n: n for n in [*_NAMED, "GTFT"]}
    shown |= {"RANDOM": "RANDOM(p)", "EXTORT": "EXTORT(chi)", "GENEROUS": "GENEROUS(chi)"}
    return [shown[c] for c in difflib.get_close_matches(key, list(shown), n=3)]
