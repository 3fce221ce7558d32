"""The documentation site builds in strict mode: a broken reference or docstring fails.

The API reference is also read back: a parameter written ``name : description`` would show
its description where the type belongs, and a Sphinx role (``:func:`x```) would show literally.
"""

import html
import re
import subprocess
import sys
from pathlib import Path

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
