"""Evolution in the continuous space of reactive and memory-one strategies.

Two schemes of the literature, both on exact repeated-game payoffs of memory-one strategies
``[p_CC, p_CD, p_DC, p_DD, p0]`` (see [`expected_payoffs`][allysim.kernels.expected_payoffs]):

* [`strategy_space_replicator`][allysim.evolution.strategy_space_replicator]: Nowak & Sigmund
  (1992, Nature 355:250-253; 1993, Nature 364:56-58). A population of strategies with shares
  evolves under the discrete replicator on the payoffs of the infinitely repeated game with
  errors; every so many generations a random mutant strategy enters at a small share, and
  strategies whose share falls below a threshold are removed.
* [`sequential_invasion`][allysim.evolution.sequential_invasion]: the small-mutation limit of a
  finite population (Fudenberg & Imhof 2006; Imhof & Nowak 2010, Proc R Soc B 277:463-468; as
  used by Stewart & Plotkin 2013 and Hilbe, Chatterjee & Nowak 2018). A resident strategy
  meets one random mutant at a time; the mutant takes over with its exact fixation probability
  in a population of size N, otherwise it is lost.

Mutants are drawn from the reactive space ``(p, q)`` (the strategy ``[p, q, p, q]``, opening
with ``p``) or the memory-one space, uniformly or, with ``corner_bias``, from the U-shaped
Beta(a, a) law that Nowak & Sigmund used to sample near-deterministic strategies more often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    SeedLike,
    as_generator,
    as_probability_array,
    check_bool,
    check_game,
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
)
from allysim.evolution._common import Rule, _choice, _population, _rule, _selection
from allysim.evolution.fixation import _partial_log_products, _rho_parts
from allysim.games import StageGame
from allysim.kernels._chains import _chain_long_run, _chain_mean_rounds
from allysim.kernels._inputs import _horizon, _outcome_payoffs
from allysim.kernels.exact import _effective_memory_one, _memory_one_chain

__all__ = [
    "StrategySpaceResult",
    "sample_strategies",
    "sequential_invasion",
    "strategy_space_replicator",
]

Space = Literal["reactive", "memory-one"]


@dataclass(frozen=True, repr=False)
class StrategySpaceResult(SavedResult):
    """The trajectory of an evolution in strategy space.

    Parameters
    ----------
    times : numpy.ndarray
        Shape (k,): the generation (replicator) or mutant count (sequential invasion) at which
        each record starts, increasing from 0.
    durations : numpy.ndarray
        Shape (k,): how many generations or mutants each record stands for (they sum to the
        length of the run), the weights of the time averages.
    dominant : numpy.ndarray
        Shape (k, 5): the most common strategy ``[p_CC, p_CD, p_DC, p_DD, p0]`` (the resident,
        for sequential invasion).
    mean_strategy : numpy.ndarray
        Shape (k, 5): the share-weighted mean strategy of the population (the resident, for
        sequential invasion).
    cooperation : numpy.ndarray
        Shape (k,): the population's cooperation rate (share of rounds in which a random
        player contributes, errors included).
    payoff : numpy.ndarray
        Shape (k,): the population's mean payoff per round.
    method : str
        ``"replicator"`` or ``"sequential-invasion"``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> res = sequential_invasion(PrisonersDilemma(), steps=200, noise=0.01, seed=1)
    >>> int(res.durations.sum()), res.time_average().shape
    (200, (5,))
    """

    times: np.ndarray
    durations: np.ndarray
    dominant: np.ndarray
    mean_strategy: np.ndarray
    cooperation: np.ndarray
    payoff: np.ndarray
    method: str

    def time_average(self) -> np.ndarray:
        """The mean strategy averaged over the run, weighted by the records' durations.

        Returns
        -------
        numpy.ndarray
            Shape (k,): the time-averaged strategy, ``[p_CC, p_CD, p_DC, p_DD, p0]`` (k = 5)
            for the memory-one and reactive spaces, the ``4**memory`` entries of ``p`` for
            [`deterministic_invasion`][allysim.evolution.deterministic_invasion].

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> res = sequential_invasion(PrisonersDilemma(), steps=100, noise=0.01, seed=2)
        >>> bool(np.all((res.time_average() >= 0) & (res.time_average() <= 1)))
        True
        """
        w = self.durations / self.durations.sum()
        return np.asarray(w @ self.mean_strategy)

    def average_cooperation(self) -> float:
        """The cooperation rate averaged over the run, weighted by the records' durations.

        Returns
        -------
        float
            In [0, 1].

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> res = sequential_invasion(PrisonersDilemma(), steps=100, noise=0.01, seed=2)
        >>> 0.0 <= res.average_cooperation() <= 1.0
        True
        """
        w = self.durations / self.durations.sum()
        return float(w @ self.cooperation)


def sample_strategies(
    n: int,
    *,
    space: Space = "memory-one",
    corner_bias: float | None = None,
    seed: SeedLike = None,
) -> np.ndarray:
    """Draw ``n`` random strategies from the reactive or memory-one space.

    Parameters
    ----------
    n : int
        Number of strategies, >= 0.
    space : {"memory-one", "reactive"}, default "memory-one"
        ``"memory-one"``: the five probabilities ``p_CC, p_CD, p_DC, p_DD, p0`` drawn
        independently. ``"reactive"``: ``p`` (contribute after the partner contributed) and
        ``q`` (after it withheld), giving ``[p, q, p, q]`` and opening move ``p``.
    corner_bias : float or None, default None
        None draws each probability uniformly on [0, 1]. A value ``a`` in (0, 1] draws from
        Beta(a, a), U-shaped for ``a < 1``: near-deterministic strategies come up more often,
        as in Nowak & Sigmund (1993), who sampled memory-one mutants with a U-shaped density.
        ``a = 1`` is uniform.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Random stream; the same seed gives the same strategies.

    Returns
    -------
    numpy.ndarray
        Shape (n, 5): rows ``[p_CC, p_CD, p_DC, p_DD, p0]``.

    Raises
    ------
    ValueError
        ``n`` < 0, an unknown ``space``, or ``corner_bias`` outside (0, 1].

    Examples
    --------
    >>> s = sample_strategies(3, space="reactive", seed=0)
    >>> s.shape, bool(np.all(s[:, 0] == s[:, 2])), bool(np.all(s[:, 4] == s[:, 0]))
    ((3, 5), True, True)
    """
    n = check_int(n, "n", minimum=0)
    space = _space(space)
    a = _corner_bias(corner_bias)
    rng = as_generator(seed, "seed")
    return _draw(rng, n, space, a)


def _space(space: Any) -> Space:
    _choice(space, "space", ("memory-one", "reactive"))
    return "reactive" if space == "reactive" else "memory-one"


def _corner_bias(a: Any) -> float | None:
    if a is None:
        return None
    return check_interval(a, "corner_bias", 0.0, 1.0, low_open=True)


def _draw(rng: np.random.Generator, n: int, space: Space, a: float | None) -> np.ndarray:
    k = 2 if space == "reactive" else 5
    raw = rng.random((n, k)) if a is None else rng.beta(a, a, size=(n, k))
    if space == "reactive":
        p, q = raw[:, 0], raw[:, 1]
        return np.stack([p, q, p, q, p], axis=1)
    return raw


def _paired_outcomes(x: np.ndarray, y: np.ndarray, horizon: tuple[str, float], eps: float):
    """Outcome distributions (k, 4) of row x[i] against y[i], pair by pair."""
    px, p0x = _effective_memory_one(x, eps, 0.0)
    qy, q0y = _effective_memory_one(y, eps, 0.0)
    dx, d0x = _effective_memory_one(x, eps, 0.0, withhold=True)
    dy, d0y = _effective_memory_one(y, eps, 0.0, withhold=True)
    mats, v0 = _memory_one_chain(px, p0x, qy, q0y, dx, d0x, dy, d0y)
    kind, value = horizon
    if kind == "rounds":
        out = _chain_mean_rounds(mats, v0, int(value))
    else:
        out = _chain_long_run(mats, v0, value)
    out = np.maximum(out, 0.0)
    return out / out.sum(axis=1, keepdims=True)


def _all_pairs(x: np.ndarray, y: np.ndarray, horizon, eps: float) -> np.ndarray:
    """Outcome distributions (n, m, 4) for every pair (x[i], y[j])."""
    from allysim.kernels.exact import outcome_distribution

    kind, value = horizon
    return outcome_distribution(
        x,
        y,
        rounds=int(value) if kind == "rounds" else None,
        continuation=value if kind == "continuation" else None,
        noise=eps,
    )


def _symmetric_payoffs(game: Any) -> np.ndarray:
    """The row payoffs per outcome (CC, CD, DC, DD) of a symmetric 2x2 game.

    In one well-mixed population a player meets others in both roles, so the model needs one
    payoff per outcome; an asymmetric game would have its column payoffs ignored.
    """
    game = check_game(game, "game")
    u_row, u_col = _outcome_payoffs(game)
    if not game.is_symmetric:
        raise ValueError(
            "game must be a symmetric 2x2 game (column payoffs the transpose of the row "
            f"payoffs): players of one population meet in both roles; got row payoffs "
            f"{u_row.tolist()} and column payoffs {u_col.tolist()} per outcome CC, CD, DC, DD"
        )
    return u_row


def _initial(initial: Any, name: str = "initial") -> np.ndarray:
    arr = as_probability_array(initial, name, shape=(5,))
    return arr.astype(float)


def _invade(resident, steps, draw, play, u_row, z, beta, rule, rng, progress):
    """The sequential-invasion loop shared by every strategy space.

    ``draw(nb)`` gives ``nb`` mutants; ``play(px, py)`` the outcome distributions (CC, CD, DC,
    DD) of pairs of rows. Mutants come in batches; the first in a batch to fix (chance its
    fixation probability) becomes the resident, and the batch's later mutants are not used.
    A mutant equal to the resident is neutral and leaves it in place.
    """

    def self_play(strategy: np.ndarray) -> tuple[float, float]:
        dist = play(strategy[None], strategy[None])[0]
        return float(dist @ u_row), float(dist[0] + dist[1])

    times, durations, residents, coop, pay = [0], [], [resident], [], []
    p, c = self_play(resident)
    pay.append(p)
    coop.append(c)
    bar = None
    if progress:
        bar = progress_bar(total=steps, desc="mutants", unit="mutant")
    batch, done, since = 64, 0, 0
    while done < steps:
        nb = min(batch, steps - done)
        mutants = draw(nb)
        u = rng.random(nb)
        res = np.broadcast_to(resident, mutants.shape)
        d_mm = play(mutants, mutants)
        d_mr = play(mutants, res)
        a_mm = d_mm @ u_row
        a_mr = d_mr @ u_row
        # The resident's payoff against the mutant is the mutant's game seen from the other side.
        a_rm = d_mr[:, [0, 2, 1, 3]] @ u_row
        a_rr = np.full(nb, pay[-1])
        try:
            partial = _partial_log_products(a_mm, a_mr, a_rm, a_rr, z, beta, rule)
        except ValueError as exc:
            if "fitness" not in str(exc):
                raise
            # The fitness message names payoff_matrix, which the callers here do not take.
            low = float(min(a_mm.min(), a_mr.min(), a_rm.min(), a_rr.min()))
            raise ValueError(
                f"rule={rule!r} needs finite, positive fitness 1 - selection + selection * "
                f"payoff for every resident and mutant; the game's payoffs here go down to "
                f"{low:.4g}: lower selection or shift the game's payoffs up"
            ) from exc
        top, total = _rho_parts(partial)
        rho = np.exp(-top) / total
        same = np.all(mutants == resident, axis=1)
        hits = np.flatnonzero((u < rho) & ~same)
        if hits.size:
            k = int(hits[0])
            done += k + 1
            durations.append(since + k + 1)
            since = 0
            resident = mutants[k].copy()
            residents.append(resident)
            times.append(done)
            p, c = self_play(resident)
            pay.append(p)
            coop.append(c)
            step_count = k + 1
        else:
            done += nb
            since += nb
            step_count = nb
        if bar is not None:
            bar.update(step_count)
    if bar is not None:
        bar.close()
    # The last resident lasts until the end; a mutant that fixed on the very last step has a
    # record of length 0, which carries no weight in the averages.
    durations.append(since)
    strategies = np.array(residents)
    return StrategySpaceResult(
        times=np.array(times, dtype=np.int64),
        durations=np.array(durations, dtype=np.int64),
        dominant=strategies,
        mean_strategy=strategies,
        cooperation=np.array(coop),
        payoff=np.array(pay),
        method="sequential-invasion",
    )


def sequential_invasion(
    game: StageGame,
    *,
    steps: int = 10_000,
    space: Space = "memory-one",
    population: int = 100,
    selection: float = 1.0,
    rule: Rule = "fermi",
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    corner_bias: float | None = None,
    initial: Any = (0, 0, 0, 0, 0),
    seed: SeedLike = None,
    progress: bool = False,
) -> StrategySpaceResult:
    """Small-mutation-limit evolution: a resident meets one random mutant strategy at a time.

    At each step a mutant is drawn from the strategy space (see
    [`sample_strategies`][allysim.evolution.sample_strategies]); it replaces the resident with
    its exact fixation probability in a well-mixed population of ``population`` players, one
    mutant among ``population - 1`` residents (see
    [`fixation_probability`][allysim.evolution.fixation_probability]), and is lost otherwise.
    This is the embedded chain of the process with rare mutations (Fudenberg & Imhof 2006;
    Imhof & Nowak 2010), as run by Stewart & Plotkin (2013, PNAS 110:15348) and Hilbe,
    Chatterjee & Nowak (2018, Nat Hum Behav 2:469).

    Mutants are drawn in batches whose fixation probabilities are computed at once; the first
    that fixes becomes the resident and the rest of the batch is discarded, which leaves the
    process unchanged because mutants are independent.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 stage game (the prisoner's dilemma, the donation game...).
    steps : int, default 10000
        Number of mutants tried, >= 1.
    space : {"memory-one", "reactive"}, default "memory-one"
        The space mutants come from.
    population : int, default 100
        Population size N >= 2.
    selection : float, default 1.0
        Selection intensity >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison (Fermi) imitation or Moran birth-death process.
    rounds : int or None, default None
        Rounds per game (mean payoff per round); give this, ``continuation`` or neither.
    continuation : float or None, default None
        Probability in [0, 1) that the game goes on after each round (normalised discounted
        payoff, expected ``1 / (1 - continuation)`` rounds). Neither: the limit of means.
    noise : float, default 0.0
        Execution error in [0, 0.5]: each intended move is flipped with this probability.
    corner_bias : float or None, default None
        None samples mutants uniformly; ``a`` in (0, 1] samples from Beta(a, a).
    initial : array_like of 5 floats, default (0, 0, 0, 0, 0)
        The first resident ``[p_CC, p_CD, p_DC, p_DD, p0]`` (default ALLD).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Random stream; the same seed gives the same run, bit for bit.
    progress : bool, default False
        Show a tqdm progress bar over the mutants.

    Returns
    -------
    StrategySpaceResult
        One record per resident: when it arrived, how many mutants it lasted, its strategy,
        its cooperation rate and payoff against itself.

    Raises
    ------
    TypeError
        ``game`` is not a game, or an argument has the wrong type.
    ValueError
        An argument is out of range (named in the message), or ``game`` is not a symmetric
        2x2 game.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> res = sequential_invasion(PrisonersDilemma(), steps=2000, space="reactive",
    ...                           noise=0.01, seed=3)
    >>> len(res.times) > 1, int(res.durations.sum())
    (True, 2000)
    """
    u_row = _symmetric_payoffs(game)
    steps = check_int(steps, "steps", minimum=1)
    space = _space(space)
    z = _population(population)
    rule = _rule(rule)
    beta = _selection(selection, rule)
    horizon = _horizon(rounds, continuation)
    eps = check_interval(noise, "noise", 0.0, 0.5)
    a = _corner_bias(corner_bias)
    resident = _initial(initial)
    progress = check_bool(progress, "progress")
    rng = as_generator(seed, "seed")
    check_memory(8.0 * 14 * min(steps, 10**7), "steps", hint="run fewer steps per call")

    return _invade(
        resident,
        steps,
        lambda nb: _draw(rng, nb, space, a),
        lambda px, py: _paired_outcomes(px, py, horizon, eps),
        u_row,
        z,
        beta,
        rule,
        rng,
        progress,
    )


def strategy_space_replicator(
    game: StageGame,
    *,
    generations: int = 100_000,
    space: Space = "reactive",
    initial_strategies: Any = 100,
    noise: float = 0.001,
    rounds: int | None = None,
    continuation: float | None = None,
    mutation_interval: int = 100,
    mutant_share: float = 0.01,
    threshold: float = 0.001,
    corner_bias: float | None = None,
    background_fitness: float = 0.0,
    record_every: int = 10,
    seed: SeedLike = None,
    progress: bool = False,
) -> StrategySpaceResult:
    """Nowak & Sigmund's evolution of a population of strategies with random mutants.

    The shares ``x`` of the strategies present follow the discrete replicator
    ``x_i' = x_i f_i / (x . f)`` with ``f = A x + b`` on the exact payoffs ``A`` of the
    repeated game (by default the limit of means with execution errors, which keeps every
    effective probability in [noise, 1 - noise] as in the papers). Every ``mutation_interval``
    generations a random strategy from ``space`` enters with share ``mutant_share`` (the others
    shrink in proportion), and strategies whose share is below ``threshold`` are removed (the
    rest renormalised). Nowak & Sigmund (1992, Nature 355:250) ran this in the reactive space
    and saw ALLD-like strategies, then TFT-like ones, then generous tit-for-tat take over;
    Nowak & Sigmund (1993, Nature 364:56) in the memory-one space, where win-stay, lose-shift
    (Pavlov) took over in most runs.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 stage game.
    generations : int, default 100000
        Number of generations, >= 1.
    space : {"reactive", "memory-one"}, default "reactive"
        The space of the initial strategies and of mutants.
    initial_strategies : int or array_like of shape (n, 5), default 100
        An int draws that many random strategies at equal shares (Nowak & Sigmund started
        from 100); an array gives them explicitly, at equal shares.
    noise : float, default 0.001
        Execution error in [0, 0.5].
    rounds : int or None, default None
        Rounds per game; give this, ``continuation`` or neither (the limit of means).
    continuation : float or None, default None
        Probability in [0, 1) that the game goes on after each round.
    mutation_interval : int, default 100
        Generations between two mutants, >= 1.
    mutant_share : float, default 0.01
        Share in (0, 1) of each new mutant.
    threshold : float, default 0.001
        Strategies with a share below this, in [0, 1), are removed.
    corner_bias : float or None, default None
        None draws mutants uniformly; ``a`` in (0, 1] draws from the U-shaped Beta(a, a).
    background_fitness : float, default 0.0
        Added to every payoff; ``A + background_fitness`` must be > 0.
    record_every : int, default 10
        Generations per record of the trajectory, >= 1.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Random stream; the same seed gives the same run, bit for bit.
    progress : bool, default False
        Show a tqdm progress bar over generations.

    Returns
    -------
    StrategySpaceResult
        One record per ``record_every`` generations: the most common strategy, the mean
        strategy, the cooperation rate and the mean payoff at its start.

    Raises
    ------
    TypeError
        ``game`` is not a game, or an argument has the wrong type.
    ValueError
        An argument is out of range (named in the message), ``game`` is not a symmetric 2x2
        game, or some payoff plus ``background_fitness`` is not positive.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> res = strategy_space_replicator(PrisonersDilemma(), generations=500, seed=1)
    >>> res.dominant.shape, int(res.durations.sum())
    ((50, 5), 500)
    """
    u_row = _symmetric_payoffs(game)
    generations = check_int(generations, "generations", minimum=1)
    space = _space(space)
    eps = check_interval(noise, "noise", 0.0, 0.5)
    horizon = _horizon(rounds, continuation)
    interval = check_int(mutation_interval, "mutation_interval", minimum=1)
    share = check_interval(mutant_share, "mutant_share", 0.0, 1.0, low_open=True, high_open=True)
    threshold = check_interval(threshold, "threshold", 0.0, 1.0, high_open=True)
    a = _corner_bias(corner_bias)
    b = check_nonnegative(background_fitness, "background_fitness")
    record_every = check_int(record_every, "record_every", minimum=1)
    progress = check_bool(progress, "progress")
    rng = as_generator(seed, "seed")
    if isinstance(initial_strategies, int | np.integer) and not isinstance(
        initial_strategies, bool
    ):
        n0 = check_int(initial_strategies, "initial_strategies", minimum=1)
        strat = _draw(rng, n0, space, a)
    else:
        strat = as_probability_array(initial_strategies, "initial_strategies", shape=(None, 5))
        if strat.shape[0] < 1:
            raise ValueError("initial_strategies must hold at least one strategy")
        strat = strat.astype(float)
    n_rec = math.ceil(generations / record_every)
    check_memory(8.0 * 12 * n_rec, "generations", hint="raise record_every")

    dist = _all_pairs(strat, strat, horizon, eps)
    pay = dist @ u_row
    coopm = dist[..., 0] + dist[..., 1]
    x = np.full(len(strat), 1.0 / len(strat))

    def fitness(m: np.ndarray) -> np.ndarray:
        fit = m + b
        if np.any(fit <= 0):
            raise ValueError(
                "payoffs + background_fitness must be > 0 for the discrete replicator; the "
                f"smallest is {fit.min():.3g}: raise background_fitness"
            )
        return fit

    fit = fitness(pay)
    rec_t, rec_dom, rec_mean, rec_coop, rec_pay = [], [], [], [], []
    bar = None
    if progress:
        bar = progress_bar(total=generations, desc="generations", unit="gen")
    for g in range(generations):
        if g % record_every == 0:
            rec_t.append(g)
            rec_dom.append(strat[int(np.argmax(x))].copy())
            rec_mean.append(x @ strat)
            rec_coop.append(float(x @ coopm @ x))
            rec_pay.append(float(x @ pay @ x))
        if g and g % interval == 0:
            new = _draw(rng, 1, space, a)
            d_nr = _all_pairs(new, strat, horizon, eps)[0]
            d_nn = _all_pairs(new, new, horizon, eps)[0, 0]
            row = d_nr @ u_row
            col = d_nr[:, [0, 2, 1, 3]] @ u_row
            c_row = d_nr[:, 0] + d_nr[:, 1]
            c_col = d_nr[:, 0] + d_nr[:, 2]
            pay = np.block([[pay, col[:, None]], [row[None], np.array([[d_nn @ u_row]])]])
            coopm = np.block(
                [[coopm, c_col[:, None]], [c_row[None], np.array([[d_nn[0] + d_nn[1]]])]]
            )
            strat = np.vstack([strat, new])
            x = np.append(x * (1 - share), share)
            fit = fitness(pay)
        f = fit @ x
        x = x * f / (x @ f)
        if threshold > 0 and np.any(x < threshold):
            keep = x >= threshold
            if not keep.any():
                keep[np.argmax(x)] = True
            x, strat = x[keep] / x[keep].sum(), strat[keep]
            pay, coopm, fit = (m[np.ix_(keep, keep)] for m in (pay, coopm, fit))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    times = np.array(rec_t, dtype=np.int64)
    durations = np.diff(np.append(times, generations))
    return StrategySpaceResult(
        times=times,
        durations=durations,
        dominant=np.array(rec_dom),
        mean_strategy=np.array(rec_mean),
        cooperation=np.array(rec_coop),
        payoff=np.array(rec_pay),
        method="replicator",
    )
