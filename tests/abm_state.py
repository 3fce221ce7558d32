"""Everything a trust-model run leaves behind, for comparing the numpy and compiled paths."""

import numpy as np
import pandas as pd

from allysim.abm import TrustModel


def model_state(m: TrustModel) -> dict[str, object]:
    """The collected frame, the organizations' arrays, the partner table, every active row of
    every table column, and every part's state (its scratch buffers aside: the compiled path
    keeps working memory there that the numpy path never makes)."""
    t, e = m.table, m.table.n_active
    out: dict[str, object] = {
        "frame": m.datacollector.get_model_vars_dataframe(),
        "wealth": m.wealth.copy(),
        "period_payoff": m.period_payoff.copy(),
        "reputation": m.reputation.copy(),
        "partner_table": t.partner_table.copy(),
        "degree": t.degree.copy(),
        "ended_by_age": t.ended_by_age.copy(),
    }
    for name in t.fields:
        out[name] = getattr(t, name)[:e].copy()
    for part, state in m.part_state.items():
        for key, value in state.items():
            if key != "scratch":
                out[f"{part}.{key}"] = np.copy(value)
    return out


def assert_same_state(reference: dict[str, object], other: dict[str, object]) -> None:
    """Equal to the bit: the same keys, the frame exactly, every array with dtype and shape."""
    assert reference.keys() == other.keys()
    pd.testing.assert_frame_equal(reference["frame"], other["frame"], check_exact=True)
    for key, value in reference.items():
        if key != "frame":
            np.testing.assert_array_equal(value, other[key], err_msg=key, strict=True)
