"""What the trust model derives from its parameters once: strategies and mechanism settings."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim.abm.params import TrustParams
from allysim.games import StageGame, partnership_game
from allysim.mechanisms import Bond, Mechanism, Sanction, apply
from allysim.strategies import FiniteStateStrategy, MemoryOne, machine_tables, named

__all__ = ["Settings", "StrategySet"]

# Largest payoff scale (per round, stake included) accepted: sums over 10**6 partnerships and
# 10**9 steps stay far below the float64 maximum (about 1.8e308).
_MAX_PAYOFF = 1e100


class StrategySet:
    """The strategies organizations may use, as finite-state machine tables.

    Parameters
    ----------
    params : TrustParams
        The model's parameters (``strategies``, and ``benefit``, ``cost``, ``synergy`` for the
        strategies tuned to the game, such as GTFT).

    Attributes
    ----------
    objects : list
        The strategy objects.
    names : tuple of str
        Their names, distinct.
    out : numpy.ndarray
        Chance to contribute in each machine state (all strategies' states stacked).
    next : numpy.ndarray
        ``next[state, own move, partner's move]`` (0: contribute), the next state.
    start : numpy.ndarray
        Start state of each strategy.

    Examples
    --------
    >>> StrategySet(TrustParams(strategies=["ALLC", "TFT"])).names
    ('ALLC', 'TFT')
    """

    def __init__(self, params: TrustParams) -> None:
        self._params = params
        game = partnership_game(params.benefit, params.cost, params.synergy)
        self.objects = [
            self._named(s, game) if isinstance(s, str) else s for s in params.strategies
        ]
        self.names = tuple(s.name for s in self.objects)
        if len(set(self.names)) != len(self.objects):
            raise ValueError(f"strategies must have distinct names, got {self.names}")
        self.out, self.next, self.start = machine_tables(self.objects)

    def _named(self, name: str, game: StageGame) -> MemoryOne | FiniteStateStrategy:
        """A strategy by name; GTFT's tuning to the game gets a message naming the game's values."""
        if name.strip().upper() != "GTFT":
            try:
                return named(name, game)
            except ValueError as exc:
                raise ValueError(f"strategies: {exc}") from None
        try:
            return named(name, game)
        except ValueError:
            b, c, s = self._params.benefit, self._params.cost, self._params.synergy
            low = max(c - b, (c - b) / 2)
            raise ValueError(
                "strategy GTFT (one of the default strategies) needs a partnership game that is a "
                "dilemma, where its generosity is a probability: synergy must lie in "
                f"[max(cost - benefit, (cost - benefit) / 2), cost] = [{low:g}, {c:g}], got "
                f"benefit={b:g}, cost={c:g}, synergy={s:g}; change synergy, benefit or cost, or "
                "pass strategies without 'GTFT'"
            ) from None

    def initial(self, rng: np.random.Generator) -> np.ndarray:
        """Each organization's strategy index at the start.

        From ``initial_strategies`` when given, else drawn from ``initial_shares`` (uniform by
        default).

        Parameters
        ----------
        rng : numpy.random.Generator
            Randomness (used only when the strategies are drawn).

        Returns
        -------
        numpy.ndarray
            ``n_organizations`` indices into :attr:`names`.

        Examples
        --------
        >>> s = StrategySet(TrustParams(n_organizations=3, strategies=["ALLC", "TFT"],
        ...                             capacity=1, initial_strategies=["TFT", 0, 1]))
        >>> s.initial(np.random.default_rng(0)).tolist()
        [1, 0, 1]
        """
        p = self._params
        k = len(self.objects)
        if p.initial_strategies is not None:
            return self._assigned(p.initial_strategies, k)
        probs = np.full(k, 1.0 / k) if p.initial_shares is None else np.array(p.initial_shares)
        return rng.choice(k, size=p.n_organizations, p=probs)

    def _assigned(self, assigned: Any, k: int) -> np.ndarray:
        n = self._params.n_organizations
        if isinstance(assigned, str | bytes) or not isinstance(assigned, Sequence | np.ndarray):
            raise TypeError(
                "initial_strategies must be a sequence of strategy indices or names, got "
                f"{type(assigned).__name__}"
            )
        if len(assigned) != n:
            raise ValueError(
                f"initial_strategies must name {n} strategies (one per organization), got "
                f"{len(assigned)}"
            )
        index = {name: i for i, name in enumerate(self.names)}
        chosen = np.empty(n, dtype=np.int64)
        for i, x in enumerate(assigned):
            if isinstance(x, str):
                if x not in index:
                    raise ValueError(
                        f"initial_strategies names an unknown strategy {x!r}; known: "
                        f"{', '.join(self.names)}"
                    )
                chosen[i] = index[x]
            elif isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_):
                if not 0 <= int(x) < k:
                    raise ValueError(
                        f"initial_strategies indices must lie in [0, {k - 1}], got {x!r}"
                    )
                chosen[i] = int(x)
            else:
                raise TypeError(
                    "initial_strategies entries must be integer indices or strategy names, got "
                    f"{x!r} ({type(x).__name__})"
                )
        return chosen


@dataclass(frozen=True)
class Settings:
    """The play settings once the mechanisms have acted on the parameters.

    Parameters
    ----------
    mechanisms : tuple
        The mechanisms, as :func:`allysim.mechanisms.apply` returned them.
    continuation : float
        Chance a partnership goes on after a step (ShadowOfFuture sets it).
    perception_noise : float
        Base chance to misread a move (Monitoring sets it).
    clarity : float
        Share of misreading that communication removes (Communication).
    visibility : float
        How much of a candidate's record is seen (Reputation sets it).
    settling : tuple
        The mechanisms that settle each round: those that change payoffs (Sanction, Bond,
        ProfitSharing and any user-defined mechanism that overrides ``transform``).

    Examples
    --------
    >>> Settings.of(TrustParams()).continuation
    0.9
    """

    mechanisms: tuple
    continuation: float
    perception_noise: float
    clarity: float
    visibility: float
    settling: tuple

    @classmethod
    def of(cls, params: TrustParams) -> Settings:
        """The settings that ``params.mechanisms`` give ``params``.

        Parameters
        ----------
        params : TrustParams
            The model's parameters.

        Returns
        -------
        Settings
            The settings; raises ValueError when payoff scales would overflow.

        Examples
        --------
        >>> from allysim.mechanisms import ShadowOfFuture
        >>> Settings.of(TrustParams(mechanisms=[ShadowOfFuture(0.99)])).continuation
        0.99
        """
        p = params
        setup = apply(
            partnership_game(p.benefit, p.cost, p.synergy),
            p.mechanisms,
            continuation=p.continuation if p.continuation < 1 else None,
            perception_noise=p.perception_noise,
        )
        has_reputation = any(m.kind == "reputation" for m in setup.mechanisms)
        out = cls(
            mechanisms=tuple(setup.mechanisms),
            continuation=1.0 if setup.continuation is None else setup.continuation,
            perception_noise=setup.perception_noise,
            clarity=setup.clarity,
            visibility=setup.visibility if has_reputation else p.visibility,
            # Every mechanism that changes payoffs settles each round, user-defined ones
            # included (those that only change settings act through them instead).
            settling=tuple(m for m in setup.mechanisms if _changes_payoffs(m)),
        )
        out._check_magnitudes(p)
        return out

    def _check_magnitudes(self, p: TrustParams) -> None:
        """Refuse payoff scales whose sums over partnerships and steps would overflow to inf."""
        sizes = {"benefit": p.benefit, "cost": p.cost, "synergy": abs(p.synergy)}
        for m in self.settling:
            if isinstance(m, Sanction):
                sizes["Sanction fine"] = m.fine
                sizes["Sanction enforcement_cost"] = m.enforcement_cost
            elif isinstance(m, Bond):
                sizes["Bond stake"] = m.stake
        top = max(p.stake_levels)
        worst = max(sizes, key=lambda k: sizes[k])
        if sizes[worst] * top > _MAX_PAYOFF:
            listed = ", ".join(f"{k}={v:g}" for k, v in sizes.items())
            raise ValueError(
                "benefit, cost, |synergy| and mechanism fines, stakes and enforcement costs times "
                f"the largest of stake_levels ({top:g}) must stay at most {_MAX_PAYOFF:g}, or "
                f"payoff sums overflow; got {listed}"
            )


def _changes_payoffs(mechanism: Mechanism) -> bool:
    """Whether a mechanism transforms the stage game (overrides ``Mechanism.transform``)."""
    return type(mechanism).transform is not Mechanism.transform
