"""Roofline-style note for allysim's hot paths: how far each is from this machine's limit.

For each hot path: the work per unit (operations, bytes moved to or from memory), the bound
that the machine's measured limits put on units per second, and allysim's measured rate as a
fraction of it. The machine's limits are measured here, on this machine, by small probes:

* memory bandwidth: numpy copy of 256 MiB (bytes read + written per second, one core);
* floating point: a numba loop of independent multiply-adds on an L1-resident block (flops per
  second per core, SIMD as the compiler emits it), once as written (a multiply and an add) and
  once with fused multiply-adds allowed (``fastmath={"contract"}``); divisions likewise;
* random bits: a numba loop of SplitMix64 finalisers over independent lanes (64-bit draws per
  second per core), the generator of the compiled Monte Carlo loop.

The probes need numba (the ``fast`` extra); without it the compute bounds read "n/a". The
machine is shared: every rate is work / the least CPU time of N runs, i.e. per core while the
code runs (the compiled paths then use all cores: multiply by the core count, when the machine
is free, for wall-clock rates), and the load average is printed.

Run:  python benchmarks/roofline.py [--quick]      (benchmarks/roofline.md: one run's output)
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

import allysim as ally
from allysim.kernels import numba_available

warnings.filterwarnings("ignore")


def best_of(fn, repeats: int) -> float:
    """Least CPU time (all of the process's threads) of ``repeats`` runs of ``fn`` (seconds).

    CPU time rather than wall time: on a shared machine a run waits for a core while others
    run, and that wait is not the code's. Work / CPU time is the rate per core while running.
    """
    best = np.inf
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


# --- machine probes ---------------------------------------------------------------------------


def bandwidth(reps: int) -> float:
    """Bytes per second, read + written, of a 256 MiB numpy copy (one core)."""
    src = np.ones(1 << 25)
    dst = np.empty_like(src)
    return 2 * src.nbytes / best_of(lambda: np.copyto(dst, src), reps)


def compute_probes(reps: int) -> dict[str, float]:
    """Per-core rates of multiply-add flops, divisions and SplitMix64 draws (numba probes)."""
    if not numba_available():
        return {"flops": np.nan, "fused": np.nan, "divs": np.nan, "mixes": np.nan}
    import numba
    from numba import njit

    from allysim.kernels._compiled_numba import _GOLDEN, _mix

    # Eight multiply-adds per element loaded and stored, so that the probe measures the
    # arithmetic units rather than the loads and stores of L1.
    def chain(a, b, c, n):  # pragma: no cover - compiled
        for _ in range(n):
            for i in range(a.shape[0]):
                x = a[i]
                y = b[i]
                z = c[i]
                for _ in range(8):
                    x = x * y + z
                a[i] = x
        return a[0]

    fma_loop = njit(cache=False)(chain)
    fused_loop = njit(cache=False, fastmath={"contract"})(chain)

    @njit(cache=False)
    def div_loop(a, b, n):  # pragma: no cover - compiled
        for _ in range(n):
            for i in range(a.shape[0]):
                a[i] = b[i] / a[i]
        return a[0]

    @njit(cache=False)
    def mix_loop(s, n):  # pragma: no cover - compiled
        acc = np.uint64(0)
        for _ in range(n):
            for i in range(s.shape[0]):
                s[i] += _GOLDEN
                acc ^= _mix(s[i])
        return acc

    numba.set_num_threads(1)
    a, b, c = np.full(512, 0.5), np.full(512, 0.999), np.full(512, 1e-3)
    n = 5_000
    fma_loop(a, b, c, 1)
    flops = 16 * a.size * n / best_of(lambda: fma_loop(a, b, c, n), reps)
    fused_loop(a, b, c, 1)
    fused = 16 * a.size * n / best_of(lambda: fused_loop(a, b, c, n), reps)
    d = np.full(512, 1.0001)
    div_loop(d, d.copy(), 1)
    divs = d.size * n / best_of(lambda: div_loop(d, d.copy(), n), reps)
    s = np.arange(64, dtype=np.uint64)
    mix_loop(s, 1)
    mixes = s.size * n / best_of(lambda: mix_loop(s, n), reps)
    return {"flops": flops, "fused": fused, "divs": divs, "mixes": mixes}


# --- work per unit ----------------------------------------------------------------------------


def doubling_flops(rounds: int, rescale_every: int = 1, rescale_sums: bool = True) -> float:
    """Flops of the finite-horizon doubling (4x4 chain) per pair.

    ``_chains._chain_mean_rounds`` (numpy) renormalises both matrices at every squaring; the
    compiled kernel renormalises only the power, every ``_RESCALE_EVERY`` (4) squarings.
    """
    matmul, scale = 4 * 4 * 7, 4 * (3 + 1 + 4)  # 4x4 product; rescale rows to a given sum
    vecmul, bits = 4 * 7, rounds.bit_length()
    squarings = bits - 1
    ones = bin(rounds).count("1")
    per_square = 2 * matmul + 16 + (scale if rescale_sums else 0)
    rescales = squarings // rescale_every
    per_one = 2 * vecmul + 4 + (3 + 4)
    return squarings * per_square + rescales * scale + ones * per_one + 32  # + building the chain


# Closed form per pair (exact._closed_form_block / _compiled_numba.closed_form): the c1 and c3
# columns (~28), six 2x2 minors (18), four 3x3 cofactors (20), sums and clipping (~18).
CLOSED_FLOPS, CLOSED_DIVS = 84, 8
# Outcome distribution written (32 B), read by the two payoff products (64 B), payoffs (16 B).
EXACT_BYTES = 112
# Match-round of the compiled loop: one SplitMix64 draw (two 24-bit uniforms), two threshold
# lookups and compares, two next-state lookups, one outcome count: ~16 integer ops beside the
# draw (loads and stores of the lane's state included).
MC_OTHER_OPS = 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    reps = 3 if args.quick else 5
    cores = os.cpu_count() or 1
    game = ally.PrisonersDilemma()
    rng = np.random.default_rng(0)

    bw = bandwidth(reps)
    probes = compute_probes(reps)
    fast = numba_available()
    threads = 1
    if fast:
        import numba

        threads = numba.config.NUMBA_NUM_THREADS
        numba.set_num_threads(threads)
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f} (shared machine)")
    print(f"  memory bandwidth (copy, 1 core): {bw / 1e9:.1f} GB/s")
    print(f"  multiply-add: {probes['flops'] / 1e9:.1f} Gflop/s per core")
    print(f"  fused multiply-add: {probes['fused'] / 1e9:.1f} Gflop/s per core")
    print(f"  division: {probes['divs'] / 1e9:.2f} G/s per core")
    print(f"  SplitMix64 draws: {probes['mixes'] / 1e9:.2f} G/s per core")
    rows = []

    # 1. Monte Carlo match-rounds.
    side = 150 if args.quick else 317
    p = rng.random((side, 5))
    work = side * side * 200

    def mc(backend: str) -> float:
        t = best_of(
            lambda: ally.simulate(p, p, game, rounds=200, noise=0.05, seed=1, backend=backend),
            reps,
        )
        return work / t

    mix_core = probes["mixes"]
    # Integer ops retire at ~4 per cycle; the draw costs what the probe measured.
    ops_rate = 4 * 2.3e9
    mc_bound = 1 / (1 / mix_core + MC_OTHER_OPS / ops_rate) if fast else np.nan
    rows.append(
        (
            "Monte Carlo match-round",
            "1 draw + ~16 int ops; 0 B (tables in L1)",
            mc_bound,
            mc("numpy"),
            mc("numba") if fast else np.nan,
        )
    )

    # 2. Exact finite horizon, 200 rounds.
    big = rng.random((1000, 5))
    sub = big[:100] if args.quick else big[:300]
    # The bound is for the least work known, the compiled kernel's (fewer renormalisations,
    # fused multiply-adds); the numpy path does more (doubling_flops(200): 2,361 flops).
    flops = doubling_flops(200, rescale_every=4, rescale_sums=False)

    def exact(backend: str, a: np.ndarray, **kw) -> float:
        t = best_of(
            lambda: ally.expected_payoffs(a, big, game, noise=0.01, backend=backend, **kw), reps
        )
        return len(a) * len(big) / t

    bound = min(probes["fused"] / flops, bw / EXACT_BYTES)
    rows.append(
        (
            "exact pair, 200 rounds",
            f"{flops:.0f} flops; {EXACT_BYTES} B",
            bound,
            exact("numpy", sub, rounds=200),
            exact("numba", sub, rounds=200) if fast else np.nan,
        )
    )

    # 3. Exact limit of means / discounted (closed form).
    per_pair = CLOSED_FLOPS / probes["flops"] + CLOSED_DIVS / probes["divs"]
    bound = min(1 / per_pair, bw / EXACT_BYTES)
    for label, kw in (("limit of means", {}), ("discounted", {"continuation": 0.95})):
        rows.append(
            (
                f"exact pair, {label}",
                f"{CLOSED_FLOPS} flops + {CLOSED_DIVS} div; {EXACT_BYTES} B",
                bound,
                exact("numpy", big, **kw),
                exact("numba", big, **kw) if fast else np.nan,
            )
        )

    # 4. Trust model step: numpy path (ALLYSIM_NUMBA=0) and its compiled loops.
    from allysim.abm import TrustModel

    n_org, steps = 10_000, 20 if args.quick else 50

    def trust_rate(numba_on: bool) -> float:
        os.environ["ALLYSIM_NUMBA"] = "1" if numba_on else "0"
        try:
            model = TrustModel(n_organizations=n_org, capacity=5, seed=1)
            model.step()
            t0 = time.process_time()
            for _ in range(steps):
                model.step()
            return n_org * steps / (time.process_time() - t0)
        finally:
            del os.environ["ALLYSIM_NUMBA"]

    # ~2.5 partnerships per organization, each read and written in ~20 float64 array passes.
    step_bytes = 2.5 * 20 * 8 * 2
    rows.append(
        (
            "trust model organization-step",
            f"~2.5 partnership-rounds; ~{step_bytes:.0f} B",
            bw / step_bytes,
            trust_rate(False),
            trust_rate(True) if fast else np.nan,
        )
    )

    # 5. simulate_population, both backends.
    from allysim.evolution import simulate_population

    payoffs = np.array([[3.0, 0.1], [5.0, 1.0]])
    reps_pop, n_steps = 1000, 500 if args.quick else 2000

    def pop(backend: str) -> float:
        def run() -> None:
            simulate_population(
                payoffs,
                [99, 1],
                steps=n_steps * (1 if backend == "numpy" else 10),
                selection=1.0,
                mutation=0.01,
                replicates=reps_pop,
                seed=1,
                backend=backend,
            )

        run()
        scale = 1 if backend == "numpy" else 10
        return reps_pop * n_steps * scale / best_of(run, max(1, reps // 2))

    # Per update: ~3 uniforms (focal, model, imitation; mutation draw), one exp, ~10 ops;
    # the counts of 1,000 populations stay in cache.
    pop_bound = 1 / (3 / mix_core + 30 / probes["flops"] + 10 / ops_rate) if fast else np.nan
    rows.append(
        (
            "population update (fermi)",
            "~3 draws + exp + ~10 ops; in cache",
            pop_bound,
            pop("numpy"),
            pop("numba") if fast else np.nan,
        )
    )

    # 6. Exact mutation chain: one sparse matrix-vector product pi T.
    from allysim.evolution import payoff_matrix_for
    from allysim.evolution.mutation_chain import _exact_transitions

    zoo = [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS]
    a = payoff_matrix_for(zoo, ally.partnership_game(benefit=3, cost=1), noise=0.01)
    z = 60 if args.quick else 100
    _, t = _exact_transitions(a, z, 1.0, 0.1, "fermi")
    pi = np.full(t.shape[0], 1.0 / t.shape[0])
    tt = t.T.tocsr()
    rate = t.nnz / best_of(lambda: tt @ pi, reps)
    # CSR: value (8 B) + column index (4 B) per non-zero; x gathered (8 B, mostly cached).
    idx_bytes = tt.indices.dtype.itemsize
    nz_bytes = 8 + idx_bytes + 8 * (t.shape[0] / t.nnz) * 3
    rows.append(
        (
            f"mutation chain non-zero (Z={z}, {t.shape[0]:,} states, {t.nnz:,} non-zeros)",
            f"2 flops; {nz_bytes:.0f} B",
            bw / nz_bytes,
            rate,
            np.nan,
        )
    )

    print(
        f"\nunits per second per core (work / least CPU time of {reps}; numba on {threads} "
        "threads); bounds per core"
    )
    width = max(len(r[0]) for r in rows)
    wcost = max(len(r[1]) for r in rows)
    print(
        f"{'hot path (unit)':<{width}}  {'work per unit':<{wcost}}  {'bound':>9}  {'numpy':>9}  "
        f"{'of bound':>8}  {'numba':>9}  {'of bound':>8}"
    )

    def fmt(x: float) -> str:
        return f"{x:9.3g}" if np.isfinite(x) else f"{'n/a':>9}"

    def frac(x: float, bound: float) -> str:
        return f"{x / bound:8.0%}" if np.isfinite(x) and np.isfinite(bound) else f"{'':>8}"

    for name, cost, bound, ours, comp in rows:
        print(
            f"{name:<{width}}  {cost:<{wcost}}  {fmt(bound)}  {fmt(ours)}  {frac(ours, bound)}  "
            f"{fmt(comp)}  {frac(comp, bound)}"
        )


if __name__ == "__main__":
    main()
