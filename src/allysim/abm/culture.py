"""National culture for the trust model: Hofstede's six dimensions and Kogut-Singh distance.

The profiles the model draws today (six dimensions uniform around 0.5, distance the mean absolute
difference) are not Hofstede's dimensions and the distance is ad hoc. This module is the grounded
alternative, as pure vectorised functions:

* :data:`HOFSTEDE_SCORES`, the published country scores on the six dimensions of
  :data:`HOFSTEDE_DIMENSIONS`;
* :func:`hofstede_profiles`, which gives each organization a home country and that country's
  profile, optionally with within-country variation;
* :func:`kogut_singh_index`, the cultural distance of Kogut & Singh (1988), and
  :func:`table_variances`, the variances it divides by;
* :func:`normalized_distance`, the index mapped into [0, 1) where the model needs a bounded
  distance.

Source of the scores
--------------------
Hofstede, G., Hofstede, G. J. & Minkov, M. (2010). *Cultures and Organizations: Software of the
Mind*, 3rd ed., McGraw-Hill, as released by Geert Hofstede in the dimension data matrix
``6-dimensions-for-website-2015-08-16`` (geerthofstede.com, "Dimension data matrix"; the same
country scores are shown by the Hofstede Insights country comparison). They are the published
country scores, copied without rescaling: power distance (PDI), individualism (IDV),
masculinity (MAS) and uncertainty avoidance (UAI) from the IBM studies and their replications,
long-term orientation in its World Values Survey version (LTO-WVS, Minkov) and indulgence
(IVR, Minkov). Only countries with all six scores published are included (many countries have
no LTO or IVR score), and all included scores lie in [0, 100]; a few countries outside the
table have scores above 100 (Greece's UAI is 112). In 2023 Hofstede Insights revised the
individualism scores of several countries; those revisions are not used here.

Cultural distance
-----------------
Kogut, B. & Singh, H. (1988). The effect of national culture on the choice of entry mode.
*Journal of International Business Studies* 19(3): 411-432. For countries ``a`` and ``b`` with
scores ``I_ia`` on ``d`` dimensions,

    CD = (1 / d) * sum_i (I_ia - I_ib)**2 / V_i,

``V_i`` being the variance of dimension ``i`` over the countries considered. With the sample
variances (``ddof=1``) of a set of countries, the index averaged over all pairs of distinct
countries of that set is exactly 2 (every dimension contributes ``2 V_i / V_i``), which is the
default ``scale`` of :func:`normalized_distance`.

Which drives what
-----------------
In the trust model the cultural distance of a pair drives two things: misperception (each side
misreads the other's move with an extra chance ``culture_noise * distance``) and friction on the
cooperation dividend (``synergy * (1 - culture_friction * distance)``). Both need a distance in
[0, 1], hence :func:`normalized_distance`. National culture is one reading of "culture";
partnership-practice dimensions (decision style, communication norms and the like, the model's
existing uniform profiles of ``CULTURE_DIMENSIONS`` with the mean absolute difference) are the
documented alternative, for alliances whose friction comes from organizational rather than
national culture.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_int,
    check_memory,
    check_nonnegative,
    check_real,
)

__all__ = [
    "HOFSTEDE_DIMENSIONS",
    "HOFSTEDE_SCORES",
    "hofstede_profiles",
    "kogut_singh_index",
    "normalized_distance",
    "table_variances",
]

HOFSTEDE_DIMENSIONS = (
    "power_distance",
    "individualism",
    "masculinity",
    "uncertainty_avoidance",
    "long_term_orientation",
    "indulgence",
)

# Published country scores (PDI, IDV, MAS, UAI, LTO-WVS, IVR); see the module docstring for the
# source. Names follow common English usage ("Great Britain" as in the source).
HOFSTEDE_SCORES: MappingProxyType[str, tuple[int, int, int, int, int, int]] = MappingProxyType(
    {
        "Brazil": (69, 38, 49, 76, 44, 59),
        "China": (80, 20, 66, 30, 87, 24),
        "France": (68, 71, 43, 86, 63, 48),
        "Germany": (35, 67, 66, 65, 83, 40),
        "Great Britain": (35, 89, 66, 35, 51, 69),
        "India": (77, 48, 56, 40, 51, 26),
        "Italy": (50, 76, 70, 75, 61, 30),
        "Japan": (54, 46, 95, 92, 88, 42),
        "Mexico": (81, 30, 69, 82, 24, 97),
        "Netherlands": (38, 80, 14, 53, 67, 68),
        "Russia": (93, 39, 36, 95, 81, 20),
        "South Korea": (60, 18, 39, 85, 100, 29),
        "Spain": (57, 51, 42, 86, 48, 44),
        "Sweden": (31, 71, 5, 29, 53, 78),
        "United States": (40, 91, 62, 46, 26, 68),
    }
)


def _countries(countries: Any, name: str, *, minimum: int) -> tuple[str, ...]:
    """The countries named, checked against the table (all of it for None)."""
    if countries is None:
        return tuple(HOFSTEDE_SCORES)
    if isinstance(countries, str | bytes) or not isinstance(countries, Sequence):
        raise TypeError(
            f"{name} must be a sequence of country names (e.g. ['Germany', 'Japan']) or None, "
            f"got {type(countries).__name__}"
        )
    out = tuple(countries)
    for c in out:
        if not isinstance(c, str):
            raise TypeError(f"{name} must hold country names (str), got {type(c).__name__}")
        if c not in HOFSTEDE_SCORES:
            raise ValueError(
                f"{name}: {c!r} is not in HOFSTEDE_SCORES; known countries: "
                f"{', '.join(HOFSTEDE_SCORES)}"
            )
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not name a country twice, got {list(out)}")
    if len(out) < minimum:
        raise ValueError(f"{name} must name at least {minimum} countries, got {len(out)}")
    return out


def _scores(countries: tuple[str, ...]) -> np.ndarray:
    return np.array([HOFSTEDE_SCORES[c] for c in countries], dtype=float)


def _variances(variances: Any, name: str) -> np.ndarray:
    v = as_float_array(variances, name)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array (one per dimension), got {v.shape}")
    if np.any(v <= 0):
        raise ValueError(f"{name} must be > 0 on every dimension, found {float(v[v <= 0][0])!r}")
    return v


def _profiles(value: Any, name: str, d: int) -> np.ndarray:
    arr = as_float_array(value, name)
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise ValueError(
            f"{name} must have shape (..., {d}) with the last axis matching variances, "
            f"got {arr.shape}"
        )
    return arr


def kogut_singh_index(a: Any, b: Any, variances: Any) -> float | np.ndarray:
    """Kogut-Singh cultural distance between profiles, row by row.

    ``CD = (1/d) * sum_i (a_i - b_i)**2 / V_i`` (Kogut & Singh 1988, *Journal of International
    Business Studies* 19(3): 411-432): the squared differences on each dimension, each divided
    by the variance of that dimension, averaged over the ``d`` dimensions.

    Parameters
    ----------
    a : array_like
        Profiles of shape ``(..., d)`` (score points, e.g. rows of :data:`HOFSTEDE_SCORES`).
    b : array_like
        Profiles of shape ``(..., d)``; its leading axes broadcast against those of ``a``.
    variances : array_like
        Shape ``(d,)``, the variance ``V_i`` of each dimension (squared score points), every one
        > 0; usually :func:`table_variances`.

    Returns
    -------
    float or numpy.ndarray
        The index (>= 0, dimensionless), a float when ``a`` and ``b`` are single profiles, else
        an array of the broadcast leading shape.

    Examples
    --------
    >>> from allysim.abm.culture import HOFSTEDE_SCORES, table_variances
    >>> v = table_variances()
    >>> kogut_singh_index(HOFSTEDE_SCORES["Japan"], HOFSTEDE_SCORES["Japan"], v)
    0.0
    >>> kogut_singh_index([0.0, 0.0], [[1.0, 2.0], [3.0, 0.0]], [1.0, 4.0])
    array([1. , 4.5])
    """
    v = _variances(variances, "variances")
    x = _profiles(a, "a", v.size)
    y = _profiles(b, "b", v.size)
    try:
        lead = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    except ValueError:
        raise ValueError(
            f"a and b must have leading shapes that broadcast, got {x.shape} and {y.shape}"
        ) from None
    check_memory(
        8.0 * v.size * int(np.prod(lead, dtype=float)),
        "a, b",
        hint="compute the distance for fewer pairs at a time",
    )
    out = np.mean((x - y) ** 2 / v, axis=-1)
    return float(out) if out.ndim == 0 else out


def table_variances(countries: Sequence[str] | None = None, ddof: int = 1) -> np.ndarray:
    """The variance of each Hofstede dimension over countries of :data:`HOFSTEDE_SCORES`.

    Kogut & Singh (1988) divide each squared difference by the variance of that dimension over
    the countries considered; this is that variance over the table (or the ``countries`` given).

    Parameters
    ----------
    countries : sequence of str or None, optional
        Countries of the table to take the variance over, at least ``ddof + 1`` of them, none
        twice. Default None: every country in the table.
    ddof : int, optional
        Delta degrees of freedom, 0 or 1: 1 (the default) gives the sample variance, with which
        the index averaged over pairs of distinct countries is exactly 2; 0 the population
        variance, smaller by ``(k - 1) / k`` for ``k`` countries, which multiplies every index
        by ``k / (k - 1)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(6,)``, in the order of :data:`HOFSTEDE_DIMENSIONS`, squared score points.

    Raises
    ------
    ValueError
        If a dimension has zero variance over the countries given (the index is undefined).

    Examples
    --------
    >>> table_variances(["Germany", "Japan"]).round(1)
    array([180.5, 220.5, 420.5, 364.5,  12.5,   2. ])
    """
    ddof = check_int(ddof, "ddof", minimum=0)
    if ddof > 1:
        raise ValueError(f"ddof must be 0 or 1, got {ddof!r}")
    names = _countries(countries, "countries", minimum=ddof + 1)
    v = _scores(names).var(axis=0, ddof=ddof)
    if np.any(v == 0):
        flat = [HOFSTEDE_DIMENSIONS[i] for i in np.flatnonzero(v == 0)]
        raise ValueError(
            f"countries: every country given has the same score on {', '.join(flat)}, so its "
            "variance is 0 and the Kogut-Singh index is undefined; give more countries"
        )
    return v


def normalized_distance(
    profiles_a: Any, profiles_b: Any, variances: Any, scale: float = 2.0
) -> float | np.ndarray:
    """The Kogut-Singh index mapped into [0, 1): ``CD / (CD + scale)``.

    The model uses cultural distance as a chance (misperception) and as a share of the dividend
    lost (friction), so it needs a bounded distance; this map is 0 for identical profiles,
    increases strictly with the index and approaches 1 for very distant ones. ``scale`` is the
    index at which the distance is 0.5. No distance reaches 1, so ``culture_noise`` and
    ``culture_friction`` up to 1 keep chances and dividends valid.

    Parameters
    ----------
    profiles_a : array_like
        Profiles of shape ``(..., d)`` in score points.
    profiles_b : array_like
        Profiles of shape ``(..., d)``, leading axes broadcasting against ``profiles_a``.
    variances : array_like
        Shape ``(d,)``, the variance of each dimension, every one > 0 (see
        :func:`table_variances`).
    scale : float, optional
        The index at which the distance is 0.5, > 0 (dimensionless). Default 2.0, the average
        index over pairs of distinct countries when ``variances`` are the sample variances of
        those countries (so a typical pair of countries sits near the middle of the range).

    Returns
    -------
    float or numpy.ndarray
        Distances in [0, 1), a float for single profiles, else an array of the broadcast leading
        shape.

    Examples
    --------
    >>> normalized_distance([0.0, 0.0], [[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]], [1.0, 1.0])
    array([0. , 0.5, 0.8])
    """
    s = check_real(scale, "scale")
    if s <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    cd = kogut_singh_index(profiles_a, profiles_b, variances)
    return cd / (cd + s)


def hofstede_profiles(
    n: int,
    countries: Sequence[str] | None = None,
    weights: Any = None,
    spread: float = 0.0,
    rng: SeedLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Give each of ``n`` organizations a home country and that country's Hofstede profile.

    Each organization's country is drawn independently, uniformly among ``countries`` or in
    proportion to ``weights``; its profile is the country's published scores
    (:data:`HOFSTEDE_SCORES`) plus, when ``spread > 0``, independent Gaussian noise of standard
    deviation ``spread`` on each dimension for the variation between organizations of one
    country. The noise is not clipped or truncated: a profile may leave [0, 100], as published
    scores themselves do for some countries (the Hofstede scales are not bounded at 100), and
    the Kogut-Singh index needs no bound.

    Parameters
    ----------
    n : int
        Number of organizations, >= 0.
    countries : sequence of str or None, optional
        Countries to draw from, names of :data:`HOFSTEDE_SCORES`, none twice. Default None:
        every country in the table, in its order.
    weights : array_like or None, optional
        Relative weights of ``countries`` (same length, each >= 0, sum > 0), divided by their
        sum to give the chances. Default None: equal chances.
    spread : float, optional
        Standard deviation of the within-country noise in score points, >= 0. Default 0.0:
        every organization has exactly its country's scores.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, optional
        Source of randomness; an int or SeedSequence gives the same result on every call, a
        Generator is advanced. Default None: fresh entropy.

    Returns
    -------
    tuple of numpy.ndarray
        ``(country, profiles)``: ``country`` of shape ``(n,)`` (int64) indexes ``countries``
        (the table's order for None); ``profiles`` of shape ``(n, 6)`` (float, score points)
        in the order of :data:`HOFSTEDE_DIMENSIONS`.

    Examples
    --------
    >>> country, prof = hofstede_profiles(3, countries=["Japan", "Sweden"], weights=[1, 0], rng=0)
    >>> country
    array([0, 0, 0])
    >>> prof[0]
    array([54., 46., 95., 92., 88., 42.])
    >>> _, noisy = hofstede_profiles(1000, spread=5.0, rng=1)
    >>> noisy.shape
    (1000, 6)
    """
    n = check_int(n, "n", minimum=0)
    names = _countries(countries, "countries", minimum=1)
    sd = check_nonnegative(spread, "spread")
    k = len(names)
    p = None
    if weights is not None:
        w = as_float_array(weights, "weights", shape=(k,))
        if np.any(w < 0):
            raise ValueError(f"weights must be >= 0, found {float(w[w < 0][0])!r}")
        total = w.sum()
        if not 0 < total < np.inf:
            raise ValueError(
                f"weights must have a finite sum > 0 (at least one country with weight > 0), "
                f"got a sum of {total!r}"
            )
        p = w / total
    gen = as_generator(rng, "rng")
    check_memory(8.0 * 7 * n, "n", hint="draw the organizations in smaller batches or lower n")
    country = gen.integers(k, size=n) if p is None else gen.choice(k, size=n, p=p)
    country = country.astype(np.int64, copy=False)
    profiles = _scores(names)[country]
    if sd > 0:
        profiles = profiles + gen.normal(0.0, sd, size=profiles.shape)
    return country, profiles
