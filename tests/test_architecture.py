"""The package layers of allysim's top-level docstring hold: each subpackage imports (at module
level) only from its own layer or below, and the import graph between subpackages has no cycle.

A new subpackage must be given a layer here (and in ``allysim/__init__.py``'s docstring), so the
structure is decided when it is added, not discovered later.
"""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "allysim"

LAYERS = {
    "_validation": 0,
    "_results": 0,
    "_progress": 0,
    "games": 1,
    "strategies": 1,
    "kernels": 2,
    "tournament": 3,
    "mechanisms": 3,
    "evolution": 3,
    "reputation": 3,
    "consortia": 3,
    "equilibria": 4,
    "scenarios": 4,
    "comparison": 4,
    "abm": 4,
    "experiments": 4,
    "sensitivity": 4,
    "interop": 4,
    "plotting": 5,
    "cli": 5,
}


def _imports() -> dict[str, set[str]]:
    """Subpackage -> the other subpackages its modules import at module level."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        package = parts[0].removesuffix(".py")
        if package == "__init__":
            continue
        graph.setdefault(package, set())
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            elif isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            for name in names:
                dotted = name.split(".")
                if dotted[0] == "allysim" and len(dotted) > 1 and dotted[1] != package:
                    graph[package].add(dotted[1])
    return graph


GRAPH = _imports()


def test_every_subpackage_has_a_layer():
    missing = sorted(set(GRAPH) - set(LAYERS))
    assert not missing, f"give these a layer in LAYERS and in allysim's docstring: {missing}"


@pytest.mark.parametrize("package", sorted(GRAPH))
def test_imports_go_to_the_same_layer_or_below(package):
    above = sorted(d for d in GRAPH[package] if LAYERS.get(d, 99) > LAYERS.get(package, -1))
    assert not above, f"allysim.{package} (layer {LAYERS.get(package)}) imports {above}"


def test_no_import_cycle_between_subpackages():
    try:
        order = list(TopologicalSorter(GRAPH).static_order())
    except CycleError as err:
        pytest.fail(f"import cycle between subpackages: {err.args[1]}")
    assert set(order) >= set(GRAPH)
