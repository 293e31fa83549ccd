"""Nothing runs for ever: a draft's time limit, and stop signals that end a draft cleanly.

* **The time limit** (:data:`DRAFT_SECONDS`, ``peer-review draft --time-limit SECONDS``, the
  ``time_limit`` of :func:`toolkit.build.render.draft`): the draft's kernel is killed when the
  limit passes (a style template that loops for ever, an input far larger than a
  review's), and the draft ends with one line saying so; work done in the drafting process itself
  (the Word copy's pictures, the slides) is waited for only until the same limit.
* **Stop signals**: Ctrl-C (SIGINT) already raises ``KeyboardInterrupt``; :func:`stop_signals_raise`
  makes SIGTERM and SIGHUP do the same while a draft runs, so the draft's own clean-up runs for
  every one of them: its kernel is killed and its temporary folder removed
  (``reports/.<review>.tmp-<pid>-*``), whether it runs in the calling process, in a process of the
  drafting daemon (which passes the signal on) or in a batch worker.
* **Side work**: :func:`in_background` runs a function in a daemon thread, so a side job that
  never ends (a looping template in the slides' words) cannot keep the process from exiting.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

#: Seconds one draft (its notebook, and the outputs made beside it) may take by default. A real
#: review drafts in 5 to 20 s on a loaded two-core machine; 0 or ``None`` means no limit.
DRAFT_SECONDS = 90.0

T = TypeVar("T")


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP reached a draft: it stops as Ctrl-C stops it (the clean-up runs)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class TimeLimitPassed(Exception):
    """The draft's time limit passed (its kernel has been killed)."""


def time_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (a ``time.monotonic()`` value; ``None``: no deadline), at least 0."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM and SIGHUP raise :class:`Stopped`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    saved = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):  # a handler someone installed is kept
            saved[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def in_background(function: Callable[..., T], *args: Any) -> Future[T]:
    """``function(*args)`` in a daemon thread; its result (or exception) in the future returned."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # the caller reads it from the future
            future.set_exception(exc)

    threading.Thread(target=run, name="draft-outputs", daemon=True).start()
    return future
