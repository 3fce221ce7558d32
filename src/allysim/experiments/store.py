"""The store of a sweep: a folder of part files that a rerun of the same sweep resumes from."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import numbers
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _read_manifest(path) -> dict | None:
    """The manifest of the store at ``path`` (None if there is none yet)."""
    manifest = Path(path) / "sweep.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text())


def _seed_call(entropy: Any, spawn_key: Any) -> str:
    """The ``seed=`` argument that gives this root back."""
    if not spawn_key:
        return f"seed={entropy}"
    return f"seed=numpy.random.SeedSequence({entropy}, spawn_key={tuple(spawn_key)})"


class _Store:
    """A folder of part files, each written to a temporary name and renamed into place.

    The manifest ``sweep.json`` holds the sweep's fingerprint and what it is made of (function,
    grid, replicates, root seed), so that another sweep is refused with the part that differs,
    and a sweep started with ``seed=None`` can be resumed with the entropy it drew.
    """

    def __init__(self, path, identity: dict, fmt: str, seed_was_none: bool = False) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        fingerprint = identity["fingerprint"]
        old = _read_manifest(self.path)
        if old is not None:
            if old.get("fingerprint") != fingerprint:
                raise ValueError(_difference(self.path, old, identity))
        else:
            manifest = {
                "fingerprint": fingerprint,
                "identity": identity,
                "seed_was_none": bool(seed_was_none),
            }
            self._atomic_write(self.path / "sweep.json", json.dumps(manifest).encode())
        self._parts = 0

    def _atomic_write(self, target: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def load(self) -> pd.DataFrame | None:
        files = sorted(self.path.glob(f"part-*.{self.fmt}"))
        if not files:
            return None
        if self.fmt == "parquet":
            frames = [pd.read_parquet(f) for f in files]
        else:
            frames = [_read_csv_part(f) for f in files]
        return pd.concat(frames, ignore_index=True)

    def _encode(self, frame: pd.DataFrame) -> tuple[bytes, list | None]:
        """A part's bytes (and, for CSV, its column types), or the error the store raises."""
        if self.fmt == "parquet":
            buf = io.BytesIO()
            try:
                frame.to_parquet(buf, index=False)
            except Exception as exc:  # pyarrow's errors name the column, not the way out
                raise TypeError(
                    f"the parquet store cannot write these results ({exc}); return one type "
                    "per key (not e.g. str in one run and int in another), or use "
                    "store_format='csv'"
                ) from exc
            return buf.getvalue(), None
        return _encode_csv(frame)

    def check(self, rows: list[dict]) -> None:
        """Raise, writing nothing, what ``append`` would raise on these rows."""
        if rows:
            self._encode(pd.DataFrame(rows))

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        frame = pd.DataFrame(rows)
        first = int(frame["cell"].min()), int(frame["replicate"].min())
        name = f"part-{first[0]:09d}-{first[1]:06d}-{time.time_ns()}-{self._parts}.{self.fmt}"
        data, columns = self._encode(frame)
        self._parts += 1
        if columns is not None:
            # The column types go first: a part without them would be read the lossy way.
            self._atomic_write(self.path / f"{name}.json", json.dumps(columns).encode())
        self._atomic_write(self.path / name, data)


# CSV has no types: a part's column types, and for columns of Python objects (str, None, mixed)
# a one-letter type per row (s str, i int, f float, n NaN, N None, b bool), go in a sidecar
# part-*.csv.json, so that "NA", "" and None, and 1 and "1", come back as they were written.
def _tag(value: Any, column: str) -> str:
    if value is None:
        return "N"
    if isinstance(value, bool | np.bool_):
        return "b"
    if isinstance(value, str):
        return "s"
    if isinstance(value, numbers.Integral):
        return "i"
    if isinstance(value, float):  # np.float64 too; np.float32 would not read back exactly
        return "n" if math.isnan(value) else "f"
    raise TypeError(
        f"the csv store cannot keep column {column!r} exactly: it holds a "
        f"{type(value).__name__} ({value!r}); csv keeps str, int, float, bool and None in a "
        "column of mixed values. Return one of those, or use store_format='parquet'"
    )


def _text(value: Any, tag: str) -> str:
    if tag in "nN":
        return ""
    if tag == "f":
        return repr(float(value))
    if tag == "i":
        return str(int(value))
    return str(bool(value)) if tag == "b" else value


def _decode(raw: str, tag: str) -> Any:
    if tag == "s":
        return raw
    if tag == "N":
        return None
    if tag == "n":
        return math.nan
    if tag == "f":
        return float(raw)
    if tag == "i":
        return int(raw)
    return raw == "True"


def _encode_csv(frame: pd.DataFrame) -> tuple[bytes, list]:
    """The part's CSV text and its column list [name, dtype, tags or None]."""
    columns: list = []
    encoded = {}
    for name in frame.columns:
        if not isinstance(name, str):
            raise TypeError(f"the csv store needs str result keys, got {name!r}; return str keys")
        col = frame[name]
        if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf":
            # numpy numbers: pandas writes floats with repr and reads them back exactly
            columns.append([name, str(col.dtype), None])
            encoded[name] = col
            continue
        values = col.tolist()
        tags = "".join(_tag(v, name) for v in values)
        columns.append([name, str(col.dtype), tags])
        encoded[name] = pd.Series(
            [_text(v, t) for v, t in zip(values, tags, strict=True)], dtype=object
        )
    # "\r\n" line ends make the csv writer quote text holding a lone "\r", which the reader
    # would take for the end of a line.
    text = pd.DataFrame(encoded).to_csv(index=False, lineterminator="\r\n")
    return text.encode(), columns


def _read_csv_part(path: Path) -> pd.DataFrame:
    # pandas writes floats with repr and (since 2.0 by default, 3.0 only) reads them back
    # exactly; the resume test checks this bit for bit.
    old_pandas = int(pd.__version__.split(".")[0]) < 3
    kw: dict[str, Any] = {"float_precision": "round_trip"} if old_pandas else {}
    sidecar = path.with_name(path.name + ".json")
    if not sidecar.exists():  # a store written before the sidecar: pandas' own parsing
        return pd.read_csv(path, **kw)
    columns = json.loads(sidecar.read_text())
    dtypes = {name: (object if tags is not None else dtype) for name, dtype, tags in columns}
    nans = {name: [""] for name, dtype, tags in columns if tags is None and "float" in dtype}
    # The header row read and replaced by the sidecar's names: pandas would rename an empty
    # header to "Unnamed: N".
    frame = pd.read_csv(
        path,
        header=0,
        names=[name for name, _, _ in columns],
        dtype=dtypes,
        keep_default_na=False,
        na_values=nans,
        **kw,
    )
    for name, dtype, tags in columns:
        if tags is None:
            continue
        values = [_decode(raw, t) for raw, t in zip(frame[name].tolist(), tags, strict=True)]
        col = pd.Series(values, dtype=object)
        if dtype != "object":
            with contextlib.suppress(TypeError, ValueError):  # else the objects as they are
                col = col.astype(dtype)
        frame[name] = col
    return frame


def _grid_value(value: Any) -> str:
    """A grid value JSON cannot hold, as text that differs whenever the value does.

    ``repr`` serves most objects, but not all: numpy abbreviates an array's repr (8
    significant digits, "..." past 1,000 elements, both following ``np.set_printoptions``), and
    so does pandas (6 digits, elided rows), also inside the repr of an object that holds one,
    so two different values read alike and a store of one was resumed for the other; an
    object without a repr of its own shows its memory address, which differs in every process,
    so its store could never be resumed; and a set's repr follows its iteration order, which
    for strings changes with ``PYTHONHASHSEED`` in every process. Arrays are hashed whole (with
    their own shape: ``np.ascontiguousarray`` makes a 0-d array 1-d); pandas objects and
    objects whose repr shows an address, an array or an elision by their pickle (a function by
    its module and name), where they pickle; a set's elements are sorted by their own text.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            items = json.dumps(value.tolist(), sort_keys=True, default=_grid_value)
            return f"numpy.ndarray(dtype=object, shape={value.shape}, values={items})"
        data = np.ascontiguousarray(value)
        digest = hashlib.sha256(data.tobytes()).hexdigest()
        dtype = np.lib.format.dtype_to_descr(data.dtype)
        return f"numpy.ndarray(dtype={dtype!r}, shape={value.shape}, sha256={digest})"
    if isinstance(value, set | frozenset):
        members = sorted(json.dumps(v, sort_keys=True, default=_grid_value) for v in value)
        return f"{type(value).__name__}([{', '.join(members)}])"
    text = repr(value)
    if (
        isinstance(value, pd.Series | pd.DataFrame | pd.Index)
        or " at 0x" in text
        or "array(" in text
        or "..." in text
    ):
        try:
            digest = hashlib.sha256(pickle.dumps(value, protocol=4)).hexdigest()
        except Exception:  # a lambda, a local function: its address is all there is
            return text
        return f"{type(value).__module__}.{type(value).__qualname__}(pickle sha256={digest})"
    return text


def _identity(function, cells, replicates, root) -> dict:
    """What makes a sweep: its function's name, its cells, replicates and root seed.

    ``fingerprint`` hashes the payload of the first store format, so that stores written
    before the manifest recorded the parts still resume.
    """
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"
    payload = json.dumps(
        {
            "function": name,
            "cells": cells,
            "replicates": replicates,
            "entropy": str(root.entropy),
            "spawn_key": list(root.spawn_key),
        },
        sort_keys=True,
        default=_grid_value,
    )
    cells_json = json.dumps(cells, sort_keys=True, default=_grid_value)
    entropy = root.entropy
    return {
        "fingerprint": hashlib.sha256(payload.encode()).hexdigest(),
        "function": name,
        "cells": hashlib.sha256(cells_json.encode()).hexdigest(),
        "n_cells": len(cells),
        "replicates": replicates,
        "entropy": entropy if isinstance(entropy, int) else str(entropy),
        "spawn_key": list(root.spawn_key),
    }


def _difference(path: Path, old: dict, new: dict) -> str:
    """Say which of function, grid, replicates or seed differs from the store's sweep."""
    head = f"store {path} holds a different sweep"
    recorded = old.get("identity")
    if not isinstance(recorded, dict):
        return f"{head} (other function, grid, replicates or seed); use a new folder"
    parts = []
    if recorded.get("function") != new["function"]:
        parts.append(f"function {recorded.get('function')}, not {new['function']}")
    if recorded.get("cells") != new["cells"]:
        parts.append(f"another grid ({recorded.get('n_cells')} cells there, {new['n_cells']} here)")
    if recorded.get("replicates") != new["replicates"]:
        parts.append(f"replicates={recorded.get('replicates')}, not {new['replicates']}")
    if (recorded.get("entropy"), recorded.get("spawn_key")) != (
        new["entropy"],
        new["spawn_key"],
    ):
        was = _seed_call(recorded.get("entropy"), recorded.get("spawn_key"))
        if old.get("seed_was_none"):
            was = f"seed=None, which drew {was}"
        parts.append(f"another seed (it was written with {was}; pass that to resume it)")
    return f"{head}: {'; '.join(parts) or 'other settings'}; use a new folder or resume it"
