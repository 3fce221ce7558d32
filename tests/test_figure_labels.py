"""Every figure says what it shows: labelled axes (or a title where the axes are off) and
labelled colour bars."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import allysim as ally
from allysim import plotting as P
from allysim.abm import TrustModel
from allysim.comparison import compare_mechanisms
from allysim.evolution import stationary_distribution


def _figures():
    res = ally.round_robin(["TFT", "ALLD", "WSLS"], ally.PrisonersDilemma(), rounds=20)
    a = res.payoff_matrix
    m = TrustModel(n_organizations=40, seed=0)
    df = m.run(20, progress=False)
    table = compare_mechanisms(
        ally.PrisonersDilemma(), {"sanction": [ally.Sanction(2, 0.8)]}, progress=False
    )
    stat = stationary_distribution(a, population=10, selection=1.0)
    return {
        "payoff_heatmap": lambda: P.payoff_heatmap(a, res.names),
        "ranking_bars": lambda: P.ranking_bars(res.names, res.scores),
        "mechanism_bars": lambda: P.mechanism_bars(table),
        "simplex_flow": lambda: P.simplex_flow(a, res.names),
        "stationary_bars": lambda: P.stationary_bars(stat, res.names),
        "cooperation_over_time": lambda: P.cooperation_over_time(np.full((3, 10), 0.5)),
        "trust_trajectories": lambda: P.trust_trajectories(df),
        "stage_composition": lambda: P.stage_composition(df),
        "strategy_shares": lambda: P.strategy_shares(df),
        "partnership_network": lambda: P.partnership_network(m),
    }


@pytest.mark.parametrize("name", list(_figures()))
def test_every_axis_and_colour_bar_is_labelled(name):
    drawn = np.atleast_1d(_figures()[name]())
    fig = drawn[0].figure
    for ax in drawn:
        if ax.axison:
            assert ax.get_xlabel() or ax.get_xticklabels(), f"{name}: x axis unlabelled"
            assert ax.get_ylabel() or ax is not drawn[0], f"{name}: y axis unlabelled"
        else:
            assert ax.get_title(), f"{name}: axes off and no title"
    for extra in fig.axes:
        if all(extra is not ax for ax in drawn):  # a colour bar
            assert extra.get_ylabel() or extra.get_xlabel(), f"{name}: colour bar unlabelled"
    plt.close("all")


def test_network_legend_names_the_strategies_in_use():
    m = TrustModel(n_organizations=40, strategies=["TFT", "ALLD", "WSLS"], seed=1)
    m.run(5, progress=False)
    ax = P.partnership_network(m)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    used = sorted({m.strategy_names[s] for s in m.strategy_of})
    assert sorted(labels) == used
    plt.close("all")


def _data_boxes(ax):
    """Display-space boxes of what an axes draws as data: line points, markers, bars, fills."""
    from matplotlib.collections import PathCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    boxes = []
    for artist in ax.get_children():
        if isinstance(artist, Line2D) and artist.get_visible():
            xy = artist.get_transform().transform(artist.get_xydata())
            boxes += [Bbox([p, p]) for p in xy[np.isfinite(xy).all(axis=1)]]
        elif isinstance(artist, PathCollection):
            offsets = artist.get_offset_transform().transform(artist.get_offsets())
            boxes += [Bbox([p, p]) for p in offsets]
        elif isinstance(artist, PolyCollection):  # bands and stacked areas: their outline
            for path in artist.get_paths():
                xy = artist.get_transform().transform(path.vertices)
                boxes += [Bbox([p, p]) for p in xy[np.isfinite(xy).all(axis=1)]]
        elif isinstance(artist, Rectangle) and artist is not ax.patch and artist.get_height():
            boxes.append(artist.get_window_extent())
    return boxes


@pytest.mark.parametrize("name", list(_figures()))
def test_legends_do_not_cover_data(name):
    drawn = np.atleast_1d(_figures()[name]())
    fig = drawn[0].figure
    fig.canvas.draw()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        covered = [b for b in _data_boxes(ax) if box.overlaps(b) or box.contains(*b.p0)]
        assert not covered, f"{name}: the legend covers {len(covered)} data point(s) or bar(s)"
        # A filled area (a stacked share, a band) covers the legend if it contains a corner.
        corners = box.corners()
        for artist in ax.collections:
            for path in getattr(artist, "get_paths", list)():
                inside = path.contains_points(corners, transform=artist.get_transform())
                assert not inside.any(), f"{name}: the legend lies on a filled area"
        for other in fig.axes:
            if other is not ax:
                assert not box.overlaps(other.get_window_extent()), f"{name}: legend on a panel"
        assert box.x1 <= fig.bbox.x1 + 1, f"{name}: legend cut off at the figure's right edge"
    plt.close("all")


def test_demo_trust_figure_legends_stay_off_the_panels():
    from allysim.cli.trust import _trust_figure

    tables = {}
    for name, seed in (("plain", 0), ("bonds", 1)):
        rows = []
        for replicate in range(2):
            df = TrustModel(n_organizations=30, seed=seed + 10 * replicate).run(8, progress=False)
            rows.append(df.rename_axis("step").reset_index().assign(replicate=replicate))
        import pandas as pd

        tables[name] = pd.concat(rows, ignore_index=True)
    fig = _trust_figure(tables)
    fig.canvas.draw()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        for other in fig.axes:
            if other is not ax:
                assert not box.overlaps(other.get_window_extent()), ax.get_title()
        assert box.x1 <= fig.bbox.x1 + 1, f"{ax.get_title()}: legend cut off at the right edge"
    plt.close("all")


def test_panel_labels_do_not_run_into_each_other():
    table = compare_mechanisms(
        ally.PrisonersDilemma(), {"sanction": [ally.Sanction(2, 0.8)]}, progress=False
    )
    fig = P.mechanism_bars(table)[0].figure
    fig.tight_layout()  # as the CLI draws it
    fig.canvas.draw()
    boxes = [ax.xaxis.label.get_window_extent() for ax in fig.axes if ax.get_xlabel()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), "x-axis labels of neighbouring panels overlap"
    # Each label stays within its own panel's width, so it cannot reach the next one.
    for ax in fig.axes:
        label, panel = ax.xaxis.label.get_window_extent(), ax.get_window_extent()
        assert label.width <= panel.width, f"{ax.get_title()}: x label wider than its panel"
    plt.close("all")


def _cielab(rgb):
    """CIE L*a*b* (D65) of sRGB colours in [0, 1], for perceptual colour distances."""
    rgb = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


def test_network_node_colours_differ_from_every_edge_colour():
    # Nodes are coloured by strategy, edges by trust: no strategy's colour may also be a trust
    # level, or red would mean both GRIM and low goodwill (RdYlGn against tab10: CIE76
    # distance 2 for GRIM, 17 for TFT's green). 20 keeps every pair clearly apart (a just
    # noticeable difference is about 2.3).
    names = ["ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT"]
    m = TrustModel(n_organizations=60, strategies=names, seed=1)
    m.run(5, progress=False)
    assert {m.strategy_names[s] for s in m.strategy_of} == set(names)
    ax = P.partnership_network(m)
    nodes, edges = ax.collections[0], ax.collections[1]
    node_lab = _cielab(np.unique(nodes.get_facecolors(), axis=0))
    assert len(node_lab) == len(names)
    cmap = edges.get_cmap()
    edge_lab = _cielab(np.vstack([cmap(np.linspace(0, 1, 256)), cmap.get_bad()]))
    distance = np.linalg.norm(node_lab[:, None, :] - edge_lab[None, :, :], axis=-1)
    assert distance.min() > 20
    plt.close("all")
