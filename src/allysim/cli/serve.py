"""``allysim serve``: start the interactive trust-model page (:mod:`allysim.abm.viz`).

It is parsed on its own rather than as a subparser of :func:`~allysim.cli.commands._build_parser`:
the other commands write files into ``--out`` and return, this one runs a web server until it
is stopped, so it shares none of their options or their output handling.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence

from allysim.cli.arguments import _int_in, _Parser

#: What ``allysim --help`` says about ``serve``.
SERVE_HELP = (
    "allysim serve [--port N] [--host H] [--no-browser] starts the interactive trust-model page "
    "(needs pip install \"allysim[viz]\"; see 'allysim serve --help')"
)

#: The Solara app that ``allysim serve`` runs (its ``Page``).
APP = "allysim.abm.viz"


def _host(text: str) -> str:
    """Argparse ``type=`` for ``--host``: a non-empty host name or address without spaces.

    Parameters
    ----------
    text : str
        The host as typed.

    Returns
    -------
    str
        ``text`` unchanged.

    Examples
    --------
    >>> _host("127.0.0.1")
    '127.0.0.1'
    >>> _host("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a host name or address, got ''
    """
    if not text or text != text.strip() or " " in text:
        raise argparse.ArgumentTypeError(f"must be a host name or address, got {text!r}")
    return text


def _build_serve_parser() -> argparse.ArgumentParser:
    """The ``allysim serve`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        Options ``--port``, ``--host`` and ``--no-browser``.

    Examples
    --------
    >>> args = _build_serve_parser().parse_args(["--port", "8800", "--no-browser"])
    >>> args.port, args.host, args.no_browser
    (8800, '127.0.0.1', True)
    """
    p = _Parser(
        prog="allysim serve",
        description="Start the interactive trust-model page (Mesa SolaraViz) in a local web "
        "server, until Ctrl-C. Sliders set the parameters of the next model (press Reset); "
        'Step and play advance it; the plots follow. Needs pip install "allysim[viz]".',
    )
    p.add_argument(
        "--port",
        type=_int_in(1, 65535),
        default=8765,
        help="port to listen on, an integer in [1, 65535] (default: %(default)s)",
    )
    p.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="host name or address to listen on; 0.0.0.0 listens on every interface "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open the page in a web browser",
    )
    return p


def _check_free(parser: argparse.ArgumentParser, host: str, port: int) -> None:
    """Refuse (one-line usage error) a host that does not resolve or a port already in use.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports the failure.
    host : str
        Host to listen on.
    port : int
        Port to listen on.

    Returns
    -------
    None

    Examples
    --------
    >>> _check_free(_build_serve_parser(), "127.0.0.1", 0)
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        parser.error(f"argument --host: cannot resolve {host!r}: {exc}")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if os.name == "posix":
            # As the server does: connections of a stopped server (TIME_WAIT) do not block.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            parser.error(
                f"argument --port: cannot listen on {host}:{port}: {exc.strerror or exc} "
                "(choose another port in [1, 65535])"
            )


def _solara_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The command line that serves the page with Solara's server.

    Parameters
    ----------
    host : str
        Host to listen on.
    port : int
        Port to listen on.
    open_browser : bool
        Open the page in a web browser once the server is up.

    Returns
    -------
    list of str
        ``python -m solara run allysim.abm.viz ...`` with the current interpreter.

    Examples
    --------
    >>> _solara_command("127.0.0.1", 8765, False)[3:]
    ['run', 'allysim.abm.viz', '--host', '127.0.0.1', '--port', '8765', '--production', '--no-open']
    """
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        # No file watching or auto-reload: the page is an installed module, not code being edited.
        "--production",
        "--open" if open_browser else "--no-open",
    ]


def _serve(argv: Sequence[str]) -> int:
    """Run ``allysim serve``: check the options and the viz extra, then serve until stopped.

    Parameters
    ----------
    argv : Sequence[str]
        The arguments after ``serve``.

    Returns
    -------
    int
        The server's exit status (0 after Ctrl-C). Bad options, a port in use or a missing
        viz extra raise ``SystemExit(2)`` after one line on stderr.

    Examples
    --------
    >>> _serve(["--port", "0"])
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """
    parser = _build_serve_parser()
    args = parser.parse_args(list(argv))
    # Mesa's SolaraViz needs both; checked here so that their absence is one line, not a
    # traceback from the server.
    for module in ("solara", "altair"):
        if importlib.util.find_spec(module) is None:
            parser.error(f'the interactive page needs {module}: pip install "allysim[viz]"')
    _check_free(parser, args.host, args.port)
    command = _solara_command(args.host, args.port, not args.no_browser)
    print(f"allysim serve: http://{args.host}:{args.port}/ (Ctrl-C stops the server)", flush=True)
    server = subprocess.Popen(command)
    # A SIGTERM to this process must stop the server too, not leave it holding the port.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    """Signal handler that turns SIGTERM into KeyboardInterrupt, as Ctrl-C would be.

    Parameters
    ----------
    signum : int
        The signal number.
    frame : object
        The interrupted frame (unused).

    Returns
    -------
    None
        Always raises KeyboardInterrupt.

    Examples
    --------
    >>> try:
    ...     _interrupt(15, None)
    ... except KeyboardInterrupt:
    ...     print("stopped")
    stopped
    """
    raise KeyboardInterrupt
