"""The trust model's parameters: one frozen, validated record.

:class:`TrustParams` holds every rule parameter of :class:`~allysim.abm.TrustModel`, the
constants of its rules included (they were hard-coded before; each now names its source). A
value out of range raises ValueError, a value of the wrong type TypeError, with a message that
names the parameter and the allowed range. ``TrustModel(**keywords)`` builds one from the same
names (see :func:`params_from_keywords`).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from allysim._validation import (
    as_float_array,
    check_int,
    check_interval,
    check_nonnegative,
    check_probability,
    check_real,
)
from allysim.abm._param_checks import (
    check_capacity,
    check_culture,
    check_network,
    check_population,
    check_strategies,
)
from allysim.abm.components import Part
from allysim.abm.consortium import Consortia
from allysim.abm.governance import Governance
from allysim.abm.investment import SpecificInvestment
from allysim.abm.metrics import Metrics
from allysim.abm.stakeholders import StakeholderPressure
from allysim.abm.standing import Standing
from allysim.abm.value_creation import ValueCreation
from allysim.mechanisms import Mechanism
from allysim.scenarios import TRUST_MODEL_STRATEGIES
from allysim.strategies import FiniteStateStrategy, MemoryOne

__all__ = ["DEFAULT_STRATEGIES", "TrustParams", "params_from_keywords"]

#: The strategies organizations may use unless told otherwise.
# The registry in allysim.scenarios is the one home of this list.
DEFAULT_STRATEGIES = TRUST_MODEL_STRATEGIES

_IMITATION_PAYOFFS = ("per_stake", "raw")
#: The partnership parts (see allysim.abm.components), by TrustParams field, in step order.
_PART_FIELDS: dict[str, type[Part]] = {
    "investment": SpecificInvestment,
    "governance": Governance,
    "stakeholders": StakeholderPressure,
    "standing": Standing,
    "consortia": Consortia,
    # Last, so the value it records includes the other parts' quasi-rents.
    "value_creation": ValueCreation,
    # After every part that changes payoffs, so it records what they settled.
    "metrics": Metrics,
}


@dataclass(frozen=True)
class TrustParams:
    """Every parameter of the trust model, validated once.

    All fields are keywords. Probabilities must lie in [0, 1]; counts are integers. Payoffs are
    in value units per partner per round, before the stage's stake multiplies them. The last six
    fields are constants of the model's rules, exposed so that their effect can be studied; their
    defaults are the values the model has always used.

    Parameters
    ----------
    n_organizations : int
        Number of organizations, at least 2. Default 100.
    strategies : sequence of str or strategy objects
        Names (see :func:`allysim.strategies.named`) or :class:`~allysim.strategies.MemoryOne` /
        :class:`~allysim.strategies.FiniteStateStrategy` objects the organizations may use.
        Default ``("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT")``; GTFT is tuned to the game
        and exists only while its generosity is a probability (see ``synergy``).
    initial_shares : sequence of float or None
        Probability of each strategy at the start, summing to 1. Default None (uniform).
    initial_strategies : sequence of int or str, or None
        The strategy of each organization (an integer index into ``strategies`` or a name),
        instead of drawing them from ``initial_shares``. Default None.
    benefit : float
        Value a contribution delivered in full gives the partner, > 0. The partner receives
        ``capability * benefit`` of it (see ``capability_mean``). Default 3.
    cost : float
        Cost of contributing to the contributor, > 0. Default 2.
    synergy : float
        Extra value each partner gets when both contribute (the partnership dividend), before
        cultural friction. Game per unit stake at full capability:
        :func:`allysim.games.partnership_game`, ``R = benefit - cost + synergy``, ``S = -cost``,
        ``T = benefit``, ``P = 0``. With the default strategies (GTFT) it must lie in
        ``[max(cost - benefit, (cost - benefit) / 2), cost]``. Default 0.5.
    mechanisms : sequence of Mechanism
        Incentive mechanisms (:mod:`allysim.mechanisms`). ShadowOfFuture sets ``continuation``,
        Monitoring the base perception noise, Communication scales it (and speeds
        verification), Reputation sets ``visibility``; Sanction, Bond and ProfitSharing settle
        each round. Default none.
    continuation : float
        Chance a partnership goes on after a step (1: it never ends by itself). Default 0.9.
    noise : float
        Execution noise: chance an intended move is flipped. Default 0.01.
    perception_noise : float
        Base chance to misread the partner's move (the name
        :func:`allysim.kernels.play_round` uses; ``perception_error`` is its deprecated alias
        in :class:`~allysim.abm.TrustModel`). Default 0.05.
    culture_spread : float
        Half-width of the uniform spread of each cultural dimension around 0.5, in [0, 0.5];
        cultural distance is the mean absolute difference of profiles, in ``[0, 2 *
        culture_spread]``. Default 0.2.
    culture_noise : float
        Chance per unit of cultural distance that cultural difference alone makes a move
        misread, >= 0, with ``culture_noise * 2 * culture_spread <= 1``. The two sources of
        misreading act independently: ``eta = (1 - (1 - perception_noise) * (1 - culture_noise
        * distance)) * (1 - clarity)``. Default 0.2.
    culture_friction : float
        Share of synergy lost per unit of cultural distance, in [0, 1]. Default 0.5.
    capability_mean : float
        Mean capability. An organization's capability is the share of a contribution's value
        that reaches the partner, and the chance that one of its contributions is seen to
        deliver (what competence trust estimates). Default 0.8.
    capability_spread : float
        Capabilities are drawn uniformly in ``capability_mean +- capability_spread``, which
        must stay within [0, 1]. Default 0.15.
    capacity : int
        Most partnerships per organization, in ``[1, n_organizations - 1]``. Default 3.
    network : str or networkx.Graph
        The possible ties: ``"complete"``, ``"small-world"`` or a simple undirected
        ``networkx.Graph`` (no self-loops) on nodes ``0..n_organizations-1``; edge weights are
        ignored. An organization without neighbours never has a partner. Default
        ``"complete"``.
    network_degree : int
        Degree of the small-world (Watts-Strogatz) network: even (half of it on each side of
        the ring), >= 2 and < ``n_organizations``. Default 10.
    rewiring : float
        Rewiring probability of the small-world network. Default 0.1.
    search_rate : float
        Chance an organization with free capacity looks for a partner each step. Default 0.5.
    visibility : float
        How much of a candidate's record others see (0: none, judged at
        ``neutral_reputation``). Default 0.5.
    trust_to_contribute : float
        Contractual trust from which an organization contributes as its strategy says; below
        it, contributions are held back in proportion (0: trust is ignored). Default 0.4.
    competence_floor : float
        Competence trust a partnership needs before it deepens past assessment. Default 0.5.
    forgetting : float
        Weight kept by old evidence each observed round, in (0, 1]. Default 0.9.
    prior_strength : float
        Pseudo-observations in the trust prior of a new partnership, >= 0. Default 2.
    attribution_discount : float
        In (-1, 1): how contractual enforcement changes what a contribution is worth as goodwill
        evidence. Its weight is ``1 - attribution_discount * d``, ``d`` in [0, 1] being the
        share of the partner's temptation to withhold that the mechanisms remove (1 when the
        game itself has none). Positive: contracts and relational governance are *substitutes*,
        a contribution the mechanisms explain says less about goodwill (Kelley's discounting
        principle; Malhotra & Murnighan 2002); below 1, so enforcement slows goodwill without
        ruling it out. Negative: they are *complements*, clear contracts make cooperation
        visible and let goodwill grow faster (Poppo & Zenger 2002, *Strategic Management
        Journal* 23: 707-725). The literature has found both (Cao & Lumineau 2015,
        *Journal of Operations Management* 33-34: 15-42). Default 0.8.
    exit_threshold : float
        Contractual trust below which a partner exits. Default 0.3.
    stage_thresholds : sequence of float
        Weakest contractual or goodwill trust (either side) needed to leave each of the first
        four stages: 4 non-decreasing values in (0, 1). Default ``(0.6, 0.7, 0.8, 0.85)``.
    stage_min_steps : int
        Least steps in a stage before promotion, >= 0. Default 3.
    stake_levels : sequence of float
        Stake multiplier of payoffs, fines and forfeits in each of the five stages, > 0;
        non-decreasing with ``investment`` (it invests per unit rise of the stake). Default
        ``(1, 1.5, 2, 3, 4)``.
    absorb_weight : float
        Weight of an isolated error's evidence in an institutionalized partnership. Default 0.2.
    imitation_every : int
        Steps between imitation rounds (0: never). Default 10.
    imitation_payoff : {"per_stake", "raw"}
        What imitation compares: ``"per_stake"`` sums each round's payoff divided by the
        partnership's stake, so the stake schedule does not change the strength of selection;
        ``"raw"`` compares stake-scaled payoffs. Default ``"per_stake"``.
    selection : float
        Intensity of selection in imitation (Fermi rule, Traulsen, Nowak & Pacheco 2006), >= 0.
        Default 1.
    mutation : float
        Chance an organization switches to a random strategy at an imitation round.
        Default 0.01.
    reputation_weight : float
        Weight of the latest step's contribution rate in an organization's reputation, in
        (0, 1]; older steps keep ``1 - reputation_weight`` (an exponentially weighted record,
        as in the feedback scores of reputation systems, Resnick et al. 2000, *Communications of
        the ACM* 43(12): 45-48). Default 0.1.
    neutral_reputation : float
        Reputation of an organization with no record yet, and the record assumed for the part
        of a candidate's record that is not visible (``visibility < 1``). Default 0.5.
    acceptance_offset : float
        Added to the visible record when a candidate is judged: a candidate is accepted with
        probability ``min(1, (1 - distance) * (acceptance_offset + visible record))``, >= 0.
        At 0.5 a culturally identical candidate of neutral record is always accepted. Default
        0.5.
    absorb_streak : int
        Perceived contributions in a row after which, in an institutionalized partnership, a
        perceived withholding is an isolated error and counts ``absorb_weight`` (Zaheer,
        McEvily & Perrone 1998, *Organization Science* 9: 141-159: institutionalized trust
        tolerates isolated deviations), >= 1. Default 5.
    absorb_window : int
        Steps after a betrayal during which an institutionalized partnership no longer absorbs
        a second one and is demoted, >= 0. Default 10.
    never_betrayed : int
        Step recorded as the last betrayal of a partnership that has had none; must lie below
        ``-absorb_window`` so that it never counts as recent. Default ``-10**9``.
    culture : {"practice", "hofstede"}
        What cultural profiles are. ``"practice"``: six partnership-practice dimensions
        (:data:`~allysim.abm.CULTURE_DIMENSIONS`: decision style, communication norms, ...),
        each uniform in ``0.5 +- culture_spread``, distance the mean absolute difference.
        ``"hofstede"``: each organization has a home country and its six published Hofstede
        scores (:mod:`allysim.abm.culture`), distance the Kogut & Singh (1988) index mapped to
        ``CD / (CD + culture_scale)``. In both, distance drives misreading
        (``culture_noise``) and friction on the dividend (``culture_friction``). Default
        ``"practice"``.
    countries : sequence of str or None
        With ``culture="hofstede"``: the countries drawn from (names in
        :data:`~allysim.abm.culture.HOFSTEDE_SCORES`, at least 2). Default None (all).
    country_weights : sequence of float or None
        Relative chances of ``countries``. Default None (equal).
    country_spread : float
        Standard deviation of the within-country variation, score points, >= 0. Default 0.
    culture_scale : float
        Kogut-Singh index at which the Hofstede distance is 0.5, > 0. Default 2 (the mean
        index over pairs of distinct countries of the table).
    investment : SpecificInvestment or None
        Relationship-specific investments, quasi-rents and hold-up
        (:class:`~allysim.abm.investment.SpecificInvestment`). Default None (off).
    governance : Governance or None
        Decision rights, conflict resolution, reviews and the exit procedure
        (:class:`~allysim.abm.governance.Governance`). Default None (off).
    stakeholders : StakeholderPressure or None
        Stakeholders rewarding visible association, and scrutiny that exposes cause-washing
        (:class:`~allysim.abm.stakeholders.StakeholderPressure`). Default None (off).
    standing : Standing or None
        Public standing judged by a social norm of indirect reciprocity, used in partner
        choice, exit and (for listed strategies) contribution
        (:class:`~allysim.abm.standing.Standing`). Default None (off).
    value_creation : ValueCreation or None
        Complementary capabilities, scale, network effects and knowledge exchange
        (:class:`~allysim.abm.value_creation.ValueCreation`). Default None (off).
    metrics : Metrics or None
        The five metric families (financial, operational, innovation, market, relationship
        health), per step and per partnership (:class:`~allysim.abm.metrics.Metrics`).
        Default None (off; it only observes, so the run is the same either way).
    consortia : Consortia or None
        Consortia of more than two organizations playing a public goods game beside the
        bilateral partnerships, with formation, recruitment, trust, exit and dissolution
        (:class:`~allysim.abm.consortium.Consortia`). Default None (off).

    Examples
    --------
    >>> p = TrustParams(n_organizations=50, continuation=0.95)
    >>> p.n_organizations, p.capacity, p.stage_thresholds
    (50, 3, (0.6, 0.7, 0.8, 0.85))
    >>> TrustParams(noise=1.5)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a probability in [0, 1], got 1.5
    """

    n_organizations: int = 100
    strategies: Sequence[str | MemoryOne | FiniteStateStrategy] = DEFAULT_STRATEGIES
    initial_shares: Sequence[float] | None = None
    initial_strategies: Sequence[int | str] | None = None
    benefit: float = 3.0
    cost: float = 2.0
    synergy: float = 0.5
    mechanisms: Sequence[Mechanism] = ()
    continuation: float = 0.9
    noise: float = 0.01
    perception_noise: float = 0.05
    culture_spread: float = 0.2
    culture_noise: float = 0.2
    culture_friction: float = 0.5
    capability_mean: float = 0.8
    capability_spread: float = 0.15
    capacity: int = 3
    network: str | nx.Graph = "complete"
    network_degree: int = 10
    rewiring: float = 0.1
    search_rate: float = 0.5
    visibility: float = 0.5
    trust_to_contribute: float = 0.4
    competence_floor: float = 0.5
    forgetting: float = 0.9
    prior_strength: float = 2.0
    attribution_discount: float = 0.8
    exit_threshold: float = 0.3
    stage_thresholds: Sequence[float] = (0.6, 0.7, 0.8, 0.85)
    stage_min_steps: int = 3
    stake_levels: Sequence[float] = (1.0, 1.5, 2.0, 3.0, 4.0)
    absorb_weight: float = 0.2
    imitation_every: int = 10
    imitation_payoff: str = "per_stake"
    selection: float = 1.0
    mutation: float = 0.01
    reputation_weight: float = 0.1
    neutral_reputation: float = 0.5
    acceptance_offset: float = 0.5
    absorb_streak: int = 5
    absorb_window: int = 10
    never_betrayed: int = -(10**9)
    culture: str = "practice"
    countries: Sequence[str] | None = None
    country_weights: Sequence[float] | None = None
    country_spread: float = 0.0
    culture_scale: float = 2.0
    investment: SpecificInvestment | None = None
    governance: Governance | None = None
    stakeholders: StakeholderPressure | None = None
    standing: Standing | None = None
    value_creation: ValueCreation | None = None
    metrics: Metrics | None = None
    consortia: Consortia | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        n = check_population(self)
        put("n_organizations", n)
        check_strategies(self)
        for name in ("benefit", "cost", "synergy"):
            put(name, check_real(getattr(self, name), name))
        for name in ("benefit", "cost"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if isinstance(self.mechanisms, list | tuple):
            # Anything else is left to allysim.mechanisms.apply, which names what it expects.
            put("mechanisms", tuple(self.mechanisms))
        for name in (
            "continuation",
            "noise",
            "perception_noise",
            "culture_friction",
            "capability_mean",
            "rewiring",
            "search_rate",
            "visibility",
            "trust_to_contribute",
            "competence_floor",
            "exit_threshold",
            "absorb_weight",
            "mutation",
            "neutral_reputation",
        ):
            put(name, check_probability(getattr(self, name), name))
        for name in ("culture_noise", "capability_spread", "prior_strength", "selection"):
            put(name, check_nonnegative(getattr(self, name), name))
        put("acceptance_offset", check_nonnegative(self.acceptance_offset, "acceptance_offset"))
        put("culture_spread", check_interval(self.culture_spread, "culture_spread", 0.0, 0.5))
        check_culture(self)
        if self.culture == "hofstede":
            if self.culture_noise > 1:
                raise ValueError(
                    "culture_noise * (largest cultural distance, below 1 with culture='hofstede') "
                    f"is a chance to misread and must be <= 1, got {self.culture_noise!r}"
                )
        elif self.culture_noise * 2 * self.culture_spread > 1:
            raise ValueError(
                "culture_noise * (largest cultural distance = 2 * culture_spread) is a chance to "
                f"misread and must be <= 1, got culture_noise={self.culture_noise!r}, "
                f"culture_spread={self.culture_spread!r}"
            )
        lo = self.capability_mean - self.capability_spread
        hi = self.capability_mean + self.capability_spread
        if lo < 0 or hi > 1:
            raise ValueError(
                "capability_mean +- capability_spread must stay within [0, 1], got "
                f"[{lo:g}, {hi:g}]"
            )
        check_capacity(self)
        put("network_degree", check_int(self.network_degree, "network_degree", minimum=2))
        check_network(self)
        put("forgetting", check_interval(self.forgetting, "forgetting", 0.0, 1.0, low_open=True))
        put(
            "attribution_discount",
            check_interval(
                self.attribution_discount,
                "attribution_discount",
                -1.0,
                1.0,
                low_open=True,
                high_open=True,
            ),
        )
        th = as_float_array(self.stage_thresholds, "stage_thresholds", shape=(4,))
        if np.any((th <= 0) | (th >= 1)) or np.any(np.diff(th) < 0):
            raise ValueError("stage_thresholds must be 4 non-decreasing values in (0, 1)")
        put("stage_thresholds", tuple(float(x) for x in th))
        put("stage_min_steps", check_int(self.stage_min_steps, "stage_min_steps", minimum=0))
        stakes = as_float_array(self.stake_levels, "stake_levels", shape=(5,))
        if np.any(stakes <= 0):
            raise ValueError("stake_levels must be 5 positive multipliers")
        put("stake_levels", tuple(float(x) for x in stakes))
        put("imitation_every", check_int(self.imitation_every, "imitation_every", minimum=0))
        if not isinstance(self.imitation_payoff, str):
            raise TypeError(
                "imitation_payoff must be 'per_stake' or 'raw', got "
                f"{type(self.imitation_payoff).__name__}"
            )
        if self.imitation_payoff not in _IMITATION_PAYOFFS:
            raise ValueError(
                f"imitation_payoff must be 'per_stake' or 'raw', got {self.imitation_payoff!r}"
            )
        put(
            "reputation_weight",
            check_interval(self.reputation_weight, "reputation_weight", 0.0, 1.0, low_open=True),
        )
        put("absorb_streak", check_int(self.absorb_streak, "absorb_streak", minimum=1))
        put("absorb_window", check_int(self.absorb_window, "absorb_window", minimum=0))
        never = check_int(self.never_betrayed, "never_betrayed")
        if never >= -self.absorb_window:
            raise ValueError(
                f"never_betrayed must be < -absorb_window = {-self.absorb_window} (it must never "
                f"count as a recent betrayal), got {never}"
            )
        put("never_betrayed", never)
        for name, kind in _PART_FIELDS.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise TypeError(
                    f"{name} must be a {kind.__name__} or None (off), got {type(value).__name__}"
                )
        if self.investment is not None and any(np.diff(self.stake_levels) < 0):
            # SpecificInvestment invests per unit rise of the stake: a fall would be a negative
            # investment (a payment from nowhere, negative sunk capital earning a quasi-rent).
            raise ValueError(
                "stake_levels must be non-decreasing with investment (SpecificInvestment invests "
                f"per unit rise of the stake), got {self.stake_levels}"
            )

    def parts(self) -> tuple[Part, ...]:
        """The partnership parts switched on, in the order the step calls them.

        Returns
        -------
        tuple of Part
            The non-None part fields.

        Examples
        --------
        >>> TrustParams().parts()
        ()
        >>> TrustParams(investment=SpecificInvestment()).parts()[0].name
        'investment'
        """
        return tuple(getattr(self, n) for n in _PART_FIELDS if getattr(self, n) is not None)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain values, for a result's metadata (JSON-serialisable).

        Numbers, strings and None stay as they are, sequences become lists, and objects
        (strategies, mechanisms, parts, a network graph) their repr, which names every field.

        Returns
        -------
        dict
            Field name -> value.

        Examples
        --------
        >>> d = TrustParams(n_organizations=50).to_dict()
        >>> d["n_organizations"], d["stage_thresholds"], d["investment"]
        (50, [0.6, 0.7, 0.8, 0.85], None)
        """

        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def replace(self, **changes: Any) -> TrustParams:
        """A copy with some fields changed, validated like a new one.

        Parameters
        ----------
        **changes : Any
            New values of fields, by name.

        Returns
        -------
        TrustParams
            The new parameters; ``self`` is unchanged.

        Examples
        --------
        >>> TrustParams().replace(search_rate=1.0).search_rate
        1.0
        """
        return dataclasses.replace(self, **changes)


def _plain(value: Any) -> Any:
    """A parameter value as plain data: numbers and strings as they are, sequences as lists,
    objects (strategies, mechanisms, parts, graphs) as their repr."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, nx.Graph):
        return f"networkx graph ({value.number_of_nodes()} nodes, {value.number_of_edges()} edges)"
    return repr(value)


_FIELDS = frozenset(f.name for f in dataclasses.fields(TrustParams))


def params_from_keywords(keywords: dict[str, Any]) -> TrustParams:
    """:class:`TrustParams` from keywords, accepting the deprecated ``perception_error``.

    Parameters
    ----------
    keywords : dict
        Field names of :class:`TrustParams` and their values. ``perception_error`` is accepted
        for ``perception_noise`` with a DeprecationWarning (not both).

    Returns
    -------
    TrustParams
        The validated parameters.

    Raises
    ------
    TypeError
        A keyword is not a field of :class:`TrustParams`.
    ValueError
        Both ``perception_error`` and ``perception_noise`` are given, or a value is out of
        range.

    Examples
    --------
    >>> params_from_keywords({"n_organizations": 10}).n_organizations
    10
    """
    kw = dict(keywords)
    if "perception_error" in kw:
        if "perception_noise" in kw:
            raise ValueError("pass perception_noise (perception_error is its old name), not both")
        warnings.warn(
            "perception_error is deprecated; use perception_noise (the name the kernels and "
            "Monitoring use)",
            DeprecationWarning,
            stacklevel=3,
        )
        kw["perception_noise"] = kw.pop("perception_error")
    unknown = sorted(set(kw) - _FIELDS)
    if unknown:
        raise TypeError(
            f"unknown trust model parameter(s) {', '.join(unknown)}; the parameters are the "
            "fields of TrustParams"
        )
    return TrustParams(**kw)
