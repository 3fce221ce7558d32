"""The memory budget holds under a hard limit: oversized calls refuse before allocating, and the
streaming paths run any size in bounded memory.

Each case runs in a subprocess whose address space is capped with ``resource.setrlimit`` at
3 GiB, above the default budget of 2 GiB plus the interpreter and libraries (about 1 GiB of
address space). Before the guards, these calls died with MemoryError (or ran until killed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

resource = pytest.importorskip("resource")  # POSIX only

LIMIT = 3 * 1024**3

PRELUDE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
import numpy as np
import allysim as ally

def refused(call, *names, budget=True):
    try:
        call()
    except ValueError as exc:
        msg = str(exc)
        assert any(n in msg for n in names), msg
        if budget:
            assert "budget" in msg or "hour" in msg, msg
        return "refused"
    except MemoryError:
        return "MemoryError"
    return "ran"
"""


def run_cases(body: str) -> dict:
    code = PRELUDE.format(limit=LIMIT) + textwrap.dedent(body)
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_kernel_guards_under_a_hard_memory_limit():
    out = run_cases(
        """
        PD = ally.PrisonersDilemma()
        res = {}
        # 0.6 GB of history fits (before: 4.7 GiB requested, MemoryError); 6 GB is refused.
        res["history_fits"] = refused(
            lambda: ally.simulate(ally.TFT, ally.RANDOM(), PD, rounds=10**5, repetitions=1000,
                                  history=True, seed=1), "history")
        res["history"] = refused(
            lambda: ally.simulate(ally.TFT, ally.RANDOM(), PD, rounds=10**6, repetitions=1000,
                                  history=True), "history")
        # A trillion match-rounds: refused by the time guard, not run until killed.
        res["work"] = refused(
            lambda: ally.simulate(ally.TFT, ally.RANDOM(), PD, rounds=10**6, repetitions=10**6),
            "rounds")
        # Per-match results of 1e8 matches (20 GB).
        res["matches"] = refused(
            lambda: ally.simulate(ally.TFT, ally.RANDOM(), PD, rounds=2, repetitions=10**8),
            "repetitions")
        # The exact kernel on a 30,000 x 30,000 grid of pairs.
        grid = np.tile([[1, 0, 1, 0, 1.0]], (30_000, 1))
        res["grid"] = refused(lambda: ally.outcome_distribution(grid, grid), "row_strategies")
        # The streaming path: 4 million matches, played in chunks of about a million.
        sim = ally.simulate(ally.TFT, ally.RANDOM(0.5), PD, rounds=20, repetitions=4 * 10**6,
                            seed=1, progress=False)
        res["streamed_mean"] = float(sim.row_payoffs.mean())
        res["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(res))
        """
    )
    assert out["history_fits"] == "ran"
    assert out["history"] == "refused"
    assert out["work"] == "refused"
    assert out["matches"] == "refused"
    assert out["grid"] == "refused"
    # TFT vs RANDOM(0.5): every round after the first is 1/4 of each outcome for RANDOM's
    # moves against TFT's copy; the per-round mean over 4 million matches is within 0.01.
    exact, _ = __import__("allysim").expected_payoffs(
        __import__("allysim").TFT,
        __import__("allysim").RANDOM(0.5),
        __import__("allysim").PrisonersDilemma(),
        rounds=20,
    )
    assert abs(out["streamed_mean"] - float(exact[0, 0])) < 0.01
    assert out["peak_mib"] < 2048


def test_model_guards_under_a_hard_memory_limit():
    out = run_cases(
        """
        from allysim import evolution
        from allysim.abm import TrustModel
        res = {}
        a = np.array([[3.0, 0.0], [5.0, 1.0]])
        res["fixation"] = refused(
            lambda: evolution.fixation_probability(a, 0, 1, population=10**9, selection=1.0),
            "population")
        res["record"] = refused(
            lambda: evolution.simulate_population(a, [50, 50], steps=10**10, selection=1.0,
                                                  record_every=1, seed=1),
            "record_every", "steps")
        # The exact mutation chain at Z = 2000 with 4 strategies (1.3e9 states).
        a4 = np.eye(4) + 1.0
        res["chain"] = refused(
            lambda: evolution.stationary_distribution(a4, population=2000, selection=1.0,
                                                      mutation=0.1),
            "population")
        # Before: MemoryError at 2.2 GiB; capacity beyond n - 1 partners is meaningless.
        res["capacity"] = refused(
            lambda: TrustModel(n_organizations=100, capacity=10**6, seed=1), "capacity",
            budget=False)
        res["organizations"] = refused(
            lambda: TrustModel(n_organizations=10**9, seed=1), "n_organizations")
        res["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(res))
        """
    )
    assert out == {
        **out,
        "fixation": "refused",
        "record": "refused",
        "capacity": "refused",
        "organizations": "refused",
        "chain": "refused",
    }
    assert out["peak_mib"] < 2048
