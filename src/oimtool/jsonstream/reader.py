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

from collections.abc import Generator, Iterator
from typing import Any, BinaryIO, NamedTuple

import orjson

from ..fields import nesting_message
from ..problems import Fix, Location, Problem, Transcode
from ..tuning import DEFAULT, Tuning
from .batch import Batch
from .encoding import Transcoder, detect_encoding
from .tokens import NOT_WS, MalformedError, char_count, item_end, last_boundary


class Resume(NamedTuple):
    """A place to go on reading from: the start of an item, its stream offset and position."""

    offset: int
    line: int
    column: int


class EmptyArray(NamedTuple):
    """The file is an array with no item in it (``problem`` says so, for an items file)."""

    problem: Problem


class UnreadableItem(NamedTuple):
    """An item that no parser reads as a value (``problem`` says why), and its text as it
    stands in the file, so that a rewrite of the file (``oimtool fix``) can keep it."""

    problem: Problem
    text: bytes


#: What an ArrayReader yields, in file order.
Part = Batch | Problem | UnreadableItem | EmptyArray


class ArrayReader:
    """Iterate over a JSON array file: yields batches of parsed items, problems of the file
    (placed in ``file``), unreadable items and an empty array, in file order (``Part``).

    After iteration, ``count`` is the number of items read and ``array_position`` the place of
    the opening bracket (None when there is none). With ``resume`` it starts reading at an item
    in the middle of the array (the file handle must be positioned there), numbering items from
    ``start_index``. ``holds`` names the elements in the messages about the array itself.
    """

    def __init__(self, raw: BinaryIO, *, file: str = "", tuning: Tuning = DEFAULT,
                 resume: Resume | None = None, start_index: int = 0,
                 holds: str = "order items") -> None:
        self._raw: Any = raw
        self.file = file
        self.holds = holds
        self._chunk = tuning.chunk_bytes
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
                self._col = 1 + char_count(seg[seg.rfind(b"\n") + 1 :])
            else:
                self._col += char_count(seg)
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
            match = NOT_WS.search(self._buf, pos)
            if match is not None:
                return match.start()
            if self._eof:
                return None
            pos = self._refill(len(self._buf))

    def _problem(self, code: str, message: str, line: int | None = None,
                 column: int | None = None, *, index: int | None = None,
                 pointer: str | None = None, fix: Fix | None = None) -> Problem:
        return Problem(code, message, Location(self.file, index, pointer, None, line, column),
                       fix=fix)

    def _problem_at(self, pos: int, code: str, message: str, **kw: Any) -> Problem:
        return self._problem(code, message, *self._advance(self._base + pos), **kw)

    # -- reading ------------------------------------------------------------------------
    def _open(self) -> Iterator[Problem]:
        head = self.head = self._raw.read(4)
        encoding, bom_length = detect_encoding(head)
        rest = head[bom_length:]
        self.encoding = encoding
        if encoding in ("utf-8", "utf-8-sig"):
            self._buf = rest
        else:
            self._raw = Transcoder(self._raw, encoding, rest)
        if encoding != "utf-8":
            if encoding == "utf-8-sig":
                what = "starts with a UTF-8 byte order mark"
            elif bom_length:
                what = f"is {encoding[:6].upper()} text"
            else:
                what = f"is {encoding[:6].upper()} text without a byte order mark"
            yield self._problem(
                "OIM005", f"the file {what}; it was read, but save it as UTF-8 without a BOM "
                "(oimtool fix does)", 1, 1, fix=Fix.of(Transcode("utf-8"), safe=True),
            )
        self._refill(0)

    def __iter__(self) -> Iterator[Part]:
        """Batches of parsed items and issues, in file order."""
        if self._resume is not None:
            self._refill(0)
            yield from self._items(0)
        else:
            yield from self._open()
            pos = yield from self._array_start()
            if pos is not None:
                yield from self._items(pos)
        if isinstance(self._raw, Transcoder) and self._raw.bad_bytes:
            yield self._problem(
                "OIM004", f"{self._raw.bad_bytes} bytes are not valid {self.encoding[:6].upper()} "
                "text; they were read as U+FFFD: check the export",
            )

    def start(self) -> Iterator[Problem | EmptyArray | Resume]:
        """Read up to the first item: issues, then a ``Resume`` at the first item (none when
        there is no item). For reading the items elsewhere (worker processes)."""
        yield from self._open()
        pos = yield from self._array_start()
        if pos is not None:
            yield Resume(self._base + pos, *self._advance(self._base + pos))

    def _array_start(self) -> Generator[Problem | EmptyArray, None, int | None]:
        """Read up to the first item; returns its position, or None when there is no item."""
        pos = self._skip_ws(0)
        if pos is None:
            yield self._problem("OIM001", "the file is empty; it must hold a JSON array of "
                                f"{self.holds}", 1, 1)
            return None
        first = self._buf[pos]
        if first != 0x5B:
            if first in b'{"' or self._scalar_at(pos):
                kind = {0x7B: "an object", 0x22: "a string"}.get(first, "a single value")
                yield self._problem_at(
                    pos, "OIM002", f"the top level is {kind}; the file must be a JSON array of "
                    f"{self.holds}: [ {{...}}, {{...}} ]", pointer="",
                )
            else:
                yield self._problem_at(
                    pos, "OIM001", f"not JSON: found {self._shown_token(pos)} where '[' should "
                    f"start the array of {self.holds}",
                )
            return None
        self.array_position = self._advance(self._base + pos)
        pos = self._skip_ws(pos + 1)
        if pos is None:
            yield self._eof_issue("the array is not closed")
            return None
        if self._buf[pos] == 0x5D:
            yield EmptyArray(self._problem(
                "OIM003", f"the array is empty: there are no {self.holds} to migrate",
                *self.array_position, pointer=""))
            yield from self._trailing(pos + 1)
            return None
        return pos

    def _token(self, pos: int) -> bytes:
        """The run of bytes at ``pos`` up to white space or a JSON punctuation mark (at most
        64 bytes: no number or literal is longer, and a message shows no more)."""
        end = pos
        while end < len(self._buf) and end - pos < 64 and self._buf[end] not in b' \t\r\n[]{},:"':
            end += 1
        return self._buf[pos:end]

    def _scalar_at(self, pos: int) -> bool:
        """Whether a JSON number, true, false or null starts at ``pos`` (``nope`` and
        ``123abc`` are not JSON at all: OIM001, not OIM002)."""
        token = self._token(pos)
        if not token or token[0] not in b"-0123456789tfn":
            return False
        try:
            orjson.loads(token)
        except orjson.JSONDecodeError:
            return False
        return True

    def _shown_token(self, pos: int) -> str:
        """A word (``nope``, ``123abc``) whole, up to 20 characters; else its first byte."""
        token = self._token(pos)
        if len(token) < 2 or not chr(token[0]).isalnum():
            return _show_byte(self._buf[pos])
        return repr(token.decode("utf-8", "replace")[:20])

    def _items(self, pos: int) -> Iterator[Part]:
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

    def _one_item(self, pos: int) -> Generator[Part, None, tuple[int, bool] | None]:
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
            yield UnreadableItem(self._problem_at(pos + at, code, f"item {index} {message}",
                                                  index=index, pointer=f"/{index}"), text)
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
            yield self._problem_at(
                sep, "OIM001", f"expected ',' or ']' after item {self.count - 1}, found "
                f"{_show_byte(ch)}",
            )
            return None
        nxt = self._skip_ws(sep + 1)
        if nxt is None:
            yield self._eof_issue("the array is not closed")
            return None
        if self._buf[nxt] == 0x5D:
            yield self._problem_at(sep, "OIM001", "trailing comma after the last item: remove it")
            return None
        return nxt, False

    def _trailing(self, pos: int) -> Iterator[Problem]:
        pos_after = self._skip_ws(pos)
        if pos_after is not None:
            yield self._problem_at(
                pos_after, "OIM001", f"unexpected {_show_byte(self._buf[pos_after])} after the "
                "end of the array: a file holds one array",
            )

    def _eof_issue(self, message: str) -> Problem:
        return self._problem_at(len(self._buf), "OIM001", f"unexpected end of file: {message}")

    def _syntax(self, at: int, message: str) -> Problem:
        return self._problem_at(at, "OIM001", f"not valid JSON in item {self.count}: {message}")

    def _parse_error(self, pos: int, end: int) -> Problem:
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
