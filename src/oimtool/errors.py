"""The few real exceptions: things that stop a command from running as asked (exit code 2).

Problems in the data are never exceptions: they are ``Problem`` objects.
"""

from __future__ import annotations


class OimtoolError(Exception):
    """Base class: the message is for the user, one line, and names the remedy."""


class InputError(OimtoolError):
    """An input cannot be read or used as given (a missing path, an unusable orders file)."""


class OutputError(OimtoolError):
    """An output cannot be written (an existing file without --force, a read-only folder)."""
