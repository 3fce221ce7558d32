"""Output of the ``allysim`` command: each section returns artifacts; files are written once
every section has run, into an ``--out`` folder that was probed before any work started.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allysim.cli.arguments import _blame


@dataclass
class _Artifact:
    """A file a section wants written: its name in ``--out`` and how to write it.

    Attributes
    ----------
    name : str
        File name inside the output folder.
    write : Callable[[Path], None]
        Writes the file at the given path.
    """

    name: str
    write: Callable[[Path], None]


def _count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1.

    Parameters
    ----------
    n : int
        How many.
    noun : str
        The singular noun (its plural adds "s", or "es" after ch, sh, s and x).

    Returns
    -------
    str
        E.g. ``"1 replicate"``, ``"20 replicates"``.

    Examples
    --------
    >>> _count(1, "replicate"), _count(20, "step"), _count(2, "match")
    ('1 replicate', '20 steps', '2 matches')
    """
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun}es" if noun.endswith(("ch", "sh", "s", "x")) else f"{n} {noun}s"


def _figure_artifact(fig: Any, name: str, dpi: int) -> _Artifact:
    """Wrap a matplotlib figure as an artifact that saves it and then closes it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name (``.png``).
    dpi : int
        Resolution, dots per inch.

    Returns
    -------
    _Artifact
        The artifact.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> _figure_artifact(plt.figure(), "x.png", 100).name
    'x.png'
    >>> plt.close("all")
    """

    def write(path: Path) -> None:
        import matplotlib.pyplot as plt  # deferred: matplotlib, not needed for --help

        try:
            fig.savefig(path, dpi=dpi)
        finally:
            plt.close(fig)

    return _Artifact(name, write)


def _csv_artifact(table: pd.DataFrame, name: str) -> _Artifact:
    """Wrap a table as an artifact written as CSV without the index.

    Parameters
    ----------
    table : pandas.DataFrame
        The table.
    name : str
        File name (``.csv``).

    Returns
    -------
    _Artifact
        The artifact.

    Examples
    --------
    >>> _csv_artifact(pd.DataFrame({"a": [1]}), "a.csv").name
    'a.csv'
    """
    return _Artifact(name, lambda path: table.to_csv(path, index=False))


def _prepare_out(parser: argparse.ArgumentParser, text: str) -> tuple[Path, list[Path]]:
    """Make sure ``--out`` is a folder this process can write, before any work starts.

    Missing folders are created and a temporary file is written and removed, so that any
    failure (a file in the way, a read-only or virtual file system, no permission) shows now.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a failure as a usage error on ``--out``.
    text : str
        The ``--out`` value.

    Returns
    -------
    tuple[Path, list[Path]]
        The folder and the folders this call created (innermost last), to remove if the
        command fails later.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out, created = _prepare_out(_Parser(), str(Path(tmp) / "a" / "b"))
    ...     [p.name for p in created]
    ['a', 'b']
    """
    out = Path(text)
    missing: list[Path] = []
    probe = out
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    try:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(20, "exists and is not a folder")
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        _remove_folders(created)
        reason = exc.strerror or str(exc)
        parser.error(f"argument --out: cannot write to folder {text!r}: {reason}")
    return out, created


def _remove_folders(created: Sequence[Path]) -> None:
    """Remove the folders ``_prepare_out`` created, innermost first, if they are still empty.

    Parameters
    ----------
    created : Sequence[Path]
        Folders in creation order.

    Returns
    -------
    None

    Examples
    --------
    >>> _remove_folders([])
    """
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


Section = Callable[[argparse.Namespace], list[_Artifact]]


def _run_sections(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    sections: Sequence[tuple[Section, Sequence[str]]],
) -> int:
    """Run output sections, then write their files into ``args.out`` and say where they are.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a library refusal or a write failure as a one-line usage error.
    args : argparse.Namespace
        Parsed arguments (``out`` is used here).
    sections : Sequence[tuple[Section, Sequence[str]]]
        Each section with the options whose values it passes to the library.

    Returns
    -------
    int
        0 on success (failures exit with status 2).

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     note = lambda args: [_Artifact("a.txt", lambda p: p.write_text("hi"))]
    ...     _run_sections(_Parser(), argparse.Namespace(out=tmp), [(note, ())])
    <BLANKLINE>
    wrote .../a.txt
    0
    """
    import matplotlib.pyplot as plt  # deferred: matplotlib, not needed for --help

    out, created = _prepare_out(parser, args.out)
    artifacts: list[_Artifact] = []
    try:
        for section, options in sections:
            with _blame(parser, *options):
                artifacts += section(args)
    except SystemExit:
        plt.close("all")
        _remove_folders(created)
        raise
    written: list[Path] = []
    try:
        for artifact in artifacts:
            path = out / artifact.name
            artifact.write(path)
            written.append(path)
    except OSError as exc:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        _remove_folders(created)
        parser.error(f"argument --out: cannot write {exc.filename or out}: {exc.strerror or exc}")
    finally:
        plt.close("all")
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _matplotlib() -> Any:
    """Import pyplot on the file-only Agg backend (the CLI never opens windows).

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Examples
    --------
    >>> _matplotlib().get_backend().lower()
    'agg'
    """
    import matplotlib  # deferred: not needed for --help; the backend is chosen here

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
