"""Infinite populations: the continuous replicator equation and its discrete-time variant."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.integrate import solve_ivp

from allysim._validation import (
    as_float_array,
    check_int,
    check_interval,
    check_memory,
    check_real,
)
from allysim.evolution._common import _choice, _payoff_matrix, _simplex_point

_ODE_METHODS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")


def replicator_dynamics(
    payoff_matrix: np.ndarray,
    x0: Sequence[float],
    t: Sequence[float],
    *,
    method: str = "LSODA",
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray:
    """Solve the replicator equation ``dx_i/dt = x_i ((A x)_i - x.A x)`` with scipy's solve_ivp.

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j.
    x0 : sequence of float
        Initial shares, n non-negative numbers summing to 1.
    t : sequence of float
        Strictly increasing times at which to report the shares (time units of the equation);
        any sequence (list, tuple, array).
    method : str, default "LSODA"
        Integrator of :func:`scipy.integrate.solve_ivp`: one of "RK45", "RK23", "DOP853",
        "Radau", "BDF", "LSODA".
    rtol : float, default 1e-10
        Relative tolerance of the integrator, > 0.
    atol : float, default 1e-12
        Absolute tolerance of the integrator, > 0.

    Returns
    -------
    numpy.ndarray
        Shape (len(t), n): the shares at each time.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])  # one-shot dilemma: C, D
    >>> replicator_dynamics(A, [0.9, 0.1], [0, 30])[-1].round(4).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    x = _simplex_point(x0, a.shape[0], "x0")

    def field(a, y):
        f = a @ y
        return y * (f - y @ f)

    return _simplex_flow("replicator_dynamics", field, a, x, t, method, rtol, atol)


def _simplex_flow(name, field, a, x, t, method, rtol, atol) -> np.ndarray:
    """Integrate ``dy/dt = field(a, y)`` on the simplex from ``x``, reported at times ``t``.

    Shared by the replicator equations: the checks of ``t`` and the integrator's options,
    payoffs scaled to [-1, 1] with time stretched to match, and the projection back onto the
    simplex.
    """
    times = as_float_array(t, "t", shape=(None,))
    with np.errstate(over="ignore", invalid="ignore"):  # +-1e308 steps: refused below
        steps = np.diff(times)
    if times.size < 1 or np.any(~(steps > 0)):
        raise ValueError("t must be a non-empty, strictly increasing sequence of times")
    method = _choice(method, "method", _ODE_METHODS)
    rtol = check_interval(rtol, "rtol", 0.0, math.inf, low_open=True)
    atol = check_interval(atol, "atol", 0.0, math.inf, low_open=True)

    if times.size == 1:
        # solve_ivp cannot integrate over an empty span (it fails with an AttributeError).
        return x[None, :].copy()

    # x(t) under c A is x(c t) under A: integrate with payoffs scaled to [-1, 1] so that the
    # right-hand side stays bounded (huge payoffs otherwise overflow and stall the solver).
    scale = float(np.abs(a).max()) or 1.0
    with np.errstate(over="ignore"):  # an overflowing span is refused below
        span = scale * (times[-1] - times[0])
    if span < 1e-15:
        # Shares move by at most 2 x payoff x time: below float64 resolution they stay put,
        # and a span this short (subnormal payoffs) would stall the integrator.
        return np.tile(x, (times.size, 1))
    a = a / scale
    with np.errstate(over="ignore"):
        clock = times * scale
    if not np.all(np.isfinite(clock)) or np.any(np.diff(clock) <= 0):
        raise ValueError(
            "payoff_matrix entries times the times t overflow (or collapse) in float64; scale "
            "payoff_matrix down or use a shorter t"
        )
    # A span too long to integrate overflows inside the solver's steps; that is reported as
    # the ValueError below, not as numpy's warnings from its internals.
    with np.errstate(over="ignore", invalid="ignore"):
        sol = solve_ivp(
            lambda _, y: field(a, y),
            (clock[0], clock[-1]),
            x,
            t_eval=clock,
            method=method,
            rtol=rtol,
            atol=atol,
        )
    if not sol.success or not np.all(np.isfinite(sol.y)):
        why = sol.message if not sol.success else "the shares overflowed"
        raise ValueError(
            f"{name}: the integration failed ({why}); payoff_matrix entries times the "
            "time span t are too large to integrate, scale payoff_matrix down or shorten t"
        )
    # The flow keeps the simplex invariant, the integrator only to its tolerance: over very long
    # spans (t up to 1e38 in the fuzz suite) the drift reaches 1e-6. Project it back.
    traj = np.maximum(sol.y.T, 0.0)
    return traj / traj.sum(axis=1, keepdims=True)


def discrete_replicator(
    payoff_matrix: np.ndarray,
    x0: Sequence[float],
    generations: int,
    *,
    background_fitness: float = 0.0,
) -> np.ndarray:
    """Discrete-time (ecological) replicator: ``x_i' = x_i f_i / (x . f)``, ``f = A x + b``.

    This is the dynamic of Axelrod's ecological tournaments, run on a tournament payoff matrix.
    Fitness must stay positive, so ``A + background_fitness`` must be > 0.

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j (e.g. a tournament's mean scores).
    x0 : sequence of float
        Initial shares, n non-negative numbers summing to 1.
    generations : int
        Number of generations to run, >= 0.
    background_fitness : float, default 0.0
        Finite fitness b added to every payoff.

    Returns
    -------
    numpy.ndarray
        Shape (generations + 1, n): the shares from the start.

    Examples
    --------
    >>> A = np.array([[3.0, 0.5], [4.0, 1.0]])
    >>> discrete_replicator(A, [0.5, 0.5], 200)[-1].round(3).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    x = _simplex_point(x0, a.shape[0], "x0")
    generations = check_int(generations, "generations", minimum=0)
    fit = a + check_real(background_fitness, "background_fitness")
    if not np.all(np.isfinite(fit)):
        raise ValueError("payoff_matrix + background_fitness overflows; use smaller values")
    check_memory(
        8.0 * (generations + 1) * a.shape[0],
        "generations",
        hint="run fewer generations per call and continue from the last shares",
    )
    if np.any(fit <= 0):
        raise ValueError(
            "payoff_matrix + background_fitness must be > 0 everywhere for the discrete "
            f"replicator; the smallest entry is {fit.min():.3g}"
        )
    # Scaling fitness by a constant leaves the shares unchanged; at most 1 it cannot overflow.
    fit = fit / fit.max()
    out = np.empty((generations + 1, a.shape[0]))
    out[0] = x
    for g in range(generations):
        f = fit @ x
        mean = x @ f
        if not mean > 0:
            raise ValueError(
                "payoff_matrix + background_fitness spans too many orders of magnitude for "
                "the discrete replicator (the mean fitness underflows to 0)"
            )
        x = x * f / mean
        out[g + 1] = x
    return out


def replicator_mutator(
    payoff_matrix: np.ndarray,
    mutation_matrix: np.ndarray,
    x0: Sequence[float],
    t: Sequence[float],
    *,
    method: str = "LSODA",
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray:
    """Solve the replicator-mutator equation ``dx_i/dt = sum_j x_j f_j Q_ji - phi x_i``.

    Page, K. M. & Nowak, M. A. (2002), "Unifying evolutionary dynamics", J. Theor. Biol. 219,
    93-98: fitness ``f = A x``, mean fitness ``phi = x . f``, and ``Q_ji`` the probability
    that an offspring of strategy j is of strategy i. ``Q`` = identity gives the replicator
    equation ([`replicator_dynamics`][allysim.evolution.replicator_dynamics]); constant
    fitness gives Eigen's quasispecies equation. Selection (fitness ``f_j``) and mutation act
    at reproduction, so mutation has no effect where all fitness is zero.

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j. Keep payoffs non-negative for the
        fitness-weighted reproduction to mean what it says (negative ones are integrated as
        given).
    mutation_matrix : numpy.ndarray
        Shape (n, n), row-stochastic: ``Q[j, i]`` is the probability that an offspring of j is
        of strategy i (non-negative rows summing to 1).
    x0 : sequence of float
        Initial shares, n non-negative numbers summing to 1.
    t : sequence of float
        Strictly increasing times at which to report the shares.
    method : str, default "LSODA"
        Integrator of ``scipy.integrate.solve_ivp``: one of "RK45", "RK23", "DOP853",
        "Radau", "BDF", "LSODA".
    rtol : float, default 1e-10
        Relative tolerance of the integrator, > 0.
    atol : float, default 1e-12
        Absolute tolerance of the integrator, > 0.

    Returns
    -------
    numpy.ndarray
        Shape (len(t), n): the shares at each time.

    Examples
    --------
    >>> A = np.array([[2.0, 2.0], [1.0, 1.0]])  # strategy 0 twice as fit, whatever the mix
    >>> Q = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> replicator_mutator(A, Q, [0.5, 0.5], [0, 50])[-1].round(4).tolist()
    [0.8217, 0.1783]
    """
    a = _payoff_matrix(payoff_matrix)
    n = a.shape[0]
    q = as_float_array(mutation_matrix, "mutation_matrix", shape=(n, n))
    if np.any(q < 0) or np.any(np.abs(q.sum(axis=1) - 1.0) > 1e-9):
        raise ValueError(
            "mutation_matrix must be row-stochastic: non-negative entries, each row summing "
            f"to 1 (row sums {np.round(q.sum(axis=1), 6).tolist()})"
        )
    x = _simplex_point(x0, n, "x0")

    def field(a, y):
        f = a @ y
        return (y * f) @ q - y * (y @ f)

    return _simplex_flow("replicator_mutator", field, a, x, t, method, rtol, atol)
