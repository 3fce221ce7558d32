"""Adversarial checks of the session-24 changes (reviewer r50): each test here failed on the
code before its fix, or pins a property the review attacked."""

import time

import numpy as np
import pytest

from allysim.abm.search import first_come_matching


def _greedy(a, b):
    used, out = set(), []
    for k in range(len(a)):
        if a[k] not in used and b[k] not in used:
            used.update((int(a[k]), int(b[k])))
            out.append(k)
    return out


# ----------------------------------------------------------- 1. first come, first served


def test_first_come_matching_chained_order_is_not_quadratic():
    # A path met in order 0-1, 1-2, 2-3, ...: each round of the rounds computation decided one
    # pair, so 30,000 pairs took 15,000 rounds over 100,000 organizations (about 9 s; 16,000
    # pairs 2.5 s, 100,000 pairs an extrapolated 100 s). Now a few milliseconds.
    n, size = 100_000, 30_000
    a = np.arange(size)
    for order in (a, a[::-1].copy()):
        start = time.perf_counter()
        kept = first_come_matching(order, order + 1, n)
        elapsed = time.perf_counter() - start
        assert elapsed < 1.0
        assert kept.tolist() == _greedy(order, order + 1)


@pytest.mark.parametrize("seed", range(4))
def test_first_come_matching_adversarial_orders_match_the_loop(seed):
    # Chains in both directions, repeated pairs, a pair met both ways, organizations that are
    # never met, and the empty input.
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        size = int(rng.integers(0, 200))
        a = np.arange(size) % n
        b = (a + 1) % n
        flip = rng.random(size) < rng.random()
        a, b = np.where(flip, b, a), np.where(flip, a, b)
        if rng.random() < 0.5:
            repeat = rng.integers(0, max(size, 1), size)
            a, b = a[repeat % max(size, 1)], b[repeat % max(size, 1)]
        kept = first_come_matching(a, b, n + int(rng.integers(0, 5)))
        assert kept.dtype == np.int64
        assert kept.tolist() == _greedy(a, b)
