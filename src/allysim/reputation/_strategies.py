"""Resolving the strategies a population plays into action-rule arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from allysim.reputation.norms import Norm, get_norm

_FIXED = {
    "ALLC": np.ones((2, 2), dtype=np.int8),
    "ALLD": np.zeros((2, 2), dtype=np.int8),
    "DISC": np.array([[0, 1], [0, 1]], dtype=np.int8),
}


def resolve_strategies(
    strategies: Sequence[Any] | None, norm: Norm, name: str = "strategies"
) -> tuple[tuple[str, ...], np.ndarray]:
    """(labels, action rules of shape (S, 2, 2)) for ``strategies``.

    An entry is ``"ALLC"``, ``"ALLD"``, ``"DISC"`` (give to good recipients only, Nowak &
    Sigmund 1998), ``"NORM"`` (the assessment norm's own action rule), a norm or norm name
    (its action rule), or a (2, 2) 0/1 array. None means ``["NORM"]``.
    """
    if strategies is None:
        strategies = ["NORM"]
    if isinstance(strategies, str | Norm) or not isinstance(strategies, Sequence):
        raise TypeError(f"{name} must be a sequence of strategies, got {type(strategies).__name__}")
    if len(strategies) == 0:
        raise ValueError(f"{name} must name at least one strategy")
    labels: list[str] = []
    rules = []
    for i, s in enumerate(strategies):
        if isinstance(s, str) and s.upper() in _FIXED:
            labels.append(s.upper())
            rules.append(_FIXED[s.upper()])
        elif isinstance(s, str) and s.upper() == "NORM":
            labels.append(norm.name)
            rules.append(norm.action)
        elif isinstance(s, Norm | str):
            n = get_norm(s, f"{name}[{i}]")
            labels.append(n.name)
            rules.append(n.action)
        else:
            try:
                arr = np.asarray(s)
            except ValueError:  # ragged nested sequences
                arr = np.empty(0, dtype=object)
            if arr.shape != (2, 2) or arr.dtype == object:
                raise TypeError(
                    f"{name}[{i}] must be 'ALLC', 'ALLD', 'DISC', 'NORM', a Norm or a (2, 2) "
                    f"0/1 action rule, got {s!r}"
                )
            if not np.all((arr == 0) | (arr == 1)):
                raise ValueError(f"{name}[{i}] action rule entries must be 0 or 1")
            labels.append(f"rule{arr.astype(int).ravel().tolist()}")
            rules.append(arr.astype(np.int8))
    return tuple(labels), np.stack(rules).astype(np.int8)
