"""What the result objects share: a short repr, equality, saving to and loading from one
``.npz`` file.

Results are frozen dataclasses of numpy arrays, scipy sparse matrices and plain values. They
are saved without pickle: arrays as they are, a sparse matrix as its CSR parts, and every other
field (numbers, strings, tuples, None) as JSON, so a file can be read back by any numpy and
inspected with ``numpy.load``. Two results are equal (``==``) when they are of one class and
every field is equal: arrays of one dtype and shape with equal entries, NaN equal to NaN.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, TypeVar

import numpy as np
from scipy import sparse

_META = "__allysim_result__"
_CSR = ("data", "indices", "indptr")
R = TypeVar("R", bound="SavedResult")


def _arrays_equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    # equal_nan is refused for dtypes without NaN (strings, objects).
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def _same(a: Any, b: Any) -> bool:
    """Field equality: arrays by dtype, shape and entries, NaN equal to NaN."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and _arrays_equal(a, b)
    if sparse.issparse(a) or sparse.issparse(b):
        if not (sparse.issparse(a) and sparse.issparse(b)) or a.shape != b.shape:
            return False
        # Compared in canonical form (copies: a result's matrix is not touched).
        x, y = sparse.csr_matrix(a, copy=True), sparse.csr_matrix(b, copy=True)
        for m in (x, y):
            m.sum_duplicates()
            m.eliminate_zeros()
            m.sort_indices()
        return all(_arrays_equal(getattr(x, p), getattr(y, p)) for p in _CSR)
    if isinstance(a, tuple | list) or isinstance(b, tuple | list):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        return bool(a == b or (np.isnan(a) and np.isnan(b)))
    return bool(a == b)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        # A few numbers are shown (rounded); anything larger by its shape only.
        if value.ndim == 1 and value.size <= 6 and value.dtype.kind in "biuf":
            return np.array2string(value, precision=4, separator=", ", suppress_small=True)
        return f"array{value.shape}"
    if sparse.issparse(value):
        return f"sparse{value.shape}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class SavedResult:
    """Mixin for result dataclasses: ``save``, ``load``, ``==`` field by field, and a repr that
    shows shapes, not data (arrays of up to six numbers are shown).

    Two results are equal when they are of one class and each field is equal: arrays and
    sparse matrices of one dtype and shape with equal entries (NaN equal to NaN), other values
    by ``==`` (NaN equal to NaN). So a result equals what :meth:`load` reads back from its
    file. Results holding arrays are not hashable.

    Examples
    --------
    >>> import numpy as np
    >>> from allysim.evolution import PopulationResult
    >>> r = PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50)
    >>> r
    PopulationResult(counts=array(1, 2), history=None, fixation_step=[7], steps=50)
    >>> r == PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50)
    True
    >>> r == PopulationResult(np.array([[10, 0]]), None, np.array([8]), 50)
    False
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # @dataclass (eq=True by default) writes a tuple-comparing __eq__ into the class, which
        # raises on array fields ("truth value of an array is ambiguous"); it leaves an __eq__
        # already in the class's own namespace alone, so this one goes there first.
        if "__eq__" not in cls.__dict__:
            cls.__eq__ = SavedResult.__eq__  # type: ignore[method-assign]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _same(getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.compare
        )

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        inner = ", ".join(f"{f.name}={_short(getattr(self, f.name))}" for f in fields)
        return f"{type(self).__name__}({inner})"

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the result to one ``.npz`` file (no pickle); return the path written.

        Parameters
        ----------
        path : str or os.PathLike
            File name; ``.npz`` is added when missing.

        Returns
        -------
        str
            The path of the file written.

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> from allysim.evolution import PopulationResult
        >>> r = PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50)
        >>> f = r.save(os.path.join(tempfile.mkdtemp(), "run"))
        >>> PopulationResult.load(f).steps
        50
        """
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, Any] = {"class": type(self).__name__, "fields": {}}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                arrays[f.name] = value
                meta["fields"][f.name] = "array"
            elif sparse.issparse(value):
                csr = sparse.csr_matrix(value)
                for part in ("data", "indices", "indptr"):
                    arrays[f"{f.name}.{part}"] = getattr(csr, part)
                arrays[f"{f.name}.shape"] = np.array(csr.shape)
                meta["fields"][f.name] = "sparse"
            else:
                meta["fields"][f.name] = {"json": _to_json(value)}
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        arrays[_META] = np.array(json.dumps(meta))
        np.savez(path, **arrays)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls: type[R], path: str | os.PathLike[str]) -> R:
        """Read a result written by ``save``.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.npz`` file, with or without its suffix: the path given to ``save`` reads
            back the file it wrote (``save("run")`` writes ``run.npz``).

        Returns
        -------
        SavedResult
            An equal result (``==``; arrays bit for bit).

        Raises
        ------
        FileNotFoundError
            Neither ``path`` nor ``path`` with ``.npz`` added is a file.
        ValueError
            The file holds no allysim result or a result of another class.

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> from allysim.evolution import PopulationResult
        >>> r = PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50)
        >>> back = PopulationResult.load(r.save(os.path.join(tempfile.mkdtemp(), "r.npz")))
        >>> back.counts.tolist(), back.history
        ([[10, 0]], None)
        >>> name = os.path.join(tempfile.mkdtemp(), "run")
        >>> _ = r.save(name)  # writes run.npz
        >>> PopulationResult.load(name) == r
        True
        """
        name = os.fspath(path)
        if not os.path.isfile(name) and not name.endswith(".npz"):
            if not os.path.isfile(name + ".npz"):
                raise FileNotFoundError(f"path {name!r} is not a file, nor is {name + '.npz'!r}")
            name += ".npz"
        with np.load(name, allow_pickle=False) as data:
            if _META not in data:
                raise ValueError(f"path {name!r} holds no allysim result")
            meta = json.loads(str(data[_META]))
            if meta["class"] != cls.__name__:
                raise ValueError(f"path {name!r} holds a {meta['class']}, not a {cls.__name__}")
            values: dict[str, Any] = {}
            for name, kind in meta["fields"].items():
                if kind == "array":
                    values[name] = data[name]
                elif kind == "sparse":
                    shape = tuple(int(x) for x in data[f"{name}.shape"])
                    parts = (data[f"{name}.{p}"] for p in ("data", "indices", "indptr"))
                    values[name] = sparse.csr_matrix(tuple(parts), shape=shape)
                else:
                    values[name] = _from_json(kind["json"])
        return cls(**values)


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"tuple": [_to_json(v) for v in value]}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"tuple"}:
        return tuple(_from_json(v) for v in value["tuple"])
    return value
