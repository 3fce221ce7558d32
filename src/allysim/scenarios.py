"""The named scenarios and strategy sets that the CLI, the comparison, the notebooks and the
benchmarks share: one home for each registry, so a scenario means the same thing everywhere.

Mechanism scenarios come in two families:

* ``comparison_scenarios`` for ``compare_mechanisms`` and ``allysim compare``: every scenario
  starts from continuation 0.3 and perception noise 0.05 and changes one thing.
* ``trust_scenarios`` for the trust model (``allysim trust`` and the demo): every scenario
  that adds a mechanism keeps the reference continuation ``BASE_SHADOW`` of ``short-shadow``;
  ``long-shadow`` varies the shadow of the future alone. ``TRUST_SCENARIO_NOTES`` says what
  each one varies.
"""

from __future__ import annotations

from allysim.games import StageGame
from allysim.mechanisms import (
    Bond,
    Mechanism,
    Monitoring,
    ProfitSharing,
    Sanction,
    ShadowOfFuture,
)
from allysim.strategies import (
    ALLC,
    ALLD,
    CLASSIC,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    Strategy,
    extortionate,
)

__all__ = [
    "BASE_SHADOW",
    "DEFAULT_TRUST_SCENARIOS",
    "EVOLUTION_STRATEGIES",
    "LONG_SHADOW",
    "TRUST_MODEL_STRATEGIES",
    "TRUST_SCENARIO_NOTES",
    "comparison_scenarios",
    "comparison_strategies",
    "tournament_strategies",
    "trust_scenarios",
]

#: Continuation of every trust scenario except those that vary the shadow of the future.
BASE_SHADOW = 0.5
#: Continuation of the trust scenarios that lengthen the shadow of the future.
LONG_SHADOW = 0.99

#: What each trust scenario varies, relative to which reference scenario.
TRUST_SCENARIO_NOTES = {
    "short-shadow": f"reference: continuation {BASE_SHADOW:g}, no mechanism",
    "long-shadow": f"vs short-shadow: continuation {LONG_SHADOW:g} instead of {BASE_SHADOW:g}",
    "monitoring": "vs short-shadow: + monitoring (perception noise 0.01)",
    "sanctions": "vs short-shadow: + sanction (fine 3, detection 0.8)",
    "bonds": "vs short-shadow: + bond (stake 3, detection 0.8)",
    "profit-sharing": "vs short-shadow: + profit sharing (share 0.9)",
    "long-shadow+monitoring": "vs long-shadow: + monitoring (perception noise 0.01)",
}

#: Trust scenarios of ``allysim trust`` without ``--scenario``, and of ``allysim demo``.
DEFAULT_TRUST_SCENARIOS = ("short-shadow", "long-shadow", "long-shadow+monitoring")

#: Strategy names the trust model's organizations start from (``TrustModel(strategies=...)``).
TRUST_MODEL_STRATEGIES = ("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT")

#: Strategy names of ``allysim evolve`` without ``--strategies``.
EVOLUTION_STRATEGIES = ("ALLC", "ALLD", "TFT", "WSLS")


def tournament_strategies(game: StageGame) -> list[Strategy]:
    """The entrants of ``allysim tournament`` and the demo's tournament.

    Parameters
    ----------
    game : StageGame
        The stage game (GTFT's generosity and the extortioner depend on it).

    Returns
    -------
    list of strategies
        The classic zoo, RANDOM(0.5) and an extortionate zero-determinant strategy.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> [s.name for s in tournament_strategies(PrisonersDilemma())][-2:]
    ['RANDOM(0.5)', 'EXTORT(3)']
    """
    return [*CLASSIC, RANDOM(0.5), extortionate(game)]


def comparison_strategies(game: StageGame) -> list[Strategy]:
    """The strategies ``compare_mechanisms`` uses unless told otherwise (GTFT tuned to ``game``).

    Parameters
    ----------
    game : StageGame
        A prisoner's dilemma (GTFT's generosity depends on its payoffs).

    Returns
    -------
    list of strategies
        ALLC, ALLD, TFT, STFT, GRIM, WSLS, TF2T and GTFT.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> [s.name for s in comparison_strategies(PrisonersDilemma())][:4]
    ['ALLC', 'ALLD', 'TFT', 'STFT']
    """
    return [ALLC, ALLD, TFT, STFT, GRIM, WSLS, TF2T, GTFT(game)]


def comparison_scenarios() -> dict[str, list[Mechanism]]:
    """The scenarios of ``compare_mechanisms`` and ``allysim compare`` (fresh objects per call).

    Every scenario starts from the same base settings of ``compare_mechanisms`` (by default
    continuation 0.3: partnerships last 1 / (1 - 0.3) = 1.4 rounds on average, too short for
    reciprocity to pay; perception noise 0.05) and changes one thing:

    * ``baseline``: nothing.
    * ``long shadow``: the shadow of the future itself, continuation 0.95 (20 rounds).
    * ``monitoring``: perception noise 0.05 -> 0.01.
    * ``sanctions``: fine 3 at detection 0.8 (threshold 2.5), enforcement cost 0.5 per detected
      defection.
    * ``bonds``: stake 3 at detection 0.8 (threshold 2.5), half the forfeit salvaged by the
      partner: the same incentive as the sanction, paid for by lost stakes instead of
      enforcement.
    * ``profit sharing``: share 0.9 of the joint result (threshold 0.8).
    * ``shadow + monitoring``: continuation 0.9 and perception noise 0.01 together.
    * ``light sanction + sharing``: fine 1.5 and share 0.4, each below its own threshold
      (2.5 and 0.8). Together they make contributing the best reply to a contributor in the
      stage game (R = 1.5 > T' = 1.04), which neither does alone (T' = 1.8 and 2.0), though
      contributing still does not dominate (S' = -1.24 < P' = -1.2).

    Returns
    -------
    dict of str to list of Mechanism
        Scenario name to the mechanisms applied, in order.

    Examples
    --------
    >>> list(comparison_scenarios())[:3]
    ['baseline', 'long shadow', 'monitoring']
    """
    return {
        "baseline": [],
        "long shadow": [ShadowOfFuture(0.95)],
        "monitoring": [Monitoring(0.01)],
        "sanctions": [Sanction(fine=3.0, detection=0.8, enforcement_cost=0.5)],
        "bonds": [Bond(stake=3.0, detection=0.8, salvage=0.5)],
        "profit sharing": [ProfitSharing(0.9)],
        "shadow + monitoring": [ShadowOfFuture(0.9), Monitoring(0.01)],
        "light sanction + sharing": [
            Sanction(fine=1.5, detection=0.8, enforcement_cost=0.5),
            ProfitSharing(0.4),
        ],
    }


def trust_scenarios() -> dict[str, tuple[Mechanism, ...]]:
    """The mechanism scenarios of the trust model (``allysim trust`` and the demo).

    Every scenario that adds a mechanism keeps the reference continuation ``BASE_SHADOW``
    (0.5) of ``short-shadow``, so it differs from it in that one mechanism alone;
    ``long-shadow`` changes only the continuation (to ``LONG_SHADOW``, 0.99), and
    ``long-shadow+monitoring`` adds monitoring to ``long-shadow``. ``TRUST_SCENARIO_NOTES``
    says what each one varies.

    Returns
    -------
    dict of str to tuple of Mechanism
        Scenario name to the mechanisms passed to ``allysim.abm.TrustModel`` (fresh objects on
        each call).

    Examples
    --------
    >>> scenarios = trust_scenarios()
    >>> [m.continuation for m in scenarios["sanctions"] if hasattr(m, "continuation")]
    [0.5]
    >>> sorted(scenarios) == sorted(TRUST_SCENARIO_NOTES)
    True
    """
    return {
        "short-shadow": (ShadowOfFuture(BASE_SHADOW),),
        "long-shadow": (ShadowOfFuture(LONG_SHADOW),),
        "monitoring": (ShadowOfFuture(BASE_SHADOW), Monitoring(0.01)),
        "sanctions": (ShadowOfFuture(BASE_SHADOW), Sanction(fine=3, detection=0.8)),
        "bonds": (ShadowOfFuture(BASE_SHADOW), Bond(stake=3, detection=0.8)),
        "profit-sharing": (ShadowOfFuture(BASE_SHADOW), ProfitSharing(0.9)),
        "long-shadow+monitoring": (ShadowOfFuture(LONG_SHADOW), Monitoring(0.01)),
    }
