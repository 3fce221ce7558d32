"""Fuzz every ``allysim`` subcommand over its options, in-process through ``main(argv)``.

Each option gets either a cheap valid value or a bad one (negative, zero, huge, non-numeric
text, a float where an integer goes, empty). Every run must end with exit status 0 (real work,
files written) or 2 (one line on stderr naming an option, and no ``--out`` folder created);
any other exception fails. The options that set the amount of work are always given, drawn
from small valid ranges, so that a valid run stays cheap.
"""

import math
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allysim import cli
from allysim.cli import main

pytestmark = pytest.mark.filterwarnings("ignore")

#: Inputs tried and how they ended, per subcommand (printed with ``pytest -s``).
TRIED: dict[str, Counter] = {}

OUT_CHOICES = ["new", "new", "new", "", "/dev/null", "/proc/allysim-fuzz/out", "file", "in-file"]


def _parses_as_int_in(text, low, high):
    try:
        return low <= int(text) <= high
    except ValueError:
        return False


def _parses_as_number_in(text, low, high):
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and low <= value <= high


def _junk(max_size=8):
    return st.one_of(st.just(""), st.text(max_size=max_size))


def int_option(low, cheap, high):
    """(valid, bad): an integer in [low, cheap]; a value outside [low, high] or not an integer."""
    valid = st.integers(low, cheap).flatmap(lambda v: st.sampled_from([str(v), f" {v} ", f"+{v}"]))
    bad = st.one_of(
        st.integers(max_value=low - 1).map(str),
        st.integers(min_value=high + 1).map(str),
        st.floats().map(str),  # "2.0", "nan", "inf", "1e+300": never an int literal
        _junk().filter(lambda t: not _parses_as_int_in(t, low, high)),
    )
    return valid, bad


def number_option(low, high, *, low_open=False, high_open=False):
    """(valid, bad): a number in the interval; one outside it, non-finite or not a number."""
    valid = st.floats(
        low, high, exclude_min=low_open, exclude_max=high_open, allow_subnormal=False
    ).map(repr)
    bad = st.one_of(
        st.floats(max_value=low, exclude_max=not low_open).map(repr),
        st.floats(min_value=high, exclude_min=not high_open).map(repr),
        st.sampled_from(["nan", "inf", "-inf", "1e999", "0x1", "1,5"]),
        _junk().filter(lambda t: not _parses_as_number_in(t, low, high)),
    )
    return valid, bad


SEED = (
    st.integers(0, cli.SEED_MAX).map(str),
    st.one_of(
        st.integers(max_value=-1).map(str),
        st.integers(min_value=cli.SEED_MAX + 1).map(str),
        st.sampled_from(["1.5", "1e3", "seed", ""]),
    ),
)
PROBABILITY = number_option(0.0, 1.0)
TOURNAMENT = {
    "--rounds": int_option(1, 20, 100_000),
    "--repetitions": int_option(1, 3, 10_000),
}
TRUST = {
    "--organizations": int_option(cli.TRUST_MIN_ORGANIZATIONS, 20, 100_000),
    "--steps": int_option(1, 8, 100_000),
    "--replicates": int_option(1, 2, 1_000),
}
GOOD_NAMES = ["ALLC", "ALLD", "TFT", "WSLS", "GRIM", "GTFT", "M0101"]
GOOD_NAMES += ["RANDOM(0.3)", "EXTORT(3)", "GENEROUS(2)"]
STRATEGY_NAMES = [
    *GOOD_NAMES,
    "RANDOM(2)",
    "EXTORT(0.5)",
    "EXTORT(nan)",
    "M012",
    "NOPE",
    "",
]
EVOLVE = {
    "--population": int_option(2, 12, 10_000),
    "--sim-replicates": int_option(0, 4, 10_000),
    "--sim-steps": int_option(1, 300, 10_000_000),
}
EVOLVE_OPTIONAL = {
    "--strategies": (
        st.lists(st.sampled_from(GOOD_NAMES), min_size=1, max_size=4, unique=True).map(",".join),
        st.one_of(
            st.lists(st.sampled_from(STRATEGY_NAMES), min_size=1, max_size=4).map(",".join),
            _junk(),
        ),
    ),
    "--benefit": number_option(0.0, 1e6, low_open=True),
    "--cost": number_option(0.0, 1e6, low_open=True),
    "--synergy": number_option(-1e6, 1e6),
    "--noise": PROBABILITY,
    "--continuation": number_option(0.0, 1.0, high_open=True),
    "--selection": number_option(0.0, 1e3),
    "--mutation": PROBABILITY,
    "--seed": SEED,
}
SCENARIOS = (
    st.lists(st.sampled_from(list(cli.trust_scenarios())), max_size=2),
    st.lists(st.sampled_from([*cli.trust_scenarios(), "nope", ""]), min_size=1, max_size=2),
)


@st.composite
def argv_for(draw, always, optional, scenarios=False):
    """Options of one subcommand: all of ``always`` and a random subset of ``optional``.

    About a quarter of the inputs take only valid values (real runs, the slow ones); the
    others draw each value from the valid and the bad pool alike, and ``--out`` from good and
    bad folders.
    """
    all_valid = draw(st.sampled_from([False, False, False, True]))

    def value(pair):
        valid, bad = pair
        return draw(valid if all_valid else st.one_of(valid, bad))

    argv = []
    for option, pair in always.items():
        argv += [option, value(pair)]
    for option, pair in optional.items():
        if draw(st.booleans()):
            argv += [option, value(pair)]
    if scenarios:
        for name in value(SCENARIOS):
            argv += ["--scenario", name]
    if draw(st.booleans()):
        argv.append("--quiet")
    out = "new" if all_valid else draw(st.sampled_from(OUT_CHOICES))
    return argv, out


def _options_of(command):
    _, commands = _parsers()
    return {s for a in commands[command]._actions for s in a.option_strings}


def _parsers():
    import argparse

    parser = cli._build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return parser, action.choices


def _resolve_out(choice, base: Path) -> tuple[str, Path | None]:
    """The ``--out`` text for a drawn choice, and the folder that must not appear on exit 2."""
    base.mkdir(parents=True, exist_ok=True)
    blocker = base / "a-file"
    blocker.write_text("x")
    if choice == "new":
        out = base / "new" / "out"
        return str(out), base / "new"
    if choice == "file":
        return str(blocker), None
    if choice == "in-file":
        return str(blocker / "out"), None
    return choice, None


def _check(command, argv, out_choice, base, capsys):
    out, must_not_exist = _resolve_out(out_choice, base)
    full = [command, *argv, "--out", out]
    counts = TRIED.setdefault(command, Counter())
    try:
        code = main(full)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    counts[code] += 1
    assert code in (0, 2), (full, code, captured.err[-2000:])
    if code == 0:
        assert Path(out).is_dir() and any(Path(out).iterdir()), full
        return
    lines = captured.err.splitlines()
    assert len(lines) == 1, (full, captured.err)
    named = re.findall(r"argument ((?:--[a-z-]+/?)+)", lines[0])
    assert named, (full, lines[0])
    assert set(named[0].split("/")) <= _options_of(command), (full, lines[0])
    if must_not_exist is not None:
        assert not must_not_exist.exists(), (full, lines[0])


def _fuzz(command, always, optional, examples, tmp_path_factory, capsys, scenarios=False):
    runs = iter(range(10**9))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(argv_for(always, optional, scenarios))
    def run(drawn):
        argv, out_choice = drawn
        base = tmp_path_factory.getbasetemp() / f"fuzz-{command}-{next(runs)}"
        _check(command, argv, out_choice, base, capsys)

    run()
    counts = TRIED[command]
    print(f"\n{command}: {sum(counts.values())} inputs, exit codes {dict(counts)}")
    return counts


VALID_TOURNAMENT = ["--rounds", "5", "--repetitions", "2", "--quiet"]
VALID_TRUST = ["--organizations", "6", "--steps", "3", "--replicates", "1", "--quiet"]


def test_fuzz_tournament(tmp_path_factory, capsys):
    optional = {"--noise": PROBABILITY, "--seed": SEED}
    counts = _fuzz("tournament", TOURNAMENT, optional, 30, tmp_path_factory, capsys)
    assert counts[0] > 0 and counts[2] > 0


def test_fuzz_compare(tmp_path_factory, capsys):
    # compare's only options are --out and --quiet (it is deterministic: no --seed).
    counts = _fuzz("compare", {}, {}, 8, tmp_path_factory, capsys)
    assert counts[2] > 0


def test_fuzz_evolve(tmp_path_factory, capsys):
    counts = _fuzz("evolve", EVOLVE, EVOLVE_OPTIONAL, 60, tmp_path_factory, capsys)
    assert counts[0] > 0 and counts[2] > 0


def test_fuzz_trust(tmp_path_factory, capsys):
    optional = {"--seed": SEED}
    counts = _fuzz("trust", TRUST, optional, 30, tmp_path_factory, capsys, scenarios=True)
    assert counts[0] > 0 and counts[2] > 0


def test_fuzz_demo(tmp_path_factory, capsys):
    always = {**TOURNAMENT, **TRUST}
    optional = {"--noise": PROBABILITY, "--seed": SEED}
    counts = _fuzz("demo", always, optional, 6, tmp_path_factory, capsys)
    assert sum(counts.values()) == 6  # real runs are checked by test_valid_run_of_each_command


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("tournament", VALID_TOURNAMENT),
        ("demo", [*VALID_TOURNAMENT, *VALID_TRUST]),
        ("trust", [*VALID_TRUST, "--scenario", "bonds"]),
        ("evolve", ["--population", "6", "--sim-replicates", "2", "--sim-steps", "50"]),
        ("compare", ["--quiet"]),
    ],
)
def test_valid_run_of_each_command(command, argv, tmp_path, capsys):
    _check(command, argv, "new", tmp_path, capsys)
    assert TRIED[command][0] >= 1
