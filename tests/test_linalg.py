"""kernels._linalg.solve: LAPACK's answer to round-off, the same bits with or without numba.

The compiled loop is blocked (panels, sub-panels, column tiles); the blocking must not change
a bit, so it is compared with numpy's unblocked loop at sizes around every tile's edge, with
the library's tiles and with small ones that put many edges into a small matrix.

Whether the answer follows the BLAS thread count is checked by tests/test_thread_independence.py
(it needs two interpreters); here the elimination itself is checked.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allysim.kernels import _linalg, numba_available
from allysim.kernels._linalg import solve

needs_numba = pytest.mark.skipif(not numba_available(), reason="numba is not installed")


def _system(seed: int, n: int, batch: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """A well-conditioned system (strictly diagonally dominant, condition number below ~10)
    whose largest entry of column 0 is off the diagonal, so that pivoting swaps rows."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.0, 1.0, (*batch, n, n)) / n
    a += np.eye(n) * rng.choice([-1.0, 1.0], (*batch, n))[..., None] * 2.0
    if n > 1:
        a[..., 0, 0] = 0.5
        a[..., n - 1, 0] = 3.0
    b = rng.uniform(-1.0, 1.0, (*batch, n))
    return a, b


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 70),
    batch=st.sampled_from([(), (1,), (3,), (2, 2)]),
)
def test_agrees_with_lapack_on_well_conditioned_systems(seed, n, batch):
    a, b = _system(seed, n, batch)
    expected = np.linalg.solve(a, b[..., None])[..., 0]
    x = solve(a, b)
    assert x.shape == b.shape
    err = np.linalg.norm(x - expected, axis=-1) / np.linalg.norm(expected, axis=-1)
    assert np.all(err <= 1e-12)
    # The residual is round-off too: the answer solves the system, not just matches LAPACK.
    res = np.abs(np.einsum("...ij,...j->...i", a, x) - b).max()
    assert res <= 1e-13


@needs_numba
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 90),
    m=st.integers(1, 3),
    ties=st.booleans(),
)
def test_numba_and_numpy_give_the_same_bits(seed, n, m, ties):
    rng = np.random.default_rng(seed)
    # Plain random matrices: pivoting everywhere, some ill-conditioned. With ties, entries in
    # {-2, ..., 2} / 3: columns often hold two largest entries, and the first must win in both.
    a = rng.integers(-2, 3, size=(m, n, n)) / 3 if ties else rng.normal(size=(m, n, n))
    b = rng.normal(size=(m, n))
    outcomes = []
    for compiled in (False, True):
        try:
            outcomes.append(solve(a, b, compiled=compiled).tobytes())
        except np.linalg.LinAlgError:  # an exactly singular integer matrix: both must refuse
            outcomes.append(b"singular")
    assert outcomes[0] == outcomes[1]


@needs_numba
def test_same_bits_at_the_sizes_the_library_solves():
    # 256 states (memory-2 chains) in a batch, 512 (a 9-member consortium).
    for shape in ((3, 256), (512,)):
        a, b = _system(7, shape[-1], shape[:-1])
        a += np.random.default_rng(1).uniform(0, 0.5, a.shape)
        assert np.array_equal(solve(a, b, compiled=True), solve(a, b, compiled=False))


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=needs_numba)])
def test_nan_gives_nan(compiled):
    # A NaN in the matrix gives NaNs (as LAPACK does), not an error or a finite answer.
    with np.errstate(invalid="ignore"):
        out = solve(np.array([[1.0, np.nan], [2.0, 1.0]]), np.ones(2), compiled=compiled)
    assert np.isnan(out).all()


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=needs_numba)])
def test_closed_form_of_a_tridiagonal_system(compiled):
    # The gambler's-ruin absorption probabilities h_k = k / Z of a fair walk on 0..Z:
    # h_k - (h_{k-1} + h_{k+1}) / 2 = 0 inside, h_0 = 0, h_Z = 1.
    z = 60
    a = np.eye(z - 1) - 0.5 * (np.eye(z - 1, k=1) + np.eye(z - 1, k=-1))
    b = np.zeros(z - 1)
    b[-1] = 0.5
    h = solve(a, b, compiled=compiled)
    np.testing.assert_allclose(h, np.arange(1, z) / z, rtol=1e-13)


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=needs_numba)])
@pytest.mark.parametrize("n", [2, 60])
def test_refuses_a_singular_matrix(compiled, n):
    a = np.ones((n, n))  # rank 1: the second pivot is exactly 0
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        solve(a, np.ones(n), compiled=compiled)
    # One singular system in a stack fails the stack, as numpy.linalg.solve does.
    stack = np.stack([np.eye(n), a])
    with pytest.raises(np.linalg.LinAlgError):
        solve(stack, np.ones((2, n)), compiled=compiled)
    # LinAlgError is a ValueError, the library's error for bad input.
    assert issubclass(np.linalg.LinAlgError, ValueError)


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "message"),
    [
        ((3,), (3,), "a must have shape"),
        ((2, 3), (2,), "a must have shape"),
        ((0, 0), (0,), "n >= 1"),
        ((3, 3), (2,), r"b must have shape \(3,\)"),
        ((2, 3, 3), (3,), r"b must have shape \(2, 3\)"),
        ((3, 3), (3, 1), "b must have shape"),
    ],
)
def test_refuses_ill_shaped_input(a_shape, b_shape, message):
    with pytest.raises(ValueError, match=message):
        solve(np.ones(a_shape), np.ones(b_shape))


def test_inputs_are_not_modified():
    a, b = _system(3, 5)
    a0, b0 = a.copy(), b.copy()
    solve(a, b, compiled=False)
    if numba_available():
        solve(a, b, compiled=True)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)


def _bits(solver, a: np.ndarray, b: np.ndarray) -> bytes:
    """The answer's bytes, or b"singular"; the inputs are copied (both loops overwrite them)."""
    try:
        return solver(a.copy(), b.copy()).tobytes()
    except np.linalg.LinAlgError:
        return b"singular"


def _random_system(rng: np.random.Generator, n: int, m: int, ties: bool):
    # With ties, entries in {-2, ..., 2} / 3: columns often hold two largest entries (the first
    # must win) and some matrices are exactly singular (both loops must refuse).
    a = rng.integers(-2, 3, size=(m, n, n)) / 3 if ties else rng.normal(size=(m, n, n))
    return a, rng.normal(size=(m, n))


@needs_numba
@settings(max_examples=200)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 80),
    m=st.integers(1, 2),
    panel=st.integers(1, 20),
    sub=st.integers(1, 8),
    tile=st.integers(1, 24),
    ties=st.booleans(),
)
def test_blocking_does_not_change_a_bit(seed, n, m, panel, sub, tile, ties):
    # Small tiles: a matrix of up to 80 rows crosses dozens of panel, sub-panel and tile edges.
    a, b = _random_system(np.random.default_rng(seed), n, m, ties)
    blocked = _bits(lambda a, b: _linalg._solve_compiled(a, b, panel, sub, tile), a, b)
    assert blocked == _bits(_linalg._solve_numpy, a, b)


@needs_numba
@pytest.mark.parametrize(
    "n",
    [
        _linalg.SUBPANEL - 1,
        _linalg.SUBPANEL + 1,
        _linalg.PANEL - 1,
        _linalg.PANEL,
        _linalg.PANEL + 1,
        3 * _linalg.PANEL + 5,
        # The first panel's update then covers one whole tile and one column of the next.
        _linalg.PANEL + _linalg.TILE + 1,
    ],
)
def test_the_library_tiles_give_numpy_bits_at_their_edges(n):
    rng = np.random.default_rng(n)
    for ties in (False, True):
        a, b = _random_system(rng, n, 1, ties)
        blocked = _bits(_linalg._solve_compiled, a, b)
        assert blocked == _bits(_linalg._solve_numpy, a, b)
        if not ties:  # a Gaussian matrix is regular: the bits compared are an answer's
            assert blocked != b"singular"


@needs_numba
@pytest.mark.parametrize(("panel", "sub", "tile"), [(8, 3, 16), (_linalg.PANEL, 4, 7)])
def test_same_bits_when_pivoting_swaps_at_most_steps(panel, sub, tile):
    # A diagonally dominant matrix with its rows shuffled: column k's largest entry is far from
    # row k, so nearly every step swaps two rows (LAPACK's pivots say how many).
    from scipy.linalg import lu_factor

    n = 3 * tile + 5 if tile > 8 else 3 * panel + 5
    rng = np.random.default_rng(4)
    a = rng.uniform(-1.0, 1.0, (n, n)) + np.diag(rng.uniform(n, 2 * n, n))
    a = a[rng.permutation(n)]
    b = rng.normal(size=n)
    swaps = np.count_nonzero(lu_factor(a)[1] != np.arange(n))
    assert swaps >= n // 2
    x = _linalg._solve_compiled(a[None].copy(), b[None].copy(), panel, sub, tile)[0]
    assert x.tobytes() == _linalg._solve_numpy(a[None].copy(), b[None].copy())[0].tobytes()
    np.testing.assert_allclose(a @ x, b, atol=1e-12)


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=needs_numba)])
def test_the_callers_error_state_changes_nothing(compiled):
    # Products below the smallest normal float: a chain with transition chances of 1e-160 (the
    # discounted chain of outcome_distribution at noise 1e-100 hit this). Under
    # np.errstate(all="raise") numpy's loop raised FloatingPointError on the underflow, where
    # numba's loop and numpy.linalg.solve answer.
    a = np.array([[1.0, 1e-160, 0.0], [1e-160, 1.0, 1e-160], [0.0, 1e-160, 1.0]])
    b = np.array([1.0, 1e-160, 1.0])
    plain = solve(a, b, compiled=compiled)
    with np.errstate(all="raise"):
        strict = solve(a, b, compiled=compiled)
        lapack = np.linalg.solve(a, b)
    assert strict.tobytes() == plain.tobytes()
    np.testing.assert_allclose(strict, lapack, rtol=1e-15)
    # Infinite entries: NaNs (as LAPACK gives), not a FloatingPointError or a warning.
    with np.errstate(all="raise"):
        out = solve(
            np.array([[1.0, 2.0], [3.0, np.inf]]), np.array([np.inf, 1.0]), compiled=compiled
        )
    assert np.isnan(out).any()
    with np.errstate(all="raise"):
        out = solve(np.full((3, 3), np.inf) + np.eye(3), np.ones(3), compiled=compiled)
    assert np.isnan(out).all()


@pytest.mark.parametrize("which", ["a", "b"])
def test_refuses_complex_input(which):
    # Cast to float, a complex array lost its imaginary part with a ComplexWarning only:
    # [[1 + 1j, 0], [0, 1]] x = [1, 1] gave x = [1, 1] (the answer is [0.5 - 0.5j, 1]).
    a = np.array([[1.0 + 1.0j, 0.0], [0.0, 1.0]]) if which == "a" else np.eye(2)
    b = np.array([1.0, 1.0j]) if which == "b" else np.ones(2)
    with pytest.raises(TypeError, match=f"{which} must be real"):
        solve(a, b)
