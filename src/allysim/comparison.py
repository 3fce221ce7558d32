"""Compare incentive mechanisms side by side: equilibrium, tournament, evolution and welfare.

This sits above [`mechanisms`][allysim.mechanisms] and [`evolution`][allysim.evolution] (it
uses both), so that neither of those has to import the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from allysim._progress import progress_bar
from allysim._validation import (
    SeedLike,
    check_game,
    check_int,
    check_nonnegative,
    check_probability,
    resolve_seed,
)
from allysim.evolution import stationary_distribution
from allysim.games import StageGame, partnership_game
from allysim.kernels import cooperation_rates, outcome_distribution
from allysim.kernels._inputs import factory_hint
from allysim.mechanisms import Mechanism, MechanismSetup, apply
from allysim.scenarios import comparison_scenarios, comparison_strategies
from allysim.strategies import FiniteStateStrategy, MemoryOne, named
from allysim.tournament import round_robin

__all__ = [
    "compare_mechanisms",
    "default_scenarios",
    "default_strategies",
    "standard_partnership_game",
]


def standard_partnership_game() -> StageGame:
    """The benchmark's partnership game: benefit 3, cost 2, synergy 0.5.

    R = 1.5, S = -2, T = 3, P = 0: a repeated prisoner's dilemma in which withholding tempts
    (T - R = 1.5) and contributing alone hurts (P - S = 2).

    Returns
    -------
    StageGame
        The game built by [`partnership_game`][allysim.games.partnership_game].

    Examples
    --------
    >>> standard_partnership_game().payoff_vector
    (1.5, -2.0, 3.0, 0.0)
    """
    return partnership_game(benefit=3.0, cost=2.0, synergy=0.5)


def default_strategies(game: StageGame) -> list:
    """The strategies a comparison uses unless told otherwise (GTFT tuned to ``game``).

    The registry lives in [`scenarios`][allysim.scenarios.comparison_strategies]; this name is
    kept for existing code.

    Parameters
    ----------
    game : StageGame
        A prisoner's dilemma (GTFT's generosity depends on its payoffs).

    Returns
    -------
    list of strategies
        ALLC, ALLD, TFT, STFT, GRIM, WSLS, TF2T and GTFT.

    Examples
    --------
    >>> [s.name for s in default_strategies(standard_partnership_game())][:4]
    ['ALLC', 'ALLD', 'TFT', 'STFT']
    """
    return comparison_strategies(game)


def default_scenarios() -> dict[str, list[Mechanism]]:
    """The mechanism scenarios of ``compare_mechanisms`` (fresh objects on each call).

    The registry and what each scenario varies live in
    [`comparison_scenarios`][allysim.scenarios.comparison_scenarios]; this name is kept for
    existing code.

    Returns
    -------
    dict of str to list of Mechanism
        Scenario name to the mechanisms applied, in order.

    Examples
    --------
    >>> list(default_scenarios())[:3]
    ['baseline', 'long shadow', 'monitoring']
    """
    return comparison_scenarios()


def _strategy_list(strategies, game: StageGame) -> list:
    """The comparison's strategy objects: names are looked up (tuned to ``game``)."""
    if strategies is None:
        return list(default_strategies(game))
    if isinstance(strategies, str) or not isinstance(strategies, Iterable):
        raise TypeError(
            "strategies must be a sequence of strategies or strategy names, got "
            f"{type(strategies).__name__}"
        )
    out = []
    for i, s in enumerate(strategies):
        if isinstance(s, str):
            s = named(s, game)
        if not isinstance(s, MemoryOne | FiniteStateStrategy):
            # The kernels' advice for a factory (allysim.GTFT, allysim.RANDOM) passed uncalled.
            raise TypeError(
                f"strategies[{i}] must be a MemoryOne or FiniteStateStrategy object or a name, "
                f"got {type(s).__name__}{factory_hint(s)}"
            )
        out.append(s)
    if len(out) < 2:
        raise ValueError(f"strategies must hold at least 2 strategies, got {len(out)}")
    return out


def _equilibrium(setup: MechanismSetup, strategies, rounds: int | None):
    """Is mutual contribution a Nash equilibrium among ``strategies`` (no noise)?

    A candidate is a strategy that contributes every round against itself; it is an equilibrium
    when no strategy in the set earns more against it than it earns against itself.
    """
    if setup.continuation is not None:
        dist = outcome_distribution(strategies, strategies, continuation=setup.continuation)
    else:
        dist = outcome_distribution(strategies, strategies, rounds=rounds)
    u_row, _ = setup.game.outcome_payoffs()
    payoff = dist @ u_row
    coop_self = np.diag(cooperation_rates(dist)[0])
    best_name, best_margin = None, -np.inf
    for i, s in enumerate(strategies):
        if coop_self[i] < 1 - 1e-12:
            continue
        # Strategies that play exactly as s does against s are not deviations.
        differs = np.abs(dist[:, i] - dist[i, i]).max(axis=1) > 1e-12
        margin = payoff[i, i] - payoff[differs, i].max() if differs.any() else np.inf
        if margin > best_margin:
            best_name, best_margin = s.name, margin
    return best_margin >= -1e-9, best_name, best_margin


def compare_mechanisms(
    game: StageGame,
    scenarios: Mapping[str, Sequence[Mechanism]],
    *,
    strategies: Sequence | None = None,
    horizon: int = 200,
    continuation: float | None = 0.3,
    perception_noise: float = 0.05,
    noise: float = 0.01,
    population: int = 50,
    selection: float = 1.0,
    method: Literal["exact", "simulate"] = "exact",
    repetitions: int = 20,
    seed: SeedLike = None,
    rng: SeedLike = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Compare mechanism scenarios on one partnership game; one tidy row per scenario.

    Every scenario starts from the same base settings (``continuation``, or ``horizon`` rounds
    when ``continuation`` is None, and ``perception_noise``); its mechanisms transform the game
    and settings (see [`apply`][allysim.mechanisms.apply]).

    Columns:

    * ``scenario``, ``mechanisms``, ``mechanism_settings``: the scenario's name, its mechanisms'
      class names, and the mechanisms with their parameters (their reprs).
    * ``equilibrium``, ``equilibrium_strategy``, ``candidate_strategy``, ``deviation_margin``:
      whether mutual contribution is a Nash equilibrium among ``strategies`` without noise; the
      strategy that sustains it (None when none does); the candidate closest to sustaining it
      (the strategy that contributes every round against itself with the largest margin, the
      first in ``strategies`` on a tie; None when no strategy does); and that candidate's
      margin, by how much its payoff against itself beats the best deviation that plays
      differently against it (payoff units per round;
      negative: that deviation gains, and mutual contribution is not an equilibrium).
    * ``margin_<kind>``: each mechanism's parameter minus its analytic threshold.
    * ``tournament_winner``, ``tournament_cooperation``: round robin with noise (scores and
      cooperation without self-play, as Axelrod-Python's).
    * ``cooperation``, ``welfare``: in the small-mutation stationary distribution (population,
      selection), the mean contribution rate and the welfare per partner per round net of
      enforcement costs and lost stakes, of the strategy the population uses. The population
      meets its own kind, so evolution uses the full payoff matrix, self-play included.
    * ``share_<strategy>``: the stationary share of each strategy.

    Parameters
    ----------
    game : StageGame, nashpy.Game or pair of arrays
        The symmetric 2x2 partnership game before any mechanism.
    scenarios : mapping of str to sequence of Mechanism
        Scenario name to the mechanisms applied, in order (see
        [`default_scenarios`][allysim.comparison.default_scenarios]).
    strategies : sequence of strategies or names, or None, default None
        The strategy set, at least 2 ([`MemoryOne`][allysim.strategies.MemoryOne] or
        [`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy] objects, or names as
        [`named`][allysim.strategies.named] takes them, tuned to ``game``); None uses
        [`default_strategies`][allysim.comparison.default_strategies].
    horizon : int, default 200
        Rounds per partnership when the base ``continuation`` is None.
    continuation : float or None, default 0.3
        Base probability in [0, 1) that a partnership continues after each round.
    perception_noise : float, default 0.05
        Base probability in [0, 1] of misreading the partner's move.
    noise : float, default 0.01
        Execution noise in [0, 1] in the tournament and the evolutionary payoffs.
    population : int, default 50
        Population size for the stationary distribution (at least 2).
    selection : float, default 1.0
        Selection strength (>= 0) of the pairwise-comparison process.
    method : {"exact", "simulate"}, default "exact"
        Tournament payoffs exact, or by Monte Carlo (with ``continuation``, partnerships of
        random geometric length; see [`simulate`][allysim.kernels.simulate]).
    repetitions : int, default 20
        Matches per pair for ``method="simulate"``.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Seed for ``method="simulate"``.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    progress : bool, default True
        Show a tqdm bar over scenarios.

    Returns
    -------
    pandas.DataFrame
        One row per scenario with the columns above.

    Raises
    ------
    TypeError
        ``game`` is not a 2x2 game (StageGame, nashpy.Game or a pair of payoff arrays), a
        scenario is not a list of mechanisms, ``strategies`` holds something else than
        strategies or names, or a number is of the wrong type.
    ValueError
        ``scenarios`` is empty, a strategy name is unknown, fewer than 2 strategies, a number
        is out of range, or ``method`` is not "exact" or "simulate".

    Examples
    --------
    >>> from allysim.mechanisms import ProfitSharing
    >>> g = standard_partnership_game()
    >>> df = compare_mechanisms(g, {"none": [], "sharing": [ProfitSharing(0.9)]}, continuation=0.3,
    ...                         progress=False)
    >>> df["equilibrium"].tolist()
    [False, True]
    """
    seed = resolve_seed(seed, rng)
    game = check_game(game, "game")
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise ValueError("scenarios must be a non-empty mapping of name -> list of mechanisms")
    for name, mechanisms in scenarios.items():
        if not isinstance(name, str):
            raise TypeError(f"scenarios keys must be names (str), got {type(name).__name__}")
        if isinstance(mechanisms, Mechanism) or not isinstance(mechanisms, Sequence):
            raise TypeError(
                f"scenarios[{name!r}] must be a list of mechanisms, got {type(mechanisms).__name__}"
            )
    strategies = _strategy_list(strategies, game)
    perception_noise = check_probability(perception_noise, "perception_noise")
    horizon = check_int(horizon, "horizon", minimum=1)
    population = check_int(population, "population", minimum=2)
    check_nonnegative(selection, "selection")
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    if method not in ("exact", "simulate"):
        raise ValueError(f"method must be 'exact' or 'simulate', got {method!r}")
    rows = []
    items: Iterable[tuple[str, Sequence[Mechanism]]] = list(scenarios.items())
    if progress:
        items = progress_bar(items, desc="scenarios", unit="scenario")
    for name, mechanisms in items:
        setup = apply(
            game, mechanisms, continuation=continuation, perception_noise=perception_noise
        )
        eq, eq_name, eq_margin = _equilibrium(setup, strategies, horizon)
        play = setup.play_settings(rounds=horizon, noise=noise)
        tour = round_robin(
            strategies,
            setup.game,
            settings=play,
            method=method,
            repetitions=repetitions,
            seed=seed,
        )
        dist = outcome_distribution(strategies, strategies, settings=play)
        coop_self = np.diag(cooperation_rates(dist)[0])
        welfare_self = np.diag(setup.welfare(dist))
        stat = stationary_distribution(
            tour.payoff_matrix, population=population, selection=selection
        )
        row = {
            "scenario": name,
            "mechanisms": ", ".join(type(m).__name__ for m in setup.mechanisms) or "none",
            # With their parameters, so a saved table says which sanction or bond it compared.
            "mechanism_settings": "; ".join(repr(m) for m in setup.mechanisms) or "none",
            "equilibrium": bool(eq),
            # Only a strategy that sustains mutual contribution is named as sustaining it.
            "equilibrium_strategy": eq_name if eq else None,
            "candidate_strategy": eq_name,
            "deviation_margin": float(eq_margin),
        }
        for kind, value in setup.margins().items():
            row[f"margin_{kind}"] = float(value)
        row.update(
            {
                "tournament_winner": tour.ranking["strategy"].iloc[0],
                "tournament_cooperation": float(tour.cooperation.mean()),
                "cooperation": float(stat.shares @ coop_self),
                "welfare": float(stat.shares @ welfare_self),
            }
        )
        for s, share in zip(strategies, stat.shares, strict=True):
            row[f"share_{s.name}"] = float(share)
        rows.append(row)
    return pd.DataFrame(rows)
