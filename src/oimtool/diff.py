"""A unified diff of what ``oimtool fix`` changes, built item by item (never the whole file)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

import orjson

from .fields import ordered


def serialized(item: Any) -> list[str]:
    """An item's lines in the output, as the JSON array writer lays them out."""
    text = orjson.dumps(ordered(item), option=orjson.OPT_INDENT_2).decode()
    return ["  " + line for line in text.split("\n")]


class Diff:
    """A unified diff of the changed items, built item by item (never the whole file): from
    the items as the output lays them out before their fixes to the output, so that ``patch``
    applies it to a file in that layout (a file that oimtool wrote, say)."""

    def __init__(self, before: str, after: str, *, context: int = 3) -> None:
        self.header = [f"--- {before}", f"+++ {after}"]
        self.context = context
        self.old_line = self.new_line = 2  # the first item starts on line 2, after "["
        self.hunks: list[str] = []
        self._pending: tuple[list[str], list[str]] | int | None = None

    def item(self, old: Any, new: Any) -> None:
        """Add an item."""
        self._settle(last=False)
        self._pending = (serialized(old), serialized(new))

    def skip(self, lines: int) -> None:
        """Add an item kept as it was, ``lines`` long."""
        self._settle(last=False)
        self._pending = lines

    def _settle(self, *, last: bool) -> None:
        """Diff the item before: now that it is known whether another follows (a ",")."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if isinstance(pending, int):
            self.old_line += pending
            self.new_line += pending
            return
        a, b = pending
        if not last:
            a[-1] += ","
            b[-1] += ","
        if a != b:
            for hunk in _hunks(a, b, self.old_line, self.new_line, self.context):
                self.hunks.extend(hunk)
        self.old_line += len(a)
        self.new_line += len(b)

    def text(self) -> str:
        self._settle(last=True)
        return "\n".join(self.header + self.hunks) + "\n" if self.hunks else ""


def _hunks(a: list[str], b: list[str], old: int, new: int, context: int
           ) -> Iterator[list[str]]:
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        lines = [f"@@ -{old + a1},{a2 - a1} +{new + b1},{b2 - b1} @@"]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + line for line in a[i1:i2])
                continue
            lines.extend("-" + line for line in a[i1:i2])
            lines.extend("+" + line for line in b[j1:j2])
        yield lines
