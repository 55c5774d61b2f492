"""What the rules of one item share: a problem located by its key, a fix that sets a value."""

from __future__ import annotations

from typing import Any

from ..format import show
from ..problems import Fix, Location, Problem, Set

_ITEM = Location()


def finding(code: str, key: str | None, value: Any, message: str, fix: Fix | None = None
            ) -> Problem:
    """A problem of one item, located by its key only (placed in a file by the caller)."""
    return Problem(code, message, _ITEM if key is None else Location(field=key), value, fix)


def set_fix(key: str, value: Any, *, safe: bool) -> Fix:
    return Fix.of(Set(key, value), safe=safe)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def nul(key: str, value: str, out: list[Problem]) -> None:
    if "\x00" in value:
        out.append(finding(
            "OIM802", key, value,
            f"{key} holds a NUL character (U+0000), which Omnitron rejects: {show(value)}; "
            "remove it",
            set_fix(key, value.replace("\x00", ""), safe=False),
        ))
