"""Round-robin tournaments of partnering strategies and their ranking table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from allysim._results import SavedResult
from allysim._validation import (
    SeedLike,
    check_game,
    check_int,
    resolve_seed,
)
from allysim.games import StageGame
from allysim.kernels import _compiled
from allysim.kernels._compiled import Backend
from allysim.kernels._inputs import (
    PlaySettings,
    _as_batch,
    _noises,
    _outcome_payoffs,
    _resolve_settings,
    _strategy_objects,
)
from allysim.kernels.exact import cooperation_rates, outcome_distribution
from allysim.kernels.montecarlo import _check_match_memory, _simulate_pairs, _stderr
from allysim.strategies import FiniteStateStrategy, MemoryOne

__all__ = ["TournamentResult", "round_robin"]


@dataclass(frozen=True, repr=False)
class TournamentResult(SavedResult):
    """A round-robin tournament (see [`round_robin`][allysim.tournament.round_robin]).

    Parameters
    ----------
    names : tuple of str
        Strategy names, in input order.
    payoff_matrix : numpy.ndarray
        (n, n) mean payoff per round of the row strategy against the column strategy; the
        diagonal holds self-play.
    cooperation_matrix : numpy.ndarray
        (n, n) contribution rate of the row strategy in that match.
    method : str
        "exact" or "simulate".
    stderr_matrix : numpy.ndarray or None, default None
        (n, n) standard errors of ``payoff_matrix`` (simulate with repetitions > 1), else None.
    self_play : bool, default False
        Whether scores count the match against a copy of oneself.

    Examples
    --------
    >>> from allysim import ALLC, ALLD, PrisonersDilemma, round_robin
    >>> res = round_robin([ALLC, ALLD], PrisonersDilemma(), rounds=10)
    >>> res.payoff_matrix.tolist(), res.scores.tolist()
    ([[3.0, 0.0], [5.0, 1.0]], [0.0, 5.0])
    """

    names: tuple[str, ...]
    payoff_matrix: np.ndarray
    cooperation_matrix: np.ndarray
    method: str
    stderr_matrix: np.ndarray | None = None
    self_play: bool = False

    def __repr__(self) -> str:
        best = int(np.argmax(self.scores))
        return (
            f"TournamentResult({len(self.names)} strategies, method={self.method!r}, "
            f"self_play={self.self_play}, winner={self.names[best]!r} "
            f"({self.scores[best]:.4g} per round))"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per match: row and column strategy, payoff, contribution, standard error.

        Returns
        -------
        pandas.DataFrame
            Columns ``row``, ``col``, ``payoff`` (row player's payoff per round),
            ``cooperation`` (row player's contribution rate), ``stderr`` (NaN for exact).

        Examples
        --------
        >>> from allysim import ALLC, ALLD, PrisonersDilemma, round_robin
        >>> round_robin([ALLC, ALLD], PrisonersDilemma(), rounds=10).to_frame().shape
        (4, 5)
        """
        n = len(self.names)
        rows, cols = np.divmod(np.arange(n * n), n)
        stderr = (
            np.full(n * n, np.nan) if self.stderr_matrix is None else self.stderr_matrix.ravel()
        )
        return pd.DataFrame(
            {
                "row": [self.names[i] for i in rows],
                "col": [self.names[j] for j in cols],
                "payoff": self.payoff_matrix.ravel(),
                "cooperation": self.cooperation_matrix.ravel(),
                "stderr": stderr,
            }
        )

    def plot(self, *, ax: Any = None) -> Any:
        """Scores as bars, best on top, with standard errors when simulated.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default None
            Axes to draw on; a new figure is made when None.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (see ``allysim.plotting.ranking_bars``).

        Examples
        --------
        >>> from allysim import ALLC, ALLD, PrisonersDilemma, round_robin
        >>> ax = round_robin([ALLC, ALLD], PrisonersDilemma(), rounds=10).plot()
        >>> len(ax.patches)
        2
        """
        from allysim.plotting import ranking_bars  # deferred: matplotlib

        return ranking_bars(self.names, self.scores, errors=self.score_stderr, ax=ax)

    def _opponents(self) -> np.ndarray:
        """(n, n) weights: 1 for each opponent that counts in a score, 0 elsewhere."""
        n = len(self.names)
        weights = np.ones((n, n))
        if not self.self_play:
            np.fill_diagonal(weights, 0.0)
        return weights

    @property
    def scores(self) -> np.ndarray:
        """Mean payoff per round of each strategy over its opponents, (n,).

        Self-play counts only when the tournament was run with ``self_play=True``; without it
        the score is the mean over the other ``n - 1`` strategies, as Axelrod-Python's
        ``ResultSet`` scores are.
        """
        weights = self._opponents()
        return (self.payoff_matrix * weights).sum(axis=1) / weights.sum(axis=1)

    @property
    def score_stderr(self) -> np.ndarray | None:
        """Standard error of each score, (n,); None for the exact method (no sampling error)."""
        if self.stderr_matrix is None:
            return None
        weights = self._opponents()
        return np.sqrt(((self.stderr_matrix * weights) ** 2).sum(axis=1)) / weights.sum(axis=1)

    @property
    def cooperation(self) -> np.ndarray:
        """Mean contribution rate of each strategy over its opponents (as for ``scores``), (n,)."""
        weights = self._opponents()
        return (self.cooperation_matrix * weights).sum(axis=1) / weights.sum(axis=1)

    @property
    def ranking(self) -> pd.DataFrame:
        """Strategies sorted by score: rank, strategy, score, score_stderr, cooperation, wins.

        ``score_stderr`` is NaN (not applicable) for the exact method; ``wins`` counts the
        opponents a strategy out-earns head to head.
        """
        payoff, n = self.payoff_matrix, len(self.names)
        stderr = self.score_stderr
        columns: dict[str, Any] = {
            "strategy": list(self.names),
            "score": self.scores,
            "score_stderr": np.full(n, np.nan) if stderr is None else stderr,
        }
        columns["cooperation"] = self.cooperation
        columns["wins"] = (payoff > payoff.T + 1e-12).sum(axis=1)
        table = pd.DataFrame(columns)
        table = table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, n + 1))
        return table


def round_robin(
    strategies: Sequence[MemoryOne | FiniteStateStrategy],
    game: StageGame,
    *,
    rounds: int | None = 200,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 10,
    seed: SeedLike = None,
    rng: SeedLike = None,
    method: Literal["exact", "simulate"] = "exact",
    self_play: bool = False,
    settings: PlaySettings | None = None,
    backend: Backend | None = None,
) -> TournamentResult:
    """A round-robin tournament: every strategy meets every other (and, optionally, itself).

    ``method="exact"`` uses the Markov-chain kernel (``rounds``, ``continuation`` or, with
    ``rounds=None``, the limit of means); ``method="simulate"`` plays ``repetitions`` matches
    for each unordered pair, of ``rounds`` rounds or of random length with ``continuation``
    (see [`simulate`][allysim.kernels.simulate]), and reports standard errors. The payoff
    matrix always holds self-play on its diagonal; scores count it only with
    ``self_play=True``. The default (``False``) matches the scores and ranking of
    Axelrod-Python's ``Tournament``.

    Parameters
    ----------
    strategies : sequence of strategies or names, or (n, 5) array
        The entrants ([`MemoryOne`][allysim.strategies.MemoryOne] or
        [`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy] objects, or names as
        [`named`][allysim.strategies.named] takes them, tuned to ``game``), with distinct
        names; at least two unless ``self_play=True``.
    game : StageGame
        A 2x2 stage game.
    rounds : int or None, default 200
        Rounds per match; None with ``continuation=None`` is the limit of means (exact only).
    continuation : float or None, default None
        Probability in [0, 1) that a partnership continues after each round (instead of
        ``rounds``); payoffs are normalised per round, ``(1 - w) sum_t w^t u_t``.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 10
        Matches per pair for ``method="simulate"`` (at least 1).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Seed for ``method="simulate"``; the same seed gives identical results.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    method : {"exact", "simulate"}, default "exact"
        Exact expected payoffs or Monte Carlo matches.
    self_play : bool, default False
        Count each strategy's match against a copy of itself in its score.
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of ``rounds``, ``continuation``, ``noise`` and
        ``perception_noise`` (give one or the other).
    backend : {"auto", "numpy", "numba"} or None, default None
        Passed to the kernel the method calls. None keeps that kernel's own default:
        ``"auto"`` for ``method="exact"`` (as
        [`outcome_distribution`][allysim.kernels.outcome_distribution]; the compiled path agrees
        with numpy to round-off, about 1e-15) and ``"numpy"`` for ``method="simulate"`` (as
        [`simulate`][allysim.kernels.simulate]; the compiled match loop draws from its own random
        stream, so a seed's matches differ by backend, though their distribution does not).
        ``"numba"`` needs ``pip install 'allysim[fast]'``; see docs/performance.md.

    Returns
    -------
    TournamentResult
        Payoff and cooperation matrices (payoff units per round), scores and the ranking.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLC, ALLD, TFT
    >>> res = round_robin([ALLC, ALLD, TFT], PrisonersDilemma(), rounds=200)
    >>> res.ranking["strategy"].tolist()
    ['ALLD', 'TFT', 'ALLC']
    >>> res.scores.round(4).tolist()  # ALLD: (T + (T + 199 P) / 200) / 2, self-play excluded
    [1.5, 3.01, 1.9975]
    """
    seed = resolve_seed(seed, rng)
    if backend is not None:
        if not isinstance(backend, str) or backend not in ("auto", "numpy", "numba"):
            raise ValueError(
                "backend must be None (the method's kernel default) or one of 'auto', 'numpy', "
                f"'numba', got {backend!r}"
            )
        _compiled.check_backend(backend)
    batch = _as_batch(strategies, "strategies", check_game(game, "game"))
    if not isinstance(self_play, bool | np.bool_):
        raise TypeError(f"self_play must be True or False, got {type(self_play).__name__}")
    names = batch.names
    if len(set(names)) != len(names):
        raise ValueError(f"strategies must have distinct names, got {list(names)}")
    n = len(batch)
    if settings is not None:
        play = _resolve_settings(
            settings, rounds, continuation, noise, perception_noise, default_rounds=200
        )
        rounds, continuation = play.rounds, play.continuation
        noise, perception_noise = play.noise, play.perception_noise
    if rounds is not None and continuation is not None:
        raise ValueError(
            "give either rounds or continuation, not both: round_robin defaults to rounds=200, "
            "so pass rounds=None with continuation=w"
        )
    if n < 2 and not self_play:
        raise ValueError(
            "strategies must hold at least 2 entrants when self_play=False (a strategy alone "
            "has no opponent); pass self_play=True to score self-play"
        )
    if method == "exact":
        players = _strategy_objects(batch)
        dist = outcome_distribution(
            players,
            players,
            rounds=rounds,
            continuation=continuation,
            noise=noise,
            perception_noise=perception_noise,
            backend="auto" if backend is None else backend,
        )
        u_row, _ = _outcome_payoffs(game)
        payoff = dist @ u_row
        coop = cooperation_rates(dist)[0]
        stderr = None
    elif method == "simulate":
        if rounds is None and continuation is None:
            raise ValueError(
                "method='simulate' needs rounds=T or continuation=w (the limit of means has no "
                "finite simulation)"
            )
        repetitions = check_int(repetitions, "repetitions", minimum=1)
        u_row, u_col = _outcome_payoffs(game)
        eps, eta = _noises(noise, perception_noise)
        objs = _strategy_objects(batch)
        _check_match_memory(n * (n + 1) // 2 * repetitions)
        iu, ju = np.triu_indices(n)
        pair_x = np.repeat(iu, repetitions)
        pair_y = np.repeat(ju, repetitions)
        freq = _simulate_pairs(
            objs,
            objs,
            pair_x,
            pair_y,
            rounds,
            continuation,
            eps,
            eta,
            seed,
            False,
            backend="numpy" if backend is None else backend,
        )[0].reshape(len(iu), repetitions, 4)
        rx, cx = cooperation_rates(freq)
        pay_r, pay_c = freq @ u_row, freq @ u_col
        payoff, coop, stderr = (np.zeros((n, n)) for _ in range(3))
        diag = iu == ju
        # Self-play: both seats are the same strategy; average them.
        payoff[iu, ju] = np.where(diag, (pay_r + pay_c).mean(-1) / 2, pay_r.mean(-1))
        payoff[ju, iu] = np.where(diag, payoff[iu, ju], pay_c.mean(-1))
        coop[iu, ju] = np.where(diag, (rx + cx).mean(-1) / 2, rx.mean(-1))
        coop[ju, iu] = np.where(diag, coop[iu, ju], cx.mean(-1))
        if repetitions > 1:
            stderr[iu, ju] = _stderr(np.where(diag[:, None], (pay_r + pay_c) / 2, pay_r))
            stderr[ju, iu] = _stderr(np.where(diag[:, None], (pay_r + pay_c) / 2, pay_c))
        else:
            stderr = None
    else:
        raise ValueError(f"method must be 'exact' or 'simulate', got {method!r}")
    return TournamentResult(
        names=tuple(names),
        payoff_matrix=payoff,
        cooperation_matrix=coop,
        method=method,
        stderr_matrix=stderr,
        self_play=bool(self_play),
    )
