"""The named strategies of the literature, and the factories of the tuned ones.

Constants (``ALLC``, ``TFT``, ``GRIM``, ...) are ready-made strategies. Strategies that depend
on a parameter are built by functions with lower-case names: [`gtft`][allysim.strategies.gtft]
(generous tit-for-tat, tuned to a game) and
[`random_strategy`][allysim.strategies.random_strategy]. ``GTFT`` and ``RANDOM`` are the same
functions under their former upper-case names, kept so existing code runs unchanged; the
lower-case names are preferred because they do not look like the constants beside them.
"""

from __future__ import annotations

from allysim._validation import check_probability
from allysim.games import PrisonersDilemma, StageGame
from allysim.games.dilemmas import _symmetric_payoffs
from allysim.strategies.finite_state import _alternator, _grudger, _tit_for_two_tats
from allysim.strategies.memory_one import MemoryOne, Strategy

__all__ = [
    "ALLC",
    "ALLD",
    "ALTERNATOR",
    "CLASSIC",
    "GRIM",
    "GTFT",
    "RANDOM",
    "STFT",
    "TF2T",
    "TFT",
    "WSLS",
    "gtft",
    "random_strategy",
]

#: Always contribute.
ALLC = MemoryOne((1, 1, 1, 1), p0=1, name="ALLC")
#: Always withhold.
ALLD = MemoryOne((0, 0, 0, 0), p0=0, name="ALLD")
#: Tit-for-tat (Rapoport; Axelrod 1980): contribute first, then copy the partner's last move.
TFT = MemoryOne((1, 0, 1, 0), p0=1, name="TFT")
#: Suspicious tit-for-tat: as TFT but withhold in the first round.
STFT = MemoryOne((1, 0, 1, 0), p0=0, name="STFT")
#: Win-stay, lose-shift / Pavlov (Nowak & Sigmund 1993): repeat after R or T, switch after S or P.
WSLS = MemoryOne((1, 0, 0, 1), p0=1, name="WSLS")
#: Grim trigger / Grudger (Friedman 1971): contribute until the partner withholds once, then never.
GRIM = _grudger()
#: Tit-for-two-tats (Axelrod 1984): withhold only after two consecutive partner defections.
TF2T = _tit_for_two_tats()
#: Alternator: C, D, C, D, ...
ALTERNATOR = _alternator()


def gtft(game: StageGame | None = None) -> MemoryOne:
    """Generous tit-for-tat (Nowak & Sigmund 1992), with generosity from the game's payoffs.

    ``p = (1, g, 1, g)``, ``p0 = 1``, with ``g = min(1 - (T - R) / (R - S), (R - P) / (T - P))``
    (Nowak & Sigmund 1992, Nature 355:250; the rule Axelrod-Python uses). ``GTFT`` is the same
    function under its former name; ``gtft`` is preferred.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game with ``R > S`` and ``T > P`` whose generosity ``g`` lies in
        [0, 1], as in every repeated prisoner's dilemma. Default ``PrisonersDilemma()`` (R=3,
        S=0, T=5, P=1), giving ``g = 1/3``.

    Returns
    -------
    MemoryOne
        Named ``"GTFT"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame].
    ValueError
        ``game`` is not a symmetric 2x2 game, or its payoffs give no generosity in [0, 1]
        (for instance R = S, T = P, or a harmony game).

    Examples
    --------
    >>> [round(x, 4) for x in gtft().p]
    [1.0, 0.3333, 1.0, 0.3333]
    >>> [round(x, 4) for x in gtft(PrisonersDilemma(R=3, S=0, T=4, P=1)).p]
    [1.0, 0.6667, 1.0, 0.6667]
    """
    game = PrisonersDilemma() if game is None else game
    R, S, T, P = _symmetric_payoffs(game, "game")
    advice = (
        "GTFT's generosity g = min(1 - (T-R)/(R-S), (R-P)/(T-P)) (Nowak & Sigmund 1992) must be "
        "a probability in [0, 1], as in every repeated prisoner's dilemma (T > R > P > S, 2R > "
        "T + S) and some other games (a snowdrift game with 2R >= T + S); pass such a game, or "
        "build generous tit-for-tat with an explicit generosity g in [0, 1] as "
        "MemoryOne((1, g, 1, g), p0=1, name='GTFT')"
    )
    payoffs = f"R={R:g}, S={S:g}, T={T:g}, P={P:g}"
    if not (R > S and T > P):
        raise ValueError(f"game has {payoffs}, so R > S and T > P fail: {advice}")
    g = min(1 - (T - R) / (R - S), (R - P) / (T - P))
    if not 0 <= g <= 1:
        raise ValueError(
            f"game has {payoffs}, giving generosity g = {g:g}, not in [0, 1]: {advice}"
        )
    return MemoryOne((1, g, 1, g), p0=1, name="GTFT")


def random_strategy(p: float = 0.5) -> MemoryOne:
    """Contribute with probability ``p`` every round, the first included.

    ``RANDOM`` is the same function under its former name; ``random_strategy`` is preferred.

    Parameters
    ----------
    p : float, default 0.5
        Probability in [0, 1] to contribute.

    Returns
    -------
    MemoryOne
        ``p = (p, p, p, p)``, ``p0 = p``, named ``"RANDOM(p)"``.

    Raises
    ------
    TypeError
        ``p`` is not a real number.
    ValueError
        ``p`` is not finite or outside [0, 1].

    Examples
    --------
    >>> random_strategy(0.25).p
    (0.25, 0.25, 0.25, 0.25)
    """
    # + 0.0 turns -0.0 into 0.0, so random_strategy(-0.0) is RANDOM(0), not RANDOM(-0).
    p = check_probability(p, "p") + 0.0
    return MemoryOne((p, p, p, p), p0=p, name=f"RANDOM({p:g})")


GTFT = gtft
"""Former name of [`gtft`][allysim.strategies.gtft], kept as an alias (the same function)."""

RANDOM = random_strategy
"""Former name of [`random_strategy`][allysim.strategies.random_strategy], kept as an alias (the
same function)."""

#: The classic strategies of the literature, for tournaments and the demo.
CLASSIC: tuple[Strategy, ...] = (ALLC, ALLD, TFT, STFT, gtft(), WSLS, GRIM, TF2T, ALTERNATOR)
