"""Argument types and error reporting of the ``allysim`` command.

Each type's failure message names the allowed range; argparse prefixes the option. Every error
is one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NoReturn

from allysim.kernels.montecarlo import _MAX_SECONDS as _MONTE_CARLO_LIMIT
from allysim.strategies.alike import plays_alike

#: Largest accepted ``--seed`` (numpy seeds are non-negative; 63 bits keep them portable).
SEED_MAX = 2**63 - 1

#: Fewest organizations of the trust commands: TrustModel's default capacity is 3 partners, and
#: an organization needs that many others.
TRUST_MIN_ORGANIZATIONS = 4


def _int_in(low: int, high: int, label: str | None = None) -> Callable[[str], int]:
    """Make an argparse ``type=`` that accepts an integer in ``[low, high]``.

    Parameters
    ----------
    low : int
        Smallest accepted value.
    high : int
        Largest accepted value.
    label : str or None, default None
        How the range is written in messages; None writes ``[low, high]``.

    Returns
    -------
    Callable[[str], int]
        The converter; it raises ``argparse.ArgumentTypeError`` naming the range.

    Examples
    --------
    >>> _int_in(1, 10)("7")
    7
    >>> _int_in(1, 10)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer in [1, 10], got '0'
    """
    where = label or f"[{low}, {high}]"

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in {where}, got {text!r}")
        return value

    convert.__name__ = f"integer in {where}"
    return convert


def _real_in(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """Make an argparse ``type=`` that accepts a finite number in an interval.

    Parameters
    ----------
    low : float
        Lower end of the interval.
    high : float
        Upper end of the interval.
    low_open : bool, default False
        Exclude ``low`` itself.
    high_open : bool, default False
        Exclude ``high`` itself.

    Returns
    -------
    Callable[[str], float]
        The converter; it raises ``argparse.ArgumentTypeError`` naming the interval.

    Examples
    --------
    >>> _real_in(0, 1, high_open=True)("0.5")
    0.5
    >>> _real_in(0, 1, high_open=True)("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number in [0, 1), got '1'
    """
    where = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        inside = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
        if not inside:  # NaN fails both comparisons, so it lands here too
            raise argparse.ArgumentTypeError(f"must be a number in {where}, got {text!r}")
        return value

    convert.__name__ = f"number in {where}"
    return convert


_probability = _real_in(0.0, 1.0)


def _path(text: str) -> str:
    """Argparse ``type=`` for ``--out``: any non-empty path (checked later by ``_prepare_out``).

    Parameters
    ----------
    text : str
        The path as typed.

    Returns
    -------
    str
        ``text`` unchanged.

    Examples
    --------
    >>> _path("results")
    'results'
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a non-empty folder path, got ''")
    return text


def _quoted_or(names: list[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``: names quoted for a "did you mean".

    Parameters
    ----------
    names : list[str]
        The names, best first.

    Returns
    -------
    str
        The quoted names; "" for none.

    Examples
    --------
    >>> _quoted_or(["TFT", "TF2T", "STFT"])
    "'TFT', 'TF2T' or 'STFT'"
    """
    quoted = [repr(n) for n in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else "".join(quoted)


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """The close matches of a mistyped name, ignoring case, as ``"'a' or 'b'"``; "" if none.

    Parameters
    ----------
    word : str
        The name as typed.
    candidates : Iterable[str]
        The accepted names.

    Returns
    -------
    str
        Up to three accepted names, best first (``difflib.get_close_matches``, cutoff 0.6),
        quoted; an empty string when none is close.

    Examples
    --------
    >>> _did_you_mean("tournment", ["demo", "tournament", "trust"])
    "'tournament'"
    >>> _did_you_mean("Sanction", ["sanctions", "bonds"])
    "'sanctions'"
    >>> _did_you_mean("xyz", ["sanctions", "bonds"])
    ''
    """
    by_lower = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.strip().lower(), list(by_lower), n=3)
    return _quoted_or([by_lower[c] for c in close])


def _one_of_ignoring_case(choices: Iterable[str], what: str) -> Callable[[str], str]:
    """Make an argparse ``type=`` that gives a choice as spelled in ``choices``, whatever its case.

    A text that matches no choice is returned as typed, for the parser's ``choices`` check to
    refuse (:meth:`_Parser._check_value` adds the close matches).

    Parameters
    ----------
    choices : Iterable[str]
        The accepted names (no two may differ in case alone).
    what : str
        What a choice is, for the parser's messages.

    Returns
    -------
    Callable[[str], str]
        The converter.

    Examples
    --------
    >>> scenario = _one_of_ignoring_case(["long-shadow", "sanctions"], "scenario")
    >>> scenario("Sanctions"), scenario(" LONG-SHADOW "), scenario("nope")
    ('sanctions', 'long-shadow', 'nope')
    """
    by_lower = {c.lower(): c for c in choices}

    def convert(text: str) -> str:
        return by_lower.get(text.strip().lower(), text)

    convert.__name__ = what
    return convert


def _strategies(parser: argparse.ArgumentParser, text: str, game: Any, needs: str) -> list:
    """The strategies of ``--strategies`` (comma-separated names), or a parser error.

    Refused, each as one line naming ``--strategies``: an empty name, an unknown one (with the
    close matches [`named`][allysim.strategies.named] suggests), two names of one strategy
    (compared by play: ``M1001`` is ``WSLS``), and fewer than two strategies.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser, which reports the error and exits with status 2.
    text : str
        The option's value.
    game : StageGame
        The game parametrised strategies are tuned to.
    needs : str
        What needs two or more, for the message (``"a tournament"``).

    Returns
    -------
    list
        The strategies, in the order given.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> [s.name for s in _strategies(_Parser(), "tft, WSLS", PrisonersDilemma(), "a test")]
    ['TFT', 'WSLS']
    """
    from allysim.strategies import named

    items = [x.strip() for x in text.split(",")]
    if "" in items:
        parser.error(f"argument --strategies: an empty name in {text!r}")
    with _blame(parser, "--strategies"):
        zoo = [named(x, game) for x in items]
    repeat = _repeat_message(items, zoo)
    if repeat:
        parser.error(f"argument --strategies: {repeat}")
    if len(zoo) < 2:
        parser.error(f"argument --strategies: {needs} needs two or more, got {items[0]}")
    return zoo


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2, and whose
    refused choices (a command, a scenario) come with the close matches."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """Refuse a value outside ``action.choices``, suggesting the close ones.

        Python 3.11's argparse lists the choices but suggests none (``suggest_on_error``
        arrived in 3.14), so ``allysim tournment`` gave no hint of ``tournament``.

        Parameters
        ----------
        action : argparse.Action
            The option or positional (the subcommand) being parsed.
        value : Any
            The converted value.

        Returns
        -------
        None
            Returns only when the value is allowed.

        Examples
        --------
        >>> parser = _Parser(prog="allysim")
        >>> action = parser.add_argument("--kind", choices=["bonds", "sanctions"])
        >>> parser._check_value(action, "bonds")
        >>> parser._check_value(action, "bond")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        argparse.ArgumentError: argument --kind: invalid choice: 'bond'; did you mean 'bonds'? ...
        """
        choices = action.choices
        if choices is None or value in choices:
            return
        hint = _did_you_mean(str(value), [str(c) for c in choices])
        listed = ", ".join(repr(c) for c in choices)
        maybe = f"; did you mean {hint}?" if hint else ""
        raise argparse.ArgumentError(
            action, f"invalid choice: {value!r}{maybe} (choose from {listed})"
        )

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` on one line and exit with status 2.

        Parameters
        ----------
        message : str
            What went wrong; newlines are folded into spaces.

        Returns
        -------
        NoReturn
            Always raises ``SystemExit(2)``.

        Examples
        --------
        >>> _Parser(prog="allysim").error("argument --x: bad")
        Traceback (most recent call last):
        ...
        SystemExit: 2
        """
        line = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: error: {line} (see '{self.prog} --help')\n")


@contextlib.contextmanager
def _blame(parser: argparse.ArgumentParser, *options: str) -> Iterator[None]:
    """Turn a library ``ValueError``/``TypeError`` into a one-line usage error naming options.

    The library checks some values that the command line cannot check up front (a strategy
    name's parameter, the size of an exact chain); its message names its own parameter, so the
    options that fed it are named in front.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser whose ``error`` reports the failure.
    *options : str
        The options whose values reach the guarded code.

    Returns
    -------
    Iterator[None]
        A context manager.

    Examples
    --------
    >>> with _blame(_Parser(prog="allysim evolve"), "--population"):
    ...     raise ValueError("population must be an integer >= 2, got 1")
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        parser.error(f"argument {'/'.join(options)}: {exc}")


def _first_repeat(typed: list[str], strategies: list) -> tuple[str, str] | None:
    """The first two entries that play alike, as typed, or None when all differ.

    Alike is [`plays_alike`][allysim.strategies.plays_alike]: the same contribution probability
    after every joint history, so ``WSLS`` and ``M1001`` are one strategy under two names.

    Parameters
    ----------
    typed : list[str]
        The names as given on the command line.
    strategies : list
        The strategies they name, in the same order.

    Returns
    -------
    tuple[str, str] or None
        ``(earlier, later)`` typed names of the same strategy.

    Examples
    --------
    >>> from allysim.strategies import named
    >>> names = ["TFT", "WSLS", "M1001"]
    >>> _first_repeat(names, [named(x) for x in names])
    ('WSLS', 'M1001')
    """
    for k, later in enumerate(strategies):
        for i in range(k):
            if plays_alike(strategies[i], later):
                return typed[i], typed[k]
    return None


def _repeat_message(typed: list[str], strategies: list) -> str | None:
    """The ``--strategies`` error for two names of one strategy, or None when all differ.

    Parameters
    ----------
    typed : list[str]
        The names as given on the command line.
    strategies : list
        The strategies they name, in the same order.

    Returns
    -------
    str or None
        What to report after ``argument --strategies:``.

    Examples
    --------
    >>> from allysim.strategies import named
    >>> _repeat_message(["RANDOM(0.5)", "RANDOM(0.50)"], [named("RANDOM(0.5)")] * 2)
    'RANDOM(0.5) and RANDOM(0.50) are the same strategy; give each strategy once'
    """
    pair = _first_repeat(typed, strategies)
    if pair is None:
        return None
    first, second = pair
    if first == second:
        return f"{first} is named more than once; give each strategy once"
    return f"{first} and {second} are the same strategy; give each strategy once"


#: Longest run a command starts: above it the command refuses, with the limit the library's
#: Monte Carlo kernel refuses tournaments at (allysim.kernels.montecarlo).
MAX_SECONDS = _MONTE_CARLO_LIMIT


def _duration(seconds: float) -> str:
    """A duration in the unit that reads best.

    Parameters
    ----------
    seconds : float
        The duration, in seconds.

    Returns
    -------
    str
        Three significant digits, in seconds, minutes, hours or days.

    Examples
    --------
    >>> _duration(90.0), _duration(3600.0), _duration(9.0e6)
    ('1.5 minutes', '1 hour', '104 days')
    """
    for unit, size in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0), ("second", 1.0)):
        if seconds >= size or unit == "second":
            value = f"{seconds / size:.3g}"
            return f"{value} {unit}" if value == "1" else f"{value} {unit}s"
    raise AssertionError("unreachable")  # pragma: no cover


def _refuse_long(
    parser: argparse.ArgumentParser, options: str, work: str, seconds: float, fix: str
) -> None:
    """Exit with a usage error when the estimated run time exceeds :data:`MAX_SECONDS`.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subparser whose ``error`` reports the refusal.
    options : str
        The options that set the size, as ``--a/--b``.
    work : str
        The size spelled out (``"300 organizations x 300 steps ..."``).
    seconds : float
        The estimated run time, in seconds.
    fix : str
        What to do instead.

    Returns
    -------
    None
        Returns only when the run is within the limit.

    Examples
    --------
    >>> _refuse_long(_Parser(prog="allysim trust"), "--steps", "10 steps", 5.0, "fewer")
    """
    if seconds > MAX_SECONDS:
        parser.error(
            f"argument {options}: {work} would take about {_duration(seconds)} (the limit is "
            f"{_duration(MAX_SECONDS)}); {fix}"
        )
