"""Exact payoffs of memory-n strategies (n = 1, 2, 3): the Markov chain over the last n rounds.

Without perception noise both players remember the same last ``n`` outcomes (each from its own
side), so play is a Markov chain over the ``4**n`` joint histories (16 for memory two, 64 for
memory three). With perception noise each player remembers what it *saw* of the other, the
two memories differ, and the chain runs over pairs of memories (``16**n`` states: 256 for
memory two, 4096 for memory three). The first ``n`` rounds (the opening, see
[`MemoryN`][allysim.strategies.MemoryN]) are propagated exactly round by round; from round
``n`` on the chain is solved with the batched solvers of
[`expected_payoffs`][allysim.kernels.expected_payoffs]: doubling for ``rounds``, a linear
solve for ``continuation``, closed classes and GTH for the limit of means. All pairs of a call
are stacked and solved at once.

Conventions are those of [`expected_payoffs`][allysim.kernels.expected_payoffs]: execution
noise flips an intended move, perception noise flips what a player sees of the other's actual
move, a player remembers its own actual move, payoffs follow actual moves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import check_game, check_interval, check_memory
from allysim.games import StageGame
from allysim.kernels._chains import _chain_long_run, _chain_mean_rounds
from allysim.kernels._inputs import PlaySettings, _horizon, _outcome_payoffs, _resolve_settings
from allysim.kernels._linalg import solve
from allysim.strategies.memory_n import _opening_size, _swap_histories, memory_n_array

__all__ = ["memory_n_best_response", "memory_n_outcome_distribution", "memory_n_payoffs"]

# Bytes of transition matrices per chunk of pairs: keeps the batched solves in a few tens of MB.
_CHUNK_BYTES = 1 << 25


def _moves(prob: np.ndarray, eps: float) -> np.ndarray:
    """(..., 2) probabilities of the actual move C, D once execution noise acts.

    Both are computed from the table so that tiny noise keeps full relative accuracy.
    """
    c = prob * (1 - 2 * eps) + eps
    d = (1 - prob) * (1 - 2 * eps) + eps
    return np.stack([c, d], axis=-1)


def _flips(eta: float) -> list[tuple[int, float]]:
    return [(0, 1.0 - eta), (1, eta)] if eta else [(0, 1.0)]


def _opening_phase(ox, oy, n: int, eps: float, eta: float):
    """Outcome distribution of each opening round, and the joint memories after round n.

    Returns a list of n arrays (N, 4) and ``d`` (N, 4**n, 4**n): the probability of each pair
    (row's memory, column's memory) when round n starts.
    """
    npairs = len(ox)
    d = np.ones((npairs, 1, 1))
    outs = []
    for t in range(n):
        off, size = _opening_size(t), 4**t
        mx = _moves(ox[:, off : off + size], eps)
        my = _moves(oy[:, off : off + size], eps)
        w = d[:, :, :, None, None] * mx[:, :, None, :, None] * my[:, None, :, None, :]
        outs.append(w.sum(axis=(1, 2)).reshape(npairs, 4))
        nd = np.zeros((npairs, 4 * size, 4 * size))
        base = 4 * np.arange(size)
        for fx, wx in _flips(eta):
            for fy, wy in _flips(eta):
                for a in (0, 1):
                    for b in (0, 1):
                        ix = base + 2 * a + (b ^ fx)
                        iy = base + 2 * b + (a ^ fy)
                        nd[:, ix[:, None], iy[None, :]] += (wx * wy) * w[:, :, :, a, b]
        d = nd
    return outs, d


def _shared_chain(px, py, n: int, eps: float):
    """Chain over the 4**n joint histories (row's view) when both remember the same outcomes."""
    s = 4**n
    move_x = _moves(px, eps)
    move_y = _moves(py[:, _swap_histories(n)], eps)
    p_out = (move_x[:, :, :, None] * move_y[:, :, None, :]).reshape(len(px), s, 4)
    dest = (np.arange(s)[:, None] * 4 + np.arange(4)) % s
    mats = np.zeros((len(px), s, s))
    mats[:, np.arange(s)[:, None], dest] = p_out
    return mats, p_out


def _split_chain(px, py, n: int, eps: float, eta: float):
    """Chain over pairs (row's memory, column's memory): 16**n states."""
    s = 4**n
    k = s * s
    npairs = len(px)
    move_x = _moves(px, eps)  # (N, s, 2)
    move_y = _moves(py, eps)
    joint = move_x[:, :, None, :, None] * move_y[:, None, :, None, :]  # (N, s, s, 2, 2)
    p_out = joint.reshape(npairs, k, 4)
    mats = np.zeros((npairs, k, k))
    src = np.arange(k)
    vx, vy = np.divmod(src, s)
    for fx, wx in _flips(eta):
        for fy, wy in _flips(eta):
            for a in (0, 1):
                for b in (0, 1):
                    dx = (vx * 4 + 2 * a + (b ^ fx)) % s
                    dy = (vy * 4 + 2 * b + (a ^ fy)) % s
                    mats[:, src, dx * s + dy] += (wx * wy) * p_out[:, :, 2 * a + b]
    return mats, p_out


def _mean_rounds(mats: np.ndarray, v: np.ndarray, steps: int) -> np.ndarray:
    """Mean state distribution over ``steps`` steps: stepping forward when that is cheaper.

    Doubling costs about 3 log2(T) matrix products (k**3 each), stepping T vector-matrix
    products (k**2 each): for a few hundred rounds over 256 states stepping is 30 times faster.
    """
    k = mats.shape[-1]
    # Below ~100 states numpy's per-call overhead makes stepping the slower of the two.
    if k < 128 or steps > 3 * k * max(1, int(steps).bit_length()):
        return _chain_mean_rounds(mats, v, steps)
    acc = np.zeros_like(v)
    cur = v.copy()
    for _ in range(steps):
        acc += cur
        cur = np.einsum("nk,nkj->nj", cur, mats)
    return acc / acc.sum(axis=-1, keepdims=True)


def _stationary_solve(mats: np.ndarray) -> np.ndarray:
    """Stationary distributions of irreducible chains by one linear solve each."""
    k = mats.shape[-1]
    a = np.swapaxes(mats, 1, 2) - np.eye(k)
    a[:, -1, :] = 1.0
    rhs = np.zeros((len(mats), k))
    rhs[:, -1] = 1.0
    # Not numpy.linalg.solve: LAPACK's answer for 4,096 states follows the BLAS thread count.
    pi = solve(a, rhs)
    np.maximum(pi, 0.0, out=pi)
    return pi / pi.sum(axis=1, keepdims=True)


def _paired_distribution(
    px: np.ndarray,
    ox: np.ndarray,
    py: np.ndarray,
    oy: np.ndarray,
    n: int,
    kind: str,
    value: float,
    eps: float,
    eta: float,
) -> np.ndarray:
    """Outcome distribution (N, 4) of the pairs (row k, column k), all of memory n."""
    outs, d = _opening_phase(ox, oy, n, eps, eta)
    if eta:
        mats, p_out = _split_chain(px, py, n, eps, eta)
        v = d.reshape(len(px), -1)
    else:
        mats, p_out = _shared_chain(px, py, n, eps)
        # Without misreadings the column's memory is the row's, swapped: sum it out.
        v = d.sum(axis=2)
    opening = np.stack(outs, axis=1)  # (N, n, 4)
    if kind == "rounds":
        rounds = int(value)
        if rounds <= n:
            return opening[:, :rounds].mean(axis=1)
        mean = _mean_rounds(mats, v, rounds - n)
        total = opening.sum(axis=1) + (rounds - n) * np.einsum("nk,nko->no", mean, p_out)
        return total / rounds
    if kind == "continuation":
        w = value
        weights = (1 - w) * w ** np.arange(n)
        head = np.einsum("t,nto->no", weights, opening)
        tail = np.einsum("nk,nko->no", _chain_long_run(mats, v, w), p_out)
        return head + w**n * tail
    k = mats.shape[-1]
    if k > 256 and 0 < eps < 1 and 0 < eta < 1:
        # Every move and every reading has positive probability, so every pair of memories is
        # reached within n rounds: the chain is irreducible and one solve suffices (GTH over
        # 4096 states would take minutes).
        dist = _stationary_solve(mats)
    else:
        dist = _chain_long_run(mats, v, 1.0)
    return np.einsum("nk,nko->no", dist, p_out)


def _chunked(px, ox, py, oy, n, kind, value, eps, eta) -> np.ndarray:
    """``_paired_distribution`` over any number of pairs, in chunks that bound memory."""
    k = 16**n if eta else 4**n
    step = max(1, _CHUNK_BYTES // (8 * k * k * 4))
    out = np.empty((len(px), 4))
    for start in range(0, len(px), step):
        sl = slice(start, start + step)
        out[sl] = _paired_distribution(px[sl], ox[sl], py[sl], oy[sl], n, kind, value, eps, eta)
    np.maximum(out, 0.0, out=out)
    return out / out.sum(axis=1, keepdims=True)


def memory_n_outcome_distribution(
    row_strategies: Any,
    col_strategies: Any,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    settings: PlaySettings | None = None,
) -> np.ndarray:
    """Exact expected frequency of each outcome CC, CD, DC, DD for all pairs of memory-n strategies.

    Averaged over the horizon as the payoffs are (see
    [`memory_n_payoffs`][allysim.kernels.memory_n_payoffs]). Strategies of shorter memory are
    lifted exactly to the longest memory of the call.

    Parameters
    ----------
    row_strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (k, 4**n)
        Row players; an array holds ``p`` vectors (default opening).
    col_strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (m, 4**n)
        Column players. All pairs (row i, column j) are evaluated.
    rounds : int or None, default None
        Average over exactly this many rounds (>= 1).
    continuation : float or None, default None
        Probability in [0, 1) that the partnership continues after each round (discounted).
    noise : float, default 0.0
        Execution noise in [0, 1].
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move. It makes the chain
        ``16**n`` states instead of ``4**n`` (4096 for memory three: about 0.1 GiB and a
        second per pair).
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of the four keywords.

    Returns
    -------
    numpy.ndarray, shape (k, m, 4)
        Outcome frequencies from the row player's view; each row sums to 1.

    Raises
    ------
    TypeError
        A strategy is not a ``MemoryN``/``MemoryOne`` or a probability array.
    ValueError
        Conflicting or out-of-range horizon and noise arguments, or more pairs than the memory
        budget allows.

    Examples
    --------
    >>> from allysim.strategies import AON2, ALLD
    >>> memory_n_outcome_distribution(AON2, ALLD)[0, 0].round(4).tolist()  # C once in 3
    [0.0, 0.3333, 0.0, 0.6667]
    """
    play = _resolve_settings(settings, rounds, continuation, noise, perception_noise)
    kind, value = _horizon(play.rounds, play.continuation)
    eps, eta = play.noise, play.perception_noise
    rp, ro = memory_n_array(row_strategies, name="row_strategies")
    cp, co = memory_n_array(col_strategies, name="col_strategies")
    n = max(_memory(rp), _memory(cp))
    if _memory(rp) < n:
        rp, ro = memory_n_array(row_strategies, n, name="row_strategies")
    if _memory(cp) < n:
        cp, co = memory_n_array(col_strategies, n, name="col_strategies")
    nr, nc = len(rp), len(cp)
    k = 16**n if eta else 4**n
    check_memory(
        3.0 * nr * nc * 4 * 8 + 4.0 * 8 * k * k,
        "row_strategies x col_strategies",
        hint="evaluate the pairs in blocks of rows, or leave out perception_noise",
    )
    ii, jj = (g.ravel() for g in np.meshgrid(np.arange(nr), np.arange(nc), indexing="ij"))
    out = _chunked(rp[ii], ro[ii], cp[jj], co[jj], n, kind, value, eps, eta)
    return out.reshape(nr, nc, 4)


def _memory(p: np.ndarray) -> int:
    return {4: 1, 16: 2, 64: 3}[p.shape[1]]


def memory_n_payoffs(
    row_strategies: Any,
    col_strategies: Any,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    settings: PlaySettings | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expected payoff per round of both players, for every pair of memory-n strategies.

    The same model and horizons as [`expected_payoffs`][allysim.kernels.expected_payoffs]
    (which it equals for memory-one strategies and for the finite-state form of memory-n
    strategies), computed on the chain over the last ``n`` outcomes.

    Parameters
    ----------
    row_strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (k, 4**n)
        Row players; an array holds ``p`` vectors (default opening).
    col_strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (m, 4**n)
        Column players.
    game : StageGame
        A 2x2 stage game.
    rounds : int or None, default None
        Mean payoff per round over exactly this many rounds.
    continuation : float or None, default None
        Probability w in [0, 1) that the partnership continues after each round; gives the
        normalised discounted payoff ``(1 - w) sum_t w^t u_t``. Neither: limit of means.
    noise : float, default 0.0
        Execution noise in [0, 1].
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of the four keywords.

    Returns
    -------
    tuple of two numpy.ndarray, shape (k, m)
        Row and column players' expected payoffs, in payoff units per round.

    Raises
    ------
    TypeError
        ``game`` is not a game, or a strategy has the wrong type.
    ValueError
        An argument is out of range.

    Examples
    --------
    >>> from allysim.games import partnership_game
    >>> from allysim.strategies import AON2, ALLD
    >>> row, col = memory_n_payoffs([AON2, ALLD], AON2, partnership_game(benefit=3, cost=1))
    >>> row.ravel().round(4).tolist(), col.ravel().round(4).tolist()  # ALLD gets b / 3
    ([2.0, 1.0], [2.0, -0.3333])
    """
    game = check_game(game, "game")
    u_row, u_col = _outcome_payoffs(game)
    dist = memory_n_outcome_distribution(
        row_strategies,
        col_strategies,
        settings=_resolve_settings(settings, rounds, continuation, noise, perception_noise),
    )
    return dist @ u_row, dist @ u_col


def memory_n_best_response(
    strategies: Any, game: StageGame, *, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The most any co-player can earn against each memory-n strategy, and how (exact).

    Against a fixed memory-n strategy the co-player faces a Markov decision process whose
    state is the last ``n`` outcomes (all the strategy reacts to), so a best reply among
    *all* strategies, of any memory, is a deterministic memory-n strategy (Puterman 1994,
    ch. 8-9). With execution noise every history stays reachable, the process is unichain and
    policy iteration for the long-run payoff per round (limit of means) finds it exactly,
    for all strategies at once. A strategy is a Nash equilibrium against itself when its
    payoff against itself is at least this value (Hilbe et al. 2017's partners, among
    strategies that cooperate with themselves).

    Parameters
    ----------
    strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (k, 4**n)
        The resident strategies (openings do not matter in the limit of means).
    game : StageGame
        A 2x2 stage game; the co-player is the row player.
    noise : float
        Execution noise in (0, 0.5], for both players (the co-player's intended move is
        flipped too).

    Returns
    -------
    tuple of two numpy.ndarray
        The best long-run payoff per round, shape (k,), and a best reply as probabilities to
        contribute (0 or 1) after each history from the co-player's own view, shape
        (k, 4**n).

    Raises
    ------
    TypeError
        ``game`` is not a game, or a strategy has the wrong type.
    ValueError
        ``noise`` outside (0, 0.5].

    Examples
    --------
    >>> from allysim.games import partnership_game
    >>> from allysim.strategies import AON2
    >>> best, reply = memory_n_best_response(AON2, partnership_game(3, 1), noise=1e-6)
    >>> round(float(best[0]), 4)  # nobody beats R = b - c = 2 against AON2 at b/c = 3
    2.0
    """
    game = check_game(game, "game")
    u_row, _ = _outcome_payoffs(game)
    eps = check_interval(noise, "noise", 0.0, 0.5, low_open=True)
    p, _ = memory_n_array(strategies, name="strategies")
    n = _memory(p)
    s = 4**n
    step = max(1, _CHUNK_BYTES // (8 * s * s))
    parts = [_best_response(p[i : i + step], n, u_row, eps) for i in range(0, len(p), step)]
    return np.concatenate([g for g, _ in parts]), np.concatenate([r for _, r in parts])


def _best_response(p: np.ndarray, n: int, u_row: np.ndarray, eps: float):
    """Policy iteration for one chunk of resident strategies (see memory_n_best_response)."""
    s = 4**n
    k = len(p)
    # The resident's actual move per history of the co-player's view: (k, s, 2).
    res_move = _moves(p[:, _swap_histories(n)], eps)
    mine = np.array([[1 - eps, eps], [eps, 1 - eps]])  # [intended, actual]
    # P(outcome | history, intended move): (k, s, 2, 4), outcome = 2 * mine + theirs.
    prob = (mine[None, None, :, :, None] * res_move[:, :, None, None, :]).reshape(k, s, 2, 4)
    reward = prob @ u_row  # (k, s, 2)
    dest = (np.arange(s)[:, None] * 4 + np.arange(4)) % s  # (s, 4)
    policy = np.zeros((k, s), dtype=np.int64)  # intended move: 0 = C, 1 = D
    rows = np.arange(k)[:, None]
    hist = np.arange(s)[None, :]
    gain = np.zeros(k)
    for _ in range(10 * s + 10):
        pp = prob[rows, hist, policy]  # (k, s, 4)
        mats = np.zeros((k, s, s))
        mats[rows[:, :, None], hist[:, :, None], dest[None, :, :]] = pp
        r = reward[rows, hist, policy]
        # gain + bias[h] = r[h] + sum P bias, with bias[0] = 0: unknowns (gain, bias[1:]).
        a = np.eye(s) - mats
        a[:, :, 0] = 1.0
        x = np.linalg.solve(a, r[..., None])[..., 0]
        gain = x[:, 0]
        bias = x.copy()
        bias[:, 0] = 0.0
        q = reward + np.einsum("khao,kho->kha", prob, bias[:, dest])
        current = np.take_along_axis(q, policy[..., None], axis=2)[..., 0]
        better = q.argmax(axis=2)
        gain_better = q.max(axis=2)
        scale = 1e-12 * max(1.0, float(np.abs(u_row).max()))
        switch = gain_better > current + scale
        if not switch.any():
            break
        policy = np.where(switch, better, policy)
    return gain, (1 - policy).astype(float)
