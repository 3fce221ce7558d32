"""The README's tour runs as written, through the same collector as the documentation.

tests/test_docs_code.py runs docs/; the README (one block, the tour) runs here, once, as a
spawn-mode script with its ``# -> value`` outputs checked, followed by assertions on the values
its comments describe.
"""

import pkgutil
import re
from pathlib import Path

import allysim
from test_docs_code import blocks, run_markdown

README = Path(__file__).resolve().parents[1] / "README.md"

AFTER_THE_TOUR = """
assert row.shape == (5, 5)
assert setup.margins() == {"sanction": 0.5}
assert len(model.datacollector.get_model_vars_dataframe()) == 301
"""


def test_readme_tour_runs(tmp_path):
    assert blocks(README), "README has no python block"
    script = run_markdown(README, tmp_path, epilogue=AFTER_THE_TOUR)
    assert script.ran == len(blocks(README))


def test_readme_module_table_lists_every_public_module():
    # allysim.sensitivity (analyse_function for a function of your own) was missing: a new
    # user reading the table could not find it.
    text = README.read_text()
    table = set(re.findall(r"^\| `allysim\.(\w+)` \|", text, re.M))
    public = {m.name for m in pkgutil.iter_modules(allysim.__path__)}
    public = {m for m in public if not m.startswith("_")} - {"cli"}  # cli: the `allysim` table
    assert public - table == set(), f"add to README's module table: {sorted(public - table)}"
    assert table - public == set(), f"no such module: {sorted(table - public)}"
