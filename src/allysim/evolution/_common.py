"""Validation shared by the evolution modules: payoff matrices, simplex points, rules."""

from __future__ import annotations

from typing import Literal

import numpy as np

from allysim._validation import (
    as_float_array,
    check_int,
    check_nonnegative,
)

Rule = Literal["fermi", "moran"]
# The rules of the well-mixed fixation probabilities and simulation: "moran" is the birth-death
# Moran process, "moran_db" its death-birth variant, "wright_fisher" non-overlapping generations.
# Other functions (the stationary distributions) keep to Rule.
PopulationRule = Literal["fermi", "moran", "moran_db", "wright_fisher"]


def _payoff_matrix(a, name: str = "payoff_matrix") -> np.ndarray:
    arr = as_float_array(a, name, shape=(None, None))
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square (strategy vs strategy), got {arr.shape}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one strategy")
    return arr


def _simplex_point(x, n: int, name: str) -> np.ndarray:
    arr = as_float_array(x, name, shape=(n,))
    if np.any(arr < 0) or abs(arr.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"{name} must lie on the simplex (non-negative shares summing to 1), got sum "
            f"{arr.sum():.6g} and minimum {arr.min():.3g}"
        )
    return arr


def _population(z) -> int:
    return check_int(z, "population", minimum=2)


def _selection(beta, rule: str) -> float:
    beta = check_nonnegative(beta, "selection")
    if rule in ("moran", "moran_db", "wright_fisher") and beta > 1:
        raise ValueError(f"selection must lie in [0, 1] for rule={rule!r}, got {beta!r}")
    return beta


def _choice(value, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(allowed)}, got {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _rule(rule: str) -> Rule:
    _choice(rule, "rule", ("fermi", "moran"))
    if rule == "fermi":
        return "fermi"
    if rule == "moran":
        return "moran"
    raise ValueError(f"rule must be 'fermi' or 'moran', got {rule!r}")


def _population_rule(rule: str) -> PopulationRule:
    _choice(rule, "rule", ("fermi", "moran", "moran_db", "wright_fisher"))
    if rule in ("fermi", "moran"):
        return _rule(rule)
    if rule == "moran_db":
        return "moran_db"
    return "wright_fisher"
