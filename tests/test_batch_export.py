"""batch_run with sequence-valued and object-valued parameters, and their export to xarray."""

import inspect

import networkx as nx
import numpy as np
import pytest

from allysim.abm import TrustModel, batch_run
from allysim.mechanisms import Sanction, ShadowOfFuture

QUIET = {"max_steps": 2, "display_progress": False}


@pytest.mark.parametrize(
    ("parameters", "wrapped"),
    [
        ({"strategies": ["TFT", "ALLD"]}, "{'strategies': [['TFT', 'ALLD']]}"),
        (
            {"stage_thresholds": (0.6, 0.7, 0.8, 0.85)},
            "{'stage_thresholds': [(0.6, 0.7, 0.8, 0.85)]}",
        ),
        ({"stake_levels": [1.0, 1.5, 2.0, 3.0, 4.0]}, "{'stake_levels': [[1.0, 1.5"),
        ({"initial_shares": [0.5, 0.5]}, "{'initial_shares': [[0.5, 0.5]]}"),
        ({"strategies": np.array(["TFT", "ALLD"])}, "{'strategies': [array("),
    ],
)
def test_a_flat_sequence_for_a_sequence_field_is_refused_with_the_fix(parameters, wrapped):
    with pytest.raises(TypeError, match="batch_run sweeps lists and tuples") as info:
        batch_run({"n_organizations": 10, **parameters}, **QUIET)
    assert wrapped in str(info.value)
    assert f"parameters[{next(iter(parameters))!r}]" in str(info.value)


def test_an_empty_sweep_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match=r"parameters\['mechanisms'\] is an empty sweep.*\[\[\]\]"):
        batch_run({"n_organizations": 10, "mechanisms": []}, **QUIET)
    with pytest.raises(ValueError, match=r"parameters\['noise'\] is an empty sweep"):
        batch_run({"n_organizations": 10, "noise": []}, **QUIET)


def test_wrapped_sequences_run_as_one_value_each():
    # The one run of {"strategies": [["TFT", "ALLD"]]} is the model with those strategies.
    df = batch_run({"n_organizations": 20, "strategies": [["TFT", "ALLD"]]}, seed=5, **QUIET)
    assert len(df) == 1 and df["strategies"].iloc[0] == ["TFT", "ALLD"]
    alone = TrustModel(n_organizations=20, strategies=["TFT", "ALLD"], seed=int(df["seed"][0]))
    alone.run(2, progress=False)
    assert alone.contribution_rate == df["contribution_rate"].iloc[0]
    # A tuple sweeps like a list; no mechanisms is [[]], and single mechanisms still sweep.
    thresholds = batch_run(
        {"n_organizations": 10, "stage_thresholds": ([0.6, 0.7, 0.8, 0.85], (0.5, 0.6, 0.7, 0.8))},
        **QUIET,
    )
    assert len(thresholds) == 2
    assert len(batch_run({"n_organizations": 10, "mechanisms": [[]]}, **QUIET)) == 1
    singles = [ShadowOfFuture(0.99), Sanction(fine=3, detection=0.8)]
    assert (
        batch_run({"n_organizations": 10, "mechanisms": singles}, **QUIET)["mechanisms"].tolist()
        == singles
    )


def test_a_graph_is_one_value_not_a_sweep_over_its_nodes():
    graph = nx.cycle_graph(12)
    df = batch_run({"n_organizations": 12, "network": graph}, seed=2, **QUIET)
    assert len(df) == 1
    alone = TrustModel(n_organizations=12, network=graph, seed=int(df["seed"][0]))
    alone.run(2, progress=False)
    assert alone.active_partnerships == df["active_partnerships"].iloc[0]


def test_progress_is_shown_by_default(capfd):
    assert inspect.signature(batch_run).parameters["display_progress"].default is True
    batch_run({"n_organizations": 10}, max_steps=2)
    assert "1/1" in capfd.readouterr().err
    batch_run({"n_organizations": 10}, **QUIET)
    assert capfd.readouterr().err == ""
