"""The trust model: organizations forming, deepening and ending partnerships (Mesa 3).

:class:`TrustModel` wires small components, each with one job, and runs them in this order
each step:

1. :class:`~allysim.abm.phases.Play`: every active partnership plays one round of the
   partnership game at once; the result is a :class:`~allysim.abm.phases.RoundOutcome`.
2. :class:`~allysim.abm.phases.LearnTrust`: Beta-Bernoulli learning of competence,
   contractual and goodwill trust from what was perceived (see :mod:`allysim.abm.trust`).
3. :class:`~allysim.abm.phases.AdvanceStages`: promotion past stage thresholds, demotion on a
   betrayal; institutionalized partnerships absorb an isolated error.
4. :class:`~allysim.abm.phases.Exit`: exit on low contractual trust; natural end with
   probability ``1 - continuation``.
5. :class:`~allysim.abm.search.PartnerSearch`: organizations with free capacity meet a
   candidate on the network of possible ties and both judge the other.
6. Every ``imitation_every`` steps, :class:`~allysim.abm.imitation.Imitation`:
   pairwise-comparison imitation of a peer's strategy, with mutation.
7. Data collection through the reporter functions below.

The parameters are one :class:`~allysim.abm.TrustParams`; the partnerships live in a
:class:`~allysim.abm.PartnershipTable`; organizations are :class:`~allysim.abm.Organization`
agents whose attributes are views over the model's per-organization arrays.
"""

from __future__ import annotations

import numbers
from typing import Any

import mesa
import numpy as np
import pandas as pd

from allysim._progress import progress_bar
from allysim._validation import as_generator, check_int
from allysim.abm._compiled import kernels, use_numba
from allysim.abm.agents import Organization
from allysim.abm.culture import (
    HOFSTEDE_SCORES,
    hofstede_profiles,
    normalized_distance,
    table_variances,
)
from allysim.abm.imitation import Imitation
from allysim.abm.ledger import Ledger
from allysim.abm.network import TieNetwork
from allysim.abm.params import TrustParams, params_from_keywords
from allysim.abm.partnerships import PartnershipTable
from allysim.abm.phases import AdvanceStages, Exit, LearnTrust, Play, RoundOutcome
from allysim.abm.reporters import (
    TrustDataCollector,
    contribution_rate,
    model_reporters,
    payoff_gini,
    stage_share,
    strategy_share,
    trust_level,
    welfare,
)
from allysim.abm.search import PartnerSearch
from allysim.abm.setup import Settings, StrategySet
from allysim.abm.stats import gini, life_table
from allysim.abm.trust import KINDS, STAGES

__all__ = [
    "TrustModel",
    "contribution_rate",
    "gini",
    "model_reporters",
    "payoff_gini",
    "stage_share",
    "strategy_share",
    "trust_level",
    "welfare",
]


def _index_pair(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are integer arrays of one dimension and the same length."""
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.ndim == 1
        and a.shape == b.shape
        and a.dtype.kind in "iu"
        and b.dtype.kind in "iu"
    )


class TrustModel(Ledger, mesa.Model):
    """Agent-based model of trust evolution among organizations in partnerships.

    Give the parameters either as keywords (the fields of :class:`~allysim.abm.TrustParams`,
    which documents each with its range, default and source) or as one ``params`` object, not
    both. ``model.params`` may be replaced between steps (``model.params =
    model.params.replace(search_rate=0.0)``): the phases read it at every call. What is built at
    construction (the organizations, strategies, network and mechanism settings) does not
    change.

    Parameters
    ----------
    params : TrustParams or None
        All parameters at once. Default None (build them from the keywords).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Randomness; the same value reproduces the run bit for bit. Default None (fresh entropy).
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Mesa's name for ``seed``; pass one of the two. Default None.
    **kwargs : Any
        Fields of :class:`~allysim.abm.TrustParams`. ``perception_error`` is a deprecated
        alias of ``perception_noise`` (DeprecationWarning).

    Attributes
    ----------
    params : TrustParams
        The parameters.
    settings : Settings
        Continuation, perception noise, clarity and visibility after the mechanisms.
    strategies : StrategySet
        The strategies' machine tables and names.
    table : PartnershipTable
        The partnerships.
    network : TieNetwork
        The possible ties.
    organizations : list of Organization
        The agents, in index order.
    capability : numpy.ndarray
        Each organization's capability (per-organization arrays follow).
    culture : numpy.ndarray
        (n, 6) cultural profiles.
    capacity : numpy.ndarray
        Most partnerships of each organization.
    strategy_of : numpy.ndarray
        Strategy index of each organization.
    wealth : numpy.ndarray
        Accumulated payoff of each organization.
    period_payoff : numpy.ndarray
        Payoff since the last imitation round (per unit stake by default).
    reputation : numpy.ndarray
        Exponentially weighted contribution rate of each organization.
    last_round : RoundOutcome
        The outcome of the last round played.

    Examples
    --------
    >>> m = TrustModel(n_organizations=50, seed=1)
    >>> for _ in range(20):
    ...     m.step()
    >>> df = m.datacollector.get_model_vars_dataframe()
    >>> df.shape[0], "trust_goodwill" in df.columns
    (21, True)
    >>> same = TrustModel(params=TrustParams(n_organizations=50), seed=1).run(20, progress=False)
    >>> same.equals(df)
    True
    """

    def __init__(
        self,
        params: TrustParams | None = None,
        *,
        seed: Any = None,
        rng: Any = None,
        **kwargs: Any,
    ) -> None:
        if seed is not None and rng is not None:
            raise ValueError("pass either seed or rng, not both")
        # Checked here so a bad value names the parameter; the value itself goes to Mesa
        # unchanged (a Generator is not advanced), which keeps runs bit-reproducible.
        as_generator(seed, "seed")
        as_generator(rng, "rng")
        if params is None:
            params = params_from_keywords(kwargs)
        elif not isinstance(params, TrustParams):
            raise TypeError(f"params must be a TrustParams, got {type(params).__name__}")
        elif kwargs:
            raise TypeError(
                f"pass params or keywords ({', '.join(sorted(kwargs))}), not both; use "
                "params.replace(...) to change some fields"
            )
        given = rng if rng is not None else seed
        if isinstance(given, numbers.Integral) and not isinstance(given, bool):
            # Mesa seeds its stdlib random.Random from an int but, for a numpy integer, which
            # random.Random refuses, draws that seed from model.rng instead: np.int64(5) would
            # then start the run one draw later than 5.
            given = int(given)
        # Mesa 3.3 and 3.5 both build model.rng (numpy) and model.random from rng.
        super().__init__(rng=given)
        self.params = params
        self.strategies = StrategySet(params)
        self.strategy_of = self.strategies.initial(self.rng)
        self.settings = Settings.of(params)
        self._build_organizations()
        self.network = TieNetwork(
            self.n, params.network, params.network_degree, params.rewiring, self.rng
        )
        self.table = PartnershipTable(self.n, params.capacity, never_betrayed=params.never_betrayed)
        # The partnership parts switched on (allysim.abm.components), with their state.
        self.parts = params.parts()
        self.part_state: dict[str, Any] = {}
        for part in self.parts:
            for name, (shape, dtype, fill) in part.columns().items():
                self.table.add_column(name, shape, dtype, fill)
            part.setup(self)
        self.play = Play(self)
        self.learning = LearnTrust(self)
        self.staging = AdvanceStages(self)
        self.exit = Exit(self)
        self.search = PartnerSearch(self)
        self.imitation = Imitation(self)
        self.exits = 0
        self.last_round = RoundOutcome.empty()
        self._reporters = model_reporters(self.strategies.names)
        for part in self.parts:
            self._reporters |= part.reporters()
            self._reporters |= part.strategy_reporters(self.strategies.names)
        self._collecting = None  # the shared values of a collection in progress (reporters)
        self.datacollector = TrustDataCollector(self._reporters)
        self.running = True
        self.datacollector.collect(self)

    def _build_organizations(self) -> None:
        p, rng, n = self.params, self.rng, self.n
        self.capability = p.capability_mean + p.capability_spread * (2 * rng.random(n) - 1)
        if p.culture == "hofstede":
            self.country, self.culture = hofstede_profiles(
                n, p.countries, p.country_weights, p.country_spread, rng=rng
            )
            # Variances over the whole table, not the countries drawn: with two countries the
            # index of their pair would be 2 whatever they are.
            self.culture_variances = table_variances()
            if p.country_spread == 0:
                # Every profile is its country's: look distances up in a country-by-country
                # table instead of recomputing the index for every candidate pair.
                scores = np.array([HOFSTEDE_SCORES[c] for c in p.countries or HOFSTEDE_SCORES])
                self._country_distance = np.asarray(
                    normalized_distance(
                        scores[:, None], scores[None], self.culture_variances, p.culture_scale
                    )
                )
        else:
            self.culture = 0.5 + p.culture_spread * (2 * rng.random((n, 6)) - 1)
        self.capacity = np.full(n, p.capacity, dtype=np.int64)
        self.wealth = np.zeros(n)
        self.period_payoff = np.zeros(n)
        self.reputation = np.full(n, p.neutral_reputation)
        self.organizations = [Organization(self, i) for i in range(n)]

    def cultural_distance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cultural distance of organizations ``a[k]`` and ``b[k]``, in [0, 1].

        The mean absolute difference of practice profiles, or with ``culture="hofstede"`` the
        Kogut & Singh (1988) index mapped to ``CD / (CD + culture_scale)``.

        Parameters
        ----------
        a : numpy.ndarray
            Organization indices.
        b : numpy.ndarray
            Organization indices, same length.

        Returns
        -------
        numpy.ndarray
            One distance per pair.

        Examples
        --------
        >>> m = TrustModel(n_organizations=4, culture="hofstede", countries=["Japan", "Sweden",
        ...                "United States"], seed=0)
        >>> bool(np.all(m.cultural_distance(np.array([0]), np.array([0])) == 0))
        True
        """
        if self.params.culture == "hofstede":
            table = getattr(self, "_country_distance", None)
            if table is not None:
                if use_numba() and _index_pair(a, b):
                    out, ok = kernels().pair_lookup(table, self.country, a, b)
                    if ok:
                        return out
                return table[self.country[a], self.country[b]]
            return np.asarray(
                normalized_distance(
                    self.culture[a],
                    self.culture[b],
                    self.culture_variances,
                    self.params.culture_scale,
                )
            ).reshape(np.shape(a))
        if self.culture.shape[1] < 8 and use_numba():
            return kernels().mean_abs_distance(self.culture, a, b)
        return np.abs(self.culture[a] - self.culture[b]).mean(axis=1)

    def step(self) -> None:
        """One step: play, learn trust, move stages, exit, search, imitate, collect.

        Returns
        -------
        None

        Examples
        --------
        >>> m = TrustModel(n_organizations=10, seed=0)
        >>> m.step(); m.steps
        1
        """
        self.table.reset_counts()
        outcome = self.play.play()
        self.learning.learn(outcome)
        for part in self.parts:
            part.after_round(self, outcome)
        self.staging.advance(outcome)
        self.exits = self.exit.dissolve()
        self.search.search()
        every = self.params.imitation_every
        if every and self.steps % every == 0:
            self.imitation.imitate()
        for part in self.parts:
            part.end_step(self)
        self.last_round = outcome
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
        for _ in progress_bar(range(steps), desc="trust model", unit="step", disable=not progress):
            self.step()
        frame = self.datacollector.get_model_vars_dataframe()
        # The parameters travel with the data (kept by pandas' Parquet writer too).
        frame.attrs["params"] = self.params.to_dict()
        return frame

    def __getattr__(self, name: str) -> Any:
        # Every reported column is also readable as an attribute (model.trust_goodwill,
        # model.strategy_TFT, ...), computed from the current state.
        reporters = self.__dict__.get("_reporters", {})
        if callable(reporters.get(name)):
            return reporters[name](self)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # Views kept for the names the model has always offered.
    @property
    def n(self) -> int:
        """Number of organizations."""
        return self.params.n_organizations

    @property
    def n_active(self) -> int:
        """Number of active partnerships."""
        return self.table.n_active

    active_partnerships = n_active

    @property
    def strategy_names(self) -> tuple[str, ...]:
        """Names of the strategies, indexed by ``strategy_of``."""
        return self.strategies.names

    @property
    def degree(self) -> np.ndarray:
        """Number of partners of each organization."""
        return self.table.degree

    @property
    def graph(self) -> Any:
        """The networkx graph of possible ties (None: complete)."""
        return self.network.graph

    @property
    def formed(self) -> int:
        """Partnerships formed this step."""
        return self.table.formed

    @property
    def dissolved(self) -> int:
        """Partnerships dissolved this step."""
        return self.table.dissolved

    @property
    def payoff_mean(self) -> float:
        """Mean accumulated payoff of the organizations."""
        return float(self.wealth.mean())

    def partners_of(self, i: int) -> list[int]:
        """Indices of organization ``i``'s current partners.

        Parameters
        ----------
        i : int
            Organization index.

        Returns
        -------
        list of int
            Its partners' indices.

        Examples
        --------
        >>> TrustModel(n_organizations=4, seed=0).partners_of(0)
        []
        """
        return self.table.partners_of(i)

    def dissolution_hazard(self) -> pd.DataFrame:
        """Life table of the partnerships: how many reached each age and how many ended there.

        ``at_risk[a]`` counts the partnerships that played at least ``a`` rounds (ended at an
        age >= a, or still active at an age >= a: the active ones are censored), ``ended[a]``
        those that ended after exactly ``a`` rounds, and ``hazard = ended / at_risk`` is the
        chance of ending at age ``a`` having reached it (Levinthal & Fichman 1988 use this
        shape to describe the liability of adolescence). ``failed`` counts the ends on low trust
        (exits, as opposed to natural ends), and ``failure_hazard = failed / at_risk`` is their
        cause-specific hazard.

        Returns
        -------
        pandas.DataFrame
            Columns ``age``, ``at_risk``, ``ended``, ``hazard``, ``failed``,
            ``failure_hazard``; one row per age up to the oldest partnership.

        Examples
        --------
        >>> m = TrustModel(n_organizations=40, seed=0)
        >>> _ = m.run(30, progress=False)
        >>> h = m.dissolution_hazard()
        >>> int(h.ended.sum()) == m.table.dissolved_total
        True
        >>> int(h.failed.sum()) == int(m.datacollector.get_model_vars_dataframe().exits.sum())
        True
        """
        t = self.table
        active = t.age[: self.n_active]
        return life_table(t.ended_by_age, t.failed_by_age, np.bincount(active))

    def partnerships(self) -> pd.DataFrame:
        """The active partnerships: ends, age, stage and the trust of each side in the other.

        ``pid`` identifies a partnership for its whole life. Columns ``trust_<kind>_a`` hold what
        organization ``a`` believes of ``b``, ``_b`` the reverse; ``a`` and ``b`` are
        organization indices.

        Returns
        -------
        pandas.DataFrame
            One row per active partnership.

        Examples
        --------
        >>> TrustModel(n_organizations=4, seed=0).partnerships().shape
        (0, 12)
        """
        t, e = self.table, self.n_active
        trust = t.trust()
        data = {
            "pid": t.pid[:e].copy(),
            "a": t.pa[:e].copy(),
            "b": t.pb[:e].copy(),
            "age": t.age[:e].copy(),
            "stage": [STAGES[s] for s in t.stage[:e]],
            "distance": t.distance[:e].copy(),
        }
        for k, kind in enumerate(KINDS):
            data[f"trust_{kind}_a"] = trust[:, 0, k]
            data[f"trust_{kind}_b"] = trust[:, 1, k]
        # The parts' per-partnership records, one column per side where they have two.
        for part in self.parts:
            for name in part.columns():
                col = t.column(name)[:e]
                if col.ndim == 2 and col.shape[1] == 2:
                    data[f"{name}_a"], data[f"{name}_b"] = col[:, 0].copy(), col[:, 1].copy()
                else:
                    data[name] = col.copy()
        return pd.DataFrame(data)
