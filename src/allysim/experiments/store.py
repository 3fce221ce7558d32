"""The store of a sweep: a folder of part files that a rerun of the same sweep resumes from."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

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
            # pandas writes floats with repr and (since 2.0 by default, 3.0 only) reads them back
            # exactly; the resume test checks this bit for bit.
            old_pandas = int(pd.__version__.split(".")[0]) < 3
            kw: dict[str, Any] = {"float_precision": "round_trip"} if old_pandas else {}
            frames = [pd.read_csv(f, **kw) for f in files]
        return pd.concat(frames, ignore_index=True)

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        frame = pd.DataFrame(rows)
        first = int(frame["cell"].min()), int(frame["replicate"].min())
        name = f"part-{first[0]:09d}-{first[1]:06d}-{time.time_ns()}-{self._parts}.{self.fmt}"
        self._parts += 1
        if self.fmt == "parquet":
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            data = buf.getvalue()
        else:
            data = frame.to_csv(index=False).encode()
        self._atomic_write(self.path / name, data)


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
        default=repr,
    )
    cells_json = json.dumps(cells, sort_keys=True, default=repr)
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
