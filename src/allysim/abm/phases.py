"""The phases of a trust-model step that act on the partnerships in place.

Each phase is a small object with one job, built on the model whose arrays it updates:

* :class:`Play`: every active partnership plays one round; returns a :class:`RoundOutcome`.
* :class:`LearnTrust`: Beta-Bernoulli learning of the three kinds of trust from the outcome.
* :class:`AdvanceStages`: promotion past stage thresholds, demotion on betrayal.
* :class:`Exit`: partnerships end on low contractual trust or by chance.

Partner search and imitation are in :mod:`allysim.abm.search` and
:mod:`allysim.abm.imitation`. Phases read ``model.params`` at each call, so a replaced
:class:`~allysim.abm.TrustParams` takes effect from the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from allysim.abm._compiled import kernels, use_numba
from allysim.abm.components import Part, PlayedRound
from allysim.abm.ledger import Ledger, stake_array
from allysim.abm.payoffs import partnership_payoff
from allysim.abm.trust import Stage, TrustKind, trust_mean, update_beta
from allysim.kernels import play_round
from allysim.mechanisms import settle_round

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["AdvanceStages", "Exit", "LearnTrust", "Play", "RoundOutcome"]

_NO_FLAGS = np.zeros((0, 2), dtype=bool)
_NO_COOP = np.zeros((0, 2))
_NO_FLOATS = np.zeros(0)
# The bit masks of the compiled loops' selects (an argument, so that LLVM cannot see their
# values and turn the selects back into branches).
_MASKS = np.array([0, -1], dtype=np.int64)


@dataclass(frozen=True)
class RoundOutcome:
    """What happened in one round of every active partnership.

    Parameters
    ----------
    n : int
        Number of partnerships that played (the active rows ``[:n]``).
    contributed : numpy.ndarray
        (n, 2) bool: whether side 0 (``pa``) and side 1 (``pb``) contributed.
    seen : numpy.ndarray
        (n, 2) bool: whether side 0 saw its partner contribute, and side 1 likewise.
    welfare : numpy.ndarray
        (n,) mean payoff of the two partners minus enforcement costs, per partnership.
    resolved : numpy.ndarray or None, default None
        (n, 2) bool: perceived betrayals that governance resolved (they do not demote and count
        ``resolved_weight`` as trust evidence); None: none.
    resolved_weight : float, default 1.0
        Weight of a resolved betrayal as trust evidence.

    Examples
    --------
    >>> o = RoundOutcome(1, np.array([[True, True]]), np.array([[False, True]]), np.zeros(1))
    >>> o.betrayed.tolist(), o.moves.tolist()
    ([[True, False]], [True, True])
    """

    n: int
    contributed: np.ndarray
    seen: np.ndarray
    welfare: np.ndarray
    resolved: np.ndarray | None = None
    resolved_weight: float = 1.0

    @classmethod
    def empty(cls) -> RoundOutcome:
        """The outcome of a round with no partnership.

        Returns
        -------
        RoundOutcome
            With ``n = 0`` and empty arrays.

        Examples
        --------
        >>> RoundOutcome.empty().n
        0
        """
        none = np.zeros((0, 2), dtype=bool)
        return cls(0, none, none, np.zeros(0))

    @cached_property
    def moves(self) -> np.ndarray:
        """Every move played, side 0's then side 1's: (2 n,) bool."""
        return np.concatenate([self.contributed[:, 0], self.contributed[:, 1]])

    @cached_property
    def betrayed(self) -> np.ndarray:
        """(n, 2) bool: the side contributed and saw its partner withhold."""
        return ~self.seen & self.contributed

    @cached_property
    def any_betrayed(self) -> np.ndarray:
        """(n,) bool: either side was betrayed (and governance did not resolve it)."""
        b = self.betrayed if self.resolved is None else self.betrayed & ~self.resolved
        return b[:, 0] | b[:, 1]


class _Phase:
    def __init__(self, model: TrustModel) -> None:
        self.model = model


def _dividend(m, e: int) -> np.ndarray:
    """Each active partnership's dividend: synergy less cultural friction, times the parts'
    dividend factors (Play's numpy path)."""
    dividend = _base_dividend(m, e)
    for part in m.parts:
        factor = part.dividend(m, e)
        if factor is not None:
            dividend = dividend * factor
    return dividend


def _base_dividend(m, e: int) -> np.ndarray:
    """The dividend before the parts' factors: synergy less cultural friction."""
    p = m.params
    return p.synergy * (1 - p.culture_friction * m.table.distance[:e])


def _times(dividend: np.ndarray, factors: list) -> np.ndarray:
    """``dividend`` times each factor in turn (numpy's broadcasting and order)."""
    for factor in factors:
        dividend = dividend * factor
    return dividend


def _overrides(part, hook: str) -> bool:
    """Whether ``part`` has its own ``hook`` (not :class:`~allysim.abm.components.Part`'s,
    which does nothing), as a method of its class or an attribute of the instance."""
    return getattr(getattr(part, hook), "__func__", None) is not getattr(Part, hook)


class Play(_Phase):
    """Every active partnership plays one round of its partnership game at once.

    Each side contributes with its strategy's probability, held back in proportion while its
    contractual trust in the other is below ``trust_to_contribute``; execution noise flips moves
    and each side misreads the other with the partnership's ``pair_eta``
    (:func:`allysim.kernels.play_round`). Payoffs (:func:`allysim.abm.payoffs.partnership_payoff`)
    are multiplied by the stage's stake and settled by the mechanisms
    (:func:`allysim.mechanisms.settle_round`); machines move on and reputations are updated.

    Parameters
    ----------
    model : TrustModel
        The model whose partnerships play.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=10, seed=0)
    >>> m.step(); m.step()
    >>> Play(m).play().n == m.n_active
    True
    """

    def play(self) -> RoundOutcome:
        """Play one round in every active partnership.

        Returns
        -------
        RoundOutcome
            The moves, what each side saw, and the welfare of each partnership.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> Play(TrustModel(n_organizations=4, seed=0)).play().n  # no partnership yet
        0
        """
        m, t, p = self.model, self.model.table, self.model.params
        e = t.n_active
        if e == 0:
            return RoundOutcome.empty()
        if use_numba():
            return self._play_compiled(e)
        a, b = t.pa[:e], t.pb[:e]
        machine = t.machine[:e]
        want = m.strategies.out[machine]  # (E, 2)
        ctr = _contractual_trust(t, e, None)
        if p.trust_to_contribute > 0:
            coop = want * np.minimum(1.0, ctr / p.trust_to_contribute)
        else:
            coop = want
        for part in m.parts:
            changed = part.contribution(m, e, coop)
            if changed is not None:
                coop = changed
        ca, cb, sa, sb = play_round(
            coop[:, 0], coop[:, 1], noise=p.noise, perception_noise=t.pair_eta[:e], rng=m.rng
        )
        stake = m.stakes(slice(0, e))
        dividend = _dividend(m, e)
        # What a contribution is worth to its receiver scales with the contributor's capability.
        got_a = p.benefit * m.capability[b]
        got_b = p.benefit * m.capability[a]
        pay_a = partnership_payoff(ca, cb, got_a, p.cost, dividend)
        pay_b = partnership_payoff(cb, ca, got_b, p.cost, dividend)
        pay_a, pay_b = pay_a * stake, pay_b * stake
        enforcement = np.zeros(e)
        if m.settings.settling:
            pay_a, pay_b, enforcement = settle_round(
                m.settings.settling, pay_a, pay_b, ca, cb, m.rng, scale=stake
            )
        contributed = np.stack([ca, cb], axis=1)
        if m.parts:
            played = PlayedRound(
                e,
                contributed,
                stake,
                np.stack([pay_a, pay_b], 1),
                enforcement=np.broadcast_to(enforcement, (e,)).astype(float),
            )
            for part in m.parts:
                part.settle(m, played)
            pay_a, pay_b = played.pay[:, 0], played.pay[:, 1]
            enforcement = enforcement + played.overhead
        n = p.n_organizations
        gain = np.bincount(a, pay_a, minlength=n) + np.bincount(b, pay_b, minlength=n)
        m.wealth += gain
        if p.imitation_payoff == "per_stake":
            gain = np.bincount(a, pay_a / stake, minlength=n) + np.bincount(
                b, pay_b / stake, minlength=n
            )
        m.period_payoff += gain
        outcome = RoundOutcome(
            n=e,
            contributed=contributed,
            seen=np.stack([sa, sb], axis=1),  # what side 0 saw of b, side 1 of a
            welfare=(pay_a + pay_b) / 2 - enforcement,
        )
        # Parts may correct what was perceived (early warning) before strategies react to it.
        for part in m.parts:
            outcome = part.perceive(m, outcome)
        sa, sb = outcome.seen[:, 0], outcome.seen[:, 1]
        nxt = m.strategies.next
        machine[:, 0] = nxt[machine[:, 0], (~ca).astype(np.int64), (~sa).astype(np.int64)]
        machine[:, 1] = nxt[machine[:, 1], (~cb).astype(np.int64), (~sb).astype(np.int64)]
        self._update_reputation(a, b, ca, cb)
        return outcome

    def _play_compiled(self, e: int) -> RoundOutcome:
        """:meth:`play` with its per-partnership passes in compiled loops: the same draws from
        the model's Generator in the same order, the same arithmetic. The loops draw the
        round's uniforms themselves; the parts' hooks run between them at the same points."""
        m, t, p = self.model, self.model.table, self.model.params
        k = kernels()
        parts = m.parts
        ttc = float(p.trust_to_contribute)
        noise = float(p.noise)
        eta = t.pair_eta[:e]
        coop = _NO_COOP
        changed_by_part = False
        if any(_overrides(part, "contribution") for part in parts):
            coop = k.coop(t.machine, m.strategies.out, t.alpha, t.beta, e, ttc)
            for part in parts:
                changed = part.contribution(m, e, coop)
                if changed is not None:
                    coop = np.ascontiguousarray(changed, dtype=float)
                    changed_by_part = True
        contributed, seen, bad = k.moves(
            t.machine, m.strategies.out, t.alpha, t.beta, e, ttc, coop, eta, noise, m.rng
        )
        if changed_by_part and bad:
            # The message play_round gives (it checks before drawing; nothing is kept here).
            play_round(coop[:, 0], coop[:, 1], noise=noise, perception_noise=eta, rng=m.rng)
        # The parts' dividend factors, asked for in order (value creation draws its risk).
        factors = []
        for part in parts:
            factor = part.dividend(m, e)
            if factor is not None:
                factors.append(factor)
        given = _NO_FLOATS
        if len(factors) > 2 or any(np.shape(f) != (e,) for f in factors):
            given, factors = np.ascontiguousarray(_times(_base_dividend(m, e), factors)), []
            n_factors = -1
        else:
            factors = [np.ascontiguousarray(f, dtype=float) for f in factors]
            n_factors = len(factors)
        factors += [given] * (2 - len(factors))
        pay, stake = k.payoffs(
            contributed,
            m.capability,
            t.pa,
            t.pb,
            float(p.benefit),
            float(p.cost),
            t.distance,
            float(p.synergy),
            float(p.culture_friction),
            factors[0],
            factors[1],
            n_factors,
            given,
            t.stage,
            stake_array(p.stake_levels),
            # A model class with its own stakes keeps them (the numpy path asks it too).
            _NO_FLOATS
            if type(m).stakes is Ledger.stakes
            else np.ascontiguousarray(m.stakes(slice(0, e)), dtype=float),
        )
        enforcement = None
        if m.settings.settling:
            ca, cb = contributed[:, 0], contributed[:, 1]
            pay_a, pay_b, enforcement = settle_round(
                m.settings.settling, pay[:, 0], pay[:, 1], ca, cb, m.rng, scale=stake
            )
            pay = np.stack([pay_a, pay_b], axis=1)
        overhead = _NO_FLOATS
        if parts:
            if enforcement is None:
                enforcement = np.zeros(e)
            played = PlayedRound(e, contributed, stake, pay, enforcement=enforcement)
            for part in parts:
                part.settle(m, played)
            pay = np.ascontiguousarray(played.pay, dtype=float)
            overhead = np.ascontiguousarray(played.overhead, dtype=float)
        if enforcement is None:
            charged = _NO_FLOATS  # none: the welfare less numpy's zeros
        elif (
            isinstance(enforcement, np.ndarray)
            and enforcement.shape == (e,)
            and enforcement.dtype == float
        ):
            charged = np.ascontiguousarray(enforcement)
        else:
            charged = np.ascontiguousarray(np.broadcast_to(enforcement, (e,)), dtype=float)
        welfare, tallies = k.gain_welfare(
            m.wealth,
            m.period_payoff,
            t.pa,
            t.pb,
            pay,
            stake,
            p.imitation_payoff == "per_stake",
            charged,
            overhead,
            contributed,
        )
        outcome = RoundOutcome(n=e, contributed=contributed, seen=seen, welfare=welfare)
        for part in parts:
            outcome = part.perceive(m, outcome)
        k.after_play(
            t.machine,
            m.strategies.next,
            contributed,
            np.ascontiguousarray(outcome.seen),
            m.reputation,
            tallies,
            float(p.reputation_weight),
        )
        return outcome

    def _update_reputation(self, a, b, ca, cb) -> None:
        """Exponentially weighted contribution rate of each organization that played."""
        m, n = self.model, self.model.params.n_organizations
        w = m.params.reputation_weight
        both = np.concatenate([a, b])
        rounds = np.bincount(both, minlength=n)
        # Counts of whole contributions: exact in any summation order.
        contributed = np.bincount(both, np.concatenate([ca, cb]), minlength=n)
        played = np.flatnonzero(rounds)
        rep = m.reputation
        rep[played] = (1 - w) * rep[played] + w * (contributed[played] / rounds[played])


def _withholding_weight(m, seen: np.ndarray, resolved, resolved_weight: float) -> np.ndarray:
    """(e, 2) weight of a withholding each side perceived this round as contractual evidence.

    1, or ``absorb_weight`` where an institutionalized partnership absorbs it as an isolated
    error (after ``absorb_streak`` perceived contributions), times ``resolved_weight`` where the
    betrayal was resolved (``resolved`` None: none was). LearnTrust's numpy path weighs the
    evidence with it, and Governance's record of misread withholdings counts them with it.
    """
    t, p, e = m.table, m.params, seen.shape[0]
    institutional = (t.stage[:e] == Stage.INSTITUTIONALIZATION)[:, None]
    isolated = institutional & ~seen & (t.streak[:e] >= p.absorb_streak)
    weight = np.where(isolated, p.absorb_weight, 1.0)
    if resolved is not None:
        weight = np.where(resolved, weight * resolved_weight, weight)
    return weight


class LearnTrust(_Phase):
    """Beta-Bernoulli learning of the three kinds of trust from what each side perceived.

    Contractual trust learns from every perceived move; competence trust from whether a
    perceived contribution delivered (chance: the partner's capability); goodwill trust from
    perceived contributions, weighted by how little the mechanisms explain them, and from
    betrayals at full weight (see :mod:`allysim.abm.trust`). In an institutionalized
    partnership, a withholding perceived after ``absorb_streak`` perceived contributions counts
    ``absorb_weight``.

    Parameters
    ----------
    model : TrustModel
        The model whose trust arrays are updated.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> LearnTrust(TrustModel(n_organizations=4, seed=0)).learn(RoundOutcome.empty())
    """

    def learn(self, outcome: RoundOutcome) -> None:
        """Update each side's trust in the other from ``outcome``, in place.

        Parameters
        ----------
        outcome : RoundOutcome
            The round just played.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> LearnTrust(TrustModel(n_organizations=4, seed=0)).learn(RoundOutcome.empty())
        """
        e = outcome.n
        if e == 0:
            return
        m, t, p = self.model, self.model.table, self.model.params
        contrib, seen = outcome.contributed, outcome.seen
        if use_numba():
            self._learn_compiled(outcome)
            return
        partner_contrib = contrib[:, ::-1]
        partner_capability = np.stack([m.capability[t.pb[:e]], m.capability[t.pa[:e]]], axis=1)
        alpha, beta, streak = t.alpha[:e], t.beta[:e], t.streak[:e]
        weight = _withholding_weight(m, seen, outcome.resolved, outcome.resolved_weight)
        lam = p.forgetting
        k = TrustKind.CONTRACTUAL
        update_beta(alpha[..., k], beta[..., k], seen, True, forgetting=lam, weight=weight)
        delivered = partner_contrib & (m.rng.random(seen.shape) < partner_capability)
        k = TrustKind.COMPETENCE
        update_beta(alpha[..., k], beta[..., k], delivered, seen, forgetting=lam)
        # Goodwill: a perceived contribution, weighted by how little the mechanisms explain it,
        # for; a betrayal (withholding while the observer contributed), against, at full weight.
        gw = t.goodwill_weight[:e]
        credit = np.where(contrib, gw[:, :, 0], gw[:, :, 1])
        betrayed = outcome.betrayed
        k = TrustKind.GOODWILL
        update_beta(
            alpha[..., k],
            beta[..., k],
            seen,
            seen | betrayed,
            forgetting=lam,
            weight=np.where(seen, credit, weight),
        )
        streak[:] = np.where(seen, streak + 1, 0)

    def _learn_compiled(self, outcome: RoundOutcome) -> None:
        """The same updates in one compiled loop; the uniforms are drawn here as in numpy."""
        m, t, p = self.model, self.model.table, self.model.params
        e = outcome.n
        draws = m.rng.random((e, 2))
        resolved = outcome.resolved
        with_resolved = resolved is not None
        kernels().learn(
            t.alpha,
            t.beta,
            t.streak,
            t.stage,
            t.pa,
            t.pb,
            m.capability,
            t.goodwill_weight,
            np.ascontiguousarray(outcome.contributed),
            np.ascontiguousarray(outcome.seen),
            draws,
            np.ascontiguousarray(resolved) if with_resolved else _NO_FLAGS,
            with_resolved,
            float(outcome.resolved_weight),
            int(Stage.INSTITUTIONALIZATION),
            int(p.absorb_streak),
            float(p.absorb_weight),
            float(p.forgetting),
            _MASKS,
        )


class AdvanceStages(_Phase):
    """Promotion past the stage thresholds and demotion on a betrayal.

    A partnership moves up when its weakest contractual or goodwill trust passes the stage's
    threshold, competence trust is at least ``competence_floor`` on both sides, and it has
    spent ``stage_min_steps`` in the stage (clear communication shortens verification). A
    betrayal demotes it, except that an institutionalized partnership absorbs a betrayal
    unless another came within ``absorb_window`` steps.

    Parameters
    ----------
    model : TrustModel
        The model whose partnerships move.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> AdvanceStages(TrustModel(n_organizations=4, seed=0)).advance(RoundOutcome.empty())
    """

    def advance(self, outcome: RoundOutcome) -> None:
        """Age the partnerships that played and move them between stages, in place.

        Parameters
        ----------
        outcome : RoundOutcome
            The round just played (its betrayals demote).

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> AdvanceStages(TrustModel(n_organizations=4, seed=0)).advance(RoundOutcome.empty())
        """
        e = outcome.n
        if e == 0:
            return
        m, t, p = self.model, self.model.table, self.model.params
        stage, in_stage = t.stage[:e], t.in_stage[:e]
        top = Stage.INSTITUTIONALIZATION
        thresholds = np.append(np.asarray(p.stage_thresholds, dtype=float), np.inf)
        # Clear communication speeds verification.
        by_stage = np.full(len(Stage), p.stage_min_steps, dtype=float)
        by_stage[Stage.VERIFICATION] *= 1 - m.settings.clarity
        if use_numba():
            # The lines below in one compiled loop over the partnerships.
            promote = np.empty(e, dtype=bool)
            resolved = outcome.resolved
            kernels().advance(
                t.alpha,
                t.beta,
                t.stage,
                t.in_stage,
                t.age,
                t.last_betrayal,
                np.ascontiguousarray(outcome.contributed),
                np.ascontiguousarray(outcome.seen),
                _NO_FLAGS if resolved is None else np.ascontiguousarray(resolved),
                resolved is not None,
                thresholds,
                by_stage,
                float(p.competence_floor),
                int(m.steps),
                int(p.absorb_window),
                int(top),
                promote,
            )
            for part in m.parts:
                part.on_promote(m, promote)
            return
        t.age[:e] += 1
        in_stage += 1
        trust = t.trust()
        comp, ctr, gw = (trust[:, :, k] for k in TrustKind)
        # Explicit minima: numpy's reductions over tiny trailing axes are slow.
        weakest = np.minimum(np.minimum(ctr[:, 0], ctr[:, 1]), np.minimum(gw[:, 0], gw[:, 1]))
        competent = np.minimum(comp[:, 0], comp[:, 1]) >= p.competence_floor
        betrayed = outcome.any_betrayed
        threshold = thresholds[stage]
        min_steps = by_stage[stage]
        promote = (stage < top) & (weakest > threshold) & (in_stage >= min_steps)
        promote &= ~betrayed & competent
        # An institutionalized partnership absorbs an isolated error, not a second one soon after.
        last = t.last_betrayal[:e]
        recent = (m.steps - last) <= p.absorb_window
        demote = betrayed & ((stage < top) | recent) & (stage > 0)
        last[betrayed] = m.steps
        changed = promote | demote
        stage += promote.astype(np.int64) - demote
        in_stage[changed] = 0
        for part in m.parts:
            part.on_promote(m, promote)


class Exit(_Phase):
    """Partnerships end when contractual trust falls below ``exit_threshold``, or by chance.

    A partnership also ends with probability ``1 - continuation`` each step.

    Parameters
    ----------
    model : TrustModel
        The model whose partnerships may end.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> Exit(TrustModel(n_organizations=4, seed=0)).dissolve()
    0
    """

    def dissolve(self) -> int:
        """Remove the partnerships that end this step.

        Returns
        -------
        int
            How many ended because a side's contractual trust was below ``exit_threshold``
            (the rest ended by chance).

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> Exit(TrustModel(n_organizations=4, seed=0)).dissolve()
        0
        """
        m, t = self.model, self.model.table
        e = t.n_active
        if e == 0:
            return 0
        p, parts = m.params, m.parts
        k = kernels() if use_numba() else None
        if parts:
            threshold = np.full((e, 2), p.exit_threshold)
            for part in parts:
                threshold = part.exit_threshold(m, threshold)
            if k is not None and np.shape(threshold) == (e, 2):
                leaving, exit_now = k.leaving(
                    t.alpha, t.beta, np.ascontiguousarray(threshold, dtype=float)
                )
            else:
                leaving = _contractual_trust(t, e, k) < threshold
                exit_now = leaving[:, 0] | leaving[:, 1]
            for part in parts:
                confirmed = part.confirm_exit(m, leaving)
                if confirmed is not None:
                    exit_now = confirmed
        elif k is not None:
            exit_now = k.low_trust(t.alpha, t.beta, e, float(p.exit_threshold))
        else:
            ctr = _contractual_trust(t, e, None)
            exit_now = np.minimum(ctr[:, 0], ctr[:, 1]) < p.exit_threshold
        draws = m.rng.random(e)
        continuation = m.settings.continuation
        if k is not None and exit_now.dtype == bool and exit_now.shape == (e,):
            gone, failed = k.gone(exit_now, draws, float(continuation))
        else:
            gone = exit_now | (draws >= continuation)
            failed = int(exit_now.sum())
        for part in parts:
            part.on_dissolve(m, gone)
        t.remove(gone, failed=exit_now)
        return failed


def _contractual_trust(t, e: int, compiled) -> np.ndarray:
    """(e, 2) contractual trust of each side in the other, compiled when ``compiled`` is given."""
    if compiled is not None:
        return compiled.trust_of(t.alpha, t.beta, e, int(TrustKind.CONTRACTUAL))
    return trust_mean(t.alpha[:e, :, TrustKind.CONTRACTUAL], t.beta[:e, :, 1])
