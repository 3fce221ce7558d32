"""Consortia: n-member public goods games (docs/consortia.md).

Run from the repository root: ``python docs/scripts/consortia.py``. It prints the numbers
quoted on the page and writes docs/img/consortia_gradient.png (the gradient of selection of the
N-person stag hunt, Pacheco et al. 2009, N = 10, M = 5, F = 6, for three population sizes) and
docs/img/consortia_shadow.png (the small-mutation stationary distribution of ALLD, TR(4),
TR(2) and ALLC in a five-member linear public goods game, r = 3, against the continuation
probability). Under a minute on one core.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim.consortia import (
    PublicGoodsGame,
    gradient_of_selection,
    interior_roots,
    repeated_payoff_array,
    stationary_distribution,
    threshold_reciprocity,
    unconditional,
)

OUT = Path(__file__).resolve().parents[1] / "img"


def gradient_figure() -> None:
    stag = PublicGoodsGame(10, multiplier=6.0, cost=1.0, threshold=5)
    print("infinite-population roots:", interior_roots(stag).round(4).tolist())
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for z in (20, 50, 500):
        x, g = gradient_of_selection(stag, population=z, selection=1.0)
        ax.plot(x, g, label=f"Z = {z}")
        print(f"Z = {z}: roots", interior_roots(stag, population=z).round(4).tolist())
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xlabel("share of contributors j / Z")
    ax.set_ylabel("gradient of selection g(j)")
    ax.set_title("N-person stag hunt (N = 10, M = 5, F = 6), beta = 1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "consortia_gradient.png", dpi=120)
    plt.close(fig)


def shadow_figure() -> None:
    n = 5
    game = PublicGoodsGame(n, multiplier=3.0, cost=1.0)
    strategies = [
        unconditional(0, n),
        threshold_reciprocity(4, n),
        threshold_reciprocity(2, n),
        unconditional(1, n),
    ]
    ws = np.linspace(0.0, 0.98, 25)
    shares = []
    for w in ws:
        a = repeated_payoff_array(game, strategies, continuation=float(w), noise=0.02)
        shares.append(stationary_distribution(a, population=50, selection=1.0).shares)
    shares = np.array(shares)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for s, share in zip(strategies, shares.T, strict=True):
        ax.plot(ws, share, label=s.name)
    ax.set_xlabel("continuation probability w")
    ax.set_ylabel("long-run share (small mutation)")
    ax.set_title("Five-member consortium, r = 3, noise 0.02, Z = 50, beta = 1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "consortia_shadow.png", dpi=120)
    plt.close(fig)
    for w, row in zip(ws[::6], shares[::6], strict=True):
        print(f"w = {w:.2f}:", row.round(3).tolist())


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    gradient_figure()
    shadow_figure()
