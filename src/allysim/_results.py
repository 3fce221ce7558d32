"""What the result objects share: a short repr, saving to and loading from one ``.npz`` file.

Results are frozen dataclasses of numpy arrays, scipy sparse matrices and plain values. They
are saved without pickle: arrays as they are, a sparse matrix as its CSR parts, and every other
field (numbers, strings, tuples, None) as JSON, so a file can be read back by any numpy and
inspected with ``numpy.load``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, TypeVar

import numpy as np
from scipy import sparse

_META = "__allysim_result__"
R = TypeVar("R", bound="SavedResult")


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
    """Mixin for result dataclasses: ``save``, ``load`` and a repr that shows shapes, not data
    (arrays of up to six numbers are shown).

    Examples
    --------
    >>> import numpy as np
    >>> from allysim.evolution import PopulationResult
    >>> r = PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50)
    >>> r
    PopulationResult(counts=array(1, 2), history=None, fixation_step=[7], steps=50)
    """

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
            The ``.npz`` file.

        Returns
        -------
        SavedResult
            An equal result (arrays bit for bit).

        Raises
        ------
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
        """
        with np.load(os.fspath(path), allow_pickle=False) as data:
            if _META not in data:
                raise ValueError(f"path {os.fspath(path)!r} holds no allysim result")
            meta = json.loads(str(data[_META]))
            if meta["class"] != cls.__name__:
                raise ValueError(
                    f"path {os.fspath(path)!r} holds a {meta['class']}, not a {cls.__name__}"
                )
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
