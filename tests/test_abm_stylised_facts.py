"""Stylised facts of alliance dissolution that the trust model reproduces, within a tolerance.

Definitions (documented in docs/stylised-facts.md):

* A **failure** is a trust exit: a partnership that ends because one side's contractual trust
  fell below ``exit_threshold`` (``TrustModel.exits``, column ``exits``). A partnership that ends
  by chance, with probability ``1 - continuation`` per step, has run its natural course and is
  not a failure (Kale & Singh 2009, *Academy of Management Perspectives* 23(3): 45-62, report
  alliance failure rates of 30-70%; Park & Ungson 2001, *Organization Science* 12: 37-53).
* The **failure rate** is the cumulative incidence of failure over a partnership's life, with
  the natural end as a competing risk and the partnerships still active at the end of a run
  censored (the Aalen-Johansen estimator on the life table pooled over seeds); **early
  failure** is failure within the first ``EARLY_AGE`` = 10 rounds.
* The **hazard shape** (liability of adolescence; Levinthal & Fichman 1988, *Administrative
  Science Quarterly* 33: 345-369): the dissolution hazard of all causes
  (``TrustModel.dissolution_hazard``), pooled over ages 1-2, is below its peak over ages 3-15,
  and that peak is above the hazard pooled over ages 20-40.

Intervals are 95% percentile bootstrap intervals over runs (whole runs are resampled, since
partnerships of one run share a population and are not independent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pytest

from allysim.abm import TrustModel
from allysim.abm.trust import TrustKind
from allysim.scenarios import trust_scenarios

#: Rounds within which a failure is early.
EARLY_AGE = 10
#: Failure rates that Kale & Singh (2009) report for alliances.
FAILURE_RANGE = (0.30, 0.70)
#: Ages (rounds played) of the hazard shape: before, around and well after the peak.
AGES_EARLY = (1, 2)
AGES_PEAK = (3, 15)
AGES_LATE = (20, 40)
#: Fewest partnerships at risk for a hazard to count: at one age for the peak, over AGES_LATE
#: for the late hazard (a hazard from a handful of partnerships would make a spurious peak).
MIN_AT_RISK = 100

# Test runs: the demo's population and length (allysim demo: 300 organizations, 300 steps).
ORGANIZATIONS = 300
STEPS = 300
SEEDS = range(6)


def failure_life_table(model: TrustModel, steps: int) -> pd.DataFrame:
    """Run ``model`` and return its life table with the failures (trust exits) by age.

    The partnership table counts ends and failures by age itself (``dissolution_hazard``);
    :func:`recorded_failures` checks that count against an independent record.
    """
    data = model.run(steps, progress=False)
    life = model.dissolution_hazard()[["age", "at_risk", "ended", "failed"]]
    if int(life["failed"].sum()) != int(data["exits"].sum()):
        raise AssertionError("failures by age do not add up to the exits reported per step")
    return life


def recorded_failures(model: TrustModel, steps: int) -> np.ndarray:
    """Failures by age recorded outside the table, by wrapping the exit phase (plain model).

    Just before the phase runs, the partnerships whose lower contractual trust is below
    ``exit_threshold`` are the ones it ends as exits; their number is checked against what the
    phase reports each step.
    """
    if model.parts:
        raise ValueError("recorded_failures needs a model without partnership parts")
    ages: list[np.ndarray] = []
    dissolve = model.exit.dissolve
    table = model.table

    def dissolve_and_record() -> int:
        e = table.n_active
        contractual = table.trust()[:, :, TrustKind.CONTRACTUAL].min(axis=1)
        failing = table.age[:e][contractual < model.params.exit_threshold]
        exits = dissolve()
        if exits != failing.size:
            raise AssertionError(f"the exit phase reported {exits} exits, {failing.size} expected")
        ages.append(failing)
        return exits

    model.exit.dissolve = dissolve_and_record  # type: ignore[method-assign]
    model.run(steps, progress=False)
    return np.bincount(np.concatenate(ages)) if ages else np.zeros(0, dtype=np.int64)


def stacked(tables: Sequence[pd.DataFrame]) -> np.ndarray:
    """Life tables as one array (run, [at_risk, ended, failed], age), padded with zeros."""
    size = max(len(t) for t in tables)
    columns = ["at_risk", "ended", "failed"]
    return np.stack([np.pad(t[columns].to_numpy().T, ((0, 0), (0, size - len(t)))) for t in tables])


def pooled(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Sum life tables (of runs of the same settings) age by age."""
    counts = stacked(tables).sum(axis=0)
    return pd.DataFrame(
        {
            "age": np.arange(counts.shape[1]),
            "at_risk": counts[0],
            "ended": counts[1],
            "failed": counts[2],
        }
    )


def _window(counts: np.ndarray, ages: tuple[int, int]) -> np.ndarray:
    return counts[..., ages[0] : ages[1] + 1]


def facts(counts: np.ndarray | pd.DataFrame) -> dict[str, np.ndarray]:
    """The measured facts of pooled life tables, vectorised over leading axes.

    ``counts``: a pooled life table, or an array (..., [at_risk, ended, failed], age) of them.
    ``failure``: cumulative incidence of failure (Aalen-Johansen, natural ends competing) at
    the oldest age; ``early_failure``: at ``EARLY_AGE``; ``hazard_early``/``hazard_late``:
    all-cause hazard pooled over ``AGES_EARLY``/``AGES_LATE`` (NaN with fewer than
    ``MIN_AT_RISK`` at risk late); ``hazard_peak``: the largest all-cause hazard at one
    age in ``AGES_PEAK`` among the ages with at least ``MIN_AT_RISK`` at risk.
    """
    if isinstance(counts, pd.DataFrame):
        counts = counts[["at_risk", "ended", "failed"]].to_numpy().T
    counts = np.asarray(counts, dtype=float)
    size = AGES_LATE[1] + 1
    if counts.shape[-1] < size:  # ages nobody reached: nobody at risk
        pad = [(0, 0)] * (counts.ndim - 1) + [(0, size - counts.shape[-1])]
        counts = np.pad(counts, pad)
    at_risk, ended, failed = (counts[..., k, :] for k in range(3))
    hazard = ended / np.maximum(at_risk, 1)
    surviving = np.concatenate(
        [np.ones_like(hazard[..., :1]), np.cumprod(1 - hazard, axis=-1)[..., :-1]], axis=-1
    )
    cif = np.cumsum(surviving * failed / np.maximum(at_risk, 1), axis=-1)

    counted = _window(at_risk, AGES_PEAK) >= MIN_AT_RISK
    peak = np.where(counted, _window(hazard, AGES_PEAK), -np.inf).max(axis=-1)

    def pooled_hazard(ages: tuple[int, int], minimum: int) -> np.ndarray:
        risk = _window(at_risk, ages).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(risk >= minimum, _window(ended, ages).sum(axis=-1) / risk, np.nan)

    return {
        "failure": cif[..., -1],
        "early_failure": cif[..., EARLY_AGE],
        "hazard_early": pooled_hazard(AGES_EARLY, 1),
        "hazard_peak": np.where(np.isfinite(peak), peak, np.nan),
        "hazard_late": pooled_hazard(AGES_LATE, MIN_AT_RISK),
    }


def bootstrap(
    tables: Sequence[pd.DataFrame],
    statistic: Callable[[dict[str, np.ndarray]], np.ndarray],
    *,
    replicates: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """95% percentile bootstrap interval of ``statistic(facts(pooled))``, resampling runs.

    ``statistic`` maps the facts of pooled tables to a number (vectorised: each fact is an
    array over bootstrap replicates).
    """
    counts = stacked(tables)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(tables), np.full(len(tables), 1 / len(tables)), replicates)
    draws = statistic(facts(np.einsum("br,rka->bka", weights, counts)))
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return float(low), float(high)


def runs(seeds: Sequence[int] = SEEDS, **keywords: object) -> list[pd.DataFrame]:
    """Failure life tables of one run per seed with the demo's population and length."""
    return [
        failure_life_table(TrustModel(n_organizations=ORGANIZATIONS, seed=s, **keywords), STEPS)
        for s in seeds
    ]


_CACHE: dict[str, list[pd.DataFrame]] = {}


def scenario(name: str) -> list[pd.DataFrame]:
    """Runs of a trust scenario of the demo, or "default" (TrustParams defaults), cached."""
    if name not in _CACHE:
        keywords = {} if name == "default" else {"mechanisms": trust_scenarios()[name]}
        _CACHE[name] = runs(**keywords)
    return _CACHE[name]


def test_failures_are_the_trust_exits_and_never_exceed_ends():
    model = TrustModel(n_organizations=60, seed=3)
    life = failure_life_table(model, 80)
    assert int(life["ended"].sum()) == model.table.dissolved_total
    assert (life["failed"] <= life["ended"]).all()
    assert 0 < life["failed"].sum() < life["ended"].sum()
    # The table's own count by age equals a record kept outside it, age for age.
    recorded = recorded_failures(TrustModel(n_organizations=60, seed=3), 80)
    counted = life["failed"].to_numpy()
    assert recorded.sum() == counted.sum() > 0
    np.testing.assert_array_equal(counted[: recorded.size], recorded)
    assert not counted[recorded.size :].any()


def test_failures_are_counted_with_partnership_parts_on():
    from allysim.abm import Governance, SpecificInvestment

    model = TrustModel(
        n_organizations=60,
        investment=SpecificInvestment(),
        governance=Governance(notice_period=1, exit_fee=0.2),
        seed=4,
    )
    life = failure_life_table(model, 80)
    assert int(life["ended"].sum()) == model.table.dissolved_total
    assert 0 < life["failed"].sum() < life["ended"].sum()


def test_without_trust_exits_the_hazard_is_the_constant_chance_end():
    # exit_threshold 0: contractual trust is never below it, so every end is natural, with
    # chance 1 - continuation at every age: lifetimes are geometric.
    continuation = 0.8
    tables = runs(seeds=range(2), exit_threshold=0.0, continuation=continuation)
    life = pooled(tables)
    assert int(life["failed"].sum()) == 0 and facts(life)["failure"] == 0.0
    young = life[(life["age"] >= 1) & (life["age"] <= 10)]
    hazard = young["ended"] / young["at_risk"]
    se = np.sqrt(continuation * (1 - continuation) / young["at_risk"])
    # Binomial standard errors; 4.5 SE over 10 ages leaves a chance of a false alarm < 1e-4.
    assert (np.abs(hazard - (1 - continuation)) < 4.5 * se).all(), hazard.round(4).tolist()


def test_failure_rate_at_the_defaults_is_within_the_reported_range():
    tables = scenario("default")
    measured = facts(pooled(tables))
    low, high = bootstrap(tables, lambda f: f["failure"])
    assert FAILURE_RANGE[0] <= low <= measured["failure"] <= high <= FAILURE_RANGE[1], (
        low,
        measured["failure"],
        high,
    )
    # Failures are early: at least 90% of them within EARLY_AGE rounds.
    share_early = bootstrap(tables, lambda f: f["early_failure"] / f["failure"])
    assert share_early[0] >= 0.9, share_early


@pytest.mark.parametrize("name", ["default", "long-shadow", "long-shadow+monitoring"])
def test_dissolution_hazard_rises_then_falls_with_age(name):
    tables = scenario(name)
    rise = bootstrap(tables, lambda f: f["hazard_peak"] - f["hazard_early"])
    fall = bootstrap(tables, lambda f: f["hazard_peak"] - f["hazard_late"])
    assert rise[0] > 0, (name, rise)
    assert fall[0] > 0, (name, fall)


@pytest.mark.parametrize(
    ("name", "below"),
    [("short-shadow", True), ("long-shadow", False)],
)
def test_failure_rate_leaves_the_range_where_the_docs_say(name, below):
    # The limits of the fact, as docs/stylised-facts.md reports them: with continuation 0.5
    # most partnerships end by chance before trust can fail; with 0.99 and perception noise
    # 0.05 nearly all of them end in a trust exit sooner or later.
    tables = scenario(name)
    low, high = bootstrap(tables, lambda f: f["failure"])
    if below:
        assert high < FAILURE_RANGE[0], (name, low, high)
    else:
        assert low > FAILURE_RANGE[1], (name, low, high)


def test_without_a_honeymoon_the_hazard_falls_from_the_start():
    # A weak prior and a high exit threshold let two or so perceived withholdings end a
    # partnership: trust gives no honeymoon, the hazard is highest at ages 1-2 (a liability of
    # newness rather than of adolescence), and the shape test above tells the two apart.
    # Twelve runs, not six: one run's peak - early is either near 0 (-0.03 to +0.03) or well
    # below it (-0.1 to -0.4), so six runs can hold too few of the second kind (seeds 12-17:
    # interval [-0.093, 0.002]; seeds 0-11, 6-17, 12-23 and 18-29 end at -0.027 or below).
    tables = runs(seeds=range(12), prior_strength=0.5, exit_threshold=0.4)
    rise = bootstrap(tables, lambda f: f["hazard_peak"] - f["hazard_early"])
    assert rise[1] < 0, rise
