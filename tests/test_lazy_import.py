"""``import allysim`` is cheap: the package loads its public names on first use (PEP 562).

``import allysim`` and ``allysim --version`` must not load pandas, scipy, matplotlib, Mesa or
numba (together most of a second); every name of ``allysim.__all__`` must still be the object
its home module holds, and a misspelt name must still fail as an AttributeError naming it.
Each check of what gets imported runs in a fresh interpreter: this one has loaded everything.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

import allysim

HEAVY = ("pandas", "scipy", "matplotlib", "mesa", "numba")

# The module each public name was imported from when allysim/__init__.py imported everything.
HOMES = {
    "allysim._progress": ["set_progress_delay"],
    "allysim._validation": ["memory_budget", "set_memory_budget"],
    "allysim.comparison": ["compare_mechanisms", "standard_partnership_game"],
    "allysim.games": [
        "NotADilemmaWarning",
        "PrisonersDilemma",
        "StageGame",
        "classify",
        "partnership_game",
    ],
    "allysim.kernels": [
        "PlaySettings",
        "SimulationResult",
        "cooperation_rates",
        "expected_payoffs",
        "outcome_distribution",
        "simulate",
    ],
    "allysim.mechanisms": [
        "Bond",
        "Communication",
        "Monitoring",
        "ProfitSharing",
        "Reputation",
        "Sanction",
        "ShadowOfFuture",
    ],
    "allysim.strategies": [
        "ALLC",
        "ALLD",
        "ALTERNATOR",
        "CLASSIC",
        "GRIM",
        "GTFT",
        "RANDOM",
        "STFT",
        "TF2T",
        "TFT",
        "WSLS",
        "FiniteStateStrategy",
        "MemoryOne",
        "deterministic_memory_one",
        "extortionate",
        "generous",
        "gtft",
        "random_strategy",
        "zero_determinant",
    ],
    "allysim.tournament": ["TournamentResult", "round_robin"],
}
SUBPACKAGES = ["comparison", "evolution", "mechanisms"]
HOME = {name: module for module, names in HOMES.items() for name in names}


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object, returned here."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


# An expression for the scripts below: the heavy packages the interpreter has loaded.
LOADED = f"sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))"


def test_import_allysim_loads_no_heavy_dependency():
    loaded = _run(f"import json, sys\nimport allysim\nprint(json.dumps({LOADED}))")
    assert loaded == [], f"import allysim loaded {loaded}"


def test_a_public_name_loads_only_its_own_corner():
    # The memory budget is plain Python over numpy: asking for it must not drag in the rest.
    loaded = _run(
        f"import json, sys\nimport allysim\nallysim.set_memory_budget\nprint(json.dumps({LOADED}))"
    )
    assert loaded == []


def test_version_command_prints_the_version_without_heavy_imports():
    # ``python -X importtime`` lists every module the command imports, however it exits.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "allysim.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"allysim {allysim.__version__}\n"
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "allysim" in imported  # the import log was read
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_console_script_prints_the_version_without_heavy_imports():
    (script,) = entry_points(group="console_scripts", name="allysim")
    code = (
        "import contextlib, io, json, sys\n"
        "from importlib.metadata import entry_points\n"
        "(script,) = entry_points(group='console_scripts', name='allysim')\n"
        "sys.argv = ['allysim', '--version']\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        script.load()()\n"
        "        code = None\n"
        "    except SystemExit as exit:\n"
        "        code = exit.code\n"
        f"print(json.dumps([code, out.getvalue(), {LOADED}]))\n"
    )
    code_, printed, loaded = _run(code)
    assert script.value == "allysim.cli:main"
    assert code_ == 0
    assert printed == f"allysim {allysim.__version__}\n"
    assert loaded == []


def test_fast_version_line_is_the_parsers_own(capsys):
    # main() answers ``--version`` before building the parser; the parser must agree.
    from allysim.cli import _build_parser, main

    with pytest.raises(SystemExit) as fast:
        main(["--version"])
    fast_out = capsys.readouterr().out
    with pytest.raises(SystemExit) as slow:
        _build_parser().parse_args(["--version"])
    assert fast.value.code == slow.value.code == 0
    assert fast_out == capsys.readouterr().out == f"allysim {allysim.__version__}\n"


def test_all_is_exactly_the_known_names():
    assert sorted(allysim.__all__) == sorted([*HOME, *SUBPACKAGES, "__version__"])


@pytest.mark.parametrize("name", sorted(HOME))
def test_public_name_is_its_home_modules_object(name):
    home = importlib.import_module(HOME[name])
    assert getattr(allysim, name) is getattr(home, name)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_in_all_is_the_module(name):
    assert getattr(allysim, name) is importlib.import_module(f"allysim.{name}")


def test_star_import_and_dir_list_every_public_name():
    namespace: dict = {}
    exec("from allysim import *", namespace)
    for name in allysim.__all__:
        assert namespace[name] is getattr(allysim, name)
    assert set(allysim.__all__) <= set(dir(allysim))


def test_subpackages_import_and_resolve_as_attributes():
    loaded = _run(
        "import json, sys\n"
        "import allysim\n"
        "import allysim.abm\n"
        "from allysim.abm import TrustModel\n"
        "ok = [allysim.abm.TrustModel is TrustModel,\n"
        "      allysim.consortia is sys.modules['allysim.consortia'],\n"
        "      allysim.evolution.stationary_distribution is not None]\n"
        "print(json.dumps(ok))"
    )
    assert loaded == [True, True, True]


def test_unknown_attribute_raises_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="no_such_name") as err:
        allysim.no_such_name  # noqa: B018
    assert err.value.name == "no_such_name"
    assert not hasattr(allysim, "no_such_name")
    with pytest.raises(ImportError, match="no_such_name"):
        exec("from allysim import no_such_name", {})
