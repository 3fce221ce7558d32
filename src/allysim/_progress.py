"""The progress bar every long computation in allysim shows: tqdm's, after a short delay.

A bar that flashes up for a call of a few milliseconds only clutters a notebook's output or a
terminal, so a bar appears once its work has run for a while (half a second unless changed with
:func:`set_progress_delay`); until then nothing is written. ``progress=False`` on the public
functions still turns it off altogether.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allysim._validation import check_nonnegative

__all__ = ["progress_bar", "set_progress_delay"]

_DEFAULT_DELAY = 0.5
_delay = _DEFAULT_DELAY


def set_progress_delay(seconds: float | None) -> float:
    """Set how long a computation runs before its progress bar appears; return the old value.

    Parameters
    ----------
    seconds : float or None
        Delay in seconds, finite and >= 0 (0: every bar at once); None restores the default of
        0.5 s.

    Returns
    -------
    float
        The delay that was in force before the call, in seconds.

    Examples
    --------
    >>> import allysim
    >>> old = allysim.set_progress_delay(0)  # show every bar at once
    >>> allysim.set_progress_delay(old)
    0.0
    """
    global _delay
    previous = _delay
    _delay = _DEFAULT_DELAY if seconds is None else check_nonnegative(seconds, "seconds")
    return previous


def progress_bar(iterable: Iterable[Any] | None = None, **options: Any) -> Any:
    """A tqdm bar (``tqdm.auto``: widgets in notebooks, text in terminals) shown after a delay.

    Parameters
    ----------
    iterable : iterable or None, default None
        What to iterate over; None for a bar advanced by ``update``.
    **options : Any
        tqdm's keyword arguments (``total``, ``desc``, ``unit``, ``disable``, ...). ``delay``
        defaults to the one set with :func:`set_progress_delay` (0.5 s).

    Returns
    -------
    tqdm.auto.tqdm
        The bar.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> sum(progress_bar(range(3), desc="quick", file=out))  # done before the delay
    3
    >>> out.getvalue()
    ''
    """
    from tqdm.auto import tqdm

    options.setdefault("delay", _delay)
    return tqdm(iterable, **options)
