"""Standing: organizations judged by a social norm from what they do in their partnerships.

The plain model's ``reputation`` is a first-order record (an exponentially weighted
contribution rate): it marks down an organization that withholds from a partner who defaults,
exactly the flaw of image scoring in the theory of indirect reciprocity (Nowak & Sigmund 1998,
*Nature* 393: 573-577; Leimar & Hammerstein 2001, *Proc. R. Soc. B* 268: 745-753). This part adds
a second, norm-based judgement, the one that theory shows can sustain cooperation: each
organization has a public **standing**, good or bad, that the community (observers following
one social norm, :mod:`allysim.reputation`) updates from what it does to its partners, taking
the partner's standing into account (standing, stern judging and the leading eight of Ohtsuki &
Iwasa 2004, *J. Theor. Biol.* 231: 107-120). In the alliance literature this is the network
embeddedness that makes reputations effective (Raub & Weesie 1990, *American Journal of
Sociology* 96: 626-654; Gulati 1998, *Strategic Management Journal* 19: 293-317).

The rules, each step:

* **Assessment** (public, as in Ohtsuki & Iwasa 2004). Every side of every partnership that
  played is a donor, its partner the recipient. With chance ``observation`` the community sees
  the action; its verdict is ``norm``'s assessment of (action, recipient's standing, donor's
  standing) before this round, flipped with chance ``assessment_error``. An organization in
  several partnerships keeps the verdict on one of them, drawn at random (one observation per
  round, as one donation per round in the classic model).
* **Action** (optional). Organizations whose strategy is listed in ``discriminating`` follow
  the norm's action rule on top of their strategy: they withhold from a partner the rule says
  to refuse (e.g. one in bad standing), whatever their strategy wants.
* **Partner choice.** A candidate's acceptance score is multiplied by ``1 - acceptance_weight
  * (1 - standing)``: organizations in bad standing find partners less easily.
* **Exit.** A side's exit threshold rises by ``exit_bias`` while its partner is in bad standing.

With every organization cooperating unconditionally and execution error ``e`` (the model's
``noise``), the share in good standing tends to ``x = (1 - e)(1 - a) + e a`` under image
scoring and to 1/2 under stern judging (``a = assessment_error``; stern judging condemns giving
to the bad), the closed forms the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_nonnegative, check_probability
from allysim.abm.components import Part, state_reporter
from allysim.reputation import Norm, act, assess, get_norm

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel
    from allysim.abm.phases import RoundOutcome

__all__ = ["Standing"]


def _good_share_of(name: str, strategy: int, model: TrustModel) -> float:
    image = model.part_state[name]["image"]
    mask = model.strategy_of == strategy
    return float(image[mask].mean()) if mask.any() else float("nan")


@dataclass(frozen=True)
class Standing(Part):
    """Public standing (good or bad) judged by a social norm; used in partner choice and exit.

    Parameters
    ----------
    norm : Norm or str, default "stern judging"
        The social norm (see :mod:`allysim.reputation`): a :class:`~allysim.reputation.Norm`
        or a name such as ``"image scoring"``, ``"standing"``, ``"stern judging"``, ``"L1"``.
    observation : float, default 1.0
        Chance in [0, 1] that the community sees a donor's action in a round.
    assessment_error : float, default 0.0
        Chance in [0, 1] that a verdict is the opposite of what the norm says.
    discriminating : sequence of str, default ()
        Strategy names whose organizations also follow the norm's action rule (withhold from
        partners the rule refuses); names not among the model's strategies are refused.
    acceptance_weight : float, default 1.0
        In [0, 1]: how much bad standing lowers a candidate's acceptance score (0: not at all).
    exit_bias : float, default 0.0
        Added to a side's contractual-trust exit threshold while its partner is in bad
        standing, >= 0.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=60, strategies=["ALLC", "ALLD"], imitation_every=0,
    ...                standing=Standing("simple standing"), seed=1)
    >>> _ = m.run(30, progress=False)
    >>> # ALLC loses standing only when seen withholding from a partner in good standing
    >>> # (execution noise; none here by step 30), ALLD whenever it withholds from the good
    >>> round(m.standing_good_ALLC, 2), round(m.standing_good_ALLD, 2)
    (1.0, 0.0)
    """

    name: ClassVar[str] = "standing"

    norm: Norm | str = "stern judging"
    observation: float = 1.0
    assessment_error: float = 0.0
    discriminating: Sequence[str] = ()
    acceptance_weight: float = 1.0
    exit_bias: float = 0.0

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("norm", get_norm(self.norm, "norm"))
        put("observation", check_probability(self.observation, "observation"))
        put("assessment_error", check_probability(self.assessment_error, "assessment_error"))
        put("acceptance_weight", check_probability(self.acceptance_weight, "acceptance_weight"))
        put("exit_bias", check_nonnegative(self.exit_bias, "exit_bias"))
        names = self.discriminating
        fault = TypeError(
            f"discriminating must be a sequence of strategy names (str), got {names!r}"
        )
        if isinstance(names, str):
            raise fault
        try:
            names = tuple(names)
        except TypeError:  # not iterable (None, a number): say which parameter
            raise fault from None
        if not all(isinstance(s, str) for s in names):
            raise fault
        # Plain str (not numpy.str_) so that the repr, which labels sweeps, reads the same.
        put("discriminating", tuple(str(s) for s in names))

    def setup(self, model: TrustModel) -> None:
        """Everyone starts in good standing; resolve the discriminating strategies.

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
            If a name in ``discriminating`` is not one of the model's strategies.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=5, standing=Standing(), seed=0)
        >>> m.part_state["standing"]["image"].tolist()
        [1, 1, 1, 1, 1]
        """
        names = list(model.strategies.names)
        unknown = [s for s in self.discriminating if s not in names]
        if unknown:
            raise ValueError(
                f"discriminating names {unknown} not among the model's strategies {names}"
            )
        model.part_state[self.name] = {
            "image": np.ones(model.n, dtype=np.int8),
            # By strategy, not by organization: an organization that imitates a
            # discriminating strategy starts to discriminate, one that leaves it stops.
            "discriminating_strategy": np.isin(
                np.arange(len(names)), [names.index(s) for s in self.discriminating]
            ),
            "good": 1.0,
            "refused": 0,
        }

    def contribution(self, model: TrustModel, e: int, coop: np.ndarray) -> np.ndarray | None:
        """Discriminating organizations withhold from partners the action rule refuses.

        Parameters
        ----------
        model : TrustModel
            The model.
        e : int
            Number of active partnerships.
        coop : numpy.ndarray
            (e, 2) each side's chance to contribute this round.

        Returns
        -------
        numpy.ndarray or None
            The chances with refusals set to 0 (None when nobody discriminates).

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> Standing().contribution(TrustModel(n_organizations=4, seed=0), 0, np.zeros((0, 2)))
        """
        if not self.discriminating or e == 0:
            return None
        state = model.part_state[self.name]
        t, image = model.table, state["image"]
        ends = np.stack([t.pa[:e], t.pb[:e]], axis=1)
        own, partner = image[ends], image[ends[:, ::-1]]
        # The strategy updates as usual; the refusal is a move it is overridden to play.
        follows = act(self.norm, own, partner).astype(bool)
        refuse = state["discriminating_strategy"][model.strategy_of[ends]] & ~follows
        state["refused"] += int(np.count_nonzero(refuse))
        return np.where(refuse, 0.0, coop)

    def after_round(self, model: TrustModel, outcome: RoundOutcome) -> None:
        """The community assesses each observed donor; one verdict per organization kept.

        Parameters
        ----------
        model : TrustModel
            The model.
        outcome : RoundOutcome
            The round just played.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import RoundOutcome, TrustModel
        >>> m = TrustModel(n_organizations=4, standing=Standing(), seed=0)
        >>> Standing().after_round(m, RoundOutcome.empty())
        """
        e = outcome.n
        if e == 0:
            return
        state, rng, t = model.part_state[self.name], model.rng, model.table
        image = state["image"]
        donors = np.concatenate([t.pa[:e], t.pb[:e]])
        recipients = np.concatenate([t.pb[:e], t.pa[:e]])
        action = np.concatenate([outcome.contributed[:, 0], outcome.contributed[:, 1]])
        if self.observation < 1:
            seen = rng.random(donors.size) < self.observation
            donors, recipients, action = donors[seen], recipients[seen], action[seen]
            if donors.size == 0:  # nobody seen this round: every standing stays as it was
                return
        # Standings before this round's verdicts: the community judges simultaneously.
        verdict = assess(self.norm, action, image[recipients], image[donors]).astype(bool)
        if self.assessment_error:
            verdict ^= rng.random(verdict.size) < self.assessment_error
        # One verdict per organization, drawn at random among its observed partnerships.
        order = np.lexsort((rng.random(donors.size), donors))
        donors, verdict = donors[order], verdict[order]
        last = np.append(donors[1:] != donors[:-1], True)
        image[donors[last]] = verdict[last]
        state["good"] = float(image.mean())

    def acceptance(self, model: TrustModel, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        """``1 - acceptance_weight * (1 - standing of b)`` (None when the weight is 0).

        Parameters
        ----------
        model : TrustModel
            The model.
        a : numpy.ndarray
            The judging organizations.
        b : numpy.ndarray
            The candidates.

        Returns
        -------
        numpy.ndarray or None
            Factors on the acceptance scores.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, standing=Standing(acceptance_weight=0.5), seed=0)
        >>> m.part_state["standing"]["image"][1] = 0
        >>> Standing(acceptance_weight=0.5).acceptance(m, np.array([0, 0]), np.array([1, 2]))
        array([0.5, 1. ])
        """
        if self.acceptance_weight == 0:
            return None
        image = model.part_state[self.name]["image"]
        return 1.0 - self.acceptance_weight * (1 - image[b])

    def exit_threshold(self, model: TrustModel, threshold: np.ndarray) -> np.ndarray:
        """Raise a side's threshold by ``exit_bias`` while its partner is in bad standing.

        Parameters
        ----------
        model : TrustModel
            The model.
        threshold : numpy.ndarray
            (e, 2) each side's contractual-trust exit threshold.

        Returns
        -------
        numpy.ndarray
            The thresholds.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, seed=0)
        >>> Standing().exit_threshold(m, np.zeros((0, 2))).shape
        (0, 2)
        """
        if not self.exit_bias or threshold.shape[0] == 0:
            return threshold
        t, e = model.table, threshold.shape[0]
        image = model.part_state[self.name]["image"]
        partner_bad = np.stack([1 - image[t.pb[:e]], 1 - image[t.pa[:e]]], axis=1)
        return threshold + self.exit_bias * partner_bad

    def reporters(self) -> dict[str, Any]:
        """Share of organizations in good standing; refusals by the action rule so far.

        Returns
        -------
        dict
            Column name -> reporter.

        Examples
        --------
        >>> sorted(Standing().reporters())
        ['standing_good', 'standing_refused']
        """
        return {
            "standing_good": state_reporter(self, "good"),
            "standing_refused": state_reporter(self, "refused"),
        }

    def strategy_reporters(self, strategy_names: tuple[str, ...]) -> dict[str, Any]:
        """Share in good standing among each strategy's organizations.

        Parameters
        ----------
        strategy_names : tuple of str
            The model's strategies (one ``standing_good_<name>`` column each).

        Returns
        -------
        dict
            Column name -> reporter (NaN while no organization uses the strategy).

        Examples
        --------
        >>> list(Standing().strategy_reporters(("TFT", "ALLD")))
        ['standing_good_TFT', 'standing_good_ALLD']
        """
        return {
            f"standing_good_{s}": partial(_good_share_of, self.name, i)
            for i, s in enumerate(strategy_names)
        }
