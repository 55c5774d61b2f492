"""The few real exceptions: things that stop a command from running as asked (exit code 2).

Problems in the data are never exceptions: they are ``Problem`` objects.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


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
