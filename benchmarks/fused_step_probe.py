"""Probe: how fast one fused compiled pass can do a trust-model step's work per partnership.

This is a measurement of the machine, not a model: the loop below does, per partnership and
step, the arithmetic, memory traffic and random draws of the plain trust model's step (play,
the three kinds of trust, stages, exit), in one pass over structure-of-arrays state, with a
SplitMix64 stream per partnership instead of the model's shared numpy Generator. Its numbers
are not the model's results. It answers one question for issue 15's trust-model target: how
many nanoseconds per partnership does the work itself need when nothing else is paid for
(no Python between phases, no temporaries, no ordered draws from one shared stream)?

Per partnership and step the loop does what the model's step does for it:

* play: each side's intended contribution (its machine's output, held back while contractual
  trust is below ``trust_to_contribute``), execution noise, perception noise, the payoffs times
  the stage's stake, credited to both organizations' wealth, and the machines' next states;
* learning: the competence delivery draw and three Beta updates with forgetting per side;
* stages: promotion past the stage threshold (weakest trust, competence floor, time in stage)
  and demotion on a betrayal;
* exit: the contractual-trust test and the natural end (a draw against the continuation).

That is 7 uniform draws per partnership, about 150 floating-point operations and about 250
bytes of state read and written. Partner search, imitation, the parts' rules and the data
collection are left out, so the figure is a lower bound on the time per partnership of a
fused design, not an estimate of its whole step.

Run: ``python benchmarks/fused_step_probe.py`` (a few seconds; numba required).
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

from allysim.abm import TrustModel, TrustParams  # noqa: E402
from allysim.kernels._compiled import numba_available  # noqa: E402

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _uniform(s):  # pragma: no cover - compiled
    """SplitMix64: the next state and a uniform in [0, 1) from its top 53 bits."""
    s = s + _GOLDEN
    z = s
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return s, (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def _fused_step(
    state,
    alpha,
    beta,
    machine,
    stage,
    in_stage,
    pa,
    pb,
    wealth,
    out,
    nxt,
    capability,
    stake,
    thresholds,
    noise,
    eta,
    lam,
    trust_to_contribute,
    floor,
    min_steps,
    exit_threshold,
    continuation,
    benefit,
    cost,
):  # pragma: no cover - compiled
    """One step's per-partnership work over every row; returns how many rows end."""
    keep = 1.0 - 2.0 * noise
    ended = 0
    for i in range(pa.shape[0]):
        s = state[i]
        s, u0 = _uniform(s)
        s, u1 = _uniform(s)
        s, u2 = _uniform(s)
        s, u3 = _uniform(s)
        s, u4 = _uniform(s)
        s, u5 = _uniform(s)
        s, u6 = _uniform(s)
        state[i] = s
        a = alpha[i, 0, 1]
        r = a / (a + beta[i, 0, 1]) / trust_to_contribute
        c0 = u0 < out[machine[i, 0]] * (1.0 if r >= 1.0 else r) * keep + noise
        a = alpha[i, 1, 1]
        r = a / (a + beta[i, 1, 1]) / trust_to_contribute
        c1 = u1 < out[machine[i, 1]] * (1.0 if r >= 1.0 else r) * keep + noise
        seen0 = c1 ^ (u2 < eta[i])
        seen1 = c0 ^ (u3 < eta[i])
        got_a = benefit * capability[pb[i]]
        got_b = benefit * capability[pa[i]]
        st = stake[stage[i]]
        pay_a = ((got_a if c1 else 0.0) - (cost if c0 else 0.0)) * st
        pay_b = ((got_b if c0 else 0.0) - (cost if c1 else 0.0)) * st
        wealth[pa[i]] += pay_a
        wealth[pb[i]] += pay_b
        weakest = 1.0
        competent = True
        betrayed = False
        for side in range(2):
            sn = seen0 if side == 0 else seen1
            mine = c0 if side == 0 else c1
            partner = c1 if side == 0 else c0
            cap = capability[pb[i]] if side == 0 else capability[pa[i]]
            # contractual
            a = alpha[i, side, 1] * lam
            b = beta[i, side, 1] * lam
            alpha[i, side, 1] = a + (1.0 if sn else 0.0)
            beta[i, side, 1] = b + (0.0 if sn else 1.0)
            # competence
            fade = lam if sn else 1.0
            w = 1.0 if sn else 0.0
            hit = partner and (u4 if side == 0 else u5) < cap
            alpha[i, side, 0] = alpha[i, side, 0] * fade + (w if hit else 0.0)
            beta[i, side, 0] = beta[i, side, 0] * fade + (0.0 if hit else w)
            # goodwill
            observed = sn or mine
            fade = lam if observed else 1.0
            w = 1.0 if observed else 0.0
            alpha[i, side, 2] = alpha[i, side, 2] * fade + (w if sn else 0.0)
            beta[i, side, 2] = beta[i, side, 2] * fade + (0.0 if sn else w)
            betrayed = betrayed or (mine and not sn)
            for kind in range(3):
                t = alpha[i, side, kind] / (alpha[i, side, kind] + beta[i, side, kind])
                if kind == 0:
                    competent = competent and t >= floor
                elif t < weakest:
                    weakest = t
            machine[i, side] = nxt[machine[i, side], 0 if mine else 1, 0 if sn else 1]
        in_stage[i] += 1
        g = stage[i]
        if betrayed and g > 0:
            stage[i] = g - 1
            in_stage[i] = 0
        elif g < 4 and weakest > thresholds[g] and competent and in_stage[i] >= min_steps:
            stage[i] = g + 1
            in_stage[i] = 0
        ctr0 = alpha[i, 0, 1] / (alpha[i, 0, 1] + beta[i, 0, 1])
        ctr1 = alpha[i, 1, 1] / (alpha[i, 1, 1] + beta[i, 1, 1])
        if min(ctr0, ctr1) < exit_threshold or u6 >= continuation:
            ended += 1
    return ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    if not numba_available():
        raise SystemExit("this probe needs numba (pip install 'allysim[fast]')")
    import numba  # type: ignore[import-untyped]

    # The step calls _uniform by its global name, so that name must hold the compiled version.
    globals()["_uniform"] = numba.njit(cache=False, inline="always")(_uniform)
    step = numba.njit(cache=False, nogil=True)(_fused_step)

    # Partnership count and state as the plain model keeps them at this size: run it first.
    model = TrustModel(TrustParams(n_organizations=args.organizations, capacity=5), seed=1)
    for _ in range(100):
        model.step()
    t = model.table
    e = t.n_active
    p = model.params
    rng = np.random.default_rng(0)
    state = rng.integers(0, 2**63, e, dtype=np.uint64)
    alpha, beta = t.alpha[:e].copy(), t.beta[:e].copy()
    machine, stage = t.machine[:e].copy(), t.stage[:e].copy()
    in_stage = t.in_stage[:e].copy()
    pa, pb = t.pa[:e].copy(), t.pb[:e].copy()
    wealth = model.wealth.copy()
    out = np.asarray(model.strategies.out, dtype=float)
    nxt = np.asarray(model.strategies.next)
    capability = np.asarray(model.capability, dtype=float)
    stake = np.linspace(1.0, 2.0, 5)
    thresholds = np.append(np.asarray(p.stage_thresholds, dtype=float), np.inf)
    eta = t.pair_eta[:e].copy()

    def run() -> float:
        c0 = time.process_time()
        for _ in range(args.steps):
            step(
                state, alpha, beta, machine, stage, in_stage, pa, pb, wealth, out, nxt,
                capability, stake, thresholds, float(p.noise), eta, float(p.forgetting),
                max(float(p.trust_to_contribute), 1e-12), float(p.competence_floor),
                float(p.stage_min_steps), float(p.exit_threshold), 0.95,
                float(p.benefit), float(p.cost),
            )  # fmt: skip
        return time.process_time() - c0

    run()  # compile
    best = min(run() for _ in range(args.repeats))
    per_row = best / (args.steps * e)
    # The model's own step at the same size, same process, for the ratio.
    c0 = time.process_time()
    for _ in range(args.steps):
        model.step()
    model_step = (time.process_time() - c0) / args.steps
    print(f"{args.organizations:,} organizations, {e:,} active partnerships (plain, capacity 5)")
    print(f"fused probe: {per_row * 1e9:6.1f} ns/partnership-step (CPU, best of {args.repeats})")
    print(f"             {best / args.steps * 1e3:6.3f} ms per step of this work")
    print(f"model step:  {model_step * 1e3:6.3f} ms (plain, data collected, same process)")
    print(
        f"organization-steps/s if a step were only this work: "
        f"{args.organizations / (best / args.steps):.2e}"
    )


if __name__ == "__main__":
    main()
