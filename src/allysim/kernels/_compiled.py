"""Choice between the numpy kernels and their numba-compiled twins (the optional ``fast`` extra).

numba is imported only when a compiled path is asked for or chosen, so ``import allysim`` stays
as quick without it as with it. The numpy code is the reference implementation: every compiled
path is tested against it (docs/performance.md).
"""

from __future__ import annotations

import functools
import threading
from types import ModuleType
from typing import Literal

Backend = Literal["auto", "numpy", "numba"]

_BACKENDS = ("auto", "numpy", "numba")
# Work (pairs, or match-rounds / 100) from which "auto" picks the compiled path: below it the
# numpy path's per-call overhead is already small, and a call that size gains < 1 ms.
AUTO_MIN_PAIRS = 50_000


# numba's workqueue threading layer (chosen in _compiled_numba) must not be entered by two
# Python threads at once: every compiled call holds this lock.
LOCK = threading.Lock()


@functools.cache
def _load() -> ModuleType | None:
    try:
        from allysim.kernels import _compiled_numba
    except ImportError:
        return None
    return _compiled_numba


def numba_available() -> bool:
    """Whether numba is installed, so ``backend="numba"`` can run.

    Returns
    -------
    bool
        True when the compiled kernels can be imported.

    Examples
    --------
    >>> from allysim.kernels import numba_available
    >>> isinstance(numba_available(), bool)
    True
    """
    return _load() is not None


def check_backend(backend: object, name: str = "backend") -> str:
    """Validate a ``backend`` argument: one of ``"auto"``, ``"numpy"``, ``"numba"``."""
    if not isinstance(backend, str) or backend not in _BACKENDS:
        raise ValueError(f"{name} must be one of 'auto', 'numpy', 'numba', got {backend!r}")
    if backend == "numba" and _load() is None:
        raise ValueError(
            f"{name}='numba' needs numba: pip install 'allysim[fast]' (or use backend='numpy')"
        )
    return backend


def compiled(backend: str, work: float) -> ModuleType | None:
    """The compiled module when ``backend`` (already checked) selects it for this much work."""
    if backend == "numpy":
        return None
    if backend == "auto" and work < AUTO_MIN_PAIRS:
        return None
    return _load()
