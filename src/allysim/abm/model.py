"""The trust model: organizations forming, deepening and ending partnerships (Mesa 3).

Each step, in this order (:meth:`TrustModel.step` only orchestrates):

1. :meth:`~TrustModel.play_partnerships`: every active partnership plays one round of the
   partnership game at once (arrays, through :func:`allysim.kernels.play_round`). Each partner
   contributes with its strategy's probability, held back while its contractual trust in the
   other is below ``trust_to_contribute``; execution noise flips moves; each partner misreads the
   other with a perception error that grows with cultural distance and shrinks with monitoring
   and communication. A contribution is worth ``capability * benefit`` to its receiver; stakes
   grow with the stage; cultural distance lowers the synergy; sanctions, bonds and profit sharing
   settle literally (:func:`allysim.mechanisms.settle_round`).
2. :meth:`~TrustModel.update_trust`: Beta-Bernoulli learning of competence, contractual and
   goodwill trust from what was perceived (see :mod:`allysim.abm.trust`).
3. :meth:`~TrustModel.advance_stages`: promotion when the weakest contractual or goodwill trust
   passes the stage's threshold and competence trust is at least ``competence_floor`` (after a
   minimum time in stage; communication speeds verification), demotion on a betrayal;
   institutionalized partnerships absorb an isolated error.
4. :meth:`~TrustModel.dissolve_partnerships`: exit when contractual trust falls below
   ``exit_threshold``; natural end with probability ``1 - continuation``.
5. :meth:`~TrustModel.search_partners`: organizations with free capacity meet a candidate on
   the network of possible ties and both judge the other by reputation (as visible) and cultural
   fit; a new partnership starts in assessment with a trust prior from that judgement.
6. Every ``imitation_every`` steps, :meth:`~TrustModel.imitate`: pairwise-comparison imitation of
   a peer's strategy by payoff per unit stake (by default), with mutation.
7. Data collection.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    as_seed_sequence,
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
    check_probability,
    check_real,
)
from allysim.abm.agents import Organization
from allysim.abm.trust import KINDS, STAGES, Stage, TrustKind, trust_mean, update_beta
from allysim.kernels import play_round
from allysim.mechanisms import (
    Bond,
    Mechanism,
    ProfitSharing,
    Sanction,
    apply,
    settle_round,
)
from allysim.strategies import FiniteStateStrategy, MemoryOne, machine_tables, named

__all__ = ["TrustModel", "batch_run", "gini"]

DEFAULT_STRATEGIES = ("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT")

# Largest payoff scale (per round, stake included) accepted: sums over 10**6 partnerships and
# 10**9 steps stay far below the float64 maximum (about 1.8e308).
_MAX_PAYOFF = 1e100


def gini(values: np.ndarray) -> float:
    """Gini coefficient of ``values``, shifted to be non-negative when some are negative.

    Parameters
    ----------
    values : numpy.ndarray
        The values (e.g. accumulated payoffs), any sign.

    Returns
    -------
    float
        Gini coefficient in [0, 1); 0 for an empty or all-equal array.

    Examples
    --------
    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 3)
    0.75
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        return 0.0
    if x[0] < 0:
        x = x - x[0]
    total = x.sum()
    if total <= 0:
        return 0.0
    n = x.size
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


class TrustModel(mesa.Model):
    """Agent-based model of trust evolution among organizations in partnerships.

    All parameters are keywords. Probabilities must lie in [0, 1]; counts are integers. Payoffs
    are in value units per partner per round, before the stage's stake multiplies them.

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
        cultural friction. Game per unit stake at full capability: ``R = benefit - cost +
        synergy``, ``S = -cost``, ``T = benefit``, ``P = 0``. With the default strategies (GTFT)
        it must lie in ``[max(cost - benefit, (cost - benefit) / 2), cost]``. Default 0.5.
    mechanisms : sequence of Mechanism
        Incentive mechanisms (:mod:`allysim.mechanisms`). ShadowOfFuture sets ``continuation``,
        Monitoring the base perception error, Communication scales it (and speeds verification),
        Reputation sets ``visibility``; Sanction, Bond and ProfitSharing settle each round.
        Default none.
    continuation : float
        Chance a partnership goes on after a step (1: it never ends by itself). Default 0.9.
    noise : float
        Execution noise: chance an intended move is flipped. Default 0.01.
    perception_error : float
        Base chance to misread the partner's move. Default 0.05.
    culture_spread : float
        Half-width of the uniform spread of each cultural dimension around 0.5, in [0, 0.5];
        cultural distance is the mean absolute difference of profiles, in ``[0, 2 *
        culture_spread]``. Default 0.2.
    culture_noise : float
        Chance per unit of cultural distance that cultural difference alone makes a move
        misread, >= 0, with ``culture_noise * 2 * culture_spread <= 1``. The two sources of
        misreading act independently: ``eta = (1 - (1 - perception_error) * (1 - culture_noise
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
        The possible ties: ``"complete"``, ``"small-world"`` or a graph on nodes
        ``0..n_organizations-1``. An organization without neighbours never has a partner.
        Default ``"complete"``.
    network_degree : int
        Degree of the small-world (Watts-Strogatz) network, >= 2 and < ``n_organizations``.
        Default 10.
    rewiring : float
        Rewiring probability of the small-world network. Default 0.1.
    search_rate : float
        Chance an organization with free capacity looks for a partner each step. Default 0.5.
    visibility : float
        How much of a candidate's record others see (0: none, judged at 0.5). Default 0.5.
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
        In [0, 1): how much a contribution loses as goodwill evidence when mechanisms make
        contributing privately optimal (Kelley's discounting principle; Malhotra & Murnighan
        2002). Its weight is ``1 - attribution_discount * d``, ``d`` in [0, 1] being the share of
        the partner's temptation to withhold that the mechanisms remove (1 when the game itself
        has none). Below 1, so enforcement slows goodwill without ruling it out (Poppo & Zenger
        2002). Default 0.8.
    exit_threshold : float
        Contractual trust below which a partner exits. Default 0.3.
    stage_thresholds : sequence of float
        Weakest contractual or goodwill trust (either side) needed to leave each of the first
        four stages: 4 non-decreasing values in (0, 1). Default ``(0.6, 0.7, 0.8, 0.85)``.
    stage_min_steps : int
        Least steps in a stage before promotion, >= 0. Default 3.
    stake_levels : sequence of float
        Stake multiplier of payoffs, fines and forfeits in each of the five stages, > 0.
        Default ``(1, 1.5, 2, 3, 4)``.
    absorb_weight : float
        Weight of an isolated error's evidence in an institutionalized partnership. Default 0.2.
    imitation_every : int
        Steps between imitation rounds (0: never). Default 10.
    imitation_payoff : {"per_stake", "raw"}
        What imitation compares: ``"per_stake"`` sums each round's payoff divided by the
        partnership's stake, so the stake schedule does not change the strength of selection;
        ``"raw"`` compares stake-scaled payoffs. Default ``"per_stake"``.
    selection : float
        Intensity of selection in imitation (Fermi rule), >= 0. Default 1.
    mutation : float
        Chance an organization switches to a random strategy at an imitation round.
        Default 0.01.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Randomness; the same value reproduces the run bit for bit. Default None (fresh entropy).
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Mesa's name for ``seed``; pass one of the two. Default None.

    Examples
    --------
    >>> m = TrustModel(n_organizations=50, seed=1)
    >>> for _ in range(20):
    ...     m.step()
    >>> df = m.datacollector.get_model_vars_dataframe()
    >>> df.shape[0], "trust_goodwill" in df.columns
    (21, True)
    """

    def __init__(
        self,
        *,
        n_organizations: int = 100,
        strategies: Sequence[str | MemoryOne | FiniteStateStrategy] = DEFAULT_STRATEGIES,
        initial_shares: Sequence[float] | None = None,
        initial_strategies: Sequence[int | str] | None = None,
        benefit: float = 3.0,
        cost: float = 2.0,
        synergy: float = 0.5,
        mechanisms: Sequence[Mechanism] = (),
        continuation: float = 0.9,
        noise: float = 0.01,
        perception_error: float = 0.05,
        culture_spread: float = 0.2,
        culture_noise: float = 0.2,
        culture_friction: float = 0.5,
        capability_mean: float = 0.8,
        capability_spread: float = 0.15,
        capacity: int = 3,
        network: str | nx.Graph = "complete",
        network_degree: int = 10,
        rewiring: float = 0.1,
        search_rate: float = 0.5,
        visibility: float = 0.5,
        trust_to_contribute: float = 0.4,
        competence_floor: float = 0.5,
        forgetting: float = 0.9,
        prior_strength: float = 2.0,
        attribution_discount: float = 0.8,
        exit_threshold: float = 0.3,
        stage_thresholds: Sequence[float] = (0.6, 0.7, 0.8, 0.85),
        stage_min_steps: int = 3,
        stake_levels: Sequence[float] = (1.0, 1.5, 2.0, 3.0, 4.0),
        absorb_weight: float = 0.2,
        imitation_every: int = 10,
        imitation_payoff: str = "per_stake",
        selection: float = 1.0,
        mutation: float = 0.01,
        seed: Any = None,
        rng: Any = None,
    ) -> None:
        if seed is not None and rng is not None:
            raise ValueError("pass either seed or rng, not both")
        # Checked here so a bad value names the parameter; the value itself goes to Mesa
        # unchanged (a Generator is not advanced), which keeps runs bit-reproducible.
        as_generator(seed, "seed")
        as_generator(rng, "rng")
        # Mesa 3.3 and 3.5 both build model.rng (numpy) and model.random from rng.
        super().__init__(rng=rng if rng is not None else seed)
        self._validate_and_store(locals())
        self._build_strategies(strategies, initial_shares, initial_strategies)
        self._build_settings(mechanisms)
        self._build_organizations()
        self._build_network(network)
        self._build_partnership_arrays()
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self._update_statistics(np.zeros(0, bool), np.zeros(0))
        self.running = True
        self.datacollector.collect(self)

    # ------------------------------------------------------------------------------ set-up

    def _validate_and_store(self, p: dict) -> None:
        self.n = check_int(p["n_organizations"], "n_organizations", minimum=2)
        self.benefit = check_real(p["benefit"], "benefit")
        self.cost = check_real(p["cost"], "cost")
        self.synergy = check_real(p["synergy"], "synergy")
        if self.benefit <= 0:
            raise ValueError(f"benefit must be > 0, got {p['benefit']!r}")
        if self.cost <= 0:
            raise ValueError(f"cost must be > 0, got {p['cost']!r}")
        self.base_continuation = check_probability(p["continuation"], "continuation")
        self.noise = check_probability(p["noise"], "noise")
        self.base_perception_error = check_probability(p["perception_error"], "perception_error")
        self.culture_spread = check_interval(p["culture_spread"], "culture_spread", 0.0, 0.5)
        self.culture_noise = check_nonnegative(p["culture_noise"], "culture_noise")
        if self.culture_noise * 2 * self.culture_spread > 1:
            raise ValueError(
                "culture_noise * (largest cultural distance = 2 * culture_spread) is a chance to "
                f"misread and must be <= 1, got culture_noise={p['culture_noise']!r}, "
                f"culture_spread={p['culture_spread']!r}"
            )
        self.culture_friction = check_probability(p["culture_friction"], "culture_friction")
        self.capability_mean = check_probability(p["capability_mean"], "capability_mean")
        self.capability_spread = check_nonnegative(p["capability_spread"], "capability_spread")
        lo, hi = (
            self.capability_mean - self.capability_spread,
            self.capability_mean + self.capability_spread,
        )
        if lo < 0 or hi > 1:
            raise ValueError(
                "capability_mean +- capability_spread must stay within [0, 1], got "
                f"[{lo:g}, {hi:g}]"
            )
        cap = p["capacity"]
        self.max_capacity = check_int(cap, "capacity", minimum=1)
        if self.max_capacity > self.n - 1:
            raise ValueError(
                f"capacity must lie in [1, n_organizations - 1 = {self.n - 1}] (an organization "
                f"cannot have more partners than there are others), got {cap!r}"
            )
        # About 250 bytes per partnership row, 8 per partner-table entry, 2 kB per agent.
        check_memory(
            125.0 * self.n * self.max_capacity + 8.0 * self.n * self.max_capacity + 2000.0 * self.n,
            "n_organizations and capacity",
            hint="use fewer organizations or a smaller capacity",
        )
        self.network_degree = check_int(p["network_degree"], "network_degree", minimum=2)
        self.rewiring = check_probability(p["rewiring"], "rewiring")
        self.search_rate = check_probability(p["search_rate"], "search_rate")
        self.base_visibility = check_probability(p["visibility"], "visibility")
        self.trust_to_contribute = check_probability(
            p["trust_to_contribute"], "trust_to_contribute"
        )
        self.competence_floor = check_probability(p["competence_floor"], "competence_floor")
        self.forgetting = check_interval(p["forgetting"], "forgetting", 0.0, 1.0, low_open=True)
        self.prior_strength = check_nonnegative(p["prior_strength"], "prior_strength")
        self.attribution_discount = check_interval(
            p["attribution_discount"], "attribution_discount", 0.0, 1.0, high_open=True
        )
        self.exit_threshold = check_probability(p["exit_threshold"], "exit_threshold")
        th = as_float_array(p["stage_thresholds"], "stage_thresholds", shape=(4,))
        if np.any((th <= 0) | (th >= 1)) or np.any(np.diff(th) < 0):
            raise ValueError("stage_thresholds must be 4 non-decreasing values in (0, 1)")
        self.stage_thresholds = th
        self.stage_min_steps = check_int(p["stage_min_steps"], "stage_min_steps", minimum=0)
        stakes = as_float_array(p["stake_levels"], "stake_levels", shape=(5,))
        if np.any(stakes <= 0):
            raise ValueError("stake_levels must be 5 positive multipliers")
        self.stake_levels = stakes
        self.absorb_weight = check_probability(p["absorb_weight"], "absorb_weight")
        self.imitation_every = check_int(p["imitation_every"], "imitation_every", minimum=0)
        if not isinstance(p["imitation_payoff"], str):
            raise TypeError(
                "imitation_payoff must be 'per_stake' or 'raw', got "
                f"{type(p['imitation_payoff']).__name__}"
            )
        if p["imitation_payoff"] not in ("per_stake", "raw"):
            raise ValueError(
                f"imitation_payoff must be 'per_stake' or 'raw', got {p['imitation_payoff']!r}"
            )
        self.imitation_payoff = p["imitation_payoff"]
        self.selection = check_nonnegative(p["selection"], "selection")
        self.mutation = check_probability(p["mutation"], "mutation")

    def _build_strategies(self, strategies, shares, assigned) -> None:
        from allysim.games import partnership_game

        game = partnership_game(self.benefit, self.cost, self.synergy)
        if isinstance(strategies, str) or not isinstance(strategies, Sequence) or not strategies:
            raise ValueError("strategies must be a non-empty list of names or strategy objects")
        objs = [self._named(s, game) if isinstance(s, str) else s for s in strategies]
        for s in objs:
            if not isinstance(s, MemoryOne | FiniteStateStrategy):
                raise TypeError(f"strategies must be names or strategy objects, got {s!r}")
        self.strategy_objects = objs
        self.strategy_names = tuple(s.name for s in objs)
        if len(set(self.strategy_names)) != len(objs):
            raise ValueError(f"strategies must have distinct names, got {self.strategy_names}")
        out, nxt, start = machine_tables(objs)
        self._out, self._next, self._start = out, nxt, start
        k = len(objs)
        if assigned is not None:
            if shares is not None:
                raise ValueError("give initial_shares or initial_strategies, not both")
            self.strategy_of = self._assigned_strategies(assigned, k)
            return
        if shares is None:
            probs = np.full(k, 1.0 / k)
        else:
            probs = as_float_array(shares, "initial_shares", shape=(k,))
            if np.any(probs < 0) or abs(probs.sum() - 1) > 1e-9:
                raise ValueError("initial_shares must be non-negative and sum to 1")
        self.strategy_of = self.rng.choice(k, size=self.n, p=probs)

    def _named(self, name: str, game) -> MemoryOne | FiniteStateStrategy:
        """A strategy by name; GTFT's tuning to the game gets a message naming the game's values."""
        if name.strip().upper() != "GTFT":
            try:
                return named(name, game)
            except ValueError as exc:
                raise ValueError(f"strategies: {exc}") from None
        try:
            return named(name, game)
        except ValueError:
            b, c, s = self.benefit, self.cost, self.synergy
            low = max(c - b, (c - b) / 2)
            raise ValueError(
                "strategy GTFT (one of the default strategies) needs a partnership game that is a "
                "dilemma, where its generosity is a probability: synergy must lie in "
                f"[max(cost - benefit, (cost - benefit) / 2), cost] = [{low:g}, {c:g}], got "
                f"benefit={b:g}, cost={c:g}, synergy={s:g}; change synergy, benefit or cost, or "
                "pass strategies without 'GTFT'"
            ) from None

    def _assigned_strategies(self, assigned, k: int) -> np.ndarray:
        if isinstance(assigned, str | bytes) or not isinstance(assigned, Sequence | np.ndarray):
            raise TypeError(
                "initial_strategies must be a sequence of strategy indices or names, got "
                f"{type(assigned).__name__}"
            )
        if len(assigned) != self.n:
            raise ValueError(
                f"initial_strategies must name {self.n} strategies (one per organization), got "
                f"{len(assigned)}"
            )
        index = {name: i for i, name in enumerate(self.strategy_names)}
        chosen = np.empty(self.n, dtype=np.int64)
        for i, x in enumerate(assigned):
            if isinstance(x, str):
                if x not in index:
                    raise ValueError(
                        f"initial_strategies names an unknown strategy {x!r}; known: "
                        f"{', '.join(self.strategy_names)}"
                    )
                chosen[i] = index[x]
            elif isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_):
                if not 0 <= int(x) < k:
                    raise ValueError(
                        f"initial_strategies indices must lie in [0, {k - 1}], got {x!r}"
                    )
                chosen[i] = int(x)
            else:
                raise TypeError(
                    "initial_strategies entries must be integer indices or strategy names, got "
                    f"{x!r} ({type(x).__name__})"
                )
        return chosen

    def _build_settings(self, mechanisms) -> None:
        from allysim.games import partnership_game

        setup = apply(
            partnership_game(self.benefit, self.cost, self.synergy),
            mechanisms,
            continuation=self.base_continuation if self.base_continuation < 1 else None,
            perception_noise=self.base_perception_error,
        )
        self.mechanisms = setup.mechanisms
        self.continuation = 1.0 if setup.continuation is None else setup.continuation
        self.perception_error = setup.perception_noise
        self.clarity = setup.clarity
        has_reputation = any(m.kind == "reputation" for m in setup.mechanisms)
        self.visibility = setup.visibility if has_reputation else self.base_visibility
        self._settling = tuple(
            m for m in setup.mechanisms if isinstance(m, Sanction | Bond | ProfitSharing)
        )
        self._check_magnitudes()

    def _check_magnitudes(self) -> None:
        """Refuse payoff scales whose sums over partnerships and steps would overflow to inf."""
        sizes = {
            "benefit": self.benefit,
            "cost": self.cost,
            "synergy": abs(self.synergy),
        }
        for m in self._settling:
            if isinstance(m, Sanction):
                sizes["Sanction fine"] = m.fine
                sizes["Sanction enforcement_cost"] = m.enforcement_cost
            elif isinstance(m, Bond):
                sizes["Bond stake"] = m.stake
        top = float(self.stake_levels.max())
        worst = max(sizes, key=lambda k: sizes[k])
        if sizes[worst] * top > _MAX_PAYOFF:
            listed = ", ".join(f"{k}={v:g}" for k, v in sizes.items())
            raise ValueError(
                "benefit, cost, |synergy| and mechanism fines, stakes and enforcement costs times "
                f"the largest of stake_levels ({top:g}) must stay at most {_MAX_PAYOFF:g}, or "
                f"payoff sums overflow; got {listed}"
            )

    def _build_organizations(self) -> None:
        rng = self.rng
        self.capability = self.capability_mean + self.capability_spread * (
            2 * rng.random(self.n) - 1
        )
        self.culture = 0.5 + self.culture_spread * (2 * rng.random((self.n, 6)) - 1)
        self.capacity = np.full(self.n, self.max_capacity, dtype=np.int64)
        self.wealth = np.zeros(self.n)
        self.period_payoff = np.zeros(self.n)
        self.reputation = np.full(self.n, 0.5)
        self.degree = np.zeros(self.n, dtype=np.int64)
        self.organizations = [Organization(self, i) for i in range(self.n)]

    def _build_network(self, network) -> None:
        if isinstance(network, str):
            if network == "complete":
                self.graph = None
                return
            if network == "small-world":
                if self.network_degree >= self.n:
                    raise ValueError("network_degree must be < n_organizations")
                g = nx.watts_strogatz_graph(
                    self.n,
                    self.network_degree,
                    self.rewiring,
                    seed=int(self.rng.integers(2**31)),
                )
            else:
                raise ValueError(
                    "network must be 'complete', 'small-world' or a networkx graph, got "
                    f"{network!r}"
                )
        elif isinstance(network, nx.Graph):
            if sorted(network.nodes) != list(range(self.n)):
                raise ValueError("a network graph must have nodes 0..n_organizations-1")
            g = network
        else:
            raise TypeError("network must be 'complete', 'small-world' or a networkx graph")
        adj = nx.to_scipy_sparse_array(g, nodelist=range(self.n), format="csr")
        self.graph = g
        self._indptr, self._indices = adj.indptr, adj.indices

    # Per-partnership arrays. Active partnerships occupy rows [:n_active], so each step works on
    # contiguous views; a dissolved row is filled by compaction.
    _FIELDS = (
        "pid",
        "pa",
        "pb",
        "age",
        "stage",
        "in_stage",
        "last_betrayal",
        "distance",
        "pair_eta",
        "machine",
        "alpha",
        "beta",
        "streak",
        "goodwill_weight",
    )

    def _build_partnership_arrays(self) -> None:
        m = self.n * self.max_capacity // 2 + 1
        self.n_active = 0
        self.pid = np.zeros(m, dtype=np.int64)
        self.pa = np.zeros(m, dtype=np.int64)
        self.pb = np.zeros(m, dtype=np.int64)
        self.age = np.zeros(m, dtype=np.int64)
        self.stage = np.zeros(m, dtype=np.int64)
        self.in_stage = np.zeros(m, dtype=np.int64)
        self.last_betrayal = np.full(m, -(10**9), dtype=np.int64)
        self.distance = np.zeros(m)
        self.pair_eta = np.zeros(m)
        self.machine = np.zeros((m, 2), dtype=np.int64)
        self.alpha = np.ones((m, 2, 3))
        self.beta = np.ones((m, 2, 3))
        self.streak = np.zeros((m, 2), dtype=np.int64)
        # [row, side, x]: weight as goodwill evidence, for side `side`, of a contribution by its
        # partner when `side` played x (0: contributed, 1: withheld); see _goodwill_weights.
        self.goodwill_weight = np.zeros((m, 2, 2))
        # Each organization's current partners (-1: free place), for constant-time look-ups.
        self.partner_table = np.full((self.n, self.max_capacity), -1, dtype=np.int64)
        self._next_pid = 0
        self.formed = self.dissolved = self.exits = 0
        self.formed_total = self.dissolved_total = 0

    @property
    def active(self) -> slice:
        """The rows of the partnership arrays that hold active partnerships."""
        return slice(0, self.n_active)

    def _trust(self) -> np.ndarray:
        """Trust of each side in the other, per kind: (n_active, 2, 3)."""
        e = self.n_active
        return trust_mean(self.alpha[:e], self.beta[:e])

    def _reporters(self) -> dict[str, str]:
        names = [
            "contribution_rate",
            "active_partnerships",
            "formed",
            "dissolved",
            "exits",
            "payoff_mean",
            "payoff_gini",
            "welfare",
        ]
        names += [f"trust_{k}" for k in KINDS]
        names += [f"stage_{s}" for s in STAGES]
        names += [f"strategy_{s}" for s in self.strategy_names]
        return {n: n for n in names}

    # ------------------------------------------------------------------------------ step

    def step(self) -> None:
        """One step: play, learn trust, move stages, dissolve, search, imitate, collect."""
        self.formed = self.dissolved = self.exits = 0
        played = self.play_partnerships()
        self.update_trust(played)
        self.advance_stages(played)
        self.dissolve_partnerships()
        self.search_partners()
        if self.imitation_every and self.steps % self.imitation_every == 0:
            self.imitate()
        self._update_statistics(*played["stats"])
        self.datacollector.collect(self)

    def run(self, steps: int, *, progress: bool = True) -> pd.DataFrame:
        """Advance ``steps`` steps (with a tqdm bar unless ``progress=False``); return the data.

        Parameters
        ----------
        steps : int
            Number of steps, >= 0.
        progress : bool
            Show a tqdm progress bar. Default True.

        Returns
        -------
        pandas.DataFrame
            The model-level data collected so far, one row per step (row 0: the start).

        Examples
        --------
        >>> TrustModel(n_organizations=20, seed=0).run(5, progress=False).shape[0]
        6
        """
        steps = check_int(steps, "steps", minimum=0)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=steps, desc="trust model", unit="step")
        for _ in range(steps):
            self.step()
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return self.datacollector.get_model_vars_dataframe()

    def play_partnerships(self) -> dict[str, Any]:
        """Every active partnership plays one round; returns what happened, for learning."""
        e = self.n_active
        if e == 0:
            empty = np.zeros(0, dtype=bool)
            return {"n": 0, "stats": (empty, np.zeros(0))}
        a, b = self.pa[:e], self.pb[:e]
        machine = self.machine[:e]
        want = self._out[machine]  # (E, 2)
        ctr = trust_mean(self.alpha[:e, :, TrustKind.CONTRACTUAL], self.beta[:e, :, 1])
        if self.trust_to_contribute > 0:
            coop = want * np.minimum(1.0, ctr / self.trust_to_contribute)
        else:
            coop = want
        ca, cb, sa, sb = play_round(
            coop[:, 0],
            coop[:, 1],
            noise=self.noise,
            perception_noise=self.pair_eta[:e],
            rng=self.rng,
        )
        stake = self.stake_levels[self.stage[:e]]
        dividend = self.synergy * (1 - self.culture_friction * self.distance[:e])
        # What a contribution is worth to its receiver scales with the contributor's capability.
        got_a = self.benefit * self.capability[b]
        got_b = self.benefit * self.capability[a]
        cost = self.cost
        pay_a = np.where(ca, np.where(cb, got_a - cost + dividend, -cost), np.where(cb, got_a, 0.0))
        pay_b = np.where(cb, np.where(ca, got_b - cost + dividend, -cost), np.where(ca, got_b, 0.0))
        pay_a, pay_b, enforcement = settle_round(
            self._settling, pay_a * stake, pay_b * stake, ca, cb, self.rng, scale=stake
        )
        gain = np.bincount(a, pay_a, minlength=self.n) + np.bincount(b, pay_b, minlength=self.n)
        self.wealth += gain
        if self.imitation_payoff == "per_stake":
            gain = np.bincount(a, pay_a / stake, minlength=self.n) + np.bincount(
                b, pay_b / stake, minlength=self.n
            )
        self.period_payoff += gain
        nxt = self._next
        machine[:, 0] = nxt[machine[:, 0], (~ca).astype(np.int64), (~sa).astype(np.int64)]
        machine[:, 1] = nxt[machine[:, 1], (~cb).astype(np.int64), (~sb).astype(np.int64)]
        contributed = np.bincount(a, ca, minlength=self.n) + np.bincount(b, cb, minlength=self.n)
        rounds = np.bincount(a, minlength=self.n) + np.bincount(b, minlength=self.n)
        played_now = rounds > 0
        rate = np.divide(contributed, rounds, out=np.zeros(self.n), where=played_now)
        self.reputation = np.where(played_now, 0.9 * self.reputation + 0.1 * rate, self.reputation)
        welfare = (pay_a + pay_b) / 2 - enforcement
        return {
            "n": e,
            "contrib": np.stack([ca, cb], axis=1),
            "seen": np.stack([sa, sb], axis=1),  # what side 0 saw of b, side 1 of a
            "stats": (np.concatenate([ca, cb]), welfare),
        }

    def update_trust(self, played: dict) -> None:
        """Beta-Bernoulli learning of the three kinds of trust from what each side perceived."""
        e = played["n"]
        if e == 0:
            return
        contrib, seen = played["contrib"], played["seen"]
        partner_contrib = contrib[:, ::-1]
        partner_capability = np.stack(
            [self.capability[self.pb[:e]], self.capability[self.pa[:e]]], axis=1
        )
        alpha, beta, streak = self.alpha[:e], self.beta[:e], self.streak[:e]
        institutional = (self.stage[:e] == Stage.INSTITUTIONALIZATION)[:, None]
        isolated = institutional & ~seen & (streak >= 5)
        weight = np.where(isolated, self.absorb_weight, 1.0)
        lam = self.forgetting
        k = TrustKind.CONTRACTUAL
        update_beta(alpha[..., k], beta[..., k], seen, True, forgetting=lam, weight=weight)
        delivered = partner_contrib & (self.rng.random(seen.shape) < partner_capability)
        k = TrustKind.COMPETENCE
        update_beta(alpha[..., k], beta[..., k], delivered, seen, forgetting=lam)
        # Goodwill: a perceived contribution, weighted by how little the mechanisms explain it,
        # for; a betrayal (withholding while the observer contributed), against, at full weight.
        gw = self.goodwill_weight[:e]
        credit = np.where(contrib, gw[:, :, 0], gw[:, :, 1])
        betrayed = ~seen & contrib
        k = TrustKind.GOODWILL
        update_beta(
            alpha[..., k],
            beta[..., k],
            seen,
            seen | betrayed,
            forgetting=lam,
            weight=np.where(seen, credit, weight),
        )
        streak[:] = np.where(seen, streak + 1, 0)
        played["betrayed"] = betrayed[:, 0] | betrayed[:, 1]

    def advance_stages(self, played: dict) -> None:
        """Promote partnerships whose trust passes the stage threshold; demote betrayals."""
        e = played["n"]
        if e == 0:
            return
        stage, in_stage = self.stage[:e], self.in_stage[:e]
        self.age[:e] += 1
        in_stage += 1
        trust = self._trust()
        comp, ctr, gw = (trust[:, :, k] for k in TrustKind)
        # Explicit minima: numpy's reductions over tiny trailing axes are slow.
        weakest = np.minimum(np.minimum(ctr[:, 0], ctr[:, 1]), np.minimum(gw[:, 0], gw[:, 1]))
        competent = np.minimum(comp[:, 0], comp[:, 1]) >= self.competence_floor
        betrayed = played["betrayed"]
        top = Stage.INSTITUTIONALIZATION
        threshold = np.append(self.stage_thresholds, np.inf)[stage]
        min_steps = np.full(e, self.stage_min_steps, dtype=float)
        # Clear communication speeds verification.
        min_steps[stage == Stage.VERIFICATION] *= 1 - self.clarity
        promote = (stage < top) & (weakest > threshold) & (in_stage >= min_steps)
        promote &= ~betrayed & competent
        # An institutionalized partnership absorbs an isolated error, not a second one soon after.
        last = self.last_betrayal[:e]
        recent = (self.steps - last) <= 10
        demote = betrayed & ((stage < top) | recent) & (stage > 0)
        last[betrayed] = self.steps
        changed = promote | demote
        stage += promote.astype(np.int64) - demote
        in_stage[changed] = 0

    def dissolve_partnerships(self) -> None:
        """End partnerships whose contractual trust fell below the exit threshold, or by chance."""
        e = self.n_active
        if e == 0:
            return
        ctr = trust_mean(self.alpha[:e, :, TrustKind.CONTRACTUAL], self.beta[:e, :, 1])
        exit_now = np.minimum(ctr[:, 0], ctr[:, 1]) < self.exit_threshold
        ended = self.rng.random(e) >= self.continuation
        self._remove(exit_now | ended)
        self.exits += int(exit_now.sum())

    def _remove(self, gone: np.ndarray) -> None:
        """Dissolve the partnerships flagged in ``gone`` (over rows [:n_active]) and compact."""
        count = int(gone.sum())
        if count == 0:
            return
        e = self.n_active
        a, b = self.pa[:e][gone], self.pb[:e][gone]
        table = self.partner_table
        table[a, (table[a] == b[:, None]).argmax(axis=1)] = -1
        table[b, (table[b] == a[:, None]).argmax(axis=1)] = -1
        np.subtract.at(self.degree, a, 1)
        np.subtract.at(self.degree, b, 1)
        # Fill the holes below the new end with the survivors above it: O(removed) rows move.
        k = e - count
        holes = np.flatnonzero(gone[:k])
        fillers = k + np.flatnonzero(~gone[k:])
        for name in self._FIELDS:
            arr = getattr(self, name)
            arr[holes] = arr[fillers]
        self.n_active = k
        self.dissolved += count
        self.dissolved_total += count

    def _cultural_distance(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return np.abs(self.culture[i] - self.culture[j]).mean(axis=1)

    def _assessment(self, other: np.ndarray, distance: np.ndarray) -> np.ndarray:
        """Initial assessment of ``other``: cultural fit times its visible record."""
        seen_record = 0.5 + self.visibility * (self.reputation[other] - 0.5)
        return np.minimum(1.0, (1 - distance) * (0.5 + seen_record))

    def search_partners(self) -> None:
        """Organizations with free capacity meet candidates; mutual assessment forms ties."""
        rng = self.rng
        free = self.degree < self.capacity
        seekers = np.flatnonzero(free & (rng.random(self.n) < self.search_rate))
        if seekers.size == 0:
            return
        if self.graph is None:
            cand = rng.integers(0, self.n - 1, size=seekers.size)
            cand += cand >= seekers  # uniform over the others
        else:
            deg = self._indptr[seekers + 1] - self._indptr[seekers]
            keep = deg > 0
            seekers, deg = seekers[keep], deg[keep]
            pick = (rng.random(seekers.size) * deg).astype(np.int64)
            cand = self._indices[self._indptr[seekers] + pick]
        ok = free[cand] & (cand != seekers)
        ok &= ~(self.partner_table[seekers] == cand[:, None]).any(axis=1)
        seekers, cand = seekers[ok], cand[ok]
        if seekers.size == 0:
            return
        dist = self._cultural_distance(seekers, cand)
        score_s = self._assessment(cand, dist)  # the seeker's view of the candidate
        score_c = self._assessment(seekers, dist)
        u = rng.random((2, seekers.size))
        accept = (u[0] < score_s) & (u[1] < score_c)
        seekers, cand = seekers[accept], cand[accept]
        dist, score_s, score_c = dist[accept], score_s[accept], score_c[accept]
        # At most one new partnership per organization per step (capacity stays respected).
        ends = np.stack([seekers, cand], axis=1).ravel()
        _, first = np.unique(ends, return_index=True)
        first_of = np.full(self.n, -1, dtype=np.int64)
        first_of[ends[first]] = first // 2
        k = np.arange(seekers.size)
        keep = (first_of[seekers] == k) & (first_of[cand] == k)
        self._create(seekers[keep], cand[keep], dist[keep], score_s[keep], score_c[keep])

    def _create(self, a, b, dist, score_a, score_b) -> None:
        """Start partnerships between a[i] and b[i] in assessment, with trust priors."""
        count = a.size
        if count == 0:
            return
        e = self.n_active
        rows = slice(e, e + count)
        self.n_active = e + count
        self.pid[rows] = np.arange(self._next_pid, self._next_pid + count)
        self._next_pid += count
        self.pa[rows], self.pb[rows] = a, b
        self.age[rows] = self.stage[rows] = self.in_stage[rows] = 0
        self.last_betrayal[rows] = -(10**9)
        self.distance[rows] = dist
        # Two independent sources of misreading (noisy-OR), so eta stays a probability.
        misread = 1 - (1 - self.perception_error) * (1 - self.culture_noise * dist)
        self.pair_eta[rows] = misread * (1 - self.clarity)
        self.machine[rows, 0] = self._start[self.strategy_of[a]]
        self.machine[rows, 1] = self._start[self.strategy_of[b]]
        k = self.prior_strength
        score = np.stack([score_a, score_b], axis=1)[:, :, None]
        self.alpha[rows] = 1 + k * score
        self.beta[rows] = 1 + k * (1 - score)
        self.streak[rows] = 0
        self.goodwill_weight[rows] = self._goodwill_weights(a, b, dist)
        table = self.partner_table
        table[a, (table[a] < 0).argmax(axis=1)] = b
        table[b, (table[b] < 0).argmax(axis=1)] = a
        np.add.at(self.degree, a, 1)
        np.add.at(self.degree, b, 1)
        self.formed += count
        self.formed_total += count

    def _goodwill_weights(self, a: np.ndarray, b: np.ndarray, dist: np.ndarray) -> np.ndarray:
        """Goodwill weight of each partner's contribution, seen from the other: (count, 2, 2).

        Attribution discounting (Kelley 1973; Malhotra & Murnighan 2002): a contribution is
        evidence of goodwill in the measure that it was not privately optimal. ``d`` is the share
        of the contributor's gain from withholding, in the bare game, that the settling
        mechanisms remove in expectation (1 where the bare game offers no such gain); the weight
        is ``1 - attribution_discount * d``. Entry ``[i, side, x]`` is for the organization on
        ``side`` when it played ``x`` (0: contribute, 1: withhold) and its partner contributed.
        """
        dividend = self.synergy * (1 - self.culture_friction * dist)
        got_a = self.benefit * self.capability[b]
        got_b = self.benefit * self.capability[a]
        # Stage payoffs per unit stake; [:, move of a, move of b].
        row = np.empty((dist.size, 2, 2))
        col = np.empty((dist.size, 2, 2))
        row[:, 0, 0], row[:, 0, 1] = got_a - self.cost + dividend, -self.cost
        row[:, 1, 0], row[:, 1, 1] = got_a, 0.0
        col[:, 0, 0], col[:, 1, 0] = got_b - self.cost + dividend, -self.cost
        col[:, 0, 1], col[:, 1, 1] = got_b, 0.0
        bare_row, bare_col = row, col
        for m in self._settling:
            row, col = m.transform(row, col)
        out = np.empty((dist.size, 2, 2))
        for x in (0, 1):
            # b's gain from withholding when a played x (a judges b), and a's when b played x.
            for side, (bare, now) in enumerate(
                (
                    (bare_col[:, x, 1] - bare_col[:, x, 0], col[:, x, 1] - col[:, x, 0]),
                    (bare_row[:, 1, x] - bare_row[:, 0, x], row[:, 1, x] - row[:, 0, x]),
                )
            ):
                tempted = bare > 0
                removed = np.where(
                    tempted, np.clip(1 - now / np.where(tempted, bare, 1.0), 0.0, 1.0), 1.0
                )
                out[:, side, x] = 1 - self.attribution_discount * removed
        return out

    def imitate(self) -> None:
        """Pairwise-comparison imitation of a peer's strategy by payoff, plus mutation."""
        rng = self.rng
        per_step = self.period_payoff / max(self.imitation_every, 1)
        if self.graph is None:
            peer = rng.integers(0, self.n - 1, size=self.n)
            peer += peer >= np.arange(self.n)
        else:
            deg = self._indptr[1:] - self._indptr[:-1]
            pick = np.minimum((rng.random(self.n) * deg).astype(np.int64), np.maximum(deg - 1, 0))
            # An organization without neighbours compares itself with itself (keeps its strategy).
            peer = np.arange(self.n)
            has = deg > 0
            peer[has] = self._indices[self._indptr[:-1][has] + pick[has]]
        with np.errstate(over="ignore"):
            p_adopt = 1.0 / (1.0 + np.exp(-self.selection * (per_step[peer] - per_step)))
        u = rng.random((3, self.n))
        new = np.where(u[0] < p_adopt, self.strategy_of[peer], self.strategy_of)
        mutate = u[1] < self.mutation
        k = len(self.strategy_names)
        new = np.where(mutate, (u[2] * k).astype(np.int64).clip(max=k - 1), new)
        changed = new != self.strategy_of
        self.strategy_of = new
        self.period_payoff[:] = 0.0
        e = self.n_active
        if changed.any() and e:
            # A new strategy starts its machine afresh in every partnership of the organization.
            for side, ends in ((0, self.pa[:e]), (1, self.pb[:e])):
                reset = changed[ends]
                self.machine[:e, side][reset] = self._start[new[ends[reset]]]

    # ------------------------------------------------------------------------------ output

    def _update_statistics(self, moves, welfare) -> None:
        # NaN, not 0, where there is nothing to measure: no round played this step (contribution,
        # welfare) or no partnership (trust, stages).
        nan = float("nan")
        self.contribution_rate = float(moves.mean()) if moves.size else nan
        e = self.n_active
        self.active_partnerships = e
        trust = self._trust()
        for k, kind in enumerate(KINDS):
            setattr(self, f"trust_{kind}", float(trust[..., k].mean()) if e else nan)
        counts = np.bincount(self.stage[:e], minlength=5)
        for s, name in enumerate(STAGES):
            setattr(self, f"stage_{name}", float(counts[s] / e) if e else nan)
        shares = np.bincount(self.strategy_of, minlength=len(self.strategy_names)) / self.n
        for name, share in zip(self.strategy_names, shares, strict=True):
            setattr(self, f"strategy_{name}", float(share))
        self.payoff_mean = float(self.wealth.mean())
        self.payoff_gini = gini(self.wealth)
        self.welfare = float(welfare.mean()) if welfare.size else nan

    def partners_of(self, i: int) -> list[int]:
        """Indices of organization ``i``'s current partners."""
        row = self.partner_table[i]
        return [int(j) for j in row[row >= 0]]

    def partnerships(self) -> pd.DataFrame:
        """The active partnerships: ends, age, stage and the trust of each side in the other.

        ``pid`` identifies a partnership for its whole life. Columns ``trust_<kind>_a`` hold what
        organization ``a`` believes of ``b``, ``_b`` the reverse; ``a`` and ``b`` are
        organization indices.
        """
        e = self.n_active
        trust = self._trust()
        data = {
            "pid": self.pid[:e].copy(),
            "a": self.pa[:e].copy(),
            "b": self.pb[:e].copy(),
            "age": self.age[:e].copy(),
            "stage": [STAGES[s] for s in self.stage[:e]],
            "distance": self.distance[:e].copy(),
        }
        for k, kind in enumerate(KINDS):
            data[f"trust_{kind}_a"] = trust[:, 0, k]
            data[f"trust_{kind}_b"] = trust[:, 1, k]
        return pd.DataFrame(data)


def batch_run(
    parameters: dict[str, Any],
    *,
    replicates: int = 1,
    seed: SeedLike = 0,
    max_steps: int = 100,
    data_collection_period: int = -1,
    number_processes: int | None = 1,
    display_progress: bool = False,
) -> pd.DataFrame:
    """Seeded, reproducible ``mesa.batch_run`` of :class:`TrustModel` on Mesa 3.3 and 3.5.

    Each replicate gets its own seed from ``SeedSequence(seed)``. Mesa 3.5 takes them as its
    ``rng`` argument (and overwrites a seed given in ``parameters``); Mesa 3.3 has no such
    argument and gives every iteration the same keywords, so there the seeds go in as a
    parameter. On both, the row reported for each run is the model's state after ``max_steps``
    steps (column ``Step``; Mesa 3.3 runs one more step that it does not report).

    Parameters
    ----------
    parameters : dict
        :class:`TrustModel` keywords; a list value is swept (every combination is run). Not
        ``seed`` or ``rng``.
    replicates : int
        Runs per parameter combination, each with its own seed, >= 1. Default 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Root seed from which the replicates' seeds are spawned. Default 0.
    max_steps : int
        Steps per run, >= 1. Default 100.
    data_collection_period : int
        Steps between reported rows; -1 reports the last step only. Default -1.
    number_processes : int or None
        Worker processes for Mesa (None: all cores). Default 1.
    display_progress : bool
        Show Mesa's progress bar. Default False.

    Returns
    -------
    pandas.DataFrame
        One row per run (and reported step): the parameters, the model reporters, ``seed`` and
        a ``replicate`` column numbering the replicates from 0.

    Examples
    --------
    >>> df = batch_run({"n_organizations": 20, "continuation": [0.5, 0.95]}, replicates=2,
    ...                max_steps=5)
    >>> sorted(df["replicate"].unique().tolist()), len(df)
    ([0, 1], 4)
    """
    import inspect

    if not isinstance(parameters, dict):
        raise TypeError(
            f"parameters must be a dict of TrustModel keywords, got {type(parameters).__name__}"
        )
    if "seed" in parameters or "rng" in parameters:
        raise ValueError("give the root seed as seed=..., not in parameters")
    replicates = check_int(replicates, "replicates", minimum=1)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    data_collection_period = check_int(data_collection_period, "data_collection_period")
    if data_collection_period == 0 or data_collection_period < -1:
        raise ValueError(
            "data_collection_period must be -1 (the last step only) or an integer >= 1, got "
            f"{data_collection_period}"
        )
    if number_processes is not None:
        number_processes = check_int(number_processes, "number_processes", minimum=1)
    if not isinstance(display_progress, bool):
        raise TypeError(f"display_progress must be a bool, got {type(display_progress).__name__}")
    children = as_seed_sequence(seed, "seed").spawn(replicates)
    seeds = [int(c.generate_state(1, np.uint32)[0]) for c in children]
    options = {
        "data_collection_period": data_collection_period,
        "number_processes": number_processes,
        "display_progress": display_progress,
    }
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4
        rows = mesa.batch_run(
            TrustModel, parameters=dict(parameters), rng=seeds, max_steps=max_steps, **options
        )
    else:
        rows = mesa.batch_run(
            TrustModel,
            parameters={**parameters, "seed": seeds},
            iterations=1,
            max_steps=max_steps,
            **options,
        )
    frame = pd.DataFrame(rows)
    frame["replicate"] = frame["seed"].map({s: i for i, s in enumerate(seeds)})
    sort = [c for c in ("replicate", "RunId", "Step") if c in frame.columns]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)
