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


class _Store:
    """A folder of part files, each written to a temporary name and renamed into place."""

    def __init__(self, path, fingerprint: str, fmt: str) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        manifest = self.path / "sweep.json"
        if manifest.exists():
            old = json.loads(manifest.read_text())
            if old.get("fingerprint") != fingerprint:
                raise ValueError(
                    f"store {self.path} holds a different sweep (other function, grid, "
                    "replicates or seed); use a new folder"
                )
        else:
            self._atomic_write(manifest, json.dumps({"fingerprint": fingerprint}).encode())
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


def _fingerprint(function, cells, replicates, root) -> str:
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
    return hashlib.sha256(payload.encode()).hexdigest()
