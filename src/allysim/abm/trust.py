"""Trust between partners as arrays: three kinds, learned by Beta-Bernoulli updating, and stages.

Each direction of a partnership (what A believes of B) holds, per kind of trust, the two
parameters of a Beta distribution; trust is its mean ``alpha / (alpha + beta)``. Evidence arrives
each round from what the observer *perceived*:

* competence trust: when the partner was seen contributing, did the contribution deliver value
  (the partner's capability is the chance it does)?
* contractual trust: did the partner contribute as agreed?
* goodwill trust: a perceived contribution is evidence for, weighted by how little the
  mechanisms explain it (attribution discounting: weight ``1 - attribution_discount * d``, ``d``
  the share of the partner's temptation to withhold that sanctions, bonds or profit sharing
  remove; Kelley 1973, Malhotra & Murnighan 2002); withholding while the observer contributed
  (a betrayal) is evidence against at full weight. Enforcement so slows goodwill without ruling
  it out (contracts and relational trust as complements, Poppo & Zenger 2002).

Old evidence fades by ``forgetting`` each round, so trust can fall as well as rise. The prior's
pseudo-observations fade with it (unlike the fixed base ``1 + 1`` of the beta reputation system
of Josang & Ismail 2002), so a belief observed every round holds about ``1 / (1 - forgetting)``
observations and an unbroken record drives trust towards 0 or 1.

Partnerships move through the stages of :data:`STAGES` as the weakest trust passes each stage's
threshold, and drop a stage on a betrayal; institutionalized partnerships absorb an isolated error.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = [
    "KINDS",
    "STAGES",
    "Stage",
    "TrustKind",
    "trust_mean",
    "update_beta",
]


class TrustKind(IntEnum):
    """The three kinds of trust (axis 2 of the trust arrays).

    Competence (can the partner deliver?), contractual (does it keep its word?) and goodwill
    (would it refrain from exploiting us?), after Sako (1992, *Prices, Quality and Trust*).

    Examples
    --------
    >>> TrustKind.GOODWILL.value, KINDS
    (2, ('competence', 'contractual', 'goodwill'))
    """

    COMPETENCE = 0
    CONTRACTUAL = 1
    GOODWILL = 2


class Stage(IntEnum):
    """Stages of a partnership, in the order they are reached.

    Examples
    --------
    >>> Stage.VERIFICATION < Stage.INSTITUTIONALIZATION, STAGES[Stage.EXPANSION]
    (True, 'expansion')
    """

    ASSESSMENT = 0
    VERIFICATION = 1
    REINFORCEMENT = 2
    EXPANSION = 3
    INSTITUTIONALIZATION = 4


KINDS = tuple(k.name.lower() for k in TrustKind)
STAGES = tuple(s.name.lower() for s in Stage)


def trust_mean(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Trust as the mean of the Beta belief, in [0, 1].

    Parameters
    ----------
    alpha : numpy.ndarray
        Beta-distribution successes (> 0).
    beta : numpy.ndarray
        Beta-distribution failures (> 0), broadcastable with ``alpha``.

    Returns
    -------
    numpy.ndarray
        ``alpha / (alpha + beta)``.

    Examples
    --------
    >>> float(trust_mean(np.array(3.0), np.array(1.0)))
    0.75
    """
    return alpha / (alpha + beta)


def update_beta(
    alpha: np.ndarray,
    beta: np.ndarray,
    evidence: np.ndarray,
    observed: np.ndarray | bool,
    *,
    forgetting: float,
    weight: np.ndarray | float = 1.0,
) -> None:
    """In place: fade old evidence where ``observed``, then add ``weight`` to alpha or beta.

    Where nothing was observed the belief is left as it is.

    Parameters
    ----------
    alpha : numpy.ndarray
        Beta-distribution successes (may be a strided view); updated in place.
    beta : numpy.ndarray
        Beta-distribution failures, same shape; updated in place.
    evidence : numpy.ndarray
        True adds to alpha (trustworthy), False to beta.
    observed : numpy.ndarray or bool
        Where something was observed; True means everywhere.
    forgetting : float
        Factor in (0, 1] that multiplies old evidence where observed.
    weight : numpy.ndarray or float
        Weight of the new evidence (default 1).

    Returns
    -------
    None

    Examples
    --------
    >>> a, b = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    >>> update_beta(a, b, np.array([True, False]), np.array([True, True]), forgetting=1.0)
    >>> a.tolist(), b.tolist()
    ([2.0, 1.0], [1.0, 2.0])
    """
    if observed is True:
        alpha *= forgetting
        beta *= forgetting
        w = weight
    else:
        fade = np.where(observed, forgetting, 1.0)
        alpha *= fade
        beta *= fade
        w = np.where(observed, weight, 0.0)
    alpha += np.where(evidence, w, 0.0)
    beta += np.where(evidence, 0.0, w)
