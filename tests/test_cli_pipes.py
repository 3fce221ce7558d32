"""A reader that closes the pipe early (``allysim compare | head -1``) costs no file and prints
no traceback."""

import io
import os
import subprocess
import sys

import pytest

from allysim.cli import main
from allysim.cli.pipes import _ClosedPipeSafe

# The smallest runs each command accepts, so that the three runs take a few seconds.
_COMMANDS = {
    "compare": (["compare", "--quiet"], ["mechanisms.csv", "mechanisms.png"]),
    "evolve": (
        [
            "evolve",
            "--quiet",
            "--sim-replicates",
            "0",
            "--strategies",
            "ALLD,TFT",
            "--population",
            "2",
        ],
        ["evolution.csv", "evolution.png", "fixation.csv"],
    ),
    "tournament": (
        [
            "tournament",
            "--quiet",
            "--rounds",
            "1",
            "--repetitions",
            "1",
            "--strategies",
            "TFT,ALLD",
        ],
        ["tournament.csv", "tournament.png"],
    ),
}


@pytest.mark.parametrize("command", list(_COMMANDS))
def test_reader_closing_after_one_line_loses_no_file(command, tmp_path):
    argv, files = _COMMANDS[command]
    out = tmp_path / "out"
    # Unbuffered, so that every print after the reader has gone meets the closed pipe at once
    # (buffered output would only meet it at exit).
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "allysim.cli", *argv, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # as ``head -1`` does, then goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert "Exception ignored" not in err, err
    for name in files:
        assert (out / name).stat().st_size > 0, name


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone: every write and flush fails as a closed pipe does."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_stdout_in_process_still_writes_the_files(tmp_path, monkeypatch):
    # A stream without a file descriptor (as under pytest) is not touched beyond dropping text.
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    argv = ["evolve", "--quiet", "--sim-replicates", "0", "--strategies", "ALLD,TFT"]
    assert main([*argv, "--population", "2", "--out", str(tmp_path)]) == 0
    assert isinstance(sys.stdout, _ClosedPipe)  # restored after the run
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "evolution.csv",
        "evolution.png",
        "fixation.csv",
    ]


def test_stdout_closed_before_the_start_still_writes_the_files(tmp_path, monkeypatch):
    # ``allysim evolve >&-``: Python starts with sys.stdout None, and print does nothing.
    monkeypatch.setattr(sys, "stdout", None)
    argv = ["evolve", "--quiet", "--sim-replicates", "0", "--strategies", "ALLD,TFT"]
    assert main([*argv, "--population", "2", "--out", str(tmp_path)]) == 0
    assert sys.stdout is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "evolution.csv",
        "evolution.png",
        "fixation.csv",
    ]


def test_guard_drops_output_after_the_first_broken_pipe():
    guard = _ClosedPipeSafe(_ClosedPipe())
    assert guard.write("lost\n") == 5
    assert guard.broken
    guard.flush()  # no error once broken
    kept = _ClosedPipeSafe(io.StringIO())
    kept.write("a")
    kept.flush()
    assert kept.stream.getvalue() == "a" and not kept.broken


def test_progress_bars_only_on_a_terminal(tmp_path, monkeypatch):
    # Redirected (a file, a pipe, pytest's capture) the bars' redraws would fill the log with
    # \r-joined lines, so they are off unless stderr is a terminal; --quiet still forces off.
    import allysim.cli as cli

    seen = []

    def sections(parser, args, sections):
        seen.append(args.quiet)
        return 0

    monkeypatch.setattr(cli, "_run_sections", sections)
    argv = ["trust", "--out", str(tmp_path), "--steps", "1"]

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    main(argv)
    main([*argv, "--quiet"])
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    main(argv)
    monkeypatch.setattr(sys, "stderr", None)
    main(argv)
    assert seen == [False, True, True, True]
    with open(os.devnull, "w") as devnull:
        assert cli._is_terminal(Tty()) and not cli._is_terminal(devnull)
