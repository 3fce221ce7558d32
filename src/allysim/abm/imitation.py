"""Imitation: organizations copy a peer's strategy by the pairwise-comparison (Fermi) rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allysim.abm._compiled import use_numba

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["Imitation"]


def _fermi(selection: float, gain: np.ndarray) -> np.ndarray:
    """Chance to adopt a peer's strategy whose payoff exceeds one's own by ``gain``.

    The pairwise-comparison rule of Traulsen, Nowak & Pacheco (2006, *Physical Review E* 74:
    011909), ``1 / (1 + exp(-selection * gain))``. ``allysim.evolution.fermi`` is the same
    rule computed with ``scipy.special.expit``; the two differ in the last bit for about 2% of
    inputs (at most 2.2e-16), so the model keeps this form to reproduce its recorded runs bit
    for bit.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-selection * gain))


class Imitation:
    """Pairwise-comparison imitation of a peer's strategy by payoff, with mutation.

    Each organization compares its payoff per step since the last imitation round (per unit
    stake by default, see ``imitation_payoff``) with that of one random neighbour and adopts
    the neighbour's strategy with the Fermi probability at intensity ``selection``; then, with
    probability ``mutation``, it switches to a uniformly drawn strategy. An organization whose
    strategy changed restarts its strategy's machine in every one of its partnerships.

    Parameters
    ----------
    model : TrustModel
        The model whose organizations imitate.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=10, mutation=1.0, seed=0)
    >>> Imitation(m).imitate(); int(m.period_payoff.sum())
    0
    """

    def __init__(self, model: TrustModel) -> None:
        self.model = model

    def imitate(self) -> None:
        """One imitation round; resets the payoffs accumulated since the last one.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=6, strategies=["ALLC"], seed=0)
        >>> Imitation(m).imitate(); m.strategy_of.tolist()
        [0, 0, 0, 0, 0, 0]
        """
        m, t, p = self.model, self.model.table, self.model.params
        n, rng = p.n_organizations, m.rng
        every = max(p.imitation_every, 1)
        if use_numba():
            from allysim.abm._compiled_search import kernels

            loops = kernels()
            peer = m.network.peers(rng)
            # The exponential stays numpy's (numba's may differ in the last bit); the rest of
            # the Fermi rule and the round are loops.
            term = loops.fermi_exponent(m.period_payoff, float(every), peer, float(-p.selection))
            with np.errstate(over="ignore"):
                np.exp(term, out=term)
            m.strategy_of = loops.imitate(
                rng.random((3, n)),
                term,
                peer,
                m.strategy_of,
                float(p.mutation),
                len(m.strategies.names),
                m.period_payoff,
                t.machine,
                t.pa,
                t.pb,
                t.n_active,
                m.strategies.start,
            )
            return
        per_step = m.period_payoff / every
        peer = m.network.peers(rng)
        p_adopt = _fermi(p.selection, per_step[peer] - per_step)
        u = rng.random((3, n))
        new = np.where(u[0] < p_adopt, m.strategy_of[peer], m.strategy_of)
        mutate = u[1] < p.mutation
        k = len(m.strategies.names)
        new = np.where(mutate, (u[2] * k).astype(np.int64).clip(max=k - 1), new)
        changed = new != m.strategy_of
        m.strategy_of = new
        m.period_payoff[:] = 0.0
        e = t.n_active
        if changed.any() and e:
            # A new strategy starts its machine afresh in every partnership of the organization.
            start = m.strategies.start
            for side, ends in ((0, t.pa[:e]), (1, t.pb[:e])):
                reset = changed[ends]
                t.machine[:e, side][reset] = start[new[ends[reset]]]
