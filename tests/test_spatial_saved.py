"""Spatial and graph games after the module split: old import paths, files saved before it.

``spatial`` was split into ``spatial`` (Nowak & May's lattice game) and ``graph_games`` (the
donation game on graphs); ``spatial`` re-exports the graph names. A saved result records its
class by name only, so the files in tests/data written by the single module still load and
equal a fresh run with the same arguments and seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import allysim.evolution as evo
import allysim.evolution.graph_games as graph_games
import allysim.evolution.spatial as spatial

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "name", ["GraphGameResult", "GraphRule", "graph_fixation_probability", "simulate_graph_game"]
)
def test_graph_names_stay_importable_from_spatial(name):
    assert getattr(spatial, name) is getattr(graph_games, name)


@pytest.mark.parametrize("name", spatial.__all__)
def test_package_and_old_module_export_the_same_objects(name):
    assert getattr(spatial, name) is getattr(evo, name)


def _meta(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["__allysim_result__"]))


def test_nowak_may_file_saved_before_the_split_loads_and_matches_a_fresh_run():
    path = DATA / "saved_before_split_nowak_may.npz"
    assert _meta(path)["class"] == "NowakMayResult"
    old = spatial.NowakMayResult.load(path)
    g = np.ones((6, 6), dtype=np.int8)
    g[2, 3] = 0
    fresh = evo.nowak_may(g, temptation=1.5, steps=3, record_every=1)
    for name in ("grid", "previous", "cooperators", "snapshots"):
        a, b = getattr(old, name), getattr(fresh, name)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert old.temptation == 1.5
    # A lone defector at b = 1.5 takes its 8 Moore neighbours in the first generation.
    assert round(float(old.cooperators[1]) * 36) == 36 - 9


def test_graph_game_file_saved_before_the_split_loads_with_either_path():
    path = DATA / "saved_before_split_graph_game.npz"
    meta = _meta(path)
    assert meta["class"] == "GraphGameResult" and "spatial" not in json.dumps(meta)
    old = spatial.GraphGameResult.load(path)
    same = graph_games.GraphGameResult.load(path)
    fresh = evo.simulate_graph_game(
        evo.cycle_graph(6),
        benefit=3.0,
        cost=1.0,
        rule="db",
        selection=0.1,
        steps=200,
        replicates=3,
        record_every=50,
        seed=5,
    )
    for res in (old, same):
        for name in ("states", "cooperators", "fixation_step"):
            np.testing.assert_array_equal(getattr(res, name), getattr(fresh, name))
        assert res.steps == fresh.steps == 200


def test_save_and_load_round_trip_bit_for_bit(tmp_path):
    res = evo.simulate_graph_game(
        evo.lattice_graph(3, 3),
        benefit=4.0,
        cost=1.0,
        rule="pairwise",
        selection=2.0,
        steps=300,
        replicates=4,
        record_every=30,
        seed=11,
    )
    back = evo.GraphGameResult.load(res.save(tmp_path / "graph"))
    for name in ("states", "cooperators", "fixation_step"):
        a, b = getattr(back, name), getattr(res, name)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert back.steps == res.steps
