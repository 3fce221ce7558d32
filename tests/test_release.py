"""One version everywhere: the package, pyproject, CITATION.cff and the CHANGELOG's top entry."""

import re
import tomllib
from pathlib import Path

import allysim

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_semver_and_the_same_everywhere():
    version = allysim.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    with open(ROOT / "pyproject.toml", "rb") as fh:
        assert tomllib.load(fh)["project"]["version"] == version
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf"^version: {re.escape(version)}$", citation, re.M)
    assert "cff-version: 1.2.0" in citation
    first = re.search(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert first is not None and first.group(1) == version
