"""Ctrl-C (and SIGTERM) that a scan never loses.

Python raises ``KeyboardInterrupt`` from the signal handler at the next bytecode boundary. When
that boundary falls inside a weakref or garbage-collection callback (SQLAlchemy and spaCy
register them), the exception is printed as "Exception ignored" and dropped, and a scan that
was asked to stop runs on to the end. Inside ``remembered()`` an interrupt is also recorded,
and ``raise_if_requested()``, called between files and between batches, raises it again.
Outside it (a library caller keeping Python's own handlers) both are no-ops.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

_requested = False
_depth = 0


def stop(signum: int | None = None, frame: object = None) -> None:
    """The signal handler: remember the request, then interrupt where the program is."""
    global _requested
    _requested = True
    raise KeyboardInterrupt


def raise_if_requested() -> None:
    """Raise ``KeyboardInterrupt`` if an interrupt came and was swallowed on its way."""
    if _requested:
        raise KeyboardInterrupt


@contextlib.contextmanager
def remembered(*signals: int) -> Iterator[None]:
    """While inside, ``signals`` (default SIGINT) interrupt and are remembered."""
    global _depth, _requested
    signals = signals or (signal.SIGINT,)
    try:
        previous = [(number, signal.signal(number, stop)) for number in signals]
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    _depth += 1
    try:
        yield
    finally:
        for number, handler in previous:
            signal.signal(number, handler)
        _depth -= 1
        if _depth == 0:
            _requested = False
