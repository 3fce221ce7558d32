"""Incentive mechanisms that keep partners contributing, as composable immutable objects.

Each mechanism models one idea from the partnership literature and enters the game in one of two
ways: it transforms the stage game (sanctions, bonds, profit sharing) or it changes the
repeated-game settings (shadow of the future, monitoring, communication). :func:`apply` composes a
list of them, in order, into a :class:`MechanismSetup` whose ``game``, ``continuation`` and
``perception_noise`` go straight to the kernels.

Analytic thresholds (the least continuation probability, fine, bond or profit share that makes
contributing an equilibrium or dominant) come with each mechanism, so a benchmark can show
simulation next to theory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from allysim._validation import (
    SeedLike,
    as_generator,
    check_int,
    check_interval,
    check_nonnegative,
    check_probability,
)
from allysim.games import StageGame

__all__ = [
    "Bond",
    "Communication",
    "Mechanism",
    "MechanismSetup",
    "Monitoring",
    "ProfitSharing",
    "Reputation",
    "Sanction",
    "ShadowOfFuture",
    "apply",
    "bond_threshold",
    "continuation_threshold",
    "profit_share_threshold",
    "sanction_threshold",
    "settle_round",
    "simulate_mechanisms",
]


def _rstp(game: StageGame) -> tuple[float, float, float, float]:
    if not isinstance(game, StageGame):
        raise TypeError(f"game must be a StageGame, got {type(game).__name__}")
    if game.shape != (2, 2) or not game.is_symmetric:
        raise ValueError("this threshold needs a symmetric 2x2 game (R, S, T, P)")
    return game.payoff_vector


# ----------------------------------------------------------------------------------------------
# Thresholds
# ----------------------------------------------------------------------------------------------


def continuation_threshold(game: StageGame, strategy: str = "GRIM") -> float:
    """Least continuation probability w at which ``strategy`` against itself is a Nash equilibrium.

    Normalised discounted payoffs, no noise. Sources: Friedman (1971) for GRIM; Axelrod (1984)
    and Fudenberg & Tirole (1991) for TFT; Nowak & Sigmund (1993) / Imhof et al. (2007) for WSLS.

    * ``"GRIM"``: ``(T - R) / (T - P)`` (deviating to ALLD gains T once, then P forever).
    * ``"TFT"``: ``max((T - R) / (T - P), (T - R) / (R - S))`` (ALLD, or alternating D, C).
    * ``"WSLS"``: ``(T - R) / (R - P)`` (ALLD earns T, P, T, P, ...).

    Returns a value >= 1 when no w < 1 suffices.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> g = PrisonersDilemma()
    >>> continuation_threshold(g, "GRIM"), continuation_threshold(g, "TFT")
    (0.5, 0.6666666666666666)
    """
    R, S, T, P = _rstp(game)
    name = str(strategy).upper()
    if name == "GRIM":
        return (T - R) / (T - P)
    if name == "TFT":
        return max((T - R) / (T - P), (T - R) / (R - S))
    if name == "WSLS":
        return (T - R) / (R - P) if R > P else math.inf
    raise ValueError(f"strategy must be 'GRIM', 'TFT' or 'WSLS', got {strategy!r}")


def sanction_threshold(game: StageGame) -> float:
    """Least expected fine per defection (fine x detection) that makes contributing dominant.

    In the stage game a detected defection pays the fine; contributing dominates once
    ``R > T - d F`` and ``S > P - d F`` (the same holds when the fine goes to the victim), i.e.
    ``d F > max(T - R, P - S)``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> sanction_threshold(PrisonersDilemma())
    2.0
    """
    R, S, T, P = _rstp(game)
    return max(T - R, P - S)


def profit_share_threshold(game: StageGame) -> float:
    """Least profit share making contributing dominant: ``2 max(T - R, P - S) / (T - S)``.

    With payoff ``(1 - s) own + s * mean of both``, contributing dominates once the shared part
    outweighs the temptation and the sucker's loss. A value above 1 means no share suffices.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> profit_share_threshold(PrisonersDilemma())
    0.8
    """
    R, S, T, P = _rstp(game)
    return 2 * max(T - R, P - S) / (T - S)


def bond_threshold(game: StageGame, detection: float, salvage: float = 1.0) -> float:
    """Least bond (stake) making contributing dominant under detection probability ``detection``.

    A detected defector forfeits the stake B and the partner receives ``salvage`` times it. Row
    player's expected stage payoffs (d = detection, s = salvage):

    * partner contributes: contribute R, withhold ``T - d B``;
    * partner withholds: contribute ``S + s d B``, withhold ``P - d B + s d B`` (a mutual
      withholder also receives the salvage of the partner's forfeited stake).

    So contributing dominates iff ``d B > T - R`` and ``d B > P - S``:
    ``B > max(T - R, P - S) / d``, whatever the salvage (salvage moves welfare, not the
    incentive). With ``salvage = 1`` a bond is a :class:`Sanction` with ``transfer=True``.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game (R, S, T, P).
    detection : float
        Probability in (0, 1] that a defection is detected.
    salvage : float, default 1.0
        Share in [0, 1] of a forfeited stake that the partner receives; validated, and shown
        here because it does not change the threshold.

    Returns
    -------
    float
        The least stake, in payoff units.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> bond_threshold(PrisonersDilemma(), detection=0.5)  # max(5 - 3, 1 - 0) / 0.5
    4.0
    """
    R, S, T, P = _rstp(game)
    d = check_interval(detection, "detection", 0.0, 1.0, low_open=True)
    check_probability(salvage, "salvage")
    return max(T - R, P - S) / d


# ----------------------------------------------------------------------------------------------
# Mechanisms
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    continuation: float | None
    perception_noise: float
    clarity: float = 0.0
    visibility: float = 0.0
    enforcement_cost_per_defection: float = 0.0


class Mechanism:
    """Base of all mechanisms. Subclasses override :meth:`transform` and/or :meth:`adjust`."""

    kind: ClassVar[str] = "mechanism"

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected stage payoffs (row, col), 2x2 each, after this mechanism acts."""
        return row, col

    def adjust(self, settings: _Settings) -> _Settings:
        """Repeated-game settings after this mechanism acts."""
        return settings

    def threshold(self, game: StageGame) -> float | None:
        """The analytic threshold of this mechanism's key parameter, or None."""
        return None

    def margin(self, game: StageGame) -> float | None:
        """Key parameter minus its threshold (> 0: above it), or None."""
        return None


@dataclass(frozen=True)
class ShadowOfFuture(Mechanism):
    """Repeated interaction: the partnership continues after each round with probability w.

    A long shadow of the future (w near 1) makes tomorrow's cooperation worth today's restraint.
    Its threshold is :func:`continuation_threshold` for GRIM.

    Examples
    --------
    >>> ShadowOfFuture(0.9).continuation
    0.9
    """

    continuation: float
    kind: ClassVar[str] = "shadow_of_future"

    def __post_init__(self) -> None:
        w = check_interval(self.continuation, "continuation", 0.0, 1.0, high_open=True)
        object.__setattr__(self, "continuation", w)

    def adjust(self, settings: _Settings) -> _Settings:
        return replace(settings, continuation=self.continuation)

    def threshold(self, game: StageGame) -> float:
        return continuation_threshold(game, "GRIM")

    def margin(self, game: StageGame) -> float:
        return self.continuation - self.threshold(game)


@dataclass(frozen=True)
class Monitoring(Mechanism):
    """Transparent observation of the partner: perception error eta (chance to misread a move).

    Examples
    --------
    >>> Monitoring(0.01).perception_error
    0.01
    """

    perception_error: float
    kind: ClassVar[str] = "monitoring"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "perception_error", check_probability(self.perception_error, "perception_error")
        )

    def adjust(self, settings: _Settings) -> _Settings:
        return replace(settings, perception_noise=self.perception_error)


@dataclass(frozen=True)
class Communication(Mechanism):
    """The binding element: clearer communication lowers perception error to ``eta (1 - clarity)``.

    In the trust model it also speeds verification.

    Examples
    --------
    >>> Communication(0.5).clarity
    0.5
    """

    clarity: float
    kind: ClassVar[str] = "communication"

    def __post_init__(self) -> None:
        object.__setattr__(self, "clarity", check_probability(self.clarity, "clarity"))

    def adjust(self, settings: _Settings) -> _Settings:
        return replace(settings, clarity=self.clarity)


@dataclass(frozen=True)
class Reputation(Mechanism):
    """Observable track record: the share of a partner's history others can see.

    It has no stage-game effect; the trust model uses it in partner choice.

    Examples
    --------
    >>> Reputation(0.8).visibility
    0.8
    """

    visibility: float
    kind: ClassVar[str] = "reputation"

    def __post_init__(self) -> None:
        object.__setattr__(self, "visibility", check_probability(self.visibility, "visibility"))

    def adjust(self, settings: _Settings) -> _Settings:
        return replace(settings, visibility=self.visibility)


def _fine_matrices(amount: float, to_victim: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected change of (row, col) payoffs when each detected defector pays ``amount``.

    The victim (the partner) receives ``to_victim`` times it. Rows: row move, cols: col move.
    """
    defect = np.array([[0.0, 0.0], [1.0, 1.0]])  # row player withholds
    row = -amount * defect + to_victim * amount * defect.T
    return row, row.T.copy()


@dataclass(frozen=True)
class Sanction(Mechanism):
    """Credible consequences: a detected defection pays ``fine``.

    Parameters
    ----------
    fine : float >= 0, paid by a detected defector (payoff units).
    detection : probability in [0, 1] that a defection is detected.
    enforcement_cost : float >= 0, cost to the enforcing institution per detected defection;
        it does not change the partners' incentives but counts against welfare.
    transfer : hand the fine to the victim (True) or burn it (False).

    Examples
    --------
    >>> Sanction(fine=4, detection=0.5).expected_fine
    2.0
    """

    fine: float
    detection: float
    enforcement_cost: float = 0.0
    transfer: bool = False
    kind: ClassVar[str] = "sanction"

    def __post_init__(self) -> None:
        object.__setattr__(self, "fine", check_nonnegative(self.fine, "fine"))
        object.__setattr__(self, "detection", check_probability(self.detection, "detection"))
        object.__setattr__(
            self, "enforcement_cost", check_nonnegative(self.enforcement_cost, "enforcement_cost")
        )
        if not isinstance(self.transfer, bool):
            raise TypeError(f"transfer must be a bool, got {type(self.transfer).__name__}")

    @property
    def expected_fine(self) -> float:
        """Fine times detection: the expected cost of one defection."""
        return self.fine * self.detection

    @property
    def forfeit(self) -> float:
        """What a detected defector pays (the fine)."""
        return self.fine

    @property
    def victim_share(self) -> float:
        """Share of the fine the partner receives: 1 with transfer, else 0 (burned)."""
        return 1.0 if self.transfer else 0.0

    def transform(self, row, col):
        dr, dc = _fine_matrices(self.expected_fine, self.victim_share)
        return row + dr, col + dc

    def adjust(self, settings: _Settings) -> _Settings:
        extra = self.detection * self.enforcement_cost
        return replace(
            settings, enforcement_cost_per_defection=settings.enforcement_cost_per_defection + extra
        )

    def threshold(self, game: StageGame) -> float:
        """Least fine at this detection probability (inf when detection is 0)."""
        t = sanction_threshold(game)
        return t / self.detection if self.detection > 0 else math.inf

    def margin(self, game: StageGame) -> float:
        return self.fine - self.threshold(game)


@dataclass(frozen=True)
class Bond(Mechanism):
    """Mutual hostages: each partner posts ``stake``, forfeited on a detected defection.

    The partner receives ``salvage`` times the forfeited stake (1: a pure transfer; 0: a hostage
    that is destroyed). Forfeits are re-posted, so the bond binds every round. What is not
    salvaged counts against welfare.

    Examples
    --------
    >>> Bond(stake=4, detection=0.5).threshold(__import__("allysim").PrisonersDilemma())
    4.0
    """

    stake: float
    detection: float
    salvage: float = 1.0
    kind: ClassVar[str] = "bond"

    def __post_init__(self) -> None:
        object.__setattr__(self, "stake", check_nonnegative(self.stake, "stake"))
        object.__setattr__(self, "detection", check_probability(self.detection, "detection"))
        object.__setattr__(self, "salvage", check_probability(self.salvage, "salvage"))

    @property
    def forfeit(self) -> float:
        """What a detected defector loses (the stake)."""
        return self.stake

    @property
    def victim_share(self) -> float:
        """Share of the forfeited stake the partner receives (the salvage)."""
        return self.salvage

    def transform(self, row, col):
        dr, dc = _fine_matrices(self.stake * self.detection, self.salvage)
        return row + dr, col + dc

    def threshold(self, game: StageGame) -> float:
        if self.detection == 0:
            return math.inf
        return bond_threshold(game, self.detection, self.salvage)

    def margin(self, game: StageGame) -> float:
        return self.stake - self.threshold(game)


@dataclass(frozen=True)
class ProfitSharing(Mechanism):
    """Rewards tied to joint results: payoff = ``(1 - share) own + share * mean of both``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> ProfitSharing(0.5).threshold(PrisonersDilemma())
    0.8
    """

    share: float
    kind: ClassVar[str] = "profit_sharing"

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", check_probability(self.share, "share"))

    def transform(self, row, col):
        mean = (row + col) / 2
        s = self.share
        return (1 - s) * row + s * mean, (1 - s) * col + s * mean

    def threshold(self, game: StageGame) -> float:
        return profit_share_threshold(game)

    def margin(self, game: StageGame) -> float:
        return self.share - self.threshold(game)


# ----------------------------------------------------------------------------------------------
# Composition
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MechanismSetup:
    """A stage game and repeated-game settings after a list of mechanisms has been applied.

    Attributes
    ----------
    game : the transformed stage game (expected payoffs including fines, forfeits, sharing).
    base_game : the game before the mechanisms.
    continuation : continuation probability, or None (then use a finite horizon).
    perception_noise : chance to misread a partner's move, after monitoring and communication.
    enforcement_cost_per_defection : expected enforcement cost per defection (welfare only).
    visibility : reputation visibility (used by the trust model).
    clarity : communication clarity (used by the trust model).
    mechanisms : the mechanisms, in the order applied.
    """

    game: StageGame
    base_game: StageGame
    continuation: float | None
    perception_noise: float
    enforcement_cost_per_defection: float
    visibility: float
    clarity: float
    mechanisms: tuple[Mechanism, ...] = field(default=())

    def kernel_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`allysim.kernels.expected_payoffs` (no horizon if None)."""
        out: dict[str, Any] = {"perception_noise": self.perception_noise}
        if self.continuation is not None:
            out["continuation"] = self.continuation
        return out

    def welfare(self, outcomes: np.ndarray) -> np.ndarray:
        """Welfare per partner per round from outcome frequencies (..., 4).

        The mean of both partners' payoffs in the transformed game (burned fines and unsalvaged
        stakes already subtracted) minus the expected enforcement cost.
        """
        outcomes = np.asarray(outcomes, dtype=float)
        u_row, u_col = self.game.outcome_payoffs()
        mean_payoff = outcomes @ ((u_row + u_col) / 2)
        defection = (outcomes[..., 2] + outcomes[..., 3] + outcomes[..., 1] + outcomes[..., 3]) / 2
        return mean_payoff - self.enforcement_cost_per_defection * defection

    def margins(self) -> dict[str, float]:
        """Each mechanism's key parameter minus its analytic threshold, by mechanism kind."""
        out = {}
        for m in self.mechanisms:
            value = m.margin(self.base_game)
            if value is not None:
                out[m.kind] = value
        return out


def apply(
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    continuation: float | None = None,
    perception_noise: float = 0.0,
) -> MechanismSetup:
    """Apply mechanisms in order to a 2x2 stage game and to the repeated-game settings.

    ``continuation`` and ``perception_noise`` are the settings without mechanisms (a
    :class:`ShadowOfFuture` or :class:`Monitoring` replaces them). Stage-game transforms apply in
    list order (a sanction before profit sharing is shared; after it is not). Communication scales
    the final perception error by ``1 - clarity`` wherever it stands in the list. Two mechanisms
    of one kind raise ``ValueError``: they would be counted twice.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> s = apply(PrisonersDilemma(), [Sanction(fine=4, detection=0.5), ShadowOfFuture(0.9)])
    >>> s.game.payoff_vector, s.continuation
    ((3.0, 0.0, 3.0, -1.0), 0.9)
    """
    if not isinstance(game, StageGame):
        raise TypeError(f"game must be a StageGame, got {type(game).__name__}")
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game, got {game.shape}")
    if isinstance(mechanisms, Mechanism):
        mechanisms = [mechanisms]
    mechanisms = tuple(mechanisms)
    seen: set[str] = set()
    for m in mechanisms:
        if not isinstance(m, Mechanism):
            raise ValueError(
                f"unknown mechanism {m!r}: mechanisms must be ShadowOfFuture, Monitoring, "
                "Sanction, Bond, ProfitSharing, Communication or Reputation objects"
            )
        if m.kind in seen:
            raise ValueError(
                f"two {type(m).__name__} mechanisms in one scenario would be counted twice; "
                "combine them into one"
            )
        seen.add(m.kind)
    if continuation is not None:
        continuation = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
    settings = _Settings(continuation, check_probability(perception_noise, "perception_noise"))
    row, col = np.array(game.row_payoffs), np.array(game.col_payoffs)
    for m in mechanisms:
        row, col = m.transform(row, col)
        settings = m.adjust(settings)
    new_game = StageGame(row, col, game.row_actions, game.col_actions)
    return MechanismSetup(
        game=new_game,
        base_game=game,
        continuation=settings.continuation,
        perception_noise=settings.perception_noise * (1 - settings.clarity),
        enforcement_cost_per_defection=settings.enforcement_cost_per_defection,
        visibility=settings.visibility,
        clarity=settings.clarity,
        mechanisms=mechanisms,
    )


# ----------------------------------------------------------------------------------------------
# Literal Monte Carlo of the mechanism rules
# ----------------------------------------------------------------------------------------------


def settle_round(
    mechanisms: Sequence[Mechanism],
    pay_a: np.ndarray,
    pay_b: np.ndarray,
    contrib_a: np.ndarray,
    contrib_b: np.ndarray,
    rng: np.random.Generator,
    *,
    scale: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply sanction, bond and profit-sharing rules literally to realised round payoffs.

    Each withheld contribution is detected by its own draw; a detected defector pays the fine
    (or forfeits the stake), scaled by ``scale`` (e.g. the stakes of a partnership's stage), and
    the victim receives its share; profit is then shared, all in list order. Settings-only
    mechanisms are ignored here.

    Returns
    -------
    (pay_a, pay_b, enforcement) : payoffs after the rules, and the enforcement cost per partner.
    """
    pay_a = np.array(pay_a, dtype=float)
    pay_b = np.array(pay_b, dtype=float)
    enforcement = np.zeros(np.shape(pay_a))
    for m in mechanisms:
        if isinstance(m, Sanction | Bond):
            amount, to_victim = m.forfeit * scale, m.victim_share
            caught_a = ~contrib_a & (rng.random(np.shape(pay_a)) < m.detection)
            caught_b = ~contrib_b & (rng.random(np.shape(pay_b)) < m.detection)
            pay_a += -amount * caught_a + to_victim * amount * caught_b
            pay_b += -amount * caught_b + to_victim * amount * caught_a
            if isinstance(m, Sanction):
                enforcement += m.enforcement_cost * (caught_a.astype(float) + caught_b) / 2
        elif isinstance(m, ProfitSharing):
            mean = (pay_a + pay_b) / 2
            pay_a = (1 - m.share) * pay_a + m.share * mean
            pay_b = (1 - m.share) * pay_b + m.share * mean
    return pay_a, pay_b, enforcement


def simulate_mechanisms(
    row_strategy,
    col_strategy,
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    repetitions: int,
    rounds: int | None = None,
    continuation: float | None = None,
    perception_noise: float = 0.0,
    noise: float = 0.0,
    seed: SeedLike = None,
) -> dict[str, np.ndarray]:
    """Play the mechanism rules literally, match by match, and return per-match estimates.

    Unlike :func:`apply`, nothing is averaged in advance: each defection is detected or not by
    its own draw, fines and forfeits move between partners as drawn, profit is shared round by
    round in list order, and with a continuation probability each partnership lasts a random
    (geometric) number of rounds, the payoff estimate being ``(1 - w) * sum of payoffs``. Use it
    to check :func:`apply` with the exact kernel.

    Returns
    -------
    dict with arrays of shape (repetitions,): ``row``, ``col`` (payoff per round) and
    ``welfare`` (per partner per round, net of enforcement costs).
    """
    from allysim.kernels import simulate

    setup = apply(game, mechanisms, continuation=continuation, perception_noise=perception_noise)
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    rng = as_generator(seed)
    w = setup.continuation
    if w is None:
        if rounds is None:
            raise ValueError("give rounds=T or a continuation (directly or by ShadowOfFuture)")
        horizon = check_int(rounds, "rounds", minimum=1)
    else:
        # Rounds past this carry less than 1e-12 of the weight.
        horizon = max(1, math.ceil(math.log(1e-12) / math.log(w))) if w > 0 else 1
    play_rng, rule_rng = rng.spawn(2)
    sim = simulate(
        row_strategy,
        col_strategy,
        game,
        rounds=horizon,
        noise=noise,
        perception_noise=setup.perception_noise,
        repetitions=repetitions,
        seed=play_rng,
        history=True,
    )
    coop = sim.history[0, 0]  # (reps, T, 2)
    x_c, y_c = coop[..., 0], coop[..., 1]
    ix, iy = (~x_c).astype(int), (~y_c).astype(int)
    pay_r = game.row_payoffs[ix, iy].astype(float)
    pay_c = game.col_payoffs[ix, iy].astype(float)
    pay_r, pay_c, enforcement = settle_round(setup.mechanisms, pay_r, pay_c, x_c, y_c, rule_rng)
    welfare = (pay_r + pay_c) / 2 - enforcement
    if w is None:
        weights = np.full(horizon, 1.0 / horizon)
        weights = np.broadcast_to(weights, pay_r.shape)
    else:
        length = rule_rng.geometric(1 - w, size=repetitions) if w > 0 else np.ones(repetitions)
        t = np.arange(horizon)
        weights = (t[None, :] < length[:, None]) * (1 - w)
    return {
        "row": (pay_r * weights).sum(axis=1),
        "col": (pay_c * weights).sum(axis=1),
        "welfare": (welfare * weights).sum(axis=1),
    }
