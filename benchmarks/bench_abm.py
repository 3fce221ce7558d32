"""Speed of the trust model, beside a plain per-agent Mesa implementation of the same rules.

1. allysim's TrustModel at 10,000 organizations (capacity 5), 1,000 steps with data collection:
   organization-steps per second and peak memory; then the same with every partnership part on
   (the configuration of ``bench_abm_parts.py``, which also times each part alone), against the
   goal of 10 s.
2. 100,000 organizations: seconds per step, plain and with every part on.
3. Side by side at 1,000 organizations: TrustModel vs ``PlainTrustModel`` below, the same step
   rules written the usual Mesa way (each organization an agent, each partnership a dict, Python
   loops over agents and partnerships).

Run:  python benchmarks/bench_abm.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import resource
import time

import mesa
import numpy as np

from allysim.abm import TrustModel, TrustParams
from allysim.games import partnership_game
from allysim.strategies import named
from bench_abm_parts import GOAL_SECONDS, configurations

STRATEGIES = ("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT")


class PlainOrganization(mesa.Agent):
    """One organization; its partnerships are dicts keyed by partner."""

    def __init__(self, model, strategy: int) -> None:
        super().__init__(model)
        self.strategy = strategy
        self.capability = model.rng.uniform(0.65, 0.95)
        self.culture = model.rng.uniform(0.3, 0.7, size=6)
        self.partners: dict[int, dict] = {}
        self.payoff = 0.0
        self.period = 0.0
        self.reputation = 0.5

    def decide(self, p: dict) -> bool:
        m = self.model
        want = m.out[p["state"]]
        trust = p["alpha"][1] / (p["alpha"][1] + p["beta"][1])
        q = want * min(1.0, trust / 0.4)
        q = q * (1 - 2 * m.noise) + m.noise
        return m.random.random() < q


class PlainTrustModel(mesa.Model):
    """The TrustModel's step rules (no mechanisms), one agent and one partnership at a time."""

    def __init__(self, n: int = 1000, capacity: int = 5, seed: int = 0) -> None:
        super().__init__(rng=seed)
        game = partnership_game(3, 2, 0.5)
        strategies = [named(s, game) for s in STRATEGIES]
        machines = [s.to_finite_state() for s in strategies]
        self.out, self.next, self.start, off = [], [], [], 0
        for f in machines:
            self.out += list(f.output)
            self.next += [
                [[off + int(f.transitions[s, a, b]) for b in (0, 1)] for a in (0, 1)]
                for s in range(f.n_states)
            ]
            self.start.append(off + f.initial)
            off += f.n_states
        self.noise, self.eta, self.capacity, self.w = 0.01, 0.05, capacity, 0.9
        self.orgs = [
            PlainOrganization(self, int(self.rng.integers(len(STRATEGIES)))) for _ in range(n)
        ]

    def pair_step(self, a: PlainOrganization, b: PlainOrganization) -> None:
        pa, pb = a.partners[b.unique_id], b.partners[a.unique_id]
        ca, cb = a.decide(pa), b.decide(pb)
        seen_b = cb ^ (self.random.random() < pa["eta"])
        seen_a = ca ^ (self.random.random() < pb["eta"])
        stake = (1.0, 1.5, 2.0, 3.0, 4.0)[pa["stage"]]
        dividend = 0.5 - 0.25 * pa["distance"]
        for me, other, mine, theirs, seen, p in (
            (a, b, ca, cb, seen_b, pa),
            (b, a, cb, ca, seen_a, pb),
        ):
            got = 3.0 * other.capability  # the partner's capability scales what it delivers
            pay = (got - 2.0 + dividend if theirs else -2.0) if mine else (got if theirs else 0.0)
            me.payoff += pay * stake
            me.period += pay  # imitation compares payoff per unit stake
            p["state"] = self.next[p["state"]][int(not mine)][int(not seen)]
            for kind, evidence, observed in (
                (1, seen, True),
                (0, theirs and self.random.random() < other.capability, seen),
                (2, seen, seen or mine),
            ):
                if observed:
                    p["alpha"][kind] = 0.9 * p["alpha"][kind] + evidence
                    p["beta"][kind] = 0.9 * p["beta"][kind] + (not evidence)
            if mine and not seen and p["stage"] > 0:
                p["stage"] -= 1
        trusts = [x["alpha"][k] / (x["alpha"][k] + x["beta"][k]) for x in (pa, pb) for k in (1, 2)]
        pa["in_stage"] += 1
        if (
            pa["stage"] < 4
            and min(trusts) > (0.6, 0.7, 0.8, 0.85)[pa["stage"]]
            and (pa["in_stage"] >= 3)
        ):
            pa["stage"] += 1
            pa["in_stage"] = 0
        pb["stage"], pb["in_stage"] = pa["stage"], pa["in_stage"]
        ctr = min(
            pa["alpha"][1] / (pa["alpha"][1] + pa["beta"][1]),
            pb["alpha"][1] / (pb["alpha"][1] + pb["beta"][1]),
        )
        if ctr < 0.3 or self.random.random() >= self.w:
            del a.partners[b.unique_id], b.partners[a.unique_id]

    def step(self) -> None:
        by_id = {o.unique_id: o for o in self.orgs}
        for a in self.orgs:
            for pid in list(a.partners):
                if pid > a.unique_id and pid in a.partners:
                    self.pair_step(a, by_id[pid])
        for a in self.orgs:
            if len(a.partners) < self.capacity and self.random.random() < 0.5:
                b = self.orgs[self.random.randrange(len(self.orgs))]
                if b is a or b.unique_id in a.partners or len(b.partners) >= self.capacity:
                    continue
                dist = float(np.abs(a.culture - b.culture).mean())
                if self.random.random() < (1 - dist) and self.random.random() < (1 - dist):
                    for x, y in ((a, b), (b, a)):
                        x.partners[y.unique_id] = {
                            "state": self.start[x.strategy],
                            "alpha": [2.0] * 3,
                            "beta": [1.0] * 3,
                            "stage": 0,
                            "in_stage": 0,
                            "distance": dist,
                            "eta": self.eta + 0.2 * dist,
                        }
        if self.steps % 10 == 0:
            for a in self.orgs:
                b = self.orgs[self.random.randrange(len(self.orgs))]
                if self.random.random() < 1 / (1 + math.exp(-(b.period - a.period) / 10)):
                    a.strategy = b.strategy
            for a in self.orgs:
                a.period = 0.0


def timed_run(model, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps = 200 if args.quick else 1000

    model = TrustModel(n_organizations=10_000, capacity=5, seed=1)
    t = timed_run(model, steps)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    rows = len(model.datacollector.get_model_vars_dataframe())
    print(
        f"TrustModel, 10,000 organizations, capacity 5, {steps} steps (data collected every "
        f"step, {rows} rows):"
    )
    print(
        f"  {t:.2f} s, {10_000 * steps / t:,.0f} organization-steps/s, "
        f"{model.active_partnerships:,} active partnerships at the end, "
        f"peak resident memory {peak / 2**20:.0f} MiB"
    )

    everything = TrustParams(n_organizations=10_000, capacity=5, **configurations()["all"])
    model = TrustModel(everything, seed=1)
    t_all = timed_run(model, steps)
    projected = t_all * 1000 / steps
    verdict = "met" if projected < GOAL_SECONDS else "NOT met"
    print(
        f"  all partnership parts on: {t_all:.2f} s ({t_all / t:.2f}x the plain model), "
        f"{10_000 * steps / t_all:,.0f} organization-steps/s; goal of 1,000 steps under "
        f"{GOAL_SECONDS:.0f} s {verdict} ({projected:.2f} s"
        + ("" if steps == 1000 else f", projected from {steps} steps")
        + ")"
    )

    big = TrustModel(n_organizations=100_000, capacity=5, seed=1)
    k = 10 if args.quick else 50
    t = timed_run(big, k)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"TrustModel, 100,000 organizations: {t / k * 1e3:.0f} ms per step "
        f"({100_000 * k / t:,.0f} organization-steps/s), peak resident memory "
        f"{peak / 2**20:.0f} MiB"
    )
    big_all = TrustModel(everything.replace(n_organizations=100_000), seed=1)
    t_big_all = timed_run(big_all, k)
    print(
        f"  all partnership parts on: {t_big_all / k * 1e3:.0f} ms per step "
        f"({t_big_all / t:.2f}x the plain model)"
    )

    for n, s in ((1000, 100 if args.quick else 200), (10_000, 20 if args.quick else 50)):
        compare(n, s)


def compare(n: int, s: int) -> None:
    fast = TrustModel(n_organizations=n, capacity=5, seed=2)
    plain = PlainTrustModel(n=n, capacity=5, seed=2)
    # Warm both up past the empty first steps.
    timed_run(fast, 10)
    timed_run(plain, 10)
    t_fast = timed_run(fast, s)
    t_plain = timed_run(plain, s)
    print(f"\n{f'{n:,} organizations, {s} steps':<40} {'seconds':>9} {'org-steps/s':>13}")
    print(f"{'plain per-agent Mesa (this file)':<40} {t_plain:9.2f} {n * s / t_plain:13,.0f}")
    print(f"{'allysim TrustModel (arrays)':<40} {t_fast:9.2f} {n * s / t_fast:13,.0f}")
    print(f"{'speed-up':<40} {t_plain / t_fast:8.1f}x")


if __name__ == "__main__":
    main()
