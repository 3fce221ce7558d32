"""Speed and agreement of allysim.consortia (n-member games) beside EGTtools.

1. Exact payoffs of the repeated game (``exact_group_payoffs``): chain size and seconds per
   call for one strategy type, two types and one type per member (the 2^n profile chain).
2. Monte Carlo (``simulate_group_payoffs``): member-rounds per second, vectorised over groups.
3. Where EGTtools is installed (``pip install egttools``): its ``NPlayerStagHunt`` (Pacheco et
   al. 2009) with ``PairwiseComparison`` beside allysim's ``PublicGoodsGame(threshold=M)``:
   both fixation probabilities, the two-strategy small-mutation stationary distribution and the
   gradient of selection at every composition, for several population sizes; values, their
   largest relative difference, and seconds each. EGTtools numbers the strategies
   0 = defect, 1 = cooperate; allysim 0 = contribute, 1 = withhold.

Run:  python benchmarks/bench_consortia.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from allysim.consortia import (
    PublicGoodsGame,
    exact_group_payoffs,
    fixation_probability,
    gradient_of_selection,
    simulate_group_payoffs,
    stationary_distribution,
    threshold_reciprocity,
    unconditional,
)


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def exact_section(quick: bool) -> None:
    print("1. exact chain (continuation 0.9, noise 0.01)")
    print(f"   {'case':<34}{'states':>8}{'seconds':>11}")
    cases = [("one type", n, [n]) for n in (5, 20, 100)]
    cases += [("two types (n-1 TR, 1 ALLD)", n, [n - 1, 1]) for n in (10, 30, 100)]
    cases += [("one type per member (2^n)", n, None) for n in ((6, 8) if quick else (6, 8, 10))]
    for label, n, counts in cases:
        game = PublicGoodsGame(n, multiplier=3.0)
        tr = threshold_reciprocity(n // 2, n)
        if counts is None:
            strategies = [tr] * (n - 1) + [unconditional(0, n)]
            states = 2**n
        elif len(counts) == 1:
            strategies, states = [tr], n + 1
        else:
            strategies, states = [tr, unconditional(0, n)], n * 2
        secs, _ = timed(
            lambda g=game, s=strategies, c=counts: exact_group_payoffs(
                g, s, c, continuation=0.9, noise=0.01
            ),
            repeat=3,
        )
        print(f"   {label + f', n={n}':<34}{states:>8}{secs:>11.4f}")


def montecarlo_section(quick: bool) -> None:
    print("2. Monte Carlo (continuation 0.9 -> 263 rounds; noise 0.01; seed 0)")
    print(f"   {'n':>4}{'groups':>8}{'seconds':>10}{'member-rounds/s':>18}")
    for n in (5, 50):
        game = PublicGoodsGame(n, multiplier=3.0)
        strategies = [threshold_reciprocity(n // 2, n), unconditional(0, n)]
        groups = 1000 if quick else 10000
        secs, res = timed(
            lambda g=game, s=strategies, m=groups, c=[n - 1, 1]: simulate_group_payoffs(
                g, s, c, groups=m, continuation=0.9, noise=0.01, seed=0
            )
        )
        rate = groups * n * res.rounds / secs
        print(f"   {n:>4}{groups:>8}{secs:>10.3f}{rate:>18.3g}")


def egttools_section(quick: bool) -> None:
    try:
        import egttools
        from egttools.analytical import PairwiseComparison
        from egttools.games import NPlayerStagHunt
    except ImportError:
        print("3. EGTtools is not installed (pip install egttools): comparison skipped")
        return
    n, f, m, c = 10, 6.0, 5, 1.0
    version = str(egttools.__version__).strip('"')
    print(f"3. EGTtools {version}: N-person stag hunt N={n}, M={m}, F={f}, c={c}")
    print(
        f"   {'Z':>5}{'beta':>6}{'rho_C ally':>13}{'rho_C egt':>13}{'rho_D ally':>13}"
        f"{'rho_D egt':>13}{'max rel diff':>14}{'ally s':>9}{'egt s':>9}"
    )
    game = PublicGoodsGame(n, multiplier=f, cost=c, threshold=m)
    # Keep the game alive: PairwiseComparison holds a reference EGTtools does not own, and a
    # temporary game segfaults once it is collected.
    egt_game = NPlayerStagHunt(n, f, m, c)
    notes = []
    for z in (50, 100) if quick else (50, 100, 500, 1000):
        for beta in (0.1, 1.0):

            def ours(z=z, beta=beta):
                rc = fixation_probability(game, 0, 1, population=z, selection=beta)
                rd = fixation_probability(game, 1, 0, population=z, selection=beta)
                shares = stationary_distribution(game, population=z, selection=beta).shares
                _, g = gradient_of_selection(game, population=z, selection=beta)
                return rc, rd, shares, g

            def theirs(z=z, beta=beta):
                ev = PairwiseComparison(z, egt_game)
                rc = ev.calculate_fixation_probability(1, 0, beta)
                rd = ev.calculate_fixation_probability(0, 1, beta)
                trans, _ = ev.calculate_transition_and_fixation_matrix_sml(beta)
                vals, vecs = np.linalg.eig(trans.T)
                pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
                pi = pi / pi.sum()
                g = np.array(
                    [
                        ev.calculate_gradient_of_selection(beta, np.array([z - j, j]))[1]
                        for j in range(z + 1)
                    ]
                )
                return rc, rd, pi[::-1], g

            t_ours, (rc, rd, sh, g) = timed(ours, repeat=3)
            t_egt, (erc, erd, esh, eg) = timed(theirs, repeat=1 if z > 100 else 3)
            # EGTtools returns exactly 0 for fixation probabilities below about 1e-8; those
            # are compared as "0 there" rather than as a relative difference of 1.
            pairs = [(a, b) for a, b in [(rc, erc), (rd, erd)] if b > 0]
            pairs += [(a, b) for a, b in zip(sh, esh, strict=True) if a > 1e-8]
            rel = max(abs(a - b) / max(abs(a), abs(b)) for a, b in pairs)
            print(
                f"   {z:>5}{beta:>6}{rc:>13.5e}{erc:>13.5e}{rd:>13.5e}{erd:>13.5e}{rel:>14.2e}"
                f"{t_ours:>9.4f}{t_egt:>9.4f}"
            )
            inner = np.abs(g[1:-1]) > 1e-12
            ratio = eg[1:-1][inner] / g[1:-1][inner]
            notes.append(
                f"   Z={z}, beta={beta}: stationary (C, D) allysim {np.round(sh, 6).tolist()}, "
                f"EGTtools {np.round(esh, 6).tolist()}; gradient EGTtools / allysim in "
                f"[{ratio.min():.6f}, {ratio.max():.6f}] (Z / (Z - 1) = {z / (z - 1):.6f})"
            )
    print("\n".join(notes))
    print(
        "   The gradients differ by the factor Z / (Z - 1): allysim uses Pacheco et al.'s\n"
        "   (j / Z)((Z - j) / Z), EGTtools (j / Z)((Z - j) / (Z - 1)); signs and roots agree."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (seconds)")
    args = parser.parse_args()
    exact_section(args.quick)
    montecarlo_section(args.quick)
    egttools_section(args.quick)


if __name__ == "__main__":
    main()
