"""Replicator dynamics of action rules judged by one norm, with images at their stationary
values (public assessment).

Reputations change on a faster time scale than strategies (the separation Ohtsuki & Iwasa 2004
assume for their stability analysis, and Sasaki, Okada & Nakai 2017 use for their replicator
dynamics), so at each strategy mix the payoffs are those of
[`stationary_reputation`][allysim.reputation.stationary_reputation], and the shares follow
``dx_i/dt = x_i (pi_i - mean pi)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    as_probability_array,
    check_bool,
    check_interval,
    check_nonnegative,
    check_probability,
)
from allysim.reputation._strategies import resolve_strategies
from allysim.reputation.analytic import _flows, _solve, verdict_probabilities
from allysim.reputation.norms import Norm, get_norm

__all__ = ["ReputationDynamics", "reputation_dynamics"]


@dataclass(frozen=True, repr=False)
class ReputationDynamics(SavedResult):
    """Result of [`reputation_dynamics`][allysim.reputation.reputation_dynamics].

    Parameters
    ----------
    norm : str
        Name of the norm images are assigned by.
    strategies : tuple of str
        Strategy labels, in input order.
    times : numpy.ndarray
        Shape (T,): the times recorded, 0 included.
    frequencies : numpy.ndarray
        Shape (T, S): share of each strategy at each time.
    good : numpy.ndarray
        Shape (T, S): stationary share of good images within each strategy.
    cooperation : numpy.ndarray
        Shape (T,): probability that a random donor gives.
    payoffs : numpy.ndarray
        Shape (T, S): expected payoff per interaction of each strategy.

    Examples
    --------
    >>> from allysim.reputation import reputation_dynamics
    >>> r = reputation_dynamics("L6", time=1.0, dt=0.5)
    >>> r.frequencies.shape, r.strategies
    ((3, 3), ('L6', 'ALLC', 'ALLD'))
    """

    norm: str
    strategies: tuple[str, ...]
    times: np.ndarray
    frequencies: np.ndarray
    good: np.ndarray
    cooperation: np.ndarray
    payoffs: np.ndarray


def reputation_dynamics(
    norm: Norm | str,
    strategies: Sequence[Any] | None = None,
    initial: Any = None,
    *,
    benefit: float = 2.0,
    cost: float = 1.0,
    execution_error: float = 0.0,
    assessment_error: float = 0.0,
    time: float = 100.0,
    dt: float = 0.05,
    progress: bool = False,
) -> ReputationDynamics:
    """Replicator dynamics of strategies whose images are assigned by ``norm``.

    Euler steps of ``dx_i/dt = x_i (pi_i - mean pi)``, with ``pi`` the stationary payoffs of
    the current mix (see the module docstring); each step starts the image solver from the
    previous step's images.

    Parameters
    ----------
    norm : Norm or str
        The norm by which the public observer assigns images.
    strategies : sequence or None, default None
        Action rules present (as in
        [`stationary_reputation`][allysim.reputation.stationary_reputation]); None means
        ``["NORM", "ALLC", "ALLD"]``: the norm's own discriminator and both unconditional rules.
    initial : array_like or None, default None
        Shape (S,), non-negative, summing to 1: initial shares; None means 0.9 to the first
        strategy and the rest split evenly.
    benefit : float, default 2.0
        Benefit b >= 0 to a recipient of a gift.
    cost : float, default 1.0
        Cost c >= 0 to the donor of a gift.
    execution_error : float, default 0.0
        Probability e1 in [0, 1] that an intended gift is not made.
    assessment_error : float, default 0.0
        Probability e2 in [0, 1] that the observer assigns the opposite image.
    time : float, default 100.0
        Length of the run (> 0), in units of one interaction per individual.
    dt : float, default 0.05
        Euler step in (0, 1]; ``time / dt`` steps are taken (rounded up). A step that would
        turn a share negative (``dt`` above 1 / the largest shortfall of a strategy's payoff
        from the mean) raises ValueError.
    progress : bool, default False
        Show a tqdm progress bar over steps.

    Returns
    -------
    ReputationDynamics
        Shares, images, cooperation and payoffs at every step.

    Examples
    --------
    Under image scoring with errors unconditional givers displace discriminators until these
    fall to ``c / (b (a - e2))`` (``a`` the chance that a gift is judged good), where all
    payoffs are equal; stern judging keeps its discriminators.

    >>> from allysim.reputation import reputation_dynamics
    >>> kw = dict(benefit=5, execution_error=0.05, assessment_error=0.01, time=200, dt=0.1)
    >>> im = reputation_dynamics("image scoring", **kw)
    >>> a = 0.95 * 0.99 + 0.05 * 0.01
    >>> round(float(im.frequencies[-1, 0]), 3), round(1 / (5 * (a - 0.01)), 3)
    (0.215, 0.215)
    >>> sj = reputation_dynamics("stern judging", **kw)
    >>> round(float(sj.frequencies[-1, 0]), 3)
    1.0
    """
    norm = get_norm(norm)
    labels, rules = resolve_strategies(
        ["NORM", "ALLC", "ALLD"] if strategies is None else strategies, norm
    )
    s = len(labels)
    if initial is None:
        x = np.full(s, 0.1 / max(s - 1, 1))
        x[0] = 0.9 if s > 1 else 1.0
    else:
        x = as_probability_array(initial, "initial", shape=(s,))
        if not np.isclose(x.sum(), 1.0, rtol=0, atol=1e-9):
            raise ValueError(f"initial must sum to 1, got {x.sum()!r}")
    b = check_nonnegative(benefit, "benefit")
    c = check_nonnegative(cost, "cost")
    e1 = check_probability(execution_error, "execution_error")
    e2 = check_probability(assessment_error, "assessment_error")
    t_end = check_interval(time, "time", 0.0, np.inf, low_open=True, high_open=True)
    step = check_interval(dt, "dt", 0.0, 1.0, low_open=True)
    show = check_bool(progress, "progress")
    n_steps = int(np.ceil(t_end / step - 1e-9))
    h = np.stack([verdict_probabilities(norm, r, e1, e2) for r in rules])

    freqs = np.empty((n_steps + 1, s))
    good = np.empty((n_steps + 1, s))
    coop = np.empty(n_steps + 1)
    pays = np.empty((n_steps + 1, s))
    g = _solve(h, x, 1.0, 1e-12, 1_000_000)
    steps: Any = range(n_steps + 1)
    if show:
        steps = progress_bar(steps, desc="replicator", unit="step")
    for k in steps:
        if k:
            g = _solve(h, x, g, 1e-12, 1_000_000, warm=True)
        giving, receiving = _flows(rules, x, g, e1)
        pi = b * receiving - c * giving
        freqs[k], good[k], coop[k], pays[k] = x, g, x @ giving, pi
        # The Euler step multiplies x_i by 1 + dt (pi_i - mean): it turns a share negative
        # only when dt is too long for the payoff gaps, never through rounding, so that is
        # refused instead of being clipped into an extinction the replicator equation
        # cannot produce.
        growth = 1.0 + step * (pi - x @ pi)
        short = (x > 0) & (growth < -1e-12)
        if np.any(short):
            i = int(np.argmin(np.where(short, growth, np.inf)))
            gap = (1.0 - growth[i]) / step
            raise ValueError(
                f"dt={step:g} is too long for these payoffs: at time {k * step:g} the Euler "
                f"step would make the share of {labels[i]!r} negative (its payoff is "
                f"{gap:.4g} below the mean); use dt < {1.0 / gap:.4g}"
            )
        x = np.maximum(x * growth, 0.0)
        x = x / x.sum()
    return ReputationDynamics(
        norm=norm.name,
        strategies=labels,
        times=np.arange(n_steps + 1) * step,
        frequencies=freqs,
        good=good,
        cooperation=coop,
        payoffs=pays,
    )
