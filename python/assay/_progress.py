"""Progress for long work: a callback that the core calls as it goes, drawn by tqdm.

The core reports (done, total) from the calling thread; the binding checks for Ctrl-C
on every report, so long calls can be interrupted. What is shown is decided here, from the
call's ``progress`` argument and the global setting (:func:`set_progress`, or the
``ASSAY_PROGRESS`` environment variable: ``0``/``off``/``false`` or ``1``/``on``/``true``):

- ``progress=False``, or the global setting off: nothing;
- ``progress=True``, or the global setting on: a bar always (in a log file too, where tqdm
  redraws it at most every ``_LOG_INTERVAL`` seconds rather than on every report);
- ``progress=None`` (the default): a bar once the work has run for two seconds, and only
  where someone watches: a terminal, or a notebook (``tqdm.auto`` draws a widget there).
  Output redirected to a file gets no bar, so logs stay free of carriage-return updates.

A callable ``progress`` receives ``(done, total)`` itself and overrides the global setting.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, cast

from .errors import InvalidInputError, InvalidTypeError
from .typing import Progress

ProgressCallback = Callable[[int, int], None]

_ENV = "ASSAY_PROGRESS"
_ON = {"1", "on", "true", "yes"}
_OFF = {"0", "off", "false", "no"}
_DELAY = 2.0  # seconds of work before the default shows a bar
_LOG_INTERVAL = 30.0  # seconds between redraws when the output is not a terminal

_setting: bool | None = None


def set_progress(enabled: bool | None) -> None:
    """Turn progress bars on or off for every call that does not pass ``progress`` itself.

    Parameters
    ----------
    enabled : bool or None
        ``True`` shows a bar for all long work, ``False`` never shows one, ``None`` restores the
        default (the ``ASSAY_PROGRESS`` environment variable if set, else a bar after two seconds
        in a terminal or a notebook).

    Examples
    --------
    >>> import assay
    >>> assay.set_progress(False)   # quiet, e.g. in a batch job
    >>> assay.set_progress(None)    # back to the default
    """
    global _setting
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidTypeError(f"enabled must be True, False or None, got {type(enabled).__name__}")
    _setting = enabled


def _global_setting() -> bool | None:
    if _setting is not None:
        return _setting
    value = os.environ.get(_ENV, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if value:
        raise InvalidInputError(f"environment variable {_ENV}={value!r}: expected one of {sorted(_ON | _OFF)}")
    return None


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = getattr(shell, "get_ipython", lambda: None)()
    return ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell"


class _Bar:
    """Opens a tqdm bar on the first report (when the total is known) and closes it at the end."""

    def __init__(self, description: str, always: bool):
        self.description = description
        self.always = always
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm

            watched = _in_notebook() or sys.stderr.isatty()
            if not (watched or self.always):
                return
            self.bar = tqdm(
                total=total,
                desc=self.description,
                delay=0.0 if self.always else _DELAY,
                mininterval=0.1 if watched else _LOG_INTERVAL,
                leave=True,
            )
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()


def progress_callback(progress: Progress, description: str) -> ProgressCallback | None:
    """The callback to hand the core for a user's ``progress`` argument."""
    if callable(progress):
        # The core ignores what the callback returns, so a user's callable of any return type will do.
        return cast(ProgressCallback, progress)
    if progress is not None and not isinstance(progress, bool):
        raise InvalidTypeError(f"progress must be True, False, None or a callable, got {type(progress).__name__}")
    show = _global_setting() if progress is None else progress
    if show is False:
        return None
    return _Bar(description, always=show is True)
