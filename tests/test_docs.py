"""The documentation site builds in strict mode: a broken reference or docstring fails.

The API reference is also read back: a parameter written ``name : description`` would show
its description where the type belongs, and a Sphinx role (``:func:`x```) would show literally.
"""

import ast
import html
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Pages whose docstrings are checked for leftover Sphinx roles (mkdocstrings renders them as
# text); the other modules' pages are listed as they are converted.
NO_SPHINX_ROLES = [
    "games",
    "strategies",
    "kernels",
    "tournament",
    "mechanisms",
    "comparison",
    "scenarios",
    "experiments",
    "sensitivity",
    "plotting",
]

ITEM = re.compile(
    r"<li>\s*<b><code>(?P<name>[^<]+)</code></b>\s*"
    r"(?:\((?P<type>.*?)\))?\s*–\s*"
    r'<div class="doc-md-description">\s*(?P<desc>.*?)\s*</div>',
    re.S,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _parameters(page: str, function: str) -> dict[str, tuple[str, str]]:
    """{name: (type, description)} of the first Parameters list after ``function``'s heading."""
    start = page.index(f'id="allysim.{function}"')
    section = page[start:]
    section = section[section.index("Parameters:") : section.index("</ul>")]
    return {m["name"]: (_text(m["type"] or ""), _text(m["desc"])) for m in ITEM.finditer(section)}


def test_mkdocs_strict_build(site):
    api = (site / "api" / "mechanisms" / "index.html").read_text()
    assert "continuation_threshold" in api and "ProfitSharing" in api
    assert (site / "images" / "trust.png").exists()


def test_parameter_table_shows_types_not_descriptions(site):
    page = (site / "api" / "experiments" / "index.html").read_text()
    params = _parameters(page, "experiments.sweep")
    assert list(params)[:4] == ["function", "grid", "replicates", "seed"]
    kind, desc = params["replicates"]
    assert kind.startswith("int") and "default: 1" in kind
    assert desc == "Independent runs per cell, >= 1."
    kind, desc = params["progress"]
    assert kind.startswith("bool") and "default: True" in kind and desc.startswith("Show a tqdm")
    # Every entry: a short type, a description of its own.
    for name, (kind, desc) in params.items():
        assert kind and len(kind) < 90, (name, kind)
        assert desc, name


@pytest.mark.parametrize("module", NO_SPHINX_ROLES)
def test_no_sphinx_roles_in_rendered_docstrings(site, module):
    page = (site / "api" / module / "index.html").read_text()
    roles = sorted(set(re.findall(r":(?:func|class|meth|data|attr|mod):<code>[^<]*", page)))
    assert not roles, f"write [`name`][allysim.module.name] or ``name``, not roles: {roles}"


NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_rendered_with_outputs(site, notebook):
    """The site executes each notebook (mkdocs-jupyter, no cache) and shows its outputs.

    The build fails on an error in a cell (``allow_errors: false``); this checks the rest:
    figures embedded, and nothing written to stderr (warnings such as tqdm's IProgress one).
    """
    page = (site / "notebooks" / notebook / "index.html").read_text()
    figures = page.count('src="data:image/png;base64,')
    assert figures >= 1, f"{notebook}: no figure in the rendered page"
    stderr = re.findall(
        r'data-mime-type="application/vnd\.jupyter\.stderr"[^>]*>\s*<pre>(.{0,200})', page, re.S
    )
    assert not stderr, f"{notebook}: output on stderr: {[_text(s) for s in stderr]}"
    assert "Traceback" not in page


def test_every_notebook_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [n for n in NOTEBOOKS if f"notebooks/{n}.ipynb" not in nav]
    assert not missing, f"add to mkdocs.yml's nav: {missing}"


def test_every_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    missing = [p for p in pages if p not in nav]
    assert not missing, f"add to mkdocs.yml's nav: {missing}"


# ------------------------------------------------------------------ a new user's pages

USER_PAGES = ["README.md", "docs/index.md", "docs/getting-started.md", "docs/how-to.md"]


@pytest.mark.parametrize("page", USER_PAGES)
def test_user_pages_speak_of_the_code_not_of_its_changes(page):
    # how-to.md said a flat sequence "is refused with this fix": release-note wording that a
    # reader of the guide has no fix to relate to.
    text = " ".join((ROOT / page).read_text().split())
    found = re.findall(r"\b(?:with this fix|this (?:fix|change|release)|new today)\b", text, re.I)
    assert not found, f"{page}: {found}"


def test_index_links_the_pages_a_new_user_looks_for():
    # A user coming from Axelrod-Python or nashpy, or wanting to screen parameters, found no
    # link from the home page to interop, mechanisms or sensitivity.
    text = (ROOT / "docs" / "index.md").read_text()
    linked = set(re.findall(r"\]\(([\w./-]+\.md)\)", text))
    wanted = {"getting-started.md", "concepts.md", "how-to.md", "interop.md", "mechanisms.md"}
    wanted |= {"trust-model.md", "evolution.md", "experiments.md", "sensitivity.md"}
    assert wanted - linked == set()
    assert all((ROOT / "docs" / p).exists() for p in linked)


def test_how_to_evolution_command_and_python_give_the_same_shares(tmp_path, capsys):
    # The how-to gave the command and a Python call with undefined names (zoo, game) and no
    # result; its block's shares must be the command's.
    from allysim.cli import main

    section = (ROOT / "docs" / "how-to.md").read_text()
    section = section.split("## Compute which strategies evolution favours")[1].split("\n## ")[0]
    command = re.search(r"`allysim (evolve [^`]+)`", section).group(1).split()
    shown = re.search(r"shares\.round\(4\)\.tolist\(\)  # -> (\[.*\])", section).group(1)
    argv = [*command, "--sim-replicates", "0", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    capsys.readouterr()
    table = pd.read_csv(tmp_path / "evolution.csv").set_index("strategy")
    names = re.search(r"--strategies (\S+)", " ".join(command)).group(1).split(",")
    assert [round(float(table.loc[n, "share"]), 4) for n in names] == ast.literal_eval(shown)
