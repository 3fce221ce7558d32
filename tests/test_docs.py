"""The documentation site builds in strict mode: a broken reference or docstring fails."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_strict_build(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    api = (tmp_path / "site" / "api" / "mechanisms" / "index.html").read_text()
    assert "continuation_threshold" in api and "ProfitSharing" in api
    assert (tmp_path / "site" / "images" / "trust.png").exists()
