"""Progress for long work: a callback that the core calls as it goes.

The core reports (done, total) from the calling thread; the binding checks for Ctrl-C
on every report, so long calls can be interrupted. What is shown is decided here:
``progress=True`` always draws a bar, ``False`` never, ``None`` (the default) draws one
only once the work has run for ``delay`` seconds.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, cast

from .typing import Progress

ProgressCallback = Callable[[int, int], None]


class ProgressBar:
    """A text bar on stderr (which notebooks show under the cell)."""

    def __init__(self, description: str, *, show: bool | None = None, delay: float = 2.0, width: int = 30):
        self.description = description
        self.show = show
        self.delay = delay
        self.width = width
        self.started = time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if self.show is False:
            return
        if self.show is None and time.perf_counter() - self.started < self.delay:
            return
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.description} [{bar}] {done}/{total}{end}")
        sys.stderr.flush()
        self.drawn = True


def progress_callback(progress: Progress, description: str) -> ProgressCallback | None:
    """The callback to hand the core for a user's ``progress`` argument."""
    if callable(progress):
        # The core ignores what the callback returns, so a user's callable of any return type will do.
        return cast(ProgressCallback, progress)
    if progress is False:
        return None
    return ProgressBar(description, show=progress)
