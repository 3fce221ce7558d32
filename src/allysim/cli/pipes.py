"""Standard output that survives its reader going away (``allysim compare | head -1``).

The files in ``--out`` are the command's results and the printed tables a summary of them; a
reader that stops early must not cost the files. After the first ``BrokenPipeError``
everything printed is dropped, as in the recipe of the Python ``signal`` documentation ("Note
on SIGPIPE"), and the command goes on to write its files.
"""

from __future__ import annotations

import os
from typing import Any, TextIO


class _ClosedPipeSafe:
    """A text stream that forwards to ``stream`` until a write fails with ``BrokenPipeError``.

    From then on writes and flushes are dropped, and the file descriptor under ``stream`` (if
    it has one) is pointed at ``os.devnull``, so that the interpreter's own flush of
    ``sys.stdout`` at exit finds no broken pipe either (it would print "Exception ignored").

    Parameters
    ----------
    stream : TextIO
        The stream to forward to, normally ``sys.stdout``.

    Attributes
    ----------
    stream : TextIO
        The wrapped stream.
    broken : bool
        True once a write or flush met a closed pipe.

    Examples
    --------
    >>> import io
    >>> out = _ClosedPipeSafe(io.StringIO())
    >>> out.write("kept\\n"), out.broken, out.stream.getvalue()
    (5, False, 'kept\\n')
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        """Write ``text``, or drop it once the reader has gone.

        Parameters
        ----------
        text : str
            What to write.

        Returns
        -------
        int
            ``len(text)``: dropped text counts as written, so callers do not retry.

        Examples
        --------
        >>> import io
        >>> _ClosedPipeSafe(io.StringIO()).write("abc")
        3
        """
        if not self.broken:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self._divert()
        return len(text)

    def flush(self) -> None:
        """Flush the stream, or do nothing once the reader has gone.

        Returns
        -------
        None

        Examples
        --------
        >>> import io
        >>> _ClosedPipeSafe(io.StringIO()).flush()
        """
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._divert()

    def _divert(self) -> None:
        self.broken = True
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):  # a stream without a descriptor
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        # isatty, encoding, fileno...: whatever print, pandas or tqdm ask of sys.stdout.
        return getattr(self.stream, name)
