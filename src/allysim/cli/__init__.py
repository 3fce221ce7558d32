"""The ``allysim`` command: ``allysim demo`` runs the main job; see ``allysim --help``.

Every command checks all of its arguments before any work starts. A bad value ends the command
with exit status 2 and one line on standard error that names the option and its allowed range;
nothing is written to ``--out`` in that case. Files are written only once every section of the
command has run.

The modules: :mod:`~allysim.cli.arguments` (argument types, one-line errors),
:mod:`~allysim.cli.commands` (the parser, its help, what each subcommand runs),
:mod:`~allysim.cli.output` (``--out``, writing CSV and figures) and one module per section:
:mod:`~allysim.cli.tournament`, :mod:`~allysim.cli.compare`, :mod:`~allysim.cli.trust`,
:mod:`~allysim.cli.evolve`. ``allysim serve`` (:mod:`~allysim.cli.serve`) starts the
interactive page instead: it writes no files and runs until stopped.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from allysim.cli.pipes import _ClosedPipeSafe

# Names kept at ``allysim.cli.<name>`` after the split into modules, and the module each comes
# from. They are loaded on first use (PEP 562): the parser's modules import pandas, numpy and
# the library, which ``allysim --version`` does not need.
_HOMES: dict[str, tuple[str, ...]] = {
    "allysim.cli.arguments": ("SEED_MAX", "TRUST_MIN_ORGANIZATIONS"),
    "allysim.cli.commands": ("_build_parser",),
    "allysim.cli.compare": ("_mechanisms_section",),
    "allysim.cli.evolve": ("_simulate_small_mutation", "_simulate_with_mutation"),
    "allysim.cli.output": ("_run_sections",),
    "allysim.cli.serve": ("_serve",),
    "allysim.scenarios": (
        "BASE_SHADOW",
        "DEFAULT_TRUST_SCENARIOS",
        "LONG_SHADOW",
        "TRUST_SCENARIO_NOTES",
        "trust_scenarios",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:
    from allysim.cli.arguments import SEED_MAX as SEED_MAX
    from allysim.cli.arguments import TRUST_MIN_ORGANIZATIONS as TRUST_MIN_ORGANIZATIONS
    from allysim.cli.commands import _build_parser as _build_parser
    from allysim.cli.compare import _mechanisms_section as _mechanisms_section
    from allysim.cli.evolve import _simulate_small_mutation as _simulate_small_mutation
    from allysim.cli.evolve import _simulate_with_mutation as _simulate_with_mutation
    from allysim.cli.output import _run_sections as _run_sections
    from allysim.cli.serve import _serve as _serve
    from allysim.scenarios import BASE_SHADOW as BASE_SHADOW
    from allysim.scenarios import DEFAULT_TRUST_SCENARIOS as DEFAULT_TRUST_SCENARIOS
    from allysim.scenarios import LONG_SHADOW as LONG_SHADOW
    from allysim.scenarios import TRUST_SCENARIO_NOTES as TRUST_SCENARIO_NOTES
    from allysim.scenarios import trust_scenarios as trust_scenarios
else:

    def __getattr__(name: str) -> Any:
        """Load a re-exported name on first use (PEP 562); hidden from type checkers, which
        would otherwise accept any ``allysim.cli.<typo>``."""
        home = _HOME.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name)
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The module's names with those loaded on first use."""
        return sorted(set(globals()) | set(_HOME))


__all__ = ["main", "trust_scenarios"]


def _is_terminal(stream: object) -> bool:
    """Whether ``stream`` is an interactive terminal (False for files, pipes and None)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed stream
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``allysim`` console script.

    Parameters
    ----------
    argv : Sequence[str] or None, default None
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, also when standard output was closed early (``| head -1``): what is
        left to print is dropped and the files are still written. Bad arguments raise
        ``SystemExit(2)`` after one line on stderr that names the option and its allowed
        range; ``--help`` and ``--version`` raise ``SystemExit(0)``.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    # A reader that stops early (``allysim compare | head -1``) must not cost the files or
    # print a traceback: printing goes on into nothing and the command finishes. The exit
    # status stays 0 rather than the 1 of the Python docs' SIGPIPE recipe: every result was
    # written to --out, so the run succeeded, and ``set -o pipefail`` scripts that cut the
    # summary short on purpose should not fail for it.
    # With stdout closed before start (``allysim compare >&-``) sys.stdout is None and print
    # already does nothing: there is nothing to guard.
    guard = None if sys.stdout is None else _ClosedPipeSafe(sys.stdout)
    if guard is not None:
        sys.stdout = guard  # type: ignore[assignment]
    try:
        if argv == ["--version"]:
            # Answered before the parser's modules (pandas, numpy, the library) are loaded: they
            # take most of a second. The parser's own --version prints the same line
            # (tests/test_lazy_import.py compares the two).
            import allysim

            print(f"allysim {allysim.__version__}")
            raise SystemExit(0)
        # Through the module object: the names below are loaded on first use, and a test may
        # have replaced one of them on it.
        from allysim import cli as this

        if argv[:1] == ["serve"]:
            return this._serve(argv[1:])
        parser = this._build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:
            # parse_args would report these from the top-level parser ("see 'allysim --help'")
            # even when they follow a subcommand, whose own --help is the one that helps.
            before = argv[: argv.index(args.command)]
            owner = parser if any(x in before for x in extra) else args.parser
            owner.error(f"unrecognized arguments: {' '.join(extra)}")
        if not args.quiet and not _is_terminal(sys.stderr):
            # Redirected to a file or a pipe, a bar's redraws pile up as \r-joined lines
            # that bury the log; a terminal shows them in place.
            args.quiet = True
        return this._run_sections(args.parser, args, args.sections(args.parser, args))
    finally:
        if guard is not None:
            guard.flush()  # output still buffered meets the closed pipe here, not at exit
            if sys.stdout is guard:
                sys.stdout = guard.stream
