"""Zero-determinant strategies (Press & Dyson 2012): memory-one strategies that enforce a linear
relation between their own long-run payoff and the partner's, whatever the partner does.

``zero_determinant`` builds the general family; ``extortionate`` (baseline P, Press & Dyson
2012) and ``generous`` (baseline R, Stewart & Plotkin 2013) are its two named branches, and
``zd_phi_range`` gives the feasible scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import check_game, check_real, check_str
from allysim.games import PrisonersDilemma, StageGame
from allysim.games.dilemmas import _symmetric_payoffs
from allysim.strategies.memory_one import MemoryOne

__all__ = ["extortionate", "generous", "zd_phi_range", "zero_determinant"]


def _zd_parts(
    payoffs: tuple[float, float, float, float], chi: float, baseline: float
) -> tuple[np.ndarray, np.ndarray]:
    R, S, T, P = payoffs
    sx = np.array([R, S, T, P])
    sy = np.array([R, T, S, P])
    # Press & Dyson: p - (1, 1, 0, 0) = phi * [(S_X - l) - chi (S_Y - l)] enforces
    # s_X - l = chi (s_Y - l) in the long run.
    return np.array([1.0, 1.0, 0.0, 0.0]), (sx - baseline) - chi * (sy - baseline)


def _phi_max(game: Any, chi: Any, baseline: Any) -> tuple[float, float, float, np.ndarray]:
    payoffs = _symmetric_payoffs(game, "game")
    chi = check_real(chi, "chi")
    baseline = check_real(baseline, "baseline")
    a, b = _zd_parts(payoffs, chi, baseline)
    if not np.all(np.isfinite(b)):
        raise ValueError(
            f"chi={chi:g} and baseline={baseline:g} are too large for this game's payoffs: the "
            "strategy's coefficients overflow"
        )
    if not np.any(b):
        raise ValueError(
            f"chi={chi:g} with this game (S = T) makes s_X - {baseline:g} = chi (s_Y - "
            f"{baseline:g}) hold for every strategy, so it defines no zero-determinant strategy; "
            "pick chi != 1"
        )
    phi_max = np.inf
    for ai, bi in zip(a, b, strict=True):
        if bi > 0:
            phi_max = min(phi_max, (1 - ai) / bi)
        elif bi < 0:
            phi_max = min(phi_max, -ai / bi)
    if not phi_max > 0:
        raise ValueError(
            f"no zero-determinant strategy enforces s_X - {baseline:g} = {chi:g} (s_Y - "
            f"{baseline:g}) in this game (chi={chi:g}, baseline={baseline:g}): no phi > 0 gives "
            "probabilities in [0, 1]; the baseline must lie between P and R"
        )
    return float(phi_max), chi, baseline, b


def zd_phi_range(game: StageGame, chi: float, baseline: float) -> tuple[float, float]:
    """The open-closed interval ``(0, phi_max]`` of feasible ``phi`` for a ZD strategy.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        The slope ``chi`` of the enforced relation ``s_X - baseline = chi (s_Y - baseline)``.
    baseline : float
        The payoff level ``l`` of the relation, in payoff units.

    Returns
    -------
    tuple of float
        ``(0.0, phi_max)``: every ``phi`` with ``0 < phi <= phi_max`` gives probabilities in
        [0, 1].

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or ``chi`` or ``baseline``
        is not a real number.
    ValueError
        ``game`` is not symmetric 2x2, ``chi`` or ``baseline`` is not finite, or no ``phi > 0``
        is feasible (the message names ``chi`` and ``baseline``).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> zd_phi_range(PrisonersDilemma(), chi=3, baseline=1)  # Press & Dyson: phi <= 1/13
    (0.0, 0.07692307692307693)
    """
    return 0.0, _phi_max(game, chi, baseline)[0]


def zero_determinant(
    game: StageGame,
    *,
    chi: float,
    phi: float,
    baseline: float,
    p0: float = 1.0,
    name: str | None = None,
) -> MemoryOne:
    """A zero-determinant strategy enforcing ``s_X - baseline = chi (s_Y - baseline)``.

    From Press & Dyson (2012, PNAS 109:10409): ``p = (1, 1, 0, 0) + phi [(S_X - l) - chi (S_Y -
    l)]`` with ``S_X = (R, S, T, P)``, ``S_Y = (R, T, S, P)`` and ``l = baseline``. In the long run
    (limit of means) the relation holds against any opponent. ``baseline = P`` gives extortion,
    ``baseline = R`` generosity (Stewart & Plotkin 2013).

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        Slope of the enforced relation.
    phi : float
        Scale in ``(0, phi_max]`` (see [`zd_phi_range`][allysim.strategies.zd_phi_range]).
    baseline : float
        Payoff level ``l`` of the relation.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round (it does not affect the
        long-run relation).
    name : str, optional
        Label; default ``"ZD(chi=..., l=...)"``.

    Returns
    -------
    MemoryOne
        The strategy. Round-off at the boundary ``phi = phi_max`` is clipped into [0, 1];
        larger excursions are refused.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], a number is not a real number, or
        ``name`` is not a str.
    ValueError
        A number is not finite, ``phi`` is outside the feasible range (the message gives it), or
        no ZD strategy enforces the relation in ``game``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> s = zero_determinant(PrisonersDilemma(), chi=3, phi=1 / 26, baseline=1)
    >>> [round(x, 4) for x in s.p]  # Press & Dyson's Extort-3: (11/13, 1/2, 7/26, 0)
    [0.8462, 0.5, 0.2692, 0.0]
    """
    phi = check_real(phi, "phi")
    if name is not None:
        check_str(name, "name")
    phi_max, chi, baseline, b = _phi_max(game, chi, baseline)
    if not 0 < phi <= phi_max * (1 + 1e-12):
        raise ValueError(
            f"phi must lie in (0, {phi_max:.6g}] for chi={chi:g}, baseline={baseline:g}, got "
            f"{phi!r}"
        )
    p = np.clip(np.array([1.0, 1.0, 0.0, 0.0]) + phi * b, 0.0, 1.0)
    label = name if name is not None else f"ZD(chi={chi:g}, l={baseline:g})"
    return MemoryOne(tuple(float(x) for x in p), p0=p0, name=label)


def _zd_family(game: Any, chi: Any, phi: Any, which: str) -> tuple[StageGame, float, float | None]:
    game = PrisonersDilemma() if game is None else game
    game = check_game(game, "game")
    chi = check_real(chi, "chi")
    if chi < 1:
        raise ValueError(f"chi must be >= 1 for {which} strategy, got {chi!r}")
    return game, chi, None if phi is None else check_real(phi, "phi")


def extortionate(
    game: StageGame | None = None, chi: float = 3.0, phi: float | None = None, p0: float = 1.0
) -> MemoryOne:
    """An extortionate ZD strategy (Press & Dyson 2012): ``s_X - P = chi (s_Y - P)``, chi >= 1.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 3.0
        Extortion factor, >= 1: the strategy's surplus over P is ``chi`` times the partner's.
    phi : float, optional
        Scale in ``(0, phi_max]``; default half of ``phi_max``, which for the standard payoffs
        and chi=3 gives Press & Dyson's Extort-3 ``(11/13, 1/2, 7/26, 0)``.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round.

    Returns
    -------
    MemoryOne
        Named ``"EXTORT(chi)"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, or ``game`` admits no such
        strategy (not symmetric 2x2, or no feasible phi).

    Examples
    --------
    >>> s = extortionate()
    >>> s.name, [round(x, 4) for x in s.p]
    ('EXTORT(3)', [0.8462, 0.5, 0.2692, 0.0])
    """
    game, chi, phi = _zd_family(game, chi, phi, "an extortionate")
    P = _symmetric_payoffs(game, "game")[3]
    if phi is None:
        phi = _phi_max(game, chi, P)[0] / 2
    return zero_determinant(game, chi=chi, phi=phi, baseline=P, p0=p0, name=f"EXTORT({chi:g})")


def generous(
    game: StageGame | None = None, chi: float = 2.0, phi: float | None = None, p0: float = 1.0
) -> MemoryOne:
    """A generous ZD strategy (Stewart & Plotkin 2013): ``s_X - R = chi (s_Y - R)``, ``chi >= 1``.

    It concedes: the partner never earns less than it does.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 2.0
        Generosity factor, >= 1: the strategy's shortfall below R is ``chi`` times the
        partner's.
    phi : float, optional
        Scale in ``(0, phi_max]``; default half of ``phi_max``.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round.

    Returns
    -------
    MemoryOne
        Named ``"GENEROUS(chi)"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, or ``game`` admits no such
        strategy.

    Examples
    --------
    >>> s = generous()
    >>> s.name, s.p  # standard payoffs: phi_max = 1/8, phi = 1/16
    ('GENEROUS(2)', (1.0, 0.5625, 0.5, 0.125))
    """
    game, chi, phi = _zd_family(game, chi, phi, "a generous")
    R = _symmetric_payoffs(game, "game")[0]
    if phi is None:
        phi = _phi_max(game, chi, R)[0] / 2
    return zero_determinant(game, chi=chi, phi=phi, baseline=R, p0=p0, name=f"GENEROUS({chi:g})")
