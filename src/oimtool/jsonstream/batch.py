"""Batches of items: parsed items with the text they came from, to locate problems in."""

from __future__ import annotations

import bisect
import json
import operator
import re
from typing import Any, NamedTuple

import orjson

from .tokens import (
    NOT_WS,
    Repeat,
    char_count,
    item_end,
    member_offsets,
    nested_repeats,
    repeated_members,
)

_NEWLINE = re.compile(rb"\n")
_SPACED_KEY = re.compile(rb'"[ \t\r\n]+:')  # a key and its colon apart: '"price" :', '"price"\n:'
_LONG_DIGITS = re.compile(rb"[0-9]{20}|-[0-9]{19}")  # beyond 64 bits, signed or not
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19  # what any number _LONG_DIGITS finds has, once its digits are zeros


class Batch:
    """Consecutive items of the array and the text they were parsed from: ``start`` is the
    index of the first item, ``data`` the items' text and the separators between them,
    ``offset`` the byte offset of ``data[0]`` in the (UTF-8) stream, ``line`` and ``column``
    its position."""

    __slots__ = ("_last", "_lines", "_members", "_starts", "column", "data", "items", "line",
                 "offset", "start")

    def __init__(self, start: int, items: list[Any], data: bytes, offset: int, line: int,
                 column: int) -> None:
        self.start = start
        self.items = items
        self.data = data
        self.offset = offset
        self.line = line
        self.column = column
        self._starts: list[int] | None = None
        self._lines: list[int] | None = None
        #: the member offsets of the item located last: an item with many problems (10⁶
        #: unknown keys) is scanned once, not once a problem
        self._members: tuple[int, dict[str, tuple[int, int]]] | None = None
        self._last: tuple[int, int, int] | None = None  # the last position: line, offset, column

    def __repr__(self) -> str:
        return f"Batch(start={self.start}, items={len(self.items)}, offset={self.offset})"

    def item_start(self, k: int) -> int:
        """Offset in ``data`` where item ``k`` of the batch begins."""
        if self._starts is None:
            starts = []
            data = self.data
            pos = 0
            for _ in self.items:  # each item is there: the searches find it
                pos = NOT_WS.search(data, pos).start()  # type: ignore[union-attr]
                if data[pos] == 0x2C:  # the comma before every item but the first
                    pos = NOT_WS.search(data, pos + 1).start()  # type: ignore[union-attr]
                starts.append(pos)
                pos = item_end(data, pos) or len(data)
            self._starts = starts
        return self._starts[k]

    def position(self, rel: int) -> tuple[int, int]:
        """Line and column (1-based, in characters) of ``data[rel]``. Counted on from the
        last position asked when it is on the same line before ``rel``: the problems of one
        long line (an item of 10⁶ keys written on one) are placed in one pass, not one pass
        each."""
        if self._lines is None:
            self._lines = [m.start() for m in _NEWLINE.finditer(self.data)]
        n = bisect.bisect_left(self._lines, rel)
        line_start = self._lines[n - 1] + 1 if n else 0
        last = self._last
        if last is not None and last[0] == n and line_start <= last[1] <= rel:
            column = last[2] + char_count(self.data[last[1]:rel])
        else:
            column = (self.column if n == 0 else 1) + char_count(self.data[line_start:rel])
        self._last = (n, rel, column)
        return self.line + n, column

    def item_text(self, k: int) -> bytes:
        """The text of item ``k``."""
        start = self.item_start(k)
        return self.data[start: item_end(self.data, start) or len(self.data)]

    def exact_items(self) -> dict[int, Any]:
        """The items that hold integers of more than 19 digits, read again by Python's json
        module, which keeps them exact (orjson turns integers beyond 64 bits into floats).
        Found by their digits in the batch's text, so usually none is read again."""
        if _LONG_RUN not in self.data.translate(_DIGITS_AS_ZERO):  # at C speed: usually
            return {}
        exact = {}
        for k in range(len(self.items)):
            text = self.item_text(k)
            if _LONG_DIGITS.search(text):
                try:
                    exact[k] = json.loads(text)
                except RecursionError:
                    # nested too deep for Python's parser (~990 levels, where orjson reads
                    # 1,024): far beyond OIM007's limit, so the item is reported and kept as
                    # written, not read for its values
                    continue
        return exact

    def repeated_keys(self, *, usual: bool = False) -> dict[int, list[Repeat]]:
        """Keys written twice in one item, at its top or in an object inside it: k -> Repeat.
        Counted first in the text at C speed: a batch whose text has no more keys (a quote,
        maybe white space, a colon) than its items hold is not looked at any closer.
        ``usual``: the items are known to hold the seven fields, an object in extra_field, and
        nothing else (``validate.is_clean``), which makes counting what they hold quicker."""
        items = self.items
        data = self.data
        written = data.count(b'":') + len(_SPACED_KEY.findall(data))
        if usual:
            extras = list(filter(None, map(_EXTRA_FIELD, items)))
            held = 7 * len(items) + sum(map(len, extras))
            if written <= held or written <= held + _nested_keys(extras):
                return {}
        else:
            if set(map(type, items)) <= {dict}:
                held = sum(map(len, items))
            else:
                held = sum(len(item) for item in items if type(item) is dict)
            if written <= held or written <= held + _nested_keys(items):
                return {}
        found: dict[int, list[Repeat]] = {}
        for k, item in enumerate(items):
            if type(item) is not dict:
                continue
            start = self.item_start(k)
            end = item_end(data, start) or len(data)
            repeats = [Repeat(key, dropped, kept_at)
                       for key, dropped, kept_at in repeated_members(data, start, end)]
            text = data[start:end]
            keys = text.count(b'":') + len(_SPACED_KEY.findall(text))
            if keys > len(item) + len(repeats) + _nested_keys([item]):  # some inside, maybe
                repeats.extend(nested_repeats(text))
            if repeats:
                found[k] = repeats
        return found

    def locate(self, k: int, key: str | None = None, *, at_key: bool = False) -> tuple[int, int]:
        """Position of item ``k``, or of the value (``at_key``: the key) of one of its members."""
        start = self.item_start(k)
        if key is not None and self.data[start] == 0x7B:
            if self._members is None or self._members[0] != k:
                end = item_end(self.data, start) or len(self.data)
                self._members = (k, member_offsets(self.data, start, end))
            found = self._members[1].get(key)
            if found is not None:
                return self.position(found[0] if at_key else found[1])
        return self.position(start)


_EXTRA_FIELD = operator.itemgetter("extra_field")


def _nested_keys(items: list[Any]) -> int:
    """The keys of the objects inside the items (not the items' own); without recursion."""
    count = 0
    stack = [value for item in items if type(item) is dict for value in item.values()
             if type(value) is dict or type(value) is list]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            count += len(value)
            stack.extend(v for v in value.values() if type(v) is dict or type(v) is list)
        else:
            stack.extend(v for v in value if type(v) is dict or type(v) is list)
    return count


class RawBatch(NamedTuple):
    """Items' text cut at item boundaries, not parsed yet. ``final``: the text runs to the end
    of the file, closing bracket included."""

    data: bytes
    offset: int
    line: int
    column: int
    final: bool

    def parse(self) -> list[Any] | None:
        """The items, or None when the text is not what the cut assumed (then read it again
        from ``offset`` with an ``ArrayReader``)."""
        try:
            items = orjson.loads(b"[" + self.data + (b"" if self.final else b"]"))
        except orjson.JSONDecodeError:
            return None
        return items if isinstance(items, list) else None

    def batch(self, start: int, items: list[Any]) -> Batch:
        """The parsed batch, to locate problems in."""
        data = self.data[: self.data.rstrip().rfind(b"]")] if self.final else self.data
        return Batch(start, items, data, self.offset, self.line, self.column)

