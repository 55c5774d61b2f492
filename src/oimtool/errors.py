"""The few real exceptions: things that stop a command from running as asked (exit code 2).

Problems in the data are never exceptions: they are ``Problem`` objects.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO


class OimtoolError(Exception):
    """Base class: the message is for the user, one line, and names the remedy."""


class InputError(OimtoolError):
    """An input cannot be read or used as given (a missing path, an unusable orders file)."""


class OptionError(OimtoolError):
    """An option's value cannot be used as given; ``option`` names it (``--map``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class OutputError(OimtoolError):
    """An output cannot be written (an existing file without --force, a read-only folder)."""


class Interrupted(BaseException):
    """The process was asked to stop (Ctrl-C, SIGTERM): unwind, removing temporary files.

    Not a KeyboardInterrupt, which Typer would turn into a silent exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        #: outputs already in place when the stop came (their check was cut short)
        self.written: list[str] = []
        #: what is true when the stop came, when "nothing was written" is not (an upload)
        self.note: str | None = None


def interrupt(signum: int, frame: Any) -> None:
    """The handler of Ctrl-C and SIGTERM that the command line installs."""
    raise Interrupted(signum)


#: The signals that stop a run.
STOPS = (signal.SIGINT, signal.SIGTERM)
_HELD = hasattr(signal, "pthread_sigmask")


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back for the block, and honoured when it ends: for steps that
    must happen together (a file made and recorded for removal, a set of files renamed, a
    fork). Threads started in the block hold them back for good, so that they always reach
    this one. Where signals cannot be held (Windows), the block runs as it is."""
    if not _HELD:
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def stop_pending() -> bool:
    """In a ``signals_held`` block: a signal that will stop the run (raise, or end the
    process) when the block ends has come."""
    if not _HELD:
        return False
    for signum in signal.sigpending():
        if signum in STOPS and signal.getsignal(signum) in (
                signal.SIG_DFL, signal.default_int_handler, interrupt):
            return True
    return False


def open_input(path: str | Path, what: str = "") -> BinaryIO:
    """Open an input file for reading, or raise InputError: it must be a regular file, not a
    FIFO or a device (which could block, or never end), and readable."""
    name = f"the {what} {path}" if what else str(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else (
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise InputError(f"cannot read {name}: it is {kind}; give a file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from exc
