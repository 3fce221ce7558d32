"""Where the partnership dividend comes from: complementary capabilities, scale, network
effects, and knowledge that moves between partners.

The plain model pays a dividend ``synergy * (1 - culture_friction * distance)`` on mutual
contribution. :class:`ValueCreation` multiplies it by three factors and lets knowledge flow:

* **Complementary capabilities.** Each organization carries a capability profile over
  ``dimensions`` areas, drawn uniformly in [0, 1]. A pair's complementarity is how much more
  of the areas they cover together than the stronger one covers alone,
  ``c = mean_k max(p_a, p_b) - max(mean p_a, mean p_b)`` in [0, 0.5]; the dividend is multiplied
  by ``1 + complementarity * c`` (resource-based view: alliances pool complementary resources,
  Das & Teng 2000, *Journal of Management* 26: 31-61). With ``seek_complementarity`` > 0 partner
  choice favours it: each side's acceptance is multiplied by ``1 + seek_complementarity * c``
  (capped at 1 as a probability).
* **Scale.** Organizations have sizes (resources) drawn log-normally with ``size_spread``; the
  dividend is multiplied by ``((size_a + size_b) / 2) ** scale_elasticity``, concave for an
  elasticity in [0, 1) (diminishing returns to pooled resources).
* **Network effects.** The dividend is multiplied by ``1 + network_effect * o``, ``o`` the mean
  number of other partnerships the two partners have: a partner's other ties bring access
  (Gulati 1999, *Strategic Management Journal* 20: 397-420).
* **Risk sharing.** The dividend is uncertain: each round it is multiplied by ``1 +
  dividend_risk * z``, ``z`` standard normal, one draw per partnership shared by both partners.
  Pooling splits the joint return, so each partner bears a quarter of its variance (half its
  standard deviation). Risk-averse organizations judge strategies by a mean-variance certainty
  equivalent (Arrow 1965; Pratt 1964): each round both contribute, a partner's utility, and so
  what imitation compares, is lowered by ``risk_aversion / 2`` times the variance it bears,
  ``(dividend * dividend_risk * stake) ** 2``; wealth is not.
* **Knowledge exchange.** After each round an organization's profile moves toward its
  partner's where the partner knows more, in proportion to its absorptive capacity
  ``absorptive_capacity`` and only if the partner contributed: ``p_a += absorptive_capacity *
  max(p_b - p_a, 0)`` (Cohen & Levinthal 1990, *Administrative Science Quarterly* 35: 128-152).
  Withholding is withholding knowledge: a partner that withholds teaches nothing that round.
  Learning narrows the gaps, so complementarity, and with it the dividend, erodes as partners
  learn from each other (the learning race of Hamel 1991, *Strategic Management Journal* 12:
  83-103).

The part reports the value created (the two partners' payoffs together, per partnership and
round) apart from how it is split (the mean absolute gap between the partners' payoffs), and
the knowledge transferred. ``ValueCreation()`` at its defaults leaves the dividend unchanged
(every factor is 1) but draws profiles and sizes, so the random stream differs from the plain
model; pass ``value_creation=None`` for the plain model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_int, check_interval, check_nonnegative, check_probability
from allysim.abm._compiled import use_numba
from allysim.abm._compiled_value import kernels, scratch
from allysim.abm.components import Part, PlayedRound, state_reporter
from allysim.abm.ledger import stake_array

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel
    from allysim.abm.phases import RoundOutcome

__all__ = ["ValueCreation", "complementarity"]

# Empty arguments of the compiled loops (an option off).
_NONE = np.zeros(0)


def _row_means(rows: np.ndarray) -> np.ndarray:
    """Each row's mean, ``rows @ np.full(k, 1 / k)``, the same to the bit on every machine.

    Four areas (the default) and two rows or more: written out in the order of the BLAS
    matrix-vector product the model used before (the four quarters added in pairs, areas 0
    and 2 then 1 and 3, as OpenBLAS's x86-64 kernels do; checked row by row against it), so
    the result no longer depends on the BLAS build and the compiled loops can average a row
    where they make it. Otherwise the matmul itself (a single row is a dot product, summed
    in another order).
    """
    n, k = rows.shape
    w = 1.0 / k
    if k == 4 and n >= 2:
        return (rows[:, 0] * w + rows[:, 2] * w) + (rows[:, 1] * w + rows[:, 3] * w)
    return rows @ np.full(k, w)


def complementarity(profile_a: np.ndarray, profile_b: np.ndarray) -> np.ndarray:
    """How much more two capability profiles cover together than the stronger covers alone.

    Parameters
    ----------
    profile_a : numpy.ndarray
        (..., k) capability levels in [0, 1].
    profile_b : numpy.ndarray
        (..., k) capability levels in [0, 1], same shape.

    Returns
    -------
    numpy.ndarray
        (...) ``mean_k max(a, b) - max(mean a, mean b)``, in [0, 0.5].

    Examples
    --------
    >>> complementarity(np.array([1.0, 0.0]), np.array([0.0, 1.0])).item()
    0.5
    >>> complementarity(np.array([0.7, 0.3]), np.array([0.7, 0.3])).item()
    0.0
    """
    a, b = np.asarray(profile_a, dtype=float), np.asarray(profile_b, dtype=float)
    if a.shape != b.shape or a.ndim == 0:
        raise ValueError(
            f"profile_a and profile_b must have the same shape (..., k), got {a.shape} and "
            f"{b.shape}"
        )
    return np.maximum(a, b).mean(axis=-1) - np.maximum(a.mean(axis=-1), b.mean(axis=-1))


@dataclass(frozen=True)
class ValueCreation(Part):
    """Complementary capabilities, scale, network effects and knowledge exchange.

    Parameters
    ----------
    dimensions : int, default 4
        Number of capability areas in a profile, >= 1.
    complementarity : float, default 0.0
        Dividend gain per unit of complementarity, >= 0 (at most 0.5 units exist).
    seek_complementarity : float, default 0.0
        How much complementarity raises acceptance in partner search, >= 0.
    size_spread : float, default 0.0
        Standard deviation of log size, >= 0 (0: every organization has size 1).
    scale_elasticity : float, default 0.0
        Elasticity of the dividend in the partners' mean size, in [0, 1).
    network_effect : float, default 0.0
        Dividend gain per other partnership of the partners, >= 0.
    absorptive_capacity : float, default 0.0
        Share in [0, 1] of the knowledge gap to a contributing partner closed each round.
    dividend_risk : float, default 0.0
        Standard deviation of the dividend's relative shock, >= 0.
    risk_aversion : float, default 0.0
        Arrow-Pratt coefficient of absolute risk aversion of every organization, >= 0.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> v = ValueCreation(complementarity=2.0, absorptive_capacity=0.05)
    >>> df = TrustModel(n_organizations=60, value_creation=v, seed=1).run(20, progress=False)
    >>> bool(df["knowledge_transferred"].iloc[-1] > 0)
    True
    """

    dimensions: int = 4
    complementarity: float = 0.0
    seek_complementarity: float = 0.0
    size_spread: float = 0.0
    scale_elasticity: float = 0.0
    network_effect: float = 0.0
    absorptive_capacity: float = 0.0
    dividend_risk: float = 0.0
    risk_aversion: float = 0.0
    name: ClassVar[str] = "value_creation"
    symmetric_acceptance: ClassVar[bool] = True

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "dimensions", check_int(self.dimensions, "dimensions", minimum=1))
        for name in (
            "complementarity",
            "seek_complementarity",
            "size_spread",
            "network_effect",
            "dividend_risk",
            "risk_aversion",
        ):
            put(self, name, check_nonnegative(getattr(self, name), name))
        put(
            self,
            "scale_elasticity",
            check_interval(self.scale_elasticity, "scale_elasticity", 0.0, 1.0, high_open=True),
        )
        put(
            self,
            "absorptive_capacity",
            check_probability(self.absorptive_capacity, "absorptive_capacity"),
        )

    def columns(self) -> dict[str, tuple[tuple[int, ...], Any, Any]]:
        """One column, ``scale``: the pair's scale factor, fixed when it forms (sizes are fixed).

        Returns
        -------
        dict
            The column's trailing shape, dtype and start value (empty without scale returns).

        Examples
        --------
        >>> list(ValueCreation(scale_elasticity=0.3).columns()), ValueCreation().columns()
        (['scale'], {})
        """
        return {"scale": ((), float, 1.0)} if self.scale_elasticity else {}

    def on_form(self, model: TrustModel, rows: slice) -> None:
        """Compute the new partnerships' scale factors, ``mean size ** scale_elasticity``.

        Parameters
        ----------
        model : TrustModel
            The model.
        rows : slice
            The new rows of the partnership table.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=6, value_creation=ValueCreation(scale_elasticity=0.5,
        ...                size_spread=1.0), seed=0)
        >>> for _ in range(3):
        ...     m.step()
        >>> t, size = m.table, m.part_state["value_creation"]["size"]
        >>> e = t.n_active
        >>> bool(np.allclose(t.scale[:e], ((size[t.pa[:e]] + size[t.pb[:e]]) / 2) ** 0.5))
        True
        """
        if not self.scale_elasticity:
            return
        t, size = model.table, model.part_state[self.name]["size"]
        # Computed once per partnership, not every round: the power is the costly part.
        mean_size = (size[t.pa[rows]] + size[t.pb[rows]]) / 2
        t.column("scale")[rows] = mean_size**self.scale_elasticity

    def setup(self, model: TrustModel) -> None:
        """Draw each organization's capability profile and size.

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
        >>> m = TrustModel(n_organizations=5, value_creation=ValueCreation(), seed=0)
        >>> m.part_state["value_creation"]["profile"].shape
        (5, 4)
        """
        n, rng = model.n, model.rng
        profile = rng.random((n, self.dimensions))
        model.part_state[self.name] = {
            "profile": profile,
            # Each organization's mean capability, kept with the profile (it changes only by
            # knowledge exchange), so complementarity needs no reduction over gathered rows.
            "mean": _row_means(profile),
            "pair_complementarity": np.zeros(0),
            "size": np.exp(self.size_spread * rng.standard_normal(n)),
            "transferred": 0.0,
            "value": float("nan"),
            "gap": float("nan"),
        }

    def _pair_complementarity(self, model: TrustModel, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # complementarity() on the gathered rows, with the means kept per organization and the
        # row mean as a product (the same value to round-off, several times faster).
        state = model.part_state[self.name]
        profile, mean = state["profile"], state["mean"]
        best = np.maximum(np.take(profile, a, axis=0), np.take(profile, b, axis=0))
        return _row_means(best) - np.maximum(mean[a], mean[b])

    def acceptance(self, model: TrustModel, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        """``1 + seek_complementarity * c`` (None when ``seek_complementarity`` is 0).

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
        >>> ValueCreation().acceptance(None, np.zeros(1, int), np.zeros(1, int)) is None
        True
        """
        if self.seek_complementarity == 0:
            return None
        state = model.part_state[self.name]
        profile = state["profile"]
        if use_numba() and profile.flags.c_contiguous:
            seek = float(self.seek_complementarity)
            if self._averaged_in_loops(a.shape[0]):
                # The better profiles averaged where they are made, as _row_means does.
                return kernels().acceptance4(profile, state["mean"], a, b, seek)
            # The same numbers: the better profiles in a scratch buffer, averaged by the same
            # matmul, the rest in one loop.
            best = self._best(state, a, b)
            return kernels().acceptance(best @ self._weights(state), state["mean"], a, b, seek)
        return 1 + self.seek_complementarity * self._pair_complementarity(model, a, b)

    def _averaged_in_loops(self, rows: int) -> bool:
        """Whether :func:`_row_means` writes the mean of ``rows`` rows out (the compiled
        loops then average each row themselves, in its order)."""
        return self.dimensions == 4 and rows >= 2

    def _weights(self, state: dict[str, Any]) -> np.ndarray:
        """``np.full(dimensions, 1 / dimensions)``: a profile's mean as a matmul (kept)."""
        store = state.setdefault("scratch", {})
        if "weights" not in store:
            store["weights"] = np.full(self.dimensions, 1.0 / self.dimensions)
        return store["weights"]

    def _best(self, state: dict[str, Any], a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``np.maximum(profile[a], profile[b])`` in a scratch buffer: (len(a), dimensions),
        C-contiguous as numpy's, so the matmul that averages it sums in the same order."""
        k, d = a.shape[0], self.dimensions
        best = scratch(state, "best", k * d)[: k * d].reshape(k, d)
        kernels().best_into(state["profile"], a, b, best)
        return best

    def dividend(self, model: TrustModel, e: int) -> np.ndarray | None:
        """The product of the complementarity, scale and network factors.

        Parameters
        ----------
        model : TrustModel
            The model.
        e : int
            Number of active partnerships.

        Returns
        -------
        numpy.ndarray or None
            (e,) factors (None when every factor is 1).

        Examples
        --------
        >>> ValueCreation().dividend(None, 3) is None
        True
        """
        if not (
            self.complementarity
            or self.scale_elasticity
            or self.network_effect
            or self.dividend_risk
        ):
            return None
        state = model.part_state[self.name]
        t = model.table
        if use_numba() and state["profile"].flags.c_contiguous:
            return self._dividend_compiled(model, e)
        a, b = t.pa[:e], t.pb[:e]
        factor = np.ones(e)
        if self.complementarity:
            comp = self._pair_complementarity(model, a, b)
            state["pair_complementarity"] = comp
            factor *= 1 + self.complementarity * comp
        if self.scale_elasticity:
            factor *= t.column("scale")[:e]
        if self.network_effect:
            others = (t.degree[a] - 1 + t.degree[b] - 1) / 2
            factor *= 1 + self.network_effect * others
        # The expected dividend per unit synergy, kept for the risk premium in settle.
        state["expected_factor"] = self._with_other_factors(model, e, factor)
        if self.dividend_risk:
            factor = factor * (1 + self.dividend_risk * model.rng.standard_normal(e))
        return factor

    def _with_other_factors(self, model: TrustModel, e: int, factor: np.ndarray) -> np.ndarray:
        """``factor`` times the other parts' dividend factors (governance's decision rights):
        the dividend whose variance the risk premium prices is the one actually paid."""
        expected = factor.copy()
        if self.dividend_risk and self.risk_aversion:
            for part in model.parts:
                # The other parts' factors draw nothing, so asking again leaves the stream.
                other = None if part is self else part.dividend(model, e)
                if other is not None:
                    expected = expected * other
        return expected

    def _dividend_compiled(self, model: TrustModel, e: int) -> np.ndarray:
        """:meth:`dividend` in one compiled loop (the same numbers: the pairs' better profiles
        are averaged by the same matmul, the other parts' factors are asked for and the risk
        draw made in the same order)."""
        state = model.part_state[self.name]
        t = model.table
        pa, pb = t.pa[:e], t.pb[:e]
        fused = self._averaged_in_loops(e)
        if self.complementarity:
            # Four areas: the loop averages each pair's better profile itself.
            best_mean = _NONE if fused else self._best(state, pa, pb) @ self._weights(state)
            comp = np.empty(e)
        else:
            best_mean = comp = _NONE
        others = []
        if self.dividend_risk and self.risk_aversion:
            # As _with_other_factors: the other parts' factors draw nothing.
            for part in model.parts:
                other = None if part is self else part.dividend(model, e)
                if other is not None:
                    others.append(np.ascontiguousarray(other, dtype=float))
        factor, expected = np.empty(e), np.empty(e)
        kernels().dividend_factor(
            state["profile"] if fused else _NONE.reshape(0, 4),
            best_mean,
            state["mean"],
            pa,
            pb,
            float(self.complementarity),
            t.column("scale")[:e] if self.scale_elasticity else _NONE,
            t.degree,
            float(self.network_effect),
            others[0] if others else _NONE,
            # The risk draw is made in the loop, in numpy's order (one per row).
            model.rng if self.dividend_risk else None,
            float(self.dividend_risk),
            factor,
            expected,
            comp,
            scratch(state, "draws", e) if self.dividend_risk else _NONE,
        )
        for other in others[1:]:
            expected = expected * other
        state["expected_factor"] = expected
        if self.complementarity:
            state["pair_complementarity"] = comp
        return factor

    def settle(self, model: TrustModel, played: PlayedRound) -> None:
        """Record the value created and the gap between the partners' payoffs.

        Parameters
        ----------
        model : TrustModel
            The model.
        played : PlayedRound
            The round's payoffs (not changed).

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, value_creation=ValueCreation(), seed=0)
        >>> ValueCreation().settle(m, PlayedRound(1, np.ones((1, 2), bool), np.ones(1),
        ...                                       np.array([[1.0, 3.0]])))
        >>> m.part_state["value_creation"]["value"], m.part_state["value_creation"]["gap"]
        (4.0, 2.0)
        """
        state = model.part_state[self.name]
        pay = played.pay
        if use_numba() and played.e:
            self._settle_compiled(model, played)
            return
        if self.dividend_risk and self.risk_aversion and played.e:
            t, p, e = model.table, model.params, played.e
            # expected_factor includes the other parts' factors (see _with_other_factors).
            expected = (
                p.synergy * (1 - p.culture_friction * t.distance[:e]) * state["expected_factor"]
            )
            both = played.contributed[:, 0] & played.contributed[:, 1]
            sd = expected * self.dividend_risk * played.stake
            premium = np.where(both, self.risk_aversion / 2 * sd**2, 0.0)
            model.credit_partners(
                slice(0, e), -np.stack([premium, premium], axis=1), utility_only=True
            )
        state["value"] = float((pay[:, 0] + pay[:, 1]).mean()) if played.e else float("nan")
        state["gap"] = float(np.abs(pay[:, 0] - pay[:, 1]).mean()) if played.e else float("nan")

    def _settle_compiled(self, model: TrustModel, played: PlayedRound) -> None:
        """:meth:`settle` in one compiled loop, the premium's credit included (the same numbers,
        numpy's pairwise means)."""
        state = model.part_state[self.name]
        t, p, e = model.table, model.params, played.e
        premium = bool(self.dividend_risk and self.risk_aversion)
        total, gap = scratch(state, "total", e)[:e], scratch(state, "gap", e)[:e]
        kernels().value_settle(
            np.ascontiguousarray(played.pay, dtype=float),
            premium,
            t.distance,
            state["expected_factor"] if premium else _NONE,
            np.ascontiguousarray(played.contributed),
            np.ascontiguousarray(played.stake, dtype=float),
            float(p.synergy),
            float(p.culture_friction),
            float(self.dividend_risk),
            float(self.risk_aversion),
            model.period_payoff,
            t.pa,
            t.pb,
            t.stage,
            stake_array(p.stake_levels),
            p.imitation_payoff == "per_stake",
            int(model.n),
            total,
            gap,
        )
        # np.mean's sum (pairwise, over contiguous doubles), then / e.
        state["value"] = float(np.add.reduce(total) / e)
        state["gap"] = float(np.add.reduce(gap) / e)

    def after_round(self, model: TrustModel, outcome: RoundOutcome) -> None:
        """Knowledge exchange: profiles move toward a contributing partner's.

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
        >>> from allysim.abm import RoundOutcome
        >>> ValueCreation().after_round(None, RoundOutcome.empty()) is None
        True
        """
        e = outcome.n
        if e == 0 or self.absorptive_capacity == 0:
            return
        state = model.part_state[self.name]
        profile = state["profile"]
        t = model.table
        rate = self.absorptive_capacity
        if use_numba() and profile.flags.c_contiguous:
            # The same gains, sums and cap as below, in the same order, in one compiled loop;
            # the means by the same matmul, into the array kept.
            n, d = profile.shape
            gains = scratch(state, "gains", 2 * e * d)
            fused = self._averaged_in_loops(n)
            used = kernels().exchange(
                profile,
                t.pa,
                t.pb,
                np.ascontiguousarray(outcome.contributed),
                rate,
                gains,
                scratch(state, "delta", n * d),
                scratch(state, "pairs", 4 * e, np.int64),
                # Four areas: the loop averages each profile as it writes it (_row_means).
                state["mean"] if fused else _NONE,
            )
            if not fused:
                np.matmul(profile, self._weights(state), out=state["mean"])
            # gains.sum() below: numpy's pairwise sum of the (used, d) rows, flat.
            state["transferred"] += float(np.add.reduce(gains[: used * d]))
            return
        gains = self._gains(profile, t.pa[:e], t.pb[:e], outcome, rate)
        # An organization learning from several partners at once cannot pass the best of them.
        np.minimum(profile, 1.0, out=profile)
        state["mean"] = _row_means(profile)
        state["transferred"] += float(gains.sum())

    def _gains(
        self, profile: np.ndarray, a: np.ndarray, b: np.ndarray, outcome: RoundOutcome, rate: float
    ) -> np.ndarray:
        """Add each learner's gains to ``profile`` (before the cap); return the gains."""
        # Both deltas from the profiles before this round's learning: learning is simultaneous.
        # Only a side whose partner contributed learns; its gain is where the partner knows more.
        # Only those rows are gathered.
        from_b, from_a = outcome.contributed[:, 1], outcome.contributed[:, 0]
        a_learns, teacher_b = a[from_b], b[from_b]
        b_learns, teacher_a = b[from_a], a[from_a]
        gain_a = np.take(profile, teacher_b, axis=0) - np.take(profile, a_learns, axis=0)
        gain_b = np.take(profile, teacher_a, axis=0) - np.take(profile, b_learns, axis=0)
        n = profile.shape[0]
        learners = np.concatenate([a_learns, b_learns])
        gains = np.concatenate([gain_a, gain_b])
        np.maximum(gains, 0, out=gains)
        gains *= rate
        for j in range(self.dimensions):
            # One bincount per dimension: much faster than np.add.at over (e, k) rows.
            profile[:, j] += np.bincount(learners, gains[:, j], minlength=n)
        return gains

    def reporters(self) -> dict[str, Any]:
        """Value created, its split, knowledge transferred and mean complementarity.

        Returns
        -------
        dict
            ``value_created`` (both partners' payoffs together, mean per partnership in the
            last round), ``value_gap`` (mean absolute difference of the partners' payoffs),
            ``knowledge_transferred`` (total so far, capability units) and
            ``complementarity`` (mean over active partnerships).

        Examples
        --------
        >>> list(ValueCreation().reporters())
        ['value_created', 'value_gap', 'knowledge_transferred', 'complementarity']
        """
        return {
            "value_created": state_reporter(self, "value"),
            "value_gap": state_reporter(self, "gap"),
            "knowledge_transferred": state_reporter(self, "transferred"),
            "complementarity": partial(_mean_complementarity, self),
        }


def _mean_complementarity(part: ValueCreation, model: TrustModel) -> float:
    e = model.n_active
    if not e:
        return float("nan")
    state = model.part_state[part.name]
    comp = state["pair_complementarity"]
    if part.complementarity and comp.size:
        # What this step's dividend used (before this step's learning and new partnerships).
        return float(comp.mean())
    t = model.table
    return float(part._pair_complementarity(model, t.pa[:e], t.pb[:e]).mean())
