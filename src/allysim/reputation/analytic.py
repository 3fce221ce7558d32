"""Stationary images, cooperation and payoffs under public assessment, in closed form.

Model (Ohtsuki & Iwasa 2004, section 2): an infinite, well-mixed population; in each
interaction a random donor meets a random recipient and follows its action rule; an intended
gift fails with probability ``execution_error`` (e1) and the public observer, judging by the
norm, assigns the wrong image with probability ``assessment_error`` (e2). A donor's image is
the verdict on its last observed action, so the share ``g_i`` of good individuals among
strategy ``i`` obeys ``dg_i/dt = F_i(g_i, g) - g_i`` with

``F_i = sum_{x, y} P_i(x) P(y) h_i(x, y)``,  ``g = sum_i f_i g_i``,

where ``x`` is the donor's image, ``y`` the recipient's, and ``h_i(x, y)`` the probability
of a good verdict: ``(1 - e1) E(d(x, y, C)) + e1 E(d(x, y, D))`` if the rule says give,
``E(d(x, y, D))`` if it says refuse, with ``E(z) = (1 - e2) z + e2 (1 - z)``. For a
monomorphic population ``F`` is a quadratic in ``g``; for second-order norms with the DISC
action rule it is linear, e.g. stern judging and simple standing give
``g = (1 - e2) / (1 + e1 (1 - 2 e2))`` and image scoring
``g = e2 / (1 - (1 - e1)(1 - 2 e2))`` (derived in docs/classic/indirect-reciprocity.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._results import SavedResult
from allysim._validation import (
    as_probability_array,
    check_int,
    check_nonnegative,
    check_probability,
)
from allysim.reputation._strategies import resolve_strategies
from allysim.reputation.norms import Norm, _zero_one, get_norm

__all__ = ["StationaryReputation", "stationary_reputation", "verdict_probabilities"]


def _err(z: np.ndarray, e2: float) -> np.ndarray:
    return (1.0 - e2) * z + e2 * (1.0 - z)


def verdict_probabilities(
    norm: Norm | str,
    action_rule: Any,
    execution_error: float = 0.0,
    assessment_error: float = 0.0,
) -> np.ndarray:
    """Probability that a donor is judged good, per donor image and recipient image.

    Parameters
    ----------
    norm : Norm or str
        The norm the observer judges by.
    action_rule : array_like
        Shape (2, 2), 0/1: the donor's ``action[donor_image, recipient_image]``.
    execution_error : float, default 0.0
        Probability e1 in [0, 1] that an intended gift is not made.
    assessment_error : float, default 0.0
        Probability e2 in [0, 1] that the observer assigns the opposite image.

    Returns
    -------
    numpy.ndarray
        Shape (2, 2): ``h[donor_image, recipient_image]``.

    Examples
    --------
    >>> from allysim.reputation import verdict_probabilities, L6
    >>> verdict_probabilities(L6, L6.action, 0.1, 0.0).tolist()
    [[1.0, 0.9], [1.0, 0.9]]
    """
    norm = get_norm(norm)
    e1 = check_probability(execution_error, "execution_error")
    e2 = check_probability(assessment_error, "assessment_error")
    rule = _zero_one(action_rule, "action_rule", shape=(2, 2), floats=True).astype(float)
    good_c = _err(norm.assessment[:, :, 1].astype(float), e2)
    good_d = _err(norm.assessment[:, :, 0].astype(float), e2)
    give = (1.0 - e1) * good_c + e1 * good_d
    return np.asarray(rule * give + (1.0 - rule) * good_d)


@dataclass(frozen=True, repr=False)
class StationaryReputation(SavedResult):
    """Result of [`stationary_reputation`][allysim.reputation.stationary_reputation].

    Parameters
    ----------
    strategies : tuple of str
        Strategy labels, in input order.
    frequencies : numpy.ndarray
        Shape (S,): share of the population playing each strategy.
    good : numpy.ndarray
        Shape (S,): stationary share of good images within each strategy.
    good_share : float
        Share of good images in the whole population.
    cooperation : float
        Probability that a random donor gives (realised, after execution errors).
    giving : numpy.ndarray
        Shape (S,): probability that a donor of each strategy gives.
    receiving : numpy.ndarray
        Shape (S,): probability that a recipient of each strategy is given to.
    payoffs : numpy.ndarray
        Shape (S,): expected payoff per interaction as donor and as recipient,
        ``benefit * receiving - cost * giving``.

    Examples
    --------
    >>> from allysim.reputation import stationary_reputation
    >>> r = stationary_reputation("stern judging", execution_error=0.1)
    >>> r  # doctest: +ELLIPSIS
    StationaryReputation(strategies=('stern judging',), ..., good_share=0.909..., ...)
    """

    strategies: tuple[str, ...]
    frequencies: np.ndarray
    good: np.ndarray
    good_share: float
    cooperation: float
    giving: np.ndarray
    receiving: np.ndarray
    payoffs: np.ndarray


def _field(h: np.ndarray, f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F(g) - g and its Jacobian."""
    pop = float(f @ g)
    pd = np.stack([1.0 - g, g], axis=1)  # P_i(x), x = bad, good
    py = np.array([1.0 - pop, pop])
    value = np.einsum("ix,ixy,y->i", pd, h, py) - g
    d_own = np.einsum("iy,y->i", h[:, 1, :] - h[:, 0, :], py)
    d_pop = np.einsum("ix,ix->i", pd, h[:, :, 1] - h[:, :, 0])
    jac = np.diag(d_own - 1.0) + d_pop[:, None] * f[None, :]
    return value, jac


def _flows(
    rules: np.ndarray, f: np.ndarray, g: np.ndarray, e1: float
) -> tuple[np.ndarray, np.ndarray]:
    """Probability that a member of each strategy gives, and that it is given to."""
    pop = float(f @ g)
    pd = np.stack([1.0 - g, g], axis=1)
    py = np.array([1.0 - pop, pop])
    realised = rules.astype(float) * (1.0 - e1)
    giving = np.einsum("ix,ixy,y->i", pd, realised, py)
    # A recipient of strategy k with image y is given to by a random donor j with image x.
    received_by_image = np.einsum("j,jx,jxy->y", f, pd, realised)
    return giving, pd @ received_by_image


def _solve(
    h: np.ndarray,
    f: np.ndarray,
    g0: float | np.ndarray,
    tol: float,
    max_iter: int,
    warm: bool = False,
) -> np.ndarray:
    """Rest point of dg_i/dt = F_i - g_i reached from g_i = g0.

    Backward Euler steps along the flow whose length doubles after every step that stays in
    [0, 1] and shrinks after one that leaves it (pseudo-transient continuation): short steps
    follow the flow into the basin of the rest point it reaches, long ones are Newton steps,
    so rest points that the flow nears arbitrarily slowly (near-zero error rates) are found
    in a few dozen steps. A caller that starts next to the rest point (a warm start) begins
    with long steps.
    """
    g = np.broadcast_to(np.asarray(g0, dtype=float), f.shape).copy()
    eye = np.eye(f.shape[0])
    dt = 1e12 if warm else 1.0
    rounding_steps = 0
    for _ in range(max_iter):
        value, jac = _field(h, f, g)
        if not np.any(value):
            return g
        # A field at rest to rounding: the long steps below would amplify rounding.
        tiny = np.max(np.abs(value)) <= 4.0 * np.finfo(float).eps
        try:
            newton = np.linalg.solve(jac, -value)
        except np.linalg.LinAlgError:
            newton = None
        if newton is None or not np.all(np.isfinite(newton)):
            # A singular field (e.g. image scoring without errors: every share is at rest).
            if tiny or np.max(np.abs(value)) < tol:
                return g
        elif np.max(np.abs(newton)) < tol:
            # Converged when the linearised distance to the rest point is below tol (the
            # residual alone would stop at once when errors are tiny and the flow slow).
            return np.clip(g + newton, 0.0, 1.0)
        elif tiny:
            # Newton's step still closes in on a rest point the flow nears slowly (a double
            # root); where the field is 0 along a whole line it is rounding noise, and
            # stopping once it leaves [0, 1] keeps the images where the flow left them.
            # Halving a double root's distance 100 times leaves nothing to refine.
            trial = g + newton
            rounding_steps += 1
            if rounding_steps <= 100 and np.all((trial >= -1e-12) & (trial <= 1 + 1e-12)):
                g = np.clip(trial, 0.0, 1.0)
                continue
            return g
        with np.errstate(all="ignore"):
            try:
                step = np.linalg.solve(eye / dt - jac, value)
            except np.linalg.LinAlgError:
                step = np.full_like(g, np.nan)
        trial = g + step
        if np.all(np.isfinite(trial)) and np.all((trial >= -1e-12) & (trial <= 1 + 1e-12)):
            g = np.clip(trial, 0.0, 1.0)
            dt = min(2.0 * dt, 1e300)
        elif dt > 1e-3:
            dt /= 4.0
        else:
            g = g + 0.5 * value  # F maps [0, 1] into itself: a plain flow step stays inside
    raise RuntimeError(
        f"stationary images did not converge in max_iter={max_iter} steps; raise max_iter"
    )


def stationary_reputation(
    norm: Norm | str,
    strategies: Sequence[Any] | None = None,
    frequencies: Any = None,
    *,
    benefit: float = 2.0,
    cost: float = 1.0,
    execution_error: float = 0.0,
    assessment_error: float = 0.0,
    initial_good: float = 1.0,
    tol: float = 1e-13,
    max_iter: int = 1_000_000,
) -> StationaryReputation:
    """Stationary images, cooperation and payoffs of a population under public assessment.

    The infinite-population model of Ohtsuki & Iwasa (2004): see the module docstring for the
    equations. Images start at ``initial_good`` and follow ``dg_i/dt = F_i - g_i`` to rest, so
    when the equations have several stable solutions the one reached from that start is
    returned (from all-good by default, as in the simulations). Error rates are used in double
    precision: below about 1e-12 they vanish next to 1, and a population whose images are
    then all at rest (image scoring without errors) keeps ``initial_good``.

    Parameters
    ----------
    norm : Norm or str
        The norm by which the public observer assigns images.
    strategies : sequence or None, default None
        Action rules present: ``"ALLC"``, ``"ALLD"``, ``"DISC"`` (give to good recipients),
        ``"NORM"`` (the norm's own action rule), a norm or its name (its action rule), or a
        (2, 2) 0/1 array. None means the norm's own action rule only.
    frequencies : array_like or None, default None
        Shape (S,), non-negative, summing to 1: share of each strategy. None means equal shares.
    benefit : float, default 2.0
        Benefit b >= 0 to a recipient of a gift.
    cost : float, default 1.0
        Cost c >= 0 to the donor of a gift.
    execution_error : float, default 0.0
        Probability e1 in [0, 1] that an intended gift is not made.
    assessment_error : float, default 0.0
        Probability e2 in [0, 1] that the observer assigns the opposite image.
    initial_good : float, default 1.0
        Share of good images in [0, 1] that the dynamics start from.
    tol : float, default 1e-13
        Convergence tolerance (> 0) on the images.
    max_iter : int, default 1000000
        Iteration cap; a RuntimeError is raised when it is reached.

    Returns
    -------
    StationaryReputation
        Images, cooperation rate and payoffs per strategy.

    Examples
    --------
    Stern judging with execution errors only: ``g = 1 / (1 + e1)``.

    >>> from allysim.reputation import stationary_reputation
    >>> r = stationary_reputation("stern judging", execution_error=0.1)
    >>> round(r.good_share, 6), round(1 / 1.1, 6)
    (0.909091, 0.909091)

    Image scoring: an unconditional giver earns more than the discriminator it lives with.

    >>> r = stationary_reputation("image scoring", ["DISC", "ALLC"], [0.9, 0.1],
    ...                           benefit=3, execution_error=0.05, assessment_error=0.01)
    >>> bool(r.payoffs[1] > r.payoffs[0])
    True
    """
    norm = get_norm(norm)
    labels, rules = resolve_strategies(strategies, norm)
    s = len(labels)
    if frequencies is None:
        f = np.full(s, 1.0 / s)
    else:
        f = as_probability_array(frequencies, "frequencies", shape=(s,))
        if not np.isclose(f.sum(), 1.0, rtol=0, atol=1e-9):
            raise ValueError(f"frequencies must sum to 1, got {f.sum()!r}")
    b = check_nonnegative(benefit, "benefit")
    c = check_nonnegative(cost, "cost")
    e1 = check_probability(execution_error, "execution_error")
    e2 = check_probability(assessment_error, "assessment_error")
    g0 = check_probability(initial_good, "initial_good")
    tol = check_nonnegative(tol, "tol")
    if tol == 0:
        raise ValueError("tol must be > 0, got 0")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    h = np.stack([verdict_probabilities(norm, r, e1, e2) for r in rules])
    g = _solve(h, f, g0, tol, max_iter)
    giving, receiving = _flows(rules, f, g, e1)
    payoffs = b * receiving - c * giving
    return StationaryReputation(
        strategies=labels,
        frequencies=f,
        good=g,
        good_share=float(f @ g),
        cooperation=float(f @ giving),
        giving=giving,
        receiving=receiving,
        payoffs=payoffs,
    )
