"""Cost of each optional partnership part of the trust model, alone and all together.

Times ``TrustModel`` (capacity 5, data collected every step) in the plain configuration, with
each part on alone (its rules active, not the bit-identical defaults), and with every part on:

1. 10,000 organizations, 1,000 steps: seconds, organization-steps per second, the ratio to the
   plain model, and whether the all-parts run meets the 10 s goal.
2. 100,000 organizations: milliseconds per step over 20 steps, after 5 warm-up steps.

One core: the thread-count variables of the numerical libraries are set to 1 before numpy is
imported, so the single process uses one core at a time (``--pin`` also pins it to one CPU; off
by default, since on a shared machine a pinned process cannot move away from a busy core). The
machine may be shared, so every configuration runs ``--repeats`` times (default 2), interleaved
(all configurations once, then all again), and the table reports the best run.

Run:  python benchmarks/bench_abm_parts.py [--quick] [--repeats N] [--only NAME ...]
      python benchmarks/bench_abm_parts.py --profile all [--steps 300]   (cProfile, top 30)
      python benchmarks/bench_abm_parts.py --phases all [--steps 200]    (ms per step per phase)
      python benchmarks/bench_abm_parts.py --replicates 4 [--only all]   (replicates on 1 and 2
                                                                          processes, batch_run)
"""

from __future__ import annotations

import os

# Before numpy is imported, or its thread pools are already sized.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from allysim.abm import (  # noqa: E402
    Governance,
    Metrics,
    SpecificInvestment,
    StakeholderPressure,
    TrustModel,
    TrustParams,
    ValueCreation,
)

GOAL_SECONDS = 10.0  # the goal: all parts on, 10,000 organizations, 1,000 steps


def part_settings() -> dict[str, dict[str, Any]]:
    """TrustParams fields of each part, with its rules active."""
    return {
        "investment": {"investment": SpecificInvestment()},
        "governance": {
            "governance": Governance(
                early_warning=0.5,
                escalation=0.5,
                facilitation=0.5,
                review_every=10,
                notice_period=2,
                exit_fee=0.5,
                decision_rights="consensus",
            )
        },
        "value_creation": {
            "value_creation": ValueCreation(
                complementarity=1,
                seek_complementarity=1,
                size_spread=0.3,
                scale_elasticity=0.3,
                network_effect=0.1,
                absorptive_capacity=0.05,
                dividend_risk=0.2,
                risk_aversion=0.5,
            )
        },
        "stakeholders": {"stakeholders": StakeholderPressure(association_reward=0.5, scrutiny=0.1)},
        "metrics": {"metrics": Metrics()},
        "culture": {"culture": "hofstede"},
    }


def configurations() -> dict[str, dict[str, Any]]:
    """Name -> TrustParams fields: plain, each part alone, all parts."""
    parts = part_settings()
    everything: dict[str, Any] = {}
    for fields in parts.values():
        everything.update(fields)
    return {"plain": {}, **parts, "all": everything}


def build(n: int, fields: dict[str, Any], seed: int = 1) -> TrustModel:
    return TrustModel(TrustParams(n_organizations=n, capacity=5, **fields), seed=seed)


def timed_steps(model: TrustModel, steps: int) -> tuple[float, float]:
    """Seconds for ``steps`` steps, and the mean number of active partnerships after a step.

    The parts change the dynamics (how many partnerships form and last), so the time per
    partnership-step separates a part's own cost from the extra work it creates.
    """
    active = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
        active += model.table.n_active  # an attribute read, negligible beside a step
    LAST_CPU[0] = time.process_time() - c0
    return time.perf_counter() - t0, active / max(steps, 1)


# CPU seconds of the last timed_steps (all threads of the process): beside the wall time,
# it shows how much a busy machine slowed a run down.
LAST_CPU = [0.0]


def pin_one_core() -> str:
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
        return f"pinned to CPU {cpus[-1]}"
    except (AttributeError, OSError):  # not Linux
        return "not pinned (no sched_setaffinity)"


def best_of(
    names: list[str], repeats: int, run: Callable[[str], tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Best (shortest) time per name, the configurations interleaved across repeats."""
    best: dict[str, tuple[float, float]] = {}
    for r in range(repeats):
        for name in names:
            gc.collect()
            t, active = run(name)
            print(
                f"    run {r + 1}/{repeats} {name:<15} {t:8.3f} s wall, {LAST_CPU[0]:8.3f} s CPU",
                flush=True,
            )
            if name not in best or t < best[name][0]:
                best[name] = (t, active)
    return best


HEAD = (
    f"{'configuration':<15} {{time:>8}} {'org-steps/s':>12} {'x plain':>8} {'mean active':>12} "
    f"{'us/partnership-step':>20} {'x plain':>8}"
)


def print_table(best: dict[str, tuple[float, float]], n: int, steps: int, per_step: bool) -> None:
    t0, e0 = best["plain"]
    base = t0 / (steps * e0)
    head = HEAD.format(time="ms/step" if per_step else "seconds")
    print(head)
    print("-" * len(head))
    for name, (t, active) in best.items():
        shown = t / steps * 1e3 if per_step else t
        unit = t / (steps * active)
        print(
            f"{name:<15} {shown:8.2f} {n * steps / t:12,.0f} {t / t0:8.2f} {active:12,.0f} "
            f"{unit * 1e6:20.3f} {unit / base:8.2f}"
        )


def table_10k(best: dict[str, tuple[float, float]], n: int, steps: int) -> None:
    print(f"\n{n:,} organizations x {steps:,} steps (best of the runs)")
    print_table(best, n, steps, per_step=False)
    if "all" in best:
        t_all = best["all"][0] * 1000 / steps  # a shorter run projected to 1,000 steps
        verdict = "met" if t_all < GOAL_SECONDS else "NOT met"
        proj = "" if steps == 1000 else f" (projected from {steps} steps)"
        print(
            f"goal: all parts on, 1,000 steps under {GOAL_SECONDS:.0f} s: {verdict}, "
            f"{t_all:.2f} s{proj}"
        )


def table_100k(best: dict[str, tuple[float, float]], n: int, steps: int) -> None:
    print(f"\n{n:,} organizations, {steps} steps after warm-up (best of the runs)")
    print_table(best, n, steps, per_step=True)


def profile(name: str, n: int, steps: int) -> None:
    import cProfile
    import pstats

    model = build(n, configurations()[name])
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        model.step()
    prof.disable()
    print(f"{name}: {n:,} organizations, {steps} steps, {model.table.n_active:,} active at the end")
    stats = pstats.Stats(prof).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)


class PhaseTimer:
    """Self time (CPU) of wrapped callables, nested calls subtracted from their callers."""

    def __init__(self) -> None:
        self.self_time: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []  # time spent in children of each open call

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        clock = time.process_time

        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(0.0)
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = clock() - t0
                children = self._stack.pop()
                self.self_time[name] = self.self_time.get(name, 0.0) + spent - children
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1] += spent

        return timed


def phases(name: str, n: int, steps: int, warm: int = 20) -> None:
    """CPU milliseconds per step spent in each phase, part hook and reporter (self time)."""
    from allysim.abm import phases as phase_module
    from allysim.abm._compiled import use_numba

    model = build(n, configurations()[name])
    for _ in range(warm):  # past the empty first steps, and the compilation
        model.step()
    timer = PhaseTimer()
    for attr, method in (
        ("play", "play"),
        ("learning", "learn"),
        ("staging", "advance"),
        ("exit", "dissolve"),
        ("search", "search"),
        ("imitation", "imitate"),
    ):
        obj = getattr(model, attr)
        setattr(obj, method, timer.wrap(f"{attr}.{method}", getattr(obj, method)))
    for method in ("remove", "add", "reset_counts"):
        setattr(model.table, method, timer.wrap(f"table.{method}", getattr(model.table, method)))
    for method in ("credit", "stakes", "cultural_distance"):
        setattr(model, method, timer.wrap(f"model.{method}", getattr(model, method)))
    model.network.candidates = timer.wrap("network.candidates", model.network.candidates)
    model.network.peers = timer.wrap("network.peers", model.network.peers)
    for fn in ("play_round", "settle_round", "partnership_payoff"):
        setattr(phase_module, fn, timer.wrap(f"play: {fn}", getattr(phase_module, fn)))
    hooks = (
        "acceptance",
        "on_form",
        "contribution",
        "dividend",
        "settle",
        "perceive",
        "after_round",
        "on_promote",
        "exit_threshold",
        "confirm_exit",
        "on_dissolve",
        "end_step",
    )
    for part in model.parts:
        for hook in hooks:
            if hook in type(part).__dict__:
                wrapped = timer.wrap(f"{part.name}.{hook}", getattr(part, hook))
                object.__setattr__(part, hook, wrapped)
    collector = model.datacollector
    reporters = collector.model_reporters
    for key, reporter in list(reporters.items()):
        if isinstance(reporter, str):
            reporters[key] = functools.partial(
                timer.wrap(f"report {key}", _attribute), name=reporter
            )
        else:
            reporters[key] = functools.partial(timer.wrap(f"report {key}", reporter))
    collector.collect = timer.wrap("datacollector.collect", collector.collect)
    model.step = timer.wrap("step (other)", model.step)
    t0 = time.process_time()
    for _ in range(steps):
        model.step()
    total = time.process_time() - t0
    path = "numba" if use_numba() else "numpy"
    print(
        f"{name}, {path}: {n:,} organizations, {steps} steps after {warm} warm-up, "
        f"{model.table.n_active:,} active at the end; CPU {total / steps * 1e3:.2f} ms/step"
    )
    print(f"{'phase / hook (self time)':<40} {'ms/step':>8} {'share':>7}")
    order = sorted(timer.self_time.items(), key=lambda kv: -kv[1])
    for key, spent in order:
        print(f"{key:<40} {spent / steps * 1e3:8.3f} {spent / total:7.1%}")


def scaling(names: list[str], sizes: list[int], steps: int, repeats: int) -> None:
    """CPU ms per step at several sizes, and a least-squares line through them: the fixed cost
    of a step (hooks, reporters, Mesa's collector, Python) and the cost per active partnership.

    The line says what a target needs: 5e6 organization-steps/s at 10,000 organizations is
    2 ms per step, which the fixed cost plus ~11,000 partnerships times the per-partnership
    cost must fit in.
    """
    print(f"CPU time per step after 100 warm-up steps; best of {repeats} x {steps} steps")
    head = ("config", "organizations", "partnerships", "ms/step", "org-steps/s")
    print(f"{head[0]:<8} {head[1]:>13} {head[2]:>12} {head[3]:>9} {head[4]:>12}")
    for name in names:
        rows = []
        for n in sizes:
            model = build(n, configurations()[name])
            for _ in range(100):  # past the first steps, when partnerships are still forming
                model.step()
            best = float("inf")
            for _ in range(repeats):
                gc.collect()
                c0 = time.process_time()
                for _ in range(steps):
                    model.step()
                best = min(best, (time.process_time() - c0) / steps)
            active = model.table.n_active
            rows.append((active, best))
            print(f"{name:<8} {n:>13,} {active:>12,} {best * 1e3:>9.3f} {n / best:>12.2e}")
        x = np.array([r[0] for r in rows], dtype=float)
        y = np.array([r[1] for r in rows])
        slope, fixed = np.polyfit(x, y, 1)
        print(
            f"{name:<8} fit: {fixed * 1e3:.2f} ms per step + {slope * 1e9:.0f} ns per partnership"
        )


def parallel_replicates(names: list[str], n: int, steps: int, replicates: int) -> None:
    """Organization-steps per second of ``replicates`` runs through ``batch_run``, 1 vs 2 processes.

    Replicates are independent models, so two worker processes can use both cores with results
    that do not depend on the number of processes (each replicate's seed is spawned from the
    root seed). The wall time includes starting the workers (spawn: a fresh interpreter that
    imports allysim and loads numba's cache) and returning the reporters' rows; Mesa 3.3 runs one
    step more than ``max_steps`` per run and that step is counted.
    """
    import inspect

    import mesa

    from allysim.abm import batch_run

    extra = 0 if "rng" in inspect.signature(mesa.batch_run).parameters else 1
    work = n * (steps + extra) * replicates
    print(f"{replicates} replicates x {n:,} organizations x {steps} steps, batch_run:")
    head = ("configuration", "processes", "seconds", "org-steps/s", "x 1 process")
    print(f"{head[0]:<15} {head[1]:>9} {head[2]:>8} {head[3]:>12} {head[4]:>11}")
    for name in names:
        fields = {"n_organizations": n, "capacity": 5, **configurations()[name]}
        frames, times = [], []
        for procs in (1, 2):
            gc.collect()
            t0 = time.perf_counter()
            frame = batch_run(
                {k: [v] if isinstance(v, list | tuple) else v for k, v in fields.items()},
                replicates=replicates,
                seed=1,
                max_steps=steps,
                number_processes=procs,
                display_progress=False,
            )
            times.append(time.perf_counter() - t0)
            frames.append(frame)
            print(
                f"{name:<15} {procs:>9} {times[-1]:8.2f} {work / times[-1]:12.3g} "
                f"{times[0] / times[-1]:11.2f}",
                flush=True,
            )
        same = (
            frames[0]
            .drop(columns=["RunId"], errors="ignore")
            .equals(frames[1].drop(columns=["RunId"], errors="ignore"))
        )
        print(f"{'':<15} results on 1 and 2 processes identical: {same}")


def _attribute(model: Any, name: str) -> Any:
    return getattr(model, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 steps, 10 at 100,000")
    parser.add_argument("--repeats", type=int, default=2, help="runs per configuration (2)")
    parser.add_argument("--only", nargs="+", choices=list(configurations()), default=None)
    parser.add_argument("--skip-big", action="store_true", help="no 100,000-organization runs")
    parser.add_argument("--profile", choices=list(configurations()), default=None)
    parser.add_argument("--phases", choices=list(configurations()), default=None)
    parser.add_argument("--steps", type=int, default=None, help="steps of the 10,000 run")
    parser.add_argument("--pin", action="store_true", help="pin the process to one CPU")
    parser.add_argument(
        "--replicates",
        type=int,
        default=0,
        help="time N replicates through batch_run on 1 and on 2 processes (default: off)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="ms per step at 500-30,000 organizations, fitted as fixed + per partnership",
    )
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    pinned = pin_one_core() if args.pin else "not pinned"
    print(f"one process, {pinned}, OMP/OPENBLAS/MKL threads: 1")

    steps = args.steps or (200 if args.quick else 1000)
    if args.profile:
        profile(args.profile, 10_000, steps)
        return
    if args.phases:
        phases(args.phases, 10_000, args.steps or 200)
        return
    if args.replicates:
        parallel_replicates(args.only or ["all"], 10_000, steps, args.replicates)
        return
    if args.scaling:
        sizes = [500, 2_000, 10_000, 30_000]
        scaling(args.only or ["plain", "all"], sizes, args.steps or 60, args.repeats)
        return

    configs = configurations()
    names = args.only or list(configs)
    if "plain" not in names:
        names = ["plain", *names]  # the ratios need it

    n = 10_000

    def run_10k(name: str) -> tuple[float, float]:
        model = build(n, configs[name])
        return timed_steps(model, steps)

    print(f"{n:,} organizations x {steps} steps, {args.repeats} interleaved runs each:")
    table_10k(best_of(names, args.repeats, run_10k), n, steps)

    if args.skip_big:
        return
    big, warm, k = 100_000, 5, 10 if args.quick else 20

    def run_100k(name: str) -> tuple[float, float]:
        model = build(big, configs[name])
        timed_steps(model, warm)  # past the empty first steps
        return timed_steps(model, k)

    print(f"\n{big:,} organizations, {warm} warm-up + {k} timed steps, {args.repeats} runs each:")
    table_100k(best_of(names, args.repeats, run_100k), big, k)


if __name__ == "__main__":
    main()
