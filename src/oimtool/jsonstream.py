"""Stream the items of a top-level JSON array, in batches, with exact positions on demand.

The hot path reads a chunk, finds the last item boundary in it (``}`` ``,`` ``{`` outside any
string) and lets orjson parse all items up to there in one call. That guess is safe: a cut
inside a string or inside a nested value leaves an unterminated string or an unclosed bracket,
so orjson refuses it, and the reader then walks that stretch one item at a time with a small
tokenizer, which also finds the exact place of a syntax error. Positions (line, column) are
only computed for items that have problems.

Memory stays flat: one chunk, the items of one batch, nothing else grows with the file.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import json
import operator
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

import orjson

from .fields import nesting_message

CHUNK_SIZE = 256 * 1024
_WS = b" \t\r\n"
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Possessive quantifiers (3.11+) keep the regex engine from backtracking on long values; the
# patterns accept the same text without them. "*P" below becomes "*+" or "*".
_P = "+" if sys.version_info >= (3, 11) else ""


def _pattern(text: str) -> bytes:
    return text.replace("*P", "*" + _P).replace("+P", "+" + _P).encode()


_STRING = r'"[^"\\]*P(?:\\[\s\S][^"\\]*P)*P"'
_RUN = r'[^"\[\]{}]+P'
_FLAT = rf"(?:\{{(?:{_RUN}|{_STRING})*P\}}|\[(?:{_RUN}|{_STRING})*P\])"
_NESTED = rf"(?:\{{(?:{_RUN}|{_STRING}|{_FLAT})*P\}}|\[(?:{_RUN}|{_STRING}|{_FLAT})*P\])"
_ITEM = _pattern(rf"\{{(?:{_RUN}|{_STRING}|{_NESTED})*P\}}")


@functools.cache
def _item_re() -> re.Pattern[bytes]:
    """An object nested at most three deep: one match per item where positions are needed
    (compiled on first use; clean files never need it)."""
    return re.compile(_ITEM)

_STRUCTURAL = re.compile(rb'["\[\]{}]')
_STRING_REST = re.compile(rb'[^"\\]*(?:\\[\s\S][^"\\]*)*"')
_SCALAR = re.compile(rb"[^\s,\]}\[{\"]*")
_NOT_WS = re.compile(rb"[^ \t\r\n]")
_NEWLINE = re.compile(rb"\n")
_SPACED_KEY = re.compile(rb'"[ \t\r\n]+:')  # a key and its colon apart: '"price" :', '"price"\n:'
_LONG_DIGITS = re.compile(rb"[0-9]{20}|-[0-9]{19}")  # beyond 64 bits, signed or not
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19  # what any number _LONG_DIGITS finds has, once its digits are zeros


def _chars(data: bytes) -> int:
    """Characters (code points) in UTF-8 bytes."""
    return len(data.decode("utf-8", "replace"))


class MalformedError(Exception):
    """A syntax error at ``offset`` (relative to the buffer it was found in)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def value_end(buf: bytes, pos: int) -> int | None:
    """End (exclusive) of the JSON value starting at ``buf[pos]``; None if ``buf`` ends first.

    Only brackets and strings are followed; what lies between them is left to the parser.
    Raises MalformedError on a closing bracket that does not match.
    """
    first = buf[pos]
    if first == 0x22:
        match = _STRING_REST.match(buf, pos + 1)
        return match.end() if match else None
    if first not in (0x7B, 0x5B):
        end = _SCALAR.match(buf, pos).end()
        return end if end < len(buf) else None
    stack = bytearray()
    i = pos
    while True:
        match = _STRUCTURAL.search(buf, i)
        if match is None:
            return None
        j = match.start()
        ch = buf[j]
        if ch == 0x22:
            rest = _STRING_REST.match(buf, j + 1)
            if rest is None:
                return None
            i = rest.end()
            continue
        if ch in (0x7B, 0x5B):
            stack.append(ch)
        else:
            opener = 0x7B if ch == 0x7D else 0x5B
            if stack[-1] != opener:
                raise MalformedError(j, f"unexpected {chr(ch)!r}: {chr(stack[-1])!r} is not closed")
            stack.pop()
            if not stack:
                return j + 1
        i = j + 1


def item_end(buf: bytes, pos: int) -> int | None:
    """``value_end``, with one regex match for the usual shallow object."""
    match = _item_re().match(buf, pos)
    return match.end() if match else value_end(buf, pos)


def members(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """The members at the top of the object at ``data[start:end]``, in the order written, a
    repeated key each time: (key, offset of the key, offset of its value)."""
    i = start + 1
    depth = 1
    while i < end:
        match = _STRUCTURAL.search(data, i, end)
        if match is None:
            return
        j = match.start()
        ch = data[j]
        if ch == 0x22:
            rest = _STRING_REST.match(data, j + 1, end)
            if rest is None:
                return
            after = rest.end()
            if depth == 1:
                colon = _NOT_WS.search(data, after, end)
                if colon is not None and data[colon.start()] == 0x3A:
                    value = _NOT_WS.search(data, colon.start() + 1, end)
                    try:
                        key = orjson.loads(data[j:after])
                    except orjson.JSONDecodeError:
                        key = data[j + 1 : after - 1].decode("utf-8", "replace")
                    yield key, j, value.start() if value else colon.start()
            i = after
            continue
        depth += 1 if ch in (0x7B, 0x5B) else -1
        i = j + 1


def member_offsets(data: bytes, start: int, end: int) -> dict[str, tuple[int, int]]:
    """Offsets of the keys and values of the object at ``data[start:end]``: key → (key, value).

    A repeated key keeps its last place, as parsers keep its last value.
    """
    return {key: (key_at, value_at) for key, key_at, value_at in members(data, start, end)}


class Repeat(NamedTuple):
    """A key written twice in an item: the item's ``key`` itself (``path`` empty), or a key in
    an object inside the value of ``key``, at ``path`` (reference tokens) below it; the value a
    parser drops; the offset of the key it keeps (-1 inside: not known)."""

    key: str
    dropped: Any
    kept_at: int
    path: tuple[str | int, ...] = ()


def nested_repeats(text: bytes) -> list[Repeat]:
    """Keys written twice in the objects inside an item (not at its top), in the order of the
    text, read by Python's json module, which tells each object's pairs."""
    twice: dict[int, list[tuple[str, Any]]] = {}
    held = []  # the objects with a repeat, kept alive so that their ids stay theirs

    def pairs(written: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        repeats = None
        for key, value in written:
            if key in obj:
                repeats = repeats or []
                repeats.append((key, obj[key]))
            obj[key] = value
        if repeats:
            twice[id(obj)] = repeats
            held.append(obj)
        return obj

    try:
        root = json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return []
    if type(root) is not dict or not twice:
        return []
    found = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [
        ((key,), value) for key, value in reversed(root.items())]
    while stack:
        path, value = stack.pop()
        if type(value) is dict:
            found.extend(Repeat(path[0], dropped, -1, (*path[1:], key))
                         for key, dropped in twice.get(id(value), ()))
            stack.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif type(value) is list:
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return found


def repeated_members(data: bytes, start: int, end: int) -> Iterator[tuple[str, Any, int]]:
    """Keys written more than once at the top of the object at ``data[start:end]``: (key, the
    value a parser drops, the offset of the key it keeps)."""
    seen: dict[str, int] = {}  # key -> offset of its value
    for key, key_at, value_at in members(data, start, end):
        first = seen.get(key)
        if first is not None:
            try:
                dropped = orjson.loads(data[first: value_end(data, first) or end])
            except (orjson.JSONDecodeError, MalformedError):
                dropped = None
            yield key, dropped, key_at
        seen[key] = value_at


@dataclass
class Batch:
    """Consecutive items of the array and the text they were parsed from."""

    start: int  # index of the first item
    items: list[Any]
    data: bytes  # the items' text and the separators between them
    offset: int  # byte offset of data[0] in the (UTF-8) stream
    line: int  # position of data[0]
    column: int
    _starts: list[int] | None = field(default=None, repr=False)
    _lines: list[int] | None = field(default=None, repr=False)

    def item_start(self, k: int) -> int:
        """Offset in ``data`` where item ``k`` of the batch begins."""
        if self._starts is None:
            starts = []
            data = self.data
            pos = 0
            for _ in self.items:
                pos = _NOT_WS.search(data, pos).start()
                if data[pos] == 0x2C:  # the comma before every item but the first
                    pos = _NOT_WS.search(data, pos + 1).start()
                starts.append(pos)
                pos = item_end(data, pos) or len(data)
            self._starts = starts
        return self._starts[k]

    def position(self, rel: int) -> tuple[int, int]:
        """Line and column (1-based, in characters) of ``data[rel]``."""
        if self._lines is None:
            self._lines = [m.start() for m in _NEWLINE.finditer(self.data)]
        n = bisect.bisect_left(self._lines, rel)
        if n == 0:
            return self.line, self.column + _chars(self.data[:rel])
        line_start = self._lines[n - 1] + 1
        return self.line + n, 1 + _chars(self.data[line_start:rel])

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
                exact[k] = json.loads(text)
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
            end = item_end(self.data, start) or len(self.data)
            found = member_offsets(self.data, start, end).get(key)
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


@dataclass(frozen=True)
class Issue:
    """A problem found while reading: a rule code, a message, and where."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    index: int | None = None  # the item, for a problem confined to one item
    pointer: str | None = None
    #: For an item that cannot be read as a value (OIM004, OIM007): its text, as it stands in
    #: the file, so that a rewrite of the file (``oimtool fix``) can keep it.
    text: bytes | None = field(default=None, repr=False, compare=False)


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a JSON file from its first four bytes, and the length of its BOM."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    # JSON starts with an ASCII character that can begin a document: where its zero bytes are
    # tells the encoding. Binary data that merely starts with a zero byte stays "UTF-8" and is
    # reported as not JSON.
    if len(head) == 4 and head[0] in _STARTS and not any(head[1:]):
        return "utf-32-le", 0
    if len(head) == 4 and not any(head[:3]) and head[3] in _STARTS:
        return "utf-32-be", 0
    if len(head) >= 2 and head[0] in _STARTS and not head[1]:
        return "utf-16-le", 0
    if len(head) >= 2 and not head[0] and head[1] in _STARTS:
        return "utf-16-be", 0
    return "utf-8", 0


_STARTS = frozenset(b' \t\r\n[{"-0123456789tfn')


class _Transcoder:
    """Reads UTF-16/UTF-32 text as UTF-8 bytes; what does not decode becomes U+FFFD."""

    def __init__(self, raw: BinaryIO, codec: str, head: bytes) -> None:
        self._raw = raw
        self._codec = codec
        self._pending = head
        self.bad_bytes = 0

    def read(self, size: int) -> bytes:
        new = self._raw.read(size)
        data, self._pending = self._pending + new, b""
        out = []
        while data:
            try:
                out.append(data.decode(self._codec))
                break
            except UnicodeDecodeError as exc:
                out.append(data[: exc.start].decode(self._codec))
                truncated = "end of data" in exc.reason or "truncated" in exc.reason
                if new and exc.end == len(data) and truncated:
                    self._pending = data[exc.start :]  # a character cut by the chunk boundary
                    break
                self.bad_bytes += exc.end - exc.start
                out.append("\ufffd")
                data = data[exc.end :]
        text = "".join(out)
        if not text and self._pending:
            return self.read(size)
        return text.encode("utf-8")


@dataclass(frozen=True)
class RawBatch:
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


@dataclass(frozen=True)
class Resume:
    """A place to go on reading from: the start of an item, its stream offset and position."""

    offset: int
    line: int
    column: int


class ArrayReader:
    """Iterate over a JSON array file: yields ``Batch`` and ``Issue`` objects in file order.

    After iteration, ``count`` is the number of items read and ``array_position`` the place of
    the opening bracket (None when there is none). With ``resume`` it starts reading at an item
    in the middle of the array (the file handle must be positioned there), numbering items from
    ``start_index``.
    """

    def __init__(self, raw: BinaryIO, *, chunk_size: int | None = None,
                 resume: Resume | None = None, start_index: int = 0) -> None:
        self._raw: Any = raw
        self._chunk = chunk_size or CHUNK_SIZE
        self._buf = b""
        self._resume = resume
        self._base = resume.offset if resume else 0  # stream offset of _buf[0]
        self._eof = False
        self._mark = self._base  # stream offset at which (_line, _col) hold
        self._line = resume.line if resume else 1
        self._col = resume.column if resume else 1
        self.count = start_index
        self.encoding = "utf-8"
        self.head = b""
        self.array_position: tuple[int, int] | None = None

    # -- buffer and position bookkeeping -------------------------------------------------
    def _advance(self, offset: int) -> tuple[int, int]:
        """Line and column at stream ``offset`` (never before the last one asked)."""
        if offset > self._mark:
            seg = self._buf[self._mark - self._base : offset - self._base]
            newlines = seg.count(b"\n")
            if newlines:
                self._line += newlines
                self._col = 1 + _chars(seg[seg.rfind(b"\n") + 1 :])
            else:
                self._col += _chars(seg)
            self._mark = offset
        return self._line, self._col

    def _refill(self, pos: int, size: int | None = None) -> int:
        """Drop what lies before ``pos``, read more; return ``pos`` in the new buffer."""
        if self._eof:
            return pos
        self._advance(self._base + pos)
        data = self._raw.read(size or self._chunk)
        if not data:
            self._eof = True
        self._base += pos
        self._buf = self._buf[pos:] + data
        return 0

    def _skip_ws(self, pos: int) -> int | None:
        """Position of the next non-whitespace byte (refilling); None at the end of the file."""
        while True:
            match = _NOT_WS.search(self._buf, pos)
            if match is not None:
                return match.start()
            if self._eof:
                return None
            pos = self._refill(len(self._buf))

    def _issue_at(self, pos: int, code: str, message: str, **kw: Any) -> Issue:
        line, col = self._advance(self._base + pos)
        return Issue(code, message, line, col, **kw)

    # -- reading ------------------------------------------------------------------------
    def _open(self) -> Iterator[Issue]:
        head = self.head = self._raw.read(4)
        encoding, bom_length = detect_encoding(head)
        rest = head[bom_length:]
        self.encoding = encoding
        if encoding in ("utf-8", "utf-8-sig"):
            self._buf = rest
        else:
            self._raw = _Transcoder(self._raw, encoding, rest)
        if encoding != "utf-8":
            if encoding == "utf-8-sig":
                what = "starts with a UTF-8 byte order mark"
            elif bom_length:
                what = f"is {encoding[:6].upper()} text"
            else:
                what = f"is {encoding[:6].upper()} text without a byte order mark"
            yield Issue(
                "OIM005", f"the file {what}; it was read, but save it as UTF-8 without a BOM "
                "(oimtool fix does)", 1, 1,
            )
        self._refill(0)

    def __iter__(self) -> Iterator[Batch | Issue]:
        """Batches of parsed items and issues, in file order."""
        if self._resume is not None:
            self._refill(0)
            yield from self._items(0)
        else:
            yield from self._open()
            pos = yield from self._array_start()
            if pos is not None:
                yield from self._items(pos)
        if isinstance(self._raw, _Transcoder) and self._raw.bad_bytes:
            yield Issue(
                "OIM004", f"{self._raw.bad_bytes} bytes are not valid {self.encoding[:6].upper()} "
                "text; they were read as U+FFFD: check the export",
            )

    def start(self) -> Iterator[Issue | Resume]:
        """Read up to the first item: issues, then a ``Resume`` at the first item (none when
        there is no item). For reading the items elsewhere (worker processes)."""
        yield from self._open()
        pos = yield from self._array_start()
        if pos is not None:
            yield Resume(self._base + pos, *self._advance(self._base + pos))

    def _array_start(self) -> Iterator[Issue]:
        """Read up to the first item; returns its position, or None when there is no item."""
        pos = self._skip_ws(0)
        if pos is None:
            yield Issue("OIM001", "the file is empty; it must hold a JSON array of order items",
                        1, 1)
            return None
        first = self._buf[pos]
        if first != 0x5B:
            if first in b'{"-0123456789tfn':
                kind = {0x7B: "an object", 0x22: "a string"}.get(first, "a single value")
                yield self._issue_at(
                    pos, "OIM002", f"the top level is {kind}; the file must be a JSON array of "
                    "order items: [ {...}, {...} ]", pointer="",
                )
            else:
                yield self._issue_at(
                    pos, "OIM001", f"not JSON: found {_show_byte(first)} where '[' should start "
                    "the array of order items",
                )
            return None
        self.array_position = self._advance(self._base + pos)
        pos = self._skip_ws(pos + 1)
        if pos is None:
            yield self._eof_issue("the array is not closed")
            return None
        if self._buf[pos] == 0x5D:
            yield Issue("OIM003", "the array is empty: there are no order items to migrate",
                        *self.array_position, pointer="")
            yield from self._trailing(pos + 1)
            return None
        return pos

    def _items(self, pos: int) -> Iterator[Batch | Issue]:
        careful_until = -1  # stream offset up to which items are read one at a time
        while True:
            if self._base + pos >= careful_until:
                pos, end, after = self._split(pos)
                if end is not None:
                    text = self._buf[pos:end]
                    try:
                        items = orjson.loads(b"[" + text + (b"" if after < 0 else b"]"))
                    except orjson.JSONDecodeError:
                        careful_until = self._base + end
                    else:
                        yield self._batch(pos, items, end - pos if after >= 0 else
                                          text.rstrip().rfind(b"]"))
                        if after < 0:  # the array is closed, nothing but blanks follows
                            return
                        pos = after
                        continue
                else:
                    careful_until = self._base + len(self._buf)
            result = yield from self._one_item(pos)
            if result is None:
                return
            pos, closed = result
            if closed:
                yield from self._trailing(pos)
                return

    def _split(self, pos: int) -> tuple[int, int | None, int]:
        """Where the batch starting at ``pos`` (moved by a refill) could end: (pos, end,
        position of the next item). At the end of the file the batch is the rest of it, the
        closing bracket included, and the next position is -1. (pos, None, -1) when there is no
        item boundary in the buffer."""
        if not self._eof and len(self._buf) - pos < self._chunk:
            pos = self._refill(pos)
        buf = self._buf
        if self._eof:
            return pos, len(buf), -1
        cut = last_boundary(buf, pos)
        if cut is None:
            return pos, None, -1
        return pos, cut[0], cut[1]

    def _batch(self, pos: int, items: list[Any], length: int) -> Batch:
        line, col = self._advance(self._base + pos)
        batch = Batch(self.count, items, self._buf[pos : pos + length], self._base + pos,
                      line, col)
        self.count += len(items)
        return batch

    def _one_item(self, pos: int) -> Iterator[Batch | Issue]:
        """Read the item at ``pos`` and the separator after it.

        Returns (position after the separator, whether ']' closed the array), or None when
        reading must stop at a syntax error (already yielded).
        """
        while True:
            try:
                end = item_end(self._buf, pos)
            except MalformedError as exc:
                yield self._syntax(exc.offset, exc.message)
                return None
            if end is not None:
                break
            if self._eof:
                yield self._parse_error(pos, len(self._buf))
                return None
            grow = max(self._chunk, len(self._buf) - pos)  # doubling: no quadratic rescans
            pos = self._refill(pos, grow)
        text = self._buf[pos:end]
        try:
            item = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            bad = _item_error(text, exc)
            if bad is None:
                yield self._parse_error(pos, end)
                return None
            index = self.count
            self.count += 1
            at, code, message = bad
            yield self._issue_at(pos + at, code, f"item {index} {message}", index=index,
                                 pointer=f"/{index}", text=text)
        else:
            yield self._batch(pos, [item], end - pos)
        sep = self._skip_ws(end)
        if sep is None:
            yield self._eof_issue(f"the array is not closed after item {self.count - 1}")
            return None
        ch = self._buf[sep]
        if ch == 0x5D:
            return sep + 1, True
        if ch != 0x2C:
            yield self._issue_at(
                sep, "OIM001", f"expected ',' or ']' after item {self.count - 1}, found "
                f"{_show_byte(ch)}",
            )
            return None
        nxt = self._skip_ws(sep + 1)
        if nxt is None:
            yield self._eof_issue("the array is not closed")
            return None
        if self._buf[nxt] == 0x5D:
            yield self._issue_at(sep, "OIM001", "trailing comma after the last item: remove it")
            return None
        return nxt, False

    def _trailing(self, pos: int) -> Iterator[Issue]:
        pos_after = self._skip_ws(pos)
        if pos_after is not None:
            yield self._issue_at(
                pos_after, "OIM001", f"unexpected {_show_byte(self._buf[pos_after])} after the "
                "end of the array: a file holds one array",
            )

    def _eof_issue(self, message: str) -> Issue:
        return self._issue_at(len(self._buf), "OIM001", f"unexpected end of file: {message}")

    def _syntax(self, at: int, message: str) -> Issue:
        return self._issue_at(at, "OIM001", f"not valid JSON in item {self.count}: {message}")

    def _parse_error(self, pos: int, end: int) -> Issue:
        """The exact place and orjson's words for a syntax error in ``_buf[pos:end]``."""
        text = self._buf[pos:end]
        try:
            orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            at = pos + len(exc.doc[: exc.pos].encode("utf-8", "surrogatepass")) if isinstance(
                exc.doc, str) else pos + exc.pos
            if at >= len(self._buf) and self._eof:
                return self._eof_issue(f"item {self.count} is not complete ({exc.msg})")
            return self._syntax(min(at, len(self._buf)), exc.msg)
        return self._syntax(pos, "not a JSON value")  # pragma: no cover


def last_boundary(buf: bytes, pos: int) -> tuple[int, int] | None:
    """The last ``}`` ``,`` ``{`` in ``buf`` after ``pos``: (end of the ``}``, the ``{``)."""
    j = len(buf)
    for _ in range(64):
        j = buf.rfind(b"{", pos + 1, j)
        if j < 0:
            return None
        before = buf[max(pos, j - 64) : j].rstrip(_WS)
        if before.endswith(b","):
            before = before[:-1].rstrip(_WS)
            if before.endswith(b"}"):
                return max(pos, j - 64) + len(before), j
    return None


def _item_error(text: bytes, exc: orjson.JSONDecodeError) -> tuple[int, str, str] | None:
    """(offset, code, description) when orjson refused an item that is whole (its brackets
    balance) for what is in it rather than for its syntax: reading can go on after it."""
    if "UTF-8" in exc.msg:
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = text[err.start : err.start + 4]
            return err.start, "OIM004", (
                f"holds bytes that are not UTF-8 ({bad[: max(1, err.end - err.start)].hex(' ')})"
                "; the file may be in cp1254 (Turkish Windows) or latin-1: save it as UTF-8"
            )
        return 0, "OIM004", "holds text that is not valid UTF-8"
    if "surrogate" in exc.msg:
        at = len(str(exc.doc)[: exc.pos].encode("utf-8", "surrogatepass"))
        return at, "OIM004", f"holds a \\u escape that is not a character ({exc.msg})"
    if "depth" in exc.msg or "recursion" in exc.msg.lower():
        return 0, "OIM007", nesting_message("")[1:]
    return None


def _show_byte(byte: int) -> str:
    if 0x20 <= byte < 0x7F:
        return repr(chr(byte))
    return f"byte 0x{byte:02x}"
