"""Every ```python block in the documentation runs, and every output it shows is checked.

Each Markdown file becomes one script whose code lines sit at the same line numbers as in the
file, so a traceback points into the Markdown. The blocks of a file run in order in one
namespace, as a reader pasting them one after the other would run them, in a subprocess whose
working directory is a temporary folder (files the examples write land there). The script runs
as ``__main__`` with multiprocessing's ``spawn`` start method (the default on macOS and Windows,
and what importing Mesa selects): a process pool outside ``if __name__ == "__main__":`` fails
here as it would for those readers.

Convention for shown output: a line ``expression  # -> value`` is checked. ``value`` is a
Python literal (numbers, strings, tuples, lists, dicts, ``array([...])``, ``nan``) compared with
the expression's value (floats to a relative 1e-9; round in the expression to show fewer
digits). A comment that looks like shown output but lacks ``->`` is reported, so no output
goes unchecked.

Opting out: a block fenced ```python no-run is not run; such blocks are counted and must be
listed in NO_RUN below with the reason. README.md's block runs in tests/test_readme.py, with the
README's own assertions, through :func:`run_markdown`.
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Files with at least one ```python block; the API pages hold only mkdocstrings directives.
DOCS = sorted(p for p in (ROOT / "docs").rglob("*.md") if "```python" in p.read_text())
# (file relative to the root, first line of the block) -> why it cannot run here. Keep it empty.
NO_RUN: dict[tuple[str, int], str] = {}
TIMEOUT_S = 120

FENCE = re.compile(r"^```python(?P<flags>[^\n`]*)\n(?P<code>.*?)^```\s*$", re.M | re.S)
# A comment that starts like a value (a literal, array(...), a container) shows an output.
LOOKS_LIKE_OUTPUT = re.compile(r"#\s*(array\(|[\[\(\{'\"]|-?\d|True\b|False\b|None\b)")

PRELUDE = """\
import math as _math
import multiprocessing as _mp

import numpy as _np

if __name__ == "__main__":
    _mp.set_start_method("spawn", force=True)


def _same(got, want):
    if isinstance(want, _np.ndarray) or isinstance(got, _np.ndarray):
        got, want = _np.asarray(got), _np.asarray(want)
        if got.shape != want.shape:
            return False
        if got.dtype.kind in "biuf" and want.dtype.kind in "biuf":
            return bool(_np.allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True))
        return bool((got == want).all())
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want or (isinstance(got, _np.bool_) and bool(got) is want)
    if isinstance(want, (int, float)) and isinstance(got, (int, float, _np.number)):
        if _math.isnan(want):
            return _math.isnan(float(got))
        return _math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(want, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(want)
            and all(_same(g, w) for g, w in zip(got, want))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(_same(got[k], want[k]) for k in want)
        )
    return got == want


def _check_shown(got, shown, where):
    want = eval(shown, {"array": _np.array, "nan": float("nan"), "inf": float("inf")})
    if not _same(got, want):
        raise AssertionError(f"{where}: the docs show {shown}, the code gives {got!r}")
"""


@dataclass
class Block:
    line: int  # line of the first code line in the Markdown file
    code: str
    flags: str


def blocks_of(text: str) -> list[Block]:
    return [
        Block(text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("flags").strip())
        for m in FENCE.finditer(text)
    ]


def blocks(path: Path) -> list[Block]:
    return blocks_of(path.read_text())


def _rewrite_checks(code: str, where: str) -> tuple[str, int]:
    """Turn each ``expr  # -> value`` line into a call of _check_shown; count them."""
    lines = code.splitlines()
    checks = 0
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type != tokenize.COMMENT or not re.match(r"#\s*->", tok.string):
            continue
        row, col = tok.start
        source = lines[row - 1]
        expr = source[:col].strip()
        shown = re.sub(r"^#\s*->\s*", "", tok.string).strip()
        here = f"{where}:{row}"
        try:
            ast.parse(expr, mode="eval")
            ast.parse(shown, mode="eval")
        except SyntaxError as exc:
            raise AssertionError(
                f"{here}: a '# ->' line must be 'expression  # -> literal', got {source!r}"
            ) from exc
        indent = source[: len(source) - len(source.lstrip())]
        lines[row - 1] = f"{indent}_check_shown(({expr}), {shown!r}, {here!r})"
        checks += 1
    return "\n".join(lines), checks


@dataclass
class Script:
    source: str
    ran: int
    skipped: list[Block]
    checks: int


def build_script(text: str, rel: str, epilogue: str = "") -> Script:
    """One script: the prelude on line 1, each block's lines at their line in the Markdown."""
    n_lines = text.count("\n") + 1
    body = [""] * (n_lines + 1)
    ran, checks, skipped = 0, 0, []
    for b in blocks_of(text):
        if "no-run" in b.flags.split():
            skipped.append(b)
            continue
        code, n = _rewrite_checks(b.code, rel)
        # tokenize counted rows from 1 at the block; shift the 'where' labels to file lines.
        code = re.sub(
            rf"'{re.escape(rel)}:(\d+)'",
            lambda m, off=b.line - 1: f"'{rel}:{int(m.group(1)) + off}'",
            code,
        )
        for i, line in enumerate(code.splitlines()):
            body[b.line + i] = line
        ran += 1
        checks += n
    body[0] = ""
    source = "\n".join(body[1:])
    # Line 1 of a Markdown file is never code (a fence comes first): the prelude goes there.
    prelude = "exec(compile(" + repr(PRELUDE) + ", '<docs prelude>', 'exec'))"
    lines = source.split("\n")
    lines[0] = prelude
    source = "\n".join(lines) + "\n" + textwrap.dedent(epilogue)
    return Script(source, ran, skipped, checks)


def run_markdown(path: Path, tmp_path: Path, epilogue: str = "") -> Script:
    """Run the blocks of ``path`` as one script in ``tmp_path``; fail with its output."""
    rel = path.relative_to(ROOT).as_posix()
    script = build_script(path.read_text(), rel, epilogue)
    _run(script, tmp_path / (path.name + ".py"), rel)
    return script


def _run(script: Script, target: Path, rel: str) -> None:
    target.write_text(script.source)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, str(target)],
        cwd=target.parent,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        check=False,
    )
    out = (result.stdout + result.stderr).replace(str(target), rel)
    assert result.returncode == 0, out[-6000:]


@pytest.mark.parametrize("path", DOCS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS])
def test_docs_blocks_run_and_show_true_output(path, tmp_path):
    script = run_markdown(path, tmp_path)
    print(f"{path.name}: {script.ran} block(s) run, {script.checks} shown output(s) checked")


def _is_expression(code: str) -> bool:
    try:
        ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        return False
    return bool(code.strip())


def unchecked_outputs(code: str) -> list[tuple[int, str]]:
    """Comments that show a value after an expression (same line or the next) without ``->``."""
    lines = code.splitlines()
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type != tokenize.COMMENT or re.match(r"#\s*->", tok.string):
            continue
        if not LOOKS_LIKE_OUTPUT.match(tok.string):
            continue
        row, col = tok.start
        before = lines[row - 1][:col]
        if before.strip():
            shows = _is_expression(before)
        else:
            previous = [ln.split("#")[0] for ln in lines[: row - 1] if ln.split("#")[0].strip()]
            shows = bool(previous) and _is_expression(previous[-1])
        if shows:
            found.append((row, tok.string))
    return found


@pytest.mark.parametrize("path", DOCS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS])
def test_shown_outputs_use_the_checked_form(path):
    rel = path.relative_to(ROOT).as_posix()
    unchecked = [
        f"{rel}:{b.line + row - 1}: {comment}"
        for b in blocks(path)
        for row, comment in unchecked_outputs(b.code)
    ]
    assert not unchecked, "write shown output as 'expression  # -> value':\n" + "\n".join(unchecked)


def test_no_run_blocks_are_listed():
    found = {
        (p.relative_to(ROOT).as_posix(), b.line)
        for p in [*DOCS, ROOT / "README.md"]
        for b in blocks(p)
        if "no-run" in b.flags.split()
    }
    print(f"\n{len(found)} documentation block(s) opted out with no-run: {sorted(found)}")
    assert found == set(NO_RUN), f"opted out: {sorted(found)}; listed: {sorted(NO_RUN)}"


def test_collector_finds_blocks_and_catches_wrong_output(tmp_path):
    """The collector itself: blocks at their lines, checks rewritten, a wrong output fails."""
    text = (
        "# t\n\n```python\nx = 2\nx + 1  # -> 3\n```\n\n```python no-run\nboom\n```\n"
        "\n```python\n{'a': [0.1 + 0.2]}  # -> {'a': [0.3]}\n(x, 'y')  # -> (2, 'z')\n```\n"
    )
    found = blocks_of(text)
    assert [(b.line, b.flags) for b in found] == [(4, ""), (9, "no-run"), (13, "")]
    script = build_script(text, "probe.md")
    assert (script.ran, script.checks, len(script.skipped)) == (2, 3, 1)
    assert unchecked_outputs("f(1)  # 3\nx = 2  # 4\ny\n# array([1])\nassert y  # (1, 2)\n") == [
        (1, "# 3"),
        (4, "# array([1])"),
    ]
    with pytest.raises(AssertionError, match=r"probe.md:14: the docs show \(2, 'z'\)"):
        _run(script, tmp_path / "probe.py", "probe.md")
