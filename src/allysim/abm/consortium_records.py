"""Records of the trust model's consortia: every consortium the run has seen, and its life table.

Read from the state of the :class:`~allysim.abm.Consortia` part: :func:`consortia_frame` lists
each consortium with its founding step, size, lifetime, contribution rate and cause of end;
:func:`consortia_hazard` turns the ended ones into a life table (hazard of ending, and of
failing through exits, by age), as :meth:`~allysim.abm.TrustModel.dissolution_hazard` does
for the bilateral partnerships.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allysim.abm.consortium import CAUSES
from allysim.abm.stats import life_table

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["consortia_frame", "consortia_hazard"]


def _state(model: TrustModel) -> dict[str, Any]:
    part = getattr(model.params, "consortia", None)
    if part is None:
        raise ValueError("the model has no consortia: pass consortia=Consortia(...)")
    return model.part_state[part.name]


def consortia_frame(model: TrustModel) -> pd.DataFrame:
    """Every consortium the run has seen, active and ended, one row each.

    Parameters
    ----------
    model : TrustModel
        A model with ``consortia`` on.

    Returns
    -------
    pandas.DataFrame
        Columns ``cid``, ``founded`` (step), ``ended`` (step; -1 while active), ``rounds``
        (rounds played: the lifetime), ``cause`` (``"exit"``: left with fewer than
        ``min_size`` members, ``"chance"``, or ``"active"``: censored), ``size`` (members
        now or at the end), ``peak`` (most members), ``contribution_rate`` (contributions per
        member-round over its life) and ``members`` (a list of organizations, active ones only).

    Raises
    ------
    ValueError
        The model has no consortia.

    Examples
    --------
    >>> from allysim.abm import Consortia, TrustModel
    >>> m = TrustModel(n_organizations=40, consortia=Consortia(formation_rate=0.1), seed=0)
    >>> _ = m.run(10, progress=False)
    >>> f = consortia_frame(m)
    >>> int((f.cause == "active").sum()) == m.consortia_count
    True
    """
    st = _state(model)
    k = st["k"]
    parts = list(st["ended"])
    parts.append(
        {
            "cid": st["cid"][:k],
            "founded": st["founded"][:k],
            "ended": np.full(k, -1, dtype=np.int64),
            "rounds": st["rounds"][:k],
            "cause": np.full(k, 2),
            "size": st["size"][:k],
            "peak": st["peak"][:k],
            "contributions": st["contributions"][:k],
            "member_rounds": st["member_rounds"][:k],
        }
    )
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(
            cols["member_rounds"] > 0,
            cols["contributions"] / np.maximum(cols["member_rounds"], 1),
            np.nan,
        )
    members: list[Any] = [None] * (cols["cid"].size - k)
    mem = st["members"][:k]
    members += [row[row >= 0].tolist() for row in mem]
    frame = pd.DataFrame(
        {
            "cid": cols["cid"],
            "founded": cols["founded"],
            "ended": cols["ended"],
            "rounds": cols["rounds"],
            "cause": np.array((*CAUSES, "active"))[cols["cause"]],
            "size": cols["size"],
            "peak": cols["peak"],
            "contribution_rate": rate,
            "members": members,
        }
    )
    return frame.sort_values("cid", kind="stable").reset_index(drop=True)


def consortia_hazard(model: TrustModel) -> pd.DataFrame:
    """Life table of the consortia: at risk, ended and hazard by age (rounds played).

    As :meth:`~allysim.abm.TrustModel.dissolution_hazard` for partnerships: ``at_risk[a]``
    counts the consortia that played at least ``a`` rounds (active ones censored), ``ended[a]``
    those that ended after exactly ``a``, ``hazard = ended / at_risk``; ``failed`` and
    ``failure_hazard`` count the ends on exits (fewer than ``min_size`` members left).

    Parameters
    ----------
    model : TrustModel
        A model with ``consortia`` on.

    Returns
    -------
    pandas.DataFrame
        Columns ``age``, ``at_risk``, ``ended``, ``hazard``, ``failed``, ``failure_hazard``.

    Examples
    --------
    >>> from allysim.abm import Consortia, TrustModel
    >>> m = TrustModel(n_organizations=40, consortia=Consortia(formation_rate=0.1), seed=0)
    >>> _ = m.run(20, progress=False)
    >>> h = consortia_hazard(m)
    >>> int(h.ended.sum()) == int((consortia_frame(m).cause != "active").sum())
    True
    """
    f = consortia_frame(model)
    done = f[f.cause != "active"]
    return life_table(
        np.bincount(done.rounds.to_numpy()),
        np.bincount(done.rounds[done.cause == "exit"].to_numpy()),
        np.bincount(f[f.cause == "active"].rounds.to_numpy()),
    )
