"""Consortia: partnerships of more than two organizations inside the trust model.

Research and development consortia, industry alliances and multi-partner projects are
partnerships of ``n > 2`` members whose one-shot game is an n-person public goods game: every
member's contribution benefits all, so each is tempted to free-ride (Olson 1965, *The Logic of
Collective Action*; for R&D consortia Sakakibara 1997, *Strategic Management Journal* 18:
143-164, and Doz, Olk & Ring 2000, *Strategic Management Journal* 21: 239-266). This part lets
organizations of :class:`~allysim.abm.TrustModel` belong to consortia alongside their bilateral
partnerships. The rules, each step (the part's ``end_step`` hook, after imitation):

* **Play.** Every consortium plays one round of its public goods game
  (:class:`~allysim.consortia.PublicGoodsGame` ``game`` at the consortium's size, with the
  per-member ``mechanisms`` applied in expectation by :func:`~allysim.consortia.with_mechanisms`).
  A member runs its pairwise strategy's machine (the model's strategy tables) against an
  *aggregate partner* who counts as having contributed when at least ``k(n) = ceil(reciprocity *
  (n - 1))`` of the other ``n - 1`` members were seen contributing last round. A memory-one
  strategy ``(p_CC, p_CD, p_DC, p_DD)`` so becomes the group memory-one strategy that
  contributes with ``p_CC`` or ``p_DC`` (after its own contribution or withholding) when at
  least ``k`` others contributed and ``p_CD`` or ``p_DD`` otherwise: ALLC is unconditional
  contribution, ALLD never contributes, TFT is threshold reciprocity ``TR(k)`` (Boyd &
  Richerson 1988, *J. Theor. Biol.* 132: 337-356), WSLS and GTFT their group analogues (see
  :func:`group_strategy`), and finite-state strategies such as GRIM run their own machines.
  As in the pairwise play, a member holds back in proportion while its trust in the consortium
  is below ``trust_to_contribute``, and the model's execution ``noise`` flips each intended
  move. Each member sees each other member's move misread with chance ``perception_noise``.
  Payoffs go to ``wealth`` and to what imitation compares through the model's ledger
  (:meth:`~allysim.abm.ledger.Ledger.credit`, stake 1: consortia have no stages); the pairwise
  accounting (welfare, reputation, the partnership table) is untouched.
* **Trust.** Each member keeps a Beta belief about the other members' contribution rate, as
  the model's contractual trust (Beta-Bernoulli learning with ``forgetting``, after the beta
  reputation system of Josang & Ismail 2002, 15th Bled Electronic Commerce Conference, except
  that the prior fades too; see :mod:`allysim.abm.trust`): each round it fades old evidence,
  prior included, by ``forgetting`` and adds the
  perceived share of contributing others as one observation (each other member's move counts
  ``1 / (n - 1)``), so a round weighs what one pairwise round does.
* **Exit and dissolution.** A member leaves when its trust falls below ``leave_threshold``
  (the model's ``exit_threshold`` by default); a
  consortium left with fewer than ``min_size`` members dissolves (cause ``"exit"``); a
  consortium also ends by chance with probability ``1 - continuation`` (cause ``"chance"``:
  the project is completed or abandoned). Lifetimes and causes are recorded
  (:func:`consortia_frame`, :func:`consortia_hazard`).
* **Recruitment.** A consortium below its target size recruits, with chance
  ``recruit_rate``: a random member meets one candidate on the network of possible ties
  (replacing members who left; Doz, Olk & Ring 2000 describe formation and membership
  change as an ongoing process).
* **Formation.** Each organization with a free membership founds a consortium with chance
  ``formation_rate``: it draws a target size uniformly in ``[min_size, max_size]`` and invites
  that many minus one distinct free neighbours on the network of possible ties
  (``invitation_draws`` draws per place); a founder may itself be invited by a founder of
  higher priority (a random order), and then joins and gives up its own consortium (only
  if the one it joins forms: else it keeps its own). The founder and a candidate judge each
  other as in partner search
  (:class:`~allysim.abm.search.PartnerSearch`: cultural fit times visible record, times the
  acceptance factors of the other parts, e.g. :class:`~allysim.abm.Standing`'s standing); a
  consortium forms when at least ``min_size - 1`` candidates accept. A member's trust prior
  is ``prior_strength`` pseudo-observations at its judgement of the one who invited it, as a
  new partnership's; the founder's is at its mean judgement of those who accepted. An
  organization takes at most one new membership per step.

Everything is vectorised over consortia: members are a padded (K, ``max_size``) array, left
packed, ``-1`` marking an empty place; who is in which consortium is kept by
:mod:`allysim.abm.consortium_roster`. A part that is off draws no random number.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import (
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
    check_probability,
)
from allysim.abm import consortium_roster as roster
from allysim.abm.components import Part, state_reporter
from allysim.abm.search import mutual_assessment
from allysim.consortia.games import GroupGame, PublicGoodsGame
from allysim.consortia.mechanisms import with_mechanisms
from allysim.consortia.strategies import group_strategy, reciprocity_threshold
from allysim.mechanisms import Bond, ProfitSharing, Sanction

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["Consortia", "group_strategy", "reciprocity_threshold"]

#: The default stage game: a linear public goods game with multiplier 2.5 and cost 1, a social
#: dilemma at every size >= 3 (withholding dominates while the multiplier is below the size).
DEFAULT_GAME = PublicGoodsGame(3, multiplier=2.5, cost=1.0)

#: Causes of a consortium's end, as recorded.
CAUSES = ("exit", "chance")


def _forming(group: np.ndarray, joins: np.ndarray, enough: np.ndarray) -> np.ndarray:
    """Which founders' consortia form, once founders invited by founders are settled.

    ``group[i]`` is the consortium an accepted invitation ``i`` is to, ``joins[i]`` the one
    its acceptor founded (-1: none), always of lower priority than ``group[i]``; ``enough``
    says which consortia have ``min_size - 1`` acceptors. A consortium forms when it has
    enough and its founder joins none that forms: a founder gives up its own consortium only
    for one that exists, so one whose invitation it accepted but that falls short leaves it
    its own. Founders join only consortia of higher priority, so the dependencies run one way
    and the passes settle from the top, at most one pass per level of priority.
    """
    forms = enough.copy()
    founder = joins >= 0
    for _ in range(enough.size + 1):
        gone = np.zeros(enough.size, dtype=bool)
        gone[joins[founder & forms[group]]] = True
        now = enough & ~gone
        if np.array_equal(now, forms):
            break
        forms = now
    return forms


@dataclass(frozen=True)
class Consortia(Part):
    """Consortia of ``min_size`` to ``max_size`` organizations playing a public goods game.

    Parameters
    ----------
    min_size : int, default 3
        Fewest members, >= 2; a consortium left with fewer dissolves.
    max_size : int, default 8
        Most members, >= ``min_size`` and at most the number of organizations.
    max_memberships : int, default 1
        Most consortia an organization belongs to at once, >= 1.
    formation_rate : float, default 0.02
        Chance per step in [0, 1] that an organization with a free membership founds one.
    recruit_rate : float, default 0.5
        Chance per step in [0, 1] that a consortium below its target size invites a candidate.
    invitation_draws : int, default 3
        Draws per open place, in [1, 100], when a founder picks whom to invite: its neighbours are
        drawn with replacement and the first ``target - 1`` distinct free ones are invited,
        so more draws fill a consortium where the founder has few neighbours.
    game : PublicGoodsGame or None, default None
        The stage game (None: :data:`DEFAULT_GAME`, the linear game with multiplier 2.5 and
        cost 1); its ``group_size`` is replaced by each consortium's size (a fixed
        multiplier makes larger consortia more tempting to free-ride on, Olson 1965). Its
        ``threshold`` must be at most ``min_size``. Payoffs in value units per member per round.
    mechanisms : sequence of Sanction, Bond or ProfitSharing, default ()
        Per-member mechanisms of the consortia (:func:`~allysim.consortia.with_mechanisms`,
        expected payoffs). The model's own ``mechanisms`` govern its bilateral partnerships
        only.
    recipients : {"others", "contributors"}, default "others"
        Who receives the victims' share of a forfeit (see ``with_mechanisms``).
    sharing : {"equal", "contribution"}, default "equal"
        How a profit-sharing pool is split (see ``with_mechanisms``).
    reciprocity : float, default 0.5
        Share in [0, 1] of the other members that must have been seen contributing for a
        member's strategy to read its aggregate partner as contributing (1: all of them, Boyd &
        Richerson's 1988 strictest reciprocator).
    trust_to_contribute : float or None, default None
        Trust in the consortium from which a member contributes as its strategy says, in
        [0, 1]; below it contributions are held back in proportion. None: the model's.
    leave_threshold : float or None, default None
        Trust in [0, 1] below which a member leaves. None: the model's ``exit_threshold``
        (the field is not called so: that is the name of a hook of :class:`Part`).
    continuation : float or None, default None
        Chance in [0, 1] that a consortium goes on after a step (1: it ends only by exits).
        None: the model's continuation after its mechanisms (``model.settings``).
    perception_noise : float or None, default None
        Chance in [0, 1] that a member misreads another's move. None: the model's base
        perception noise after its mechanisms, times ``1 - clarity``.
    prior_strength : float or None, default None
        Pseudo-observations >= 0 in a new member's trust prior. None: the model's.
    forgetting : float or None, default None
        Weight in (0, 1] that old evidence keeps each round. None: the model's.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=60, strategies=["ALLC"], noise=0.0, search_rate=0.0,
    ...                consortia=Consortia(formation_rate=0.1), seed=2)
    >>> _ = m.run(20, progress=False)
    >>> m.consortia_count > 0, m.consortia_contribution
    (True, 1.0)
    """

    name: ClassVar[str] = "consortia"

    min_size: int = 3
    max_size: int = 8
    max_memberships: int = 1
    formation_rate: float = 0.02
    recruit_rate: float = 0.5
    invitation_draws: int = 3
    game: PublicGoodsGame | None = None
    mechanisms: Sequence[Sanction | Bond | ProfitSharing] = ()
    recipients: str = "others"
    sharing: str = "equal"
    reciprocity: float = 0.5
    trust_to_contribute: float | None = None
    leave_threshold: float | None = None
    continuation: float | None = None
    perception_noise: float | None = None
    prior_strength: float | None = None
    forgetting: float | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        lo = check_int(self.min_size, "min_size", minimum=2)
        put("min_size", lo)
        hi = check_int(self.max_size, "max_size", minimum=2)
        if hi < lo:
            raise ValueError(f"max_size must be >= min_size = {lo}, got {hi}")
        put("max_size", hi)
        put("max_memberships", check_int(self.max_memberships, "max_memberships", minimum=1))
        draws = check_int(self.invitation_draws, "invitation_draws", minimum=1)
        if draws > 100:
            raise ValueError(f"invitation_draws must be in [1, 100], got {draws}")
        put("invitation_draws", draws)
        for name in ("formation_rate", "recruit_rate", "reciprocity"):
            put(name, check_probability(getattr(self, name), name))
        for name in ("trust_to_contribute", "leave_threshold", "continuation", "perception_noise"):
            if getattr(self, name) is not None:
                put(name, check_probability(getattr(self, name), name))
        if self.prior_strength is not None:
            put("prior_strength", check_nonnegative(self.prior_strength, "prior_strength"))
        if self.forgetting is not None:
            put(
                "forgetting",
                check_interval(self.forgetting, "forgetting", 0.0, 1.0, low_open=True),
            )
        if self.game is None:
            put("game", DEFAULT_GAME)
        if not isinstance(self.game, PublicGoodsGame):
            raise TypeError(
                f"game must be a PublicGoodsGame (its group_size is set per consortium), got "
                f"{type(self.game).__name__}"
            )
        if self.game.threshold > lo:
            raise ValueError(
                f"game.threshold must be <= min_size = {lo} (a consortium must be able to "
                f"produce the good), got {self.game.threshold}"
            )
        mechs = self.mechanisms
        if isinstance(mechs, Sanction | Bond | ProfitSharing):
            mechs = (mechs,)
        if isinstance(mechs, str) or not isinstance(mechs, Sequence):
            raise TypeError(
                "mechanisms must be a sequence of Sanction, Bond or ProfitSharing, got "
                f"{type(mechs).__name__}"
            )
        put("mechanisms", tuple(mechs))
        check_memory(
            8.0 * (hi + 1) * hi * 2, "max_size", hint="payoff tables grow as max_size squared"
        )
        # Payoff tables by size, validated here (recipients, sharing, mechanism types, float
        # range) so a bad part fails at construction, not at the first step.
        contributor = np.full((hi + 1, hi), np.nan)
        withholder = np.full((hi + 1, hi), np.nan)
        for n in range(lo, hi + 1):
            contributor[n, :n], withholder[n, :n] = self._sized(n).tables()
        contributor.flags.writeable = False
        withholder.flags.writeable = False
        put("_contributor", contributor)
        put("_withholder", withholder)

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Payoff tables by size: ``[n, k]`` for a contributor and a withholder.

        Returns
        -------
        contributor : numpy.ndarray
            (max_size + 1, max_size): payoff of a contributor in a consortium of ``n``
            members with ``k`` other contributors, after the mechanisms; NaN outside
            ``min_size <= n``, ``k < n``.
        withholder : numpy.ndarray
            The same for a withholder.

        Examples
        --------
        >>> pc, pd = Consortia(min_size=3, max_size=4).tables()
        >>> pc[3, 2], pd[3, 0]  # r c - c and nothing
        (np.float64(1.5), np.float64(0.0))
        """
        return self._contributor, self._withholder  # type: ignore[attr-defined]

    def game_of_size(self, size: int) -> GroupGame:
        """The stage game of a consortium of ``size`` members, mechanisms applied.

        Parameters
        ----------
        size : int
            Number of members, in ``[min_size, max_size]``.

        Returns
        -------
        GroupGame
            Its payoff tables (what the model's consortia of that size pay).

        Examples
        --------
        >>> Consortia().game_of_size(4).payoffs(3)[0].item()  # 2.5 * 4 / 4 - 1
        1.5
        """
        n = check_int(size, "size", minimum=self.min_size)
        if n > self.max_size:
            raise ValueError(f"size must lie in [{self.min_size}, {self.max_size}], got {n}")
        return self._sized(n)

    def _sized(self, n: int) -> GroupGame:
        g = self.game
        assert g is not None  # set in __post_init__
        return with_mechanisms(
            dataclasses.replace(g, group_size=n),
            self.mechanisms,
            recipients=self.recipients,  # type: ignore[arg-type]
            sharing=self.sharing,  # type: ignore[arg-type]
        )

    # -- the model's values where the part leaves them open ---------------------------------

    def _settings(self, model: TrustModel) -> dict[str, float]:
        p, s = model.params, model.settings
        pick = {
            "trust_to_contribute": p.trust_to_contribute,
            "leave_threshold": p.exit_threshold,
            "continuation": s.continuation,
            "perception_noise": s.perception_noise * (1 - s.clarity),
            "prior_strength": p.prior_strength,
            "forgetting": p.forgetting,
        }
        return {k: v if getattr(self, k) is None else getattr(self, k) for k, v in pick.items()}

    def setup(self, model: TrustModel) -> None:
        """Empty roster; check the sizes against the population.

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Raises
        ------
        ValueError
            ``max_size`` exceeds the number of organizations, or the roster or the memberships
            (``max_memberships``) would exceed the memory budget.

        Warns
        -----
        UserWarning
            No organization has ``min_size - 1`` neighbours, so no consortium can form.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=10, consortia=Consortia(max_size=5), seed=0)
        >>> m.part_state["consortia"]["members"].shape[1]
        5
        """
        n = model.n
        if self.max_size > n:
            raise ValueError(
                f"max_size must be <= n_organizations = {n} (a consortium's members are "
                f"distinct organizations), got {self.max_size}"
            )
        size = self.max_size
        state = roster.empty_roster(n, max(4, n // self.min_size + 1), size, self.max_memberships)
        graph = model.network.graph
        if graph is None:
            has_neighbour = np.full(n, n > 1)
        else:
            degree = dict(graph.degree())
            has_neighbour = np.array([degree.get(i, 0) > 0 for i in range(n)])
            # A founder invites only its neighbours: below min_size - 1 of them, none can form.
            most = max(degree.values(), default=0)
            if most + 1 < self.min_size and self.formation_rate > 0:
                warnings.warn(
                    f"no consortium can form: min_size = {self.min_size} but the network's "
                    f"largest degree is {most} (a founder invites only its neighbours); lower "
                    "min_size or use a denser network",
                    stacklevel=3,
                )
        state |= {
            "has_neighbour": has_neighbour,
            # Indexed by consortium size; size 0 never plays.
            "threshold": np.concatenate(
                ([0], reciprocity_threshold(self.reciprocity, np.arange(1, size + 1)))
            ),
            # What the reporters read, set each step, and the run's totals of moves.
            "count": 0,
            "mean_size": float("nan"),
            "share": 0.0,
            "contribution": float("nan"),
            "trust": float("nan"),
            "formed": 0,
            "dissolved": 0,
            "left": 0,
            "moves": 0,
            "contributed": 0,
            "moves_total": 0,
            "contributed_total": 0,
        }
        model.part_state[self.name] = state

    def end_step(self, model: TrustModel) -> None:
        """Play every consortium, then exits and dissolution, recruitment and formation.

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=10, consortia=Consortia(), seed=0)
        >>> Consortia().end_step(m)
        """
        st = model.part_state[self.name]
        cfg = self._settings(model)
        self._follow_imitation(model, st)
        self._play(model, st, cfg)
        self._exit(model, st, cfg)
        joined = np.zeros(model.n, dtype=bool)
        self._recruit(model, st, cfg, joined)
        self._found(model, st, cfg, joined)
        self._observe(st)

    # -- phases ------------------------------------------------------------------------------

    def _follow_imitation(self, model: TrustModel, st: dict[str, Any]) -> None:
        """A member whose strategy changed restarts its machine, as in its partnerships."""
        k = st["k"]
        if k == 0:
            return
        mem = st["members"][:k]
        valid = mem >= 0
        now = model.strategy_of[np.where(valid, mem, 0)]
        changed = valid & (now != st["member_strategy"][:k])
        if changed.any():
            st["machine"][:k][changed] = model.strategies.start[now[changed]]
            st["member_strategy"][:k][changed] = now[changed]

    def _play(self, model: TrustModel, st: dict[str, Any], cfg: dict[str, float]) -> None:
        k = st["k"]
        st["moves"] = st["contributed"] = 0
        if k == 0:
            return
        rng = model.rng
        mem, machine = st["members"][:k], st["machine"][:k]
        alpha, beta = st["alpha"][:k], st["beta"][:k]
        size = st["size"][:k]
        valid = mem >= 0
        coop = model.strategies.out[machine]
        tt = cfg["trust_to_contribute"]
        if tt > 0:
            coop = coop * np.minimum(1.0, alpha / (alpha + beta) / tt)
        e = model.params.noise
        moves = (rng.random(mem.shape) < coop * (1 - e) + (1 - coop) * e) & valid
        total = moves.sum(axis=1)
        others = total[:, None] - moves
        pc, pd = self.tables()
        ks = np.minimum(others, self.max_size - 1)
        rows = size[:, None]
        pay = np.where(valid, np.where(moves, pc[rows, ks], pd[rows, ks]), 0.0)
        model.credit(mem[valid], pay[valid], np.ones(int(valid.sum())))
        st["payoff"][:k] = pay
        st["moved"][:k] = moves
        # What each member saw of the others: each move misread with chance eta.
        eta = cfg["perception_noise"]
        others_n = np.where(valid, rows - 1, 0)
        seen = np.where(valid, others, 0)
        if eta > 0:
            seen = rng.binomial(seen, 1 - eta) + rng.binomial(others_n - seen, eta)
        partner_c = seen >= st["threshold"][rows]
        nxt = model.strategies.next
        new_machine = nxt[machine, (~moves).astype(np.int64), (~partner_c).astype(np.int64)]
        machine[:] = np.where(valid, new_machine, machine)
        lam = cfg["forgetting"]
        fade = np.where(valid, lam, 1.0)
        share = np.where(valid, seen / np.maximum(others_n, 1), 0.0)
        alpha *= fade
        beta *= fade
        alpha += np.where(valid, share, 0.0)
        beta += np.where(valid, 1.0 - share, 0.0)
        roster.record_round(st, total)
        st["moves"], st["contributed"] = int(size.sum()), int(total.sum())
        st["moves_total"] += st["moves"]
        st["contributed_total"] += st["contributed"]

    def _exit(self, model: TrustModel, st: dict[str, Any], cfg: dict[str, float]) -> None:
        k = st["k"]
        st["left"] = st["dissolved"] = 0
        if k == 0:
            return
        mem = st["members"][:k]
        valid = mem >= 0
        trust = st["alpha"][:k] / (st["alpha"][:k] + st["beta"][:k])
        leave = valid & (trust < cfg["leave_threshold"])
        if leave.any():
            st["left"] = roster.remove_members(st, leave)
        size = st["size"][:k]
        below = size < self.min_size
        gone = below.copy()
        if cfg["continuation"] < 1:
            gone |= model.rng.random(k) >= cfg["continuation"]
        if not gone.any():
            return
        ended = np.flatnonzero(gone)
        # Cause: an index into CAUSES.
        roster.dissolve(st, ended, np.where(below[ended], 0, 1), model.steps)
        st["dissolved"] = int(ended.size)

    def _recruit(
        self, model: TrustModel, st: dict[str, Any], cfg: dict[str, float], joined: np.ndarray
    ) -> None:
        k = st["k"]
        if k == 0 or self.recruit_rate == 0:
            return
        rng = model.rng
        size, target = st["size"][:k], st["target"][:k]
        # One invitation per consortium per step, so none outgrows its target.
        rows = np.flatnonzero((size < target) & (rng.random(k) < self.recruit_rate))
        if rows.size == 0:
            return
        slot = np.minimum((rng.random(rows.size) * size[rows]).astype(np.int64), size[rows] - 1)
        inviter = st["members"][rows, slot]
        ok = st["has_neighbour"][inviter]
        rows, inviter = rows[ok], inviter[ok]
        if rows.size == 0:
            return
        _, cand = model.network.candidates(inviter, rng)
        free = roster.free_organizations(st) & ~joined
        ok = free[cand] & ~(st["members"][rows] == cand[:, None]).any(axis=1)
        rows, inviter, cand = rows[ok], inviter[ok], cand[ok]
        if rows.size == 0:
            return
        score_in, score_cand = self._judge(model, inviter, cand)
        u = rng.random((2, rows.size))
        ok = (u[0] < score_in) & (u[1] < score_cand)
        rows, cand, score_cand = rows[ok], cand[ok], score_cand[ok]
        # One new membership per organization per step, in a random order.
        order = rng.permutation(rows.size)
        rows, cand, score_cand = rows[order], cand[order], score_cand[order]
        _, first = np.unique(cand, return_index=True)
        rows, cand, score_cand = rows[first], cand[first], score_cand[first]
        if rows.size == 0:
            return
        roster.join(
            st, rows, cand, step=model.steps, **self._newcomers(model, cfg, cand, score_cand)
        )
        joined[cand] = True

    def _found(
        self, model: TrustModel, st: dict[str, Any], cfg: dict[str, float], joined: np.ndarray
    ) -> None:
        if self.formation_rate == 0:
            st["formed"] = 0
            return
        rng, n = model.rng, model.n
        free = roster.free_organizations(st) & ~joined
        founders = np.flatnonzero(
            free & st["has_neighbour"] & (rng.random(n) < self.formation_rate)
        )
        st["formed"] = 0
        if founders.size == 0:
            return
        n_groups = founders.size
        target = rng.integers(self.min_size, self.max_size + 1, size=n_groups)
        # Invitations: invitation_draws draws per place from the founder's neighbours (with
        # replacement), the first target - 1 distinct free ones kept.
        group = np.repeat(np.arange(n_groups), self.invitation_draws * (target - 1))
        _, cand = model.network.candidates(founders[group], rng)
        ok = free[cand] & (cand != founders[group])
        group, cand = group[ok], cand[ok]
        _, first = np.unique(group * n + cand, return_index=True)
        first.sort()
        group, cand = group[first], cand[first]
        place = np.arange(group.size) - np.searchsorted(group, group, side="left")
        keep = place < target[group] - 1
        group, cand = group[keep], cand[keep]
        if cand.size == 0:
            return
        inviter = founders[group]
        score_in, score_cand = self._judge(model, inviter, cand)
        u = rng.random((2, cand.size))
        # The accepted invitations, as indices into these arrays, narrowed step by step.
        sel = np.flatnonzero((u[0] < score_in) & (u[1] < score_cand))
        sel = sel[rng.permutation(sel.size)]
        # An organization invited by several founders joins one, the first in random order.
        _, first = np.unique(cand[sel], return_index=True)
        first.sort()
        sel = sel[first]
        # A founder may be invited too (else, when most organizations found, none is left to
        # invite): it joins only a founder of higher priority (a random order), and then gives
        # up its own consortium, whose invitations lapse.
        priority = rng.permutation(n_groups)
        founder_group = np.full(n, -1, dtype=np.int64)
        founder_group[founders] = np.arange(n_groups)
        joins = founder_group[cand[sel]]
        ok = (joins < 0) | (priority[group[sel]] < priority[np.maximum(joins, 0)])
        sel, joins = sel[ok], joins[ok]
        got = np.bincount(group[sel], minlength=n_groups)
        forms = _forming(group[sel], joins, got + 1 >= self.min_size)
        if not forms.any():
            return
        sel = sel[forms[group[sel]]]
        group, cand, score_in, score_cand = group[sel], cand[sel], score_in[sel], score_cand[sel]
        new_groups = np.flatnonzero(forms)
        f = new_groups.size
        rows, _ = roster.open_consortia(st, target[new_groups], 1 + got[new_groups], model.steps)
        row_of_group = np.full(founders.size, -1, dtype=np.int64)
        row_of_group[new_groups] = rows
        # The founder's prior: its mean judgement of those who accepted.
        founder_score = (
            np.bincount(group, score_in, minlength=founders.size)[new_groups] / got[new_groups]
        )
        orgs = founders[new_groups]
        newcomers = self._newcomers(model, cfg, orgs, founder_score)
        roster.seat(st, rows, np.zeros(f, dtype=np.int64), orgs, step=model.steps, **newcomers)
        order = np.argsort(group, kind="stable")
        group, cand, score_cand = group[order], cand[order], score_cand[order]
        slot = 1 + np.arange(group.size) - np.searchsorted(group, group, side="left")
        newcomers = self._newcomers(model, cfg, cand, score_cand)
        roster.seat(st, row_of_group[group], slot, cand, step=model.steps, **newcomers)
        st["formed"] = int(f)

    def _observe(self, st: dict[str, Any]) -> None:
        k = st["k"]
        st["count"] = k
        st["share"] = float(np.mean(st["member_of"][:, 0] >= 0))
        if k == 0:
            st["mean_size"] = st["trust"] = float("nan")
        else:
            st["mean_size"] = float(st["size"][:k].mean())
            valid = st["members"][:k] >= 0
            a, b = st["alpha"][:k][valid], st["beta"][:k][valid]
            st["trust"] = float((a / (a + b)).mean())
        st["contribution"] = st["contributed"] / st["moves"] if st["moves"] else float("nan")

    # -- judgements and newcomers -----------------------------------------------------------

    def _judge(
        self, model: TrustModel, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Partner search's judgements of ``b`` by ``a`` and of ``a`` by ``b``."""
        return mutual_assessment(model, a, b, model.cultural_distance(a, b), skip=self)

    @staticmethod
    def _newcomers(
        model: TrustModel, cfg: dict[str, float], orgs: np.ndarray, score: np.ndarray
    ) -> dict[str, np.ndarray]:
        """New members' starting machines, strategies and trust priors, for the roster.

        The prior is ``prior_strength`` pseudo-observations at ``score``, the member's
        judgement of who invited it (a founder's: of those who accepted), as a new
        partnership's.
        """
        strategy = model.strategy_of[orgs]
        k0 = cfg["prior_strength"]
        return {
            "machine": model.strategies.start[strategy],
            "strategy": strategy,
            "alpha": 1 + k0 * score,
            "beta": 1 + k0 * (1 - score),
        }

    def reporters(self) -> dict[str, Any]:
        """Counts, sizes, membership, contribution and trust in consortia, per step.

        ``consortia_count`` (active consortia), ``consortia_size`` (mean members),
        ``consortia_share`` (share of organizations in at least one), ``consortia_contribution``
        (share of this step's consortium moves that were contributions; NaN: none played),
        ``consortia_trust`` (mean trust of members in their consortium), ``consortia_formed``,
        ``consortia_dissolved`` and ``consortia_left`` (members who left on low trust) this
        step.

        Returns
        -------
        dict
            Column name -> reporter.

        Examples
        --------
        >>> sorted(Consortia().reporters())[:3]
        ['consortia_contribution', 'consortia_count', 'consortia_dissolved']
        """
        keys = {
            "consortia_count": "count",
            "consortia_size": "mean_size",
            "consortia_share": "share",
            "consortia_contribution": "contribution",
            "consortia_trust": "trust",
            "consortia_formed": "formed",
            "consortia_dissolved": "dissolved",
            "consortia_left": "left",
        }
        return {col: state_reporter(self, key) for col, key in keys.items()}
