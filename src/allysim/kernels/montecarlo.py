"""Monte Carlo play: every match advances in lockstep, one vectorised step per round."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    SeedLike,
    as_generator,
    as_probability_array,
    check_game,
    check_int,
    check_interval,
    check_memory,
    check_probability,
    resolve_seed,
)
from allysim.games import StageGame
from allysim.kernels import _compiled
from allysim.kernels._compiled import Backend
from allysim.kernels._inputs import (
    PlaySettings,
    StrategiesLike,
    _as_batch,
    _outcome_payoffs,
    _resolve_settings,
    _strategy_objects,
)
from allysim.kernels.exact import cooperation_rates
from allysim.strategies import MemoryOne, machine_tables

__all__ = ["SimulationResult", "play_round", "simulate"]


@dataclass(frozen=True, repr=False)
class SimulationResult(SavedResult):
    """Per-match results of [`simulate`][allysim.kernels.simulate], arrays (n, m, repetitions).

    Parameters
    ----------
    row_payoffs : numpy.ndarray
        Mean payoff per round of the row player in each match, (n, m, repetitions).
    col_payoffs : numpy.ndarray
        Mean payoff per round of the column player in each match, (n, m, repetitions).
    row_cooperation : numpy.ndarray
        Share of rounds in which the row player contributed, (n, m, repetitions).
    col_cooperation : numpy.ndarray
        Share of rounds in which the column player contributed, (n, m, repetitions).
    outcomes : numpy.ndarray
        Frequencies of CC, CD, DC, DD from the row player's view, (n, m, repetitions, 4).
        With ``continuation`` w these five arrays hold ``(1 - w)`` times the match's totals
        (counts of rounds, summed payoffs), unbiased estimates of the exact kernel's values:
        a single long match can exceed 1 (a share) or the largest stage payoff; their
        means over matches cannot.
    rounds : int or None
        Rounds per match, or None for matches of random length (``continuation``).
    continuation : float or None, default None
        The continuation probability for matches of random length, else None.
    history : numpy.ndarray or None, default None
        (n, m, repetitions, rounds, 2) bool, True where the (row, col) player contributed;
        None unless ``history=True`` was asked for.

    Examples
    --------
    >>> from allysim import ALLD, TFT, PrisonersDilemma, simulate
    >>> res = simulate([TFT], [ALLD], PrisonersDilemma(), rounds=10, repetitions=3, seed=1)
    >>> res.row_payoffs.shape, float(res.row_cooperation[0, 0, 0])
    ((1, 1, 3), 0.1)
    """

    row_payoffs: np.ndarray
    col_payoffs: np.ndarray
    row_cooperation: np.ndarray
    col_cooperation: np.ndarray
    outcomes: np.ndarray
    rounds: int | None
    continuation: float | None = None
    history: np.ndarray | None = None

    def __repr__(self) -> str:
        n, m, reps = self.row_payoffs.shape
        horizon = (
            f"rounds={self.rounds}"
            if self.rounds is not None
            else (f"continuation={self.continuation}")
        )
        return (
            f"SimulationResult({n} x {m} pairs, {reps} repetitions, {horizon}, "
            f"mean row payoff {self.row_payoffs.mean():.4g}, history="
            f"{'kept' if self.history is not None else 'None'})"
        )

    def mean(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean payoffs per pair over repetitions.

        Returns
        -------
        tuple of two numpy.ndarray, shape (n, m)
            Row and column players' mean payoff per round.

        Examples
        --------
        >>> from allysim import ALLD, TFT, PrisonersDilemma, simulate
        >>> row, col = simulate(TFT, ALLD, PrisonersDilemma(), rounds=10, seed=1).mean()
        >>> float(row[0, 0]), float(col[0, 0])
        (0.9, 1.4)
        """
        return self.row_payoffs.mean(axis=-1), self.col_payoffs.mean(axis=-1)

    def stderr(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Standard errors of the means; None with a single repetition.

        One match per pair gives no estimate of the spread, so there is nothing to report.

        Returns
        -------
        tuple of two numpy.ndarray of shape (n, m), or None
            Standard errors of the row and column players' mean payoffs.

        Examples
        --------
        >>> from allysim import RANDOM, PrisonersDilemma, simulate
        >>> game = PrisonersDilemma()
        >>> simulate(RANDOM(), RANDOM(), game, rounds=10, seed=1).stderr() is None
        True
        >>> res = simulate(RANDOM(), RANDOM(), game, rounds=10, repetitions=50, seed=1)
        >>> bool(res.stderr()[0][0, 0] > 0)
        True
        """
        if self.row_payoffs.shape[-1] < 2:
            return None
        return _stderr(self.row_payoffs), _stderr(self.col_payoffs)


def _global_tables(strategies, eps: float):
    """Global machine tables laid out for the lockstep loop: index ``4 * global_state``."""
    out, nxt, start = machine_tables(strategies)
    out = out * (1 - 2 * eps) + eps
    # Layout: index 4*g + 2*my + their -> 4 * next global state.
    next4 = (4 * nxt.reshape(-1)).astype(np.int32)
    # Moves are drawn as "withhold" when u >= p(cooperate); float32 keeps p = 0 and p = 1 exact.
    out4 = np.repeat(out.astype(np.float32), 4)
    return out4, next4, (4 * start).astype(np.int32)


def _match_tables(row_list, col_list, pair_x, pair_y, eps: float):
    """Global tables of the strategies met and each match's two starting indices into them."""
    uniq = list(dict.fromkeys([*row_list, *col_list]))
    index = {s: i for i, s in enumerate(uniq)}
    out4, next4, start4 = _global_tables(uniq, eps)
    gx = np.array([index[row_list[i]] for i in range(len(row_list))])[pair_x]
    gy = np.array([index[col_list[j]] for j in range(len(col_list))])[pair_y]
    return out4, next4, start4[gx], start4[gy]


def _memory_one_match_tables(row_list, col_list, pair_x, pair_y, eps: float):
    """``_match_tables`` for memory-one strategies, without building their machines.

    Strategy g's 5-state machine (``MemoryOne.to_finite_state``: states 0-3 the last outcome,
    4 the start) takes global states 5g .. 5g + 4; built from the probabilities directly, as
    building hundreds of machine objects costs more than playing them compiled.
    """
    probs = np.array([(*s.p, s.p0) for s in (*row_list, *col_list)], dtype=float)
    g = len(probs)
    out = probs.reshape(-1) * (1 - 2 * eps) + eps
    out4 = np.repeat(out.astype(np.float32), 4)
    base = 5 * np.arange(g)
    outcome = 2 * np.arange(2)[:, None] + np.arange(2)[None, :]  # [my move, their move]
    nxt = np.broadcast_to(base[:, None, None, None] + outcome, (g, 5, 2, 2))
    next4 = (4 * nxt.reshape(-1)).astype(np.int32)
    start_x = 4 * (base[pair_x] + 4)
    start_y = 4 * (base[len(row_list) + pair_y] + 4)
    return out4, next4, start_x, start_y


def _play_compiled(
    fast,
    row_list,
    col_list,
    pair_x,
    pair_y,
    lengths: np.ndarray,
    eps: float,
    eta: float,
    rng: np.random.Generator,
    history: bool,
    bar=None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``_play`` through the compiled loop, with its own random stream: the outcome counts
    (K, 4) of each match (CC, CD, DC, DD) and the history (or None).

    Each match draws from a SplitMix64 stream keyed by two 64-bit words from ``rng`` and the
    match's index, so results depend on the seed only: not on the number of threads, nor on
    how the matches are split into calls.
    """
    if all(isinstance(s, MemoryOne) for s in (*row_list, *col_list)):
        tables = _memory_one_match_tables(row_list, col_list, pair_x, pair_y, eps)
    else:
        tables = _match_tables(row_list, col_list, pair_x, pair_y, eps)
    out4, next4, start_x, start_y = tables
    # The float32 rule "withhold when u >= p" as an exact integer rule on u 2^24 (see
    # _compiled_numba.play_matches); p 2^24 is exact in float64. int32 tables take half the
    # cache of int64 ones (hundreds of strategies outgrow L1): 3.1e8 -> 3.5e8 match-rounds/s.
    thr4 = np.ceil(out4.astype(np.float64) * 2.0**24).astype(np.int32)
    key0, key1 = (np.uint64(v) for v in rng.integers(0, 2**64, size=2, dtype=np.uint64))
    k = len(pair_x)
    tally = np.zeros((k, 4), dtype=np.int64)
    horizon = int(lengths.max()) if k else 0
    hist = np.empty((horizon if history else 0, 2, k), dtype=bool)
    # Calls of a bounded size, so the progress bar moves; they do not change the results.
    step = max(1024, (1 << 26) // max(horizon, 1))
    next4 = next4.astype(np.int32)
    start_x, start_y = (a.astype(np.int64) for a in (start_x, start_y))
    for first in range(0, k, step):
        count = min(step, k - first)
        with _compiled.LOCK:
            fast.play_matches(
                thr4,
                next4,
                start_x,
                start_y,
                lengths,
                float(eta),
                key0,
                key1,
                first,
                count,
                tally,
                hist,
            )
        if bar is not None:
            # In the bar's unit, matches x the longest match, as the numpy path counts.
            bar.update(count * horizon)
    return tally, hist if history else None


def _play(
    row_list,
    col_list,
    pair_x,
    pair_y,
    rounds,
    eps,
    eta,
    rng,
    history: bool,
    lengths: np.ndarray | None = None,
    bar=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Play K matches in lockstep; returns withheld counts (2, K), mutual-withhold counts (K,).

    With ``lengths`` (K,), match k counts only its first ``lengths[k]`` rounds (``rounds`` is
    then the longest); ``bar`` is a progress bar advanced by match-rounds.
    """
    out4, next4, start_x, start_y = _match_tables(row_list, col_list, pair_x, pair_y, eps)
    k = len(pair_x)
    state = np.stack([start_x, start_y]).astype(np.int32)  # (2, K): seat 0 row, seat 1 col
    withheld = np.zeros((2, k), dtype=np.int64)
    both = np.zeros(k, dtype=np.int64)
    prob = np.empty((2, k), dtype=np.float32)
    seen = np.empty((2, k), dtype=bool)
    idx = np.empty((2, k), dtype=np.int32)
    hist = np.empty((rounds, 2, k), dtype=bool) if history else None
    move_rng, seen_rng = rng.spawn(2)
    # Random numbers come in blocks of rounds so memory stays O(K); the block length depends
    # only on (K, rounds), so a seed reproduces the same play.
    block = max(1, min(rounds, (1 << 22) // (2 * k)))
    moves = np.empty((block, 2, k), dtype=bool)
    for t0 in range(0, rounds, block):
        nb = min(block, rounds - t0)
        draws = move_rng.random((nb, 2, k), dtype=np.float32)
        flips = seen_rng.random((nb, 2, k), dtype=np.float32) < eta if eta else None
        for t in range(nb):
            move = moves[t]
            out4.take(state, out=prob)
            np.less_equal(prob, draws[t], out=move)  # True = withhold
            np.add(state, move, out=idx)
            np.add(idx, move, out=idx)
            if flips is not None:
                np.not_equal(move[::-1], flips[t], out=seen)
                np.add(idx, seen, out=idx)
            else:
                np.add(idx, move[::-1], out=idx)
            next4.take(idx, out=state)
        # Counting once per block keeps the per-round work to six array operations.
        done = moves[:nb]
        if lengths is not None:
            # Rounds past a match's end were played in lockstep but do not count.
            done &= (t0 + np.arange(nb))[:, None, None] < lengths[None, None, :]
        if bar is not None:
            bar.update(nb * k)
        withheld += np.add.reduce(done.view(np.uint8), axis=0, dtype=np.int32)
        both_t = np.logical_and(done[:, 0], done[:, 1]).view(np.uint8)
        both += np.add.reduce(both_t, axis=0, dtype=np.int32)
        if hist is not None:
            hist[t0 : t0 + nb] = done
    return withheld, both, hist


def play_round(
    coop_a: np.ndarray,
    coop_b: np.ndarray,
    *,
    noise: float = 0.0,
    perception_noise: float | np.ndarray = 0.0,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One round of many matches at once: draw moves, then what each side perceives.

    The building block of agent-based models (the trust model plays all its partnerships with
    it): intended moves are flipped by execution ``noise``, and each side misreads the other's
    actual move with probability ``perception_noise``.

    Parameters
    ----------
    coop_a : array_like, shape (k,)
        Intended cooperation probabilities of side A, one per match, in [0, 1].
    coop_b : array_like, shape (k,)
        Intended cooperation probabilities of side B, one per match, in [0, 1].
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float or array_like of shape (k,), default 0.0
        Probability in [0, 1] of misreading the partner's move, one value or one per match.
    rng : numpy.random.Generator
        The generator to draw from (it advances).

    Returns
    -------
    tuple of four numpy.ndarray of bool, shape (k,)
        ``(contrib_a, contrib_b, a_sees_b, b_sees_a)``: True = contributed (as perceived).

    Examples
    --------
    >>> a, b, sa, sb = play_round(np.ones(3), np.zeros(3), rng=np.random.default_rng(0))
    >>> a.tolist(), b.tolist(), sa.tolist()
    ([True, True, True], [False, False, False], [False, False, False])
    """
    pa = as_probability_array(coop_a, "coop_a", shape=(None,))
    pb = as_probability_array(coop_b, "coop_b", shape=(pa.shape[0],))
    noise = check_probability(noise, "noise")
    if isinstance(perception_noise, numbers.Real) and not isinstance(perception_noise, bool):
        eta = np.asarray(check_probability(perception_noise, "perception_noise"))
    else:
        eta = as_probability_array(perception_noise, "perception_noise", shape=(pa.shape[0],))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    if noise:
        pa = pa * (1 - 2 * noise) + noise
        pb = pb * (1 - 2 * noise) + noise
    u = rng.random((2, pa.shape[0]))
    contrib_a, contrib_b = u[0] < pa, u[1] < pb
    if np.any(eta > 0):
        flips = rng.random((2, pa.shape[0])) < eta
        return contrib_a, contrib_b, contrib_b ^ flips[0], contrib_a ^ flips[1]
    return contrib_a, contrib_b, contrib_b.copy(), contrib_a.copy()


def _outcome_frequencies(withheld: np.ndarray, both: np.ndarray, rounds, scale: float):
    """Outcome counts CC, CD, DC, DD per match (``rounds`` scalar or per match) times ``scale``."""
    dx, dy = withheld
    cc = rounds - dx - dy + both
    return np.stack([cc, dy - both, dx - both, both], axis=-1) * scale


# Matches played in lockstep per chunk: bounds memory to O(chunk) whatever the batch size.
_MATCH_CHUNK = 1 << 20
# Cost model of the lockstep loop on one core (measured on a 2020s laptop core, rounded up):
# a fixed cost per round (about 12 numpy calls) plus a cost per match-round.
_SECONDS_PER_ROUND = 5e-6
_SECONDS_PER_MATCH_ROUND = 5e-9
# Refuse runs estimated beyond an hour; show a progress bar beyond a few seconds.
_MAX_SECONDS = 3600.0
_PROGRESS_SECONDS = 5.0


def _check_match_memory(k: int) -> None:
    """Per-match results (payoffs, rates, outcomes, indices) cost about 200 bytes a match."""
    check_memory(
        200.0 * k,
        "row_strategies x col_strategies x repetitions",
        hint="use fewer repetitions (the standard error falls only as 1/sqrt(repetitions)), or "
        "the exact kernel (expected_payoffs) for expected values",
    )


def _simulate_pairs(
    xs,
    ys,
    pair_x: np.ndarray,
    pair_y: np.ndarray,
    rounds: int | None,
    continuation: float | None,
    eps: float,
    eta: float,
    seed: SeedLike,
    history: bool,
    progress: bool | None = False,
    backend: str = "numpy",
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Monte Carlo outcome frequencies (K, 4) for K matches, in chunks of bounded memory.

    With ``rounds`` every match lasts ``rounds`` rounds and frequencies are per round. With
    ``continuation`` w, match k lasts L_k ~ Geometric(1 - w) rounds (mean 1 / (1 - w)) and its
    outcome counts are multiplied by (1 - w): an unbiased estimate of the normalised discounted
    frequencies ``(1 - w) sum_t w^t P(outcome at t)`` that the exact kernel computes (a single
    match's "frequencies" can then exceed 1; their mean over matches cannot). Returns
    ``(frequencies, history or None, lengths or None)``. ``backend`` (checked) picks the numpy
    lockstep loop or the compiled one (its own random stream; the same match lengths).
    """
    rng = as_generator(seed)
    k = len(pair_x)
    if continuation is not None:
        w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
        if history:
            raise ValueError(
                "history=True needs rounds=T (matches of random length with "
                "continuation have no common history shape)"
            )
        length_rng, rng = rng.spawn(2)
        lengths = length_rng.geometric(1.0 - w, size=k).astype(np.int64)
        horizon = int(lengths.max()) if k else 1
        scale = 1.0 - w
    else:
        horizon = check_int(rounds, "rounds", minimum=1)
        lengths = None
        scale = 1.0 / horizon
    work = float(horizon) * k
    seconds = horizon * _SECONDS_PER_ROUND + work * _SECONDS_PER_MATCH_ROUND
    if seconds > _MAX_SECONDS:
        raise ValueError(
            f"rounds ({horizon:.3g}) x repetitions x pairs ({k}) would take about "
            f"{seconds / 3600:.3g} hours (the limit is 1 hour); use fewer rounds or repetitions, "
            "or the exact kernel (expected_payoffs) for expected values"
        )
    if history:
        # The bool history is copied twice on the way out (reorder, invert).
        check_memory(
            3.0 * 2 * horizon * k,
            "rounds x repetitions x pairs with history=True",
            hint="history=False keeps per-match summaries in O(matches) memory; or ask for "
            "fewer rounds or repetitions",
        )
    show = seconds > _PROGRESS_SECONDS if progress is None else bool(progress)
    bar = None
    if show:
        bar = progress_bar(total=int(work), desc="matches", unit="match-round", unit_scale=True)
    fast = _compiled.compiled(backend, work / 100)
    if fast is not None:
        try:
            match_lengths = np.full(k, horizon, np.int64) if lengths is None else lengths
            tally, h = _play_compiled(
                fast, xs, ys, pair_x, pair_y, match_lengths, eps, eta, rng, history, bar
            )
        finally:
            if bar is not None:
                bar.close()
        # The same integer counts times the same scale as _outcome_frequencies: same floats.
        return tally * scale, h, lengths
    n_chunks = max(1, -(-k // _MATCH_CHUNK))
    # One chunk uses the generator itself, so small runs keep the streams they always had.
    rngs = [rng] if n_chunks == 1 else rng.spawn(n_chunks)
    freq = np.empty((k, 4))
    hist = np.empty((horizon, 2, k), dtype=bool) if history else None
    try:
        for c, sub_rng in enumerate(rngs):
            sel = slice(c * _MATCH_CHUNK, (c + 1) * _MATCH_CHUNK)
            sub_len = None if lengths is None else lengths[sel]
            sub_h = horizon if sub_len is None else int(sub_len.max())
            withheld, both, h = _play(
                xs, ys, pair_x[sel], pair_y[sel], sub_h, eps, eta, sub_rng, history, sub_len, bar
            )
            counted = horizon if sub_len is None else sub_len
            freq[sel] = _outcome_frequencies(withheld, both, counted, scale)
            if hist is not None:
                hist[:, :, sel] = h
    finally:
        if bar is not None:
            bar.close()
    return freq, hist, lengths


def simulate(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 1,
    seed: SeedLike = None,
    rng: SeedLike = None,
    history: bool = False,
    progress: bool | None = None,
    settings: PlaySettings | None = None,
    backend: Backend = "numpy",
) -> SimulationResult:
    """Monte Carlo play of every (row, column) pair, all matches advancing in lockstep.

    Each round is one vectorised step over all ``n * m * repetitions`` matches, in chunks of
    about a million matches so memory stays bounded whatever the batch size (unless
    ``history=True``, which is checked against ``allysim.memory_budget()``).
    Moves are drawn from float32 uniforms, so probabilities are resolved to about 6e-8 (0 and 1
    exactly).

    Parameters
    ----------
    row_strategies : strategy, name, sequence of strategies or names, or (n, 5) array
        Row players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    col_strategies : strategy, name, sequence of strategies or names, or (m, 5) array
        Column players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    game : StageGame
        A 2x2 stage game.
    rounds : int or None, default None
        Rounds per match (at least 1). Give exactly one of ``rounds`` and ``continuation``.
    continuation : float or None, default None
        Probability in [0, 1) that a match continues after each round: match lengths are drawn
        from the geometric distribution with mean ``1 / (1 - continuation)`` and results are
        normalised as the exact kernel's, ``(1 - w) x`` the match's totals, so their mean
        estimates [`expected_payoffs`][allysim.kernels.expected_payoffs] with the same
        ``continuation`` without bias.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 1
        Independent matches per pair (at least 1).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The same seed gives bit-identical results.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    history : bool, default False
        Keep every move (memory ``2 x rounds x matches`` bytes; needs ``rounds``).
    progress : bool or None, default None
        Show a tqdm bar; None shows it only for runs estimated to take over 5 seconds.
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of ``rounds``, ``continuation``, ``noise`` and
        ``perception_noise`` (give one or the other).
    backend : {"numpy", "numba", "auto"}, default "numpy"
        ``"numpy"`` is the reference lockstep loop. ``"numba"`` runs a compiled loop on all
        cores (needs ``pip install 'allysim[fast]'``), several times faster; it draws from its
        own stream (SplitMix64 per match, keyed by ``seed``), so its results differ from the
        numpy path's match by match but agree in distribution, and are bit-identical for a
        seed whatever the number of threads. Only play that no draw can change (deterministic
        strategies, no noise) is the same on both. ``"auto"`` picks numba when it is installed
        and the run is large (over 5e6 match-rounds). The default is ``"numpy"``, not
        ``"auto"`` as for [`expected_payoffs`][allysim.kernels.expected_payoffs], on purpose:
        with ``"auto"`` a seed's results would change with the run's size and with whether
        numba is installed. See docs/performance.md.

    Returns
    -------
    SimulationResult
        Per-match payoffs per round, contribution rates and outcome frequencies.

    Raises
    ------
    ValueError
        For out-of-range arguments, for runs estimated to take over an hour (about 5 us per
        round plus 5 ns per match-round), and when ``history=True`` would exceed the memory
        budget.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import TFT, ALLD
    >>> res = simulate([TFT], [ALLD], PrisonersDilemma(), rounds=10, seed=1)
    >>> float(res.row_payoffs[0, 0, 0]), float(res.col_payoffs[0, 0, 0])
    (0.9, 1.4)
    """
    seed = resolve_seed(seed, rng)
    _compiled.check_backend(backend)
    if settings is None and (rounds is None) == (continuation is None):
        raise ValueError("give exactly one of rounds=T and continuation=w")
    play = _resolve_settings(settings, rounds, continuation, noise, perception_noise)
    if play.horizon == "limit":
        raise ValueError("settings: simulate needs rounds=T or continuation=w")
    rounds, continuation = play.rounds, play.continuation
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    eps, eta = play.noise, play.perception_noise
    game = check_game(game, "game")
    u_row, u_col = _outcome_payoffs(game)
    xb = _as_batch(row_strategies, "row_strategies", game)
    yb = _as_batch(col_strategies, "col_strategies", game)
    xs, ys = _strategy_objects(xb), _strategy_objects(yb)
    n, m = len(xs), len(ys)
    _check_match_memory(n * m * repetitions)
    px, py, _ = (
        g.ravel()
        for g in np.meshgrid(np.arange(n), np.arange(m), np.arange(repetitions), indexing="ij")
    )
    flat, hist, _ = _simulate_pairs(
        xs, ys, px, py, rounds, continuation, eps, eta, seed, bool(history), progress, backend
    )
    freq = flat.reshape(n, m, repetitions, 4)
    row_coop, col_coop = cooperation_rates(freq)
    history_out = None
    if hist is not None:
        history_out = ~np.moveaxis(hist, 0, -1).reshape(2, n, m, repetitions, -1)
        history_out = np.moveaxis(history_out, 0, -1)
    return SimulationResult(
        row_payoffs=freq @ u_row,
        col_payoffs=freq @ u_col,
        row_cooperation=row_coop,
        col_cooperation=col_coop,
        outcomes=freq,
        rounds=rounds,
        continuation=None if continuation is None else float(continuation),
        history=history_out,
    )


def _stderr(samples: np.ndarray) -> np.ndarray:
    """Standard error of the mean over the last axis (NaN for a single sample)."""
    r = samples.shape[-1]
    if r < 2:
        return np.full(samples.shape[:-1], np.nan)
    # Deviations from the first sample: equal samples give exactly 0, where the mean's rounding
    # left about 1e-16 (a deterministic pair showed a standard error of 7.85e-17).
    shifted = samples - samples[..., :1]
    return shifted.std(axis=-1, ddof=1) / math.sqrt(r)
