"""The JSON text of an items file as tokens: where a value ends, the members of an object,
keys written twice, and where items may be cut. Only brackets and strings are followed; what
lies between them is left to the parser (orjson)."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson

WS = b" \t\r\n"

# Every pattern below is unambiguous: a run of plain bytes is followed by a quote, a bracket or
# the end, an escape is two bytes, so a failed match gives back each byte once, never trying
# another split (``(?:[^"]+)*`` would try them all: exponential on a long run). Possessive
# quantifiers (3.11+) keep the regex engine from saving backtracking state for each repeat (a
# string of 10⁶ escapes held ~127 MB of it); the patterns accept the same text without them,
# and on 3.10 each match is bounded to a window, which bounds that state.
_POSSESSIVE = sys.version_info >= (3, 11)


def _pattern(text: str, possessive: bool = _POSSESSIVE) -> bytes:
    """``text`` with each "*P" made "*+" (possessive) or "*"."""
    return text.replace("*P", "*+" if possessive else "*").encode()


#: Bytes matched at a time where the state kept would otherwise grow with the match (3.10);
#: at least 2 (an escape).
_WINDOW = 1 << 14
_BODY = r'[^"\\]*P(?:\\[\s\S][^"\\]*P)*P'  # a string's content, up to its closing quote
_STRING = rf'"{_BODY}"'
_RUN = r'[^"\[\]{}]*P'  # anything but strings and brackets, maybe nothing
_FLAT = rf"(?:\{{{_RUN}(?:{_STRING}{_RUN})*P\}}|\[{_RUN}(?:{_STRING}{_RUN})*P\])"
_NESTED = (rf"(?:\{{{_RUN}(?:(?:{_STRING}|{_FLAT}){_RUN})*P\}}"
           rf"|\[{_RUN}(?:(?:{_STRING}|{_FLAT}){_RUN})*P\])")
_ITEM = rf"\{{{_RUN}(?:(?:{_STRING}|{_NESTED}){_RUN})*P\}}"
#: How far the item pattern looks (None: to the end): without possessive quantifiers, items
#: longer than this are followed by ``value_end``, whose memory does not grow with them.
_ITEM_SPAN = None if _POSSESSIVE else _WINDOW


@functools.cache
def _item_re() -> re.Pattern[bytes]:
    """An object nested at most three deep: one match per item where positions are needed
    (compiled on first use; clean files never need it)."""
    return re.compile(_pattern(_ITEM))


_STRUCTURAL = re.compile(rb'["\[\]{}]')
_OPENING = re.compile(rb"[\[{]+")
_CLOSING = re.compile(rb"[\]}]+")
_AS_OPENERS = bytes.maketrans(b"]}", b"[{")
_BRACKETS = frozenset((b"[", b"]", b"{", b"}"))
_STRING_BODY = re.compile(_pattern(_BODY))
_STRING_REST = re.compile(_pattern(_BODY + '"'))  # tried first, on one window
_SCALAR = re.compile(rb"[^\s,\]}\[{\"]*")
NOT_WS = re.compile(rb"[^ \t\r\n]")


def string_end(buf: bytes, pos: int, end: int | None = None) -> int | None:
    """End (exclusive) of the string whose content starts at ``buf[pos]`` (after its opening
    quote): its closing quote included; None when ``buf`` (or ``buf[:end]``) ends first.

    Matched a window at a time: time and memory grow with the string, not faster, whatever
    it holds (a run of 10⁶ escaped quotes, of backslashes, of anything)."""
    limit = len(buf) if end is None else end
    body = _STRING_BODY.match
    while pos < limit:
        stop = pos + _WINDOW
        if stop > limit:
            stop = limit
        pos = body(buf, pos, stop).end()  # type: ignore[union-attr]  # matches ""
        if pos < stop:  # at the closing quote, or at a backslash that ends the window
            if buf[pos] == 0x22:
                return pos + 1
            if stop == limit:
                return None
    return None


def char_count(data: bytes) -> int:
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
        rest = _STRING_REST.match(buf, pos + 1, pos + _WINDOW)
        return rest.end() if rest is not None else string_end(buf, pos + 1)
    if first not in (0x7B, 0x5B):
        end = _SCALAR.match(buf, pos).end()  # type: ignore[union-attr]  # matches ""
        return end if end < len(buf) else None
    stack = bytearray()
    i = pos
    rest_match, window = _STRING_REST.match, _WINDOW
    opening, closing = _OPENING.match, _CLOSING.match
    while True:
        match = _STRUCTURAL.search(buf, i)
        if match is None:
            return None
        j = match.start()
        ch = buf[j]
        if ch == 0x22:
            rest = rest_match(buf, j + 1, j + window)  # the usual string, in one match
            after = rest.end() if rest is not None else string_end(buf, j + 1)
            if after is None:
                return None
            i = after
            continue
        if buf[j + 1 : j + 2] not in _BRACKETS:  # one bracket (a run is taken at once below)
            if ch in (0x7B, 0x5B):
                stack.append(ch)
            else:
                opener = 0x7B if ch == 0x7D else 0x5B
                if stack[-1] != opener:
                    raise MalformedError(j, f"unexpected {chr(ch)!r}: {chr(stack[-1])!r} is "
                                            "not closed")
                stack.pop()
                if not stack:
                    return j + 1
            i = j + 1
            continue
        if ch in (0x7B, 0x5B):  # a run of openers: nesting 10⁶ deep is one match, not 10⁶
            i = opening(buf, j).end()  # type: ignore[union-attr]  # matches buf[j]
            stack += buf[j:i]
            continue
        # a run of closers, as far as the stack goes, against the openers they close
        i = closing(buf, j, j + len(stack)).end()  # type: ignore[union-attr]  # matches buf[j]
        closed = buf[j:i].translate(_AS_OPENERS)
        opened = stack[len(stack) - len(closed):][::-1]
        if closed != opened:
            k = next(k for k in range(len(closed)) if closed[k] != opened[k])
            raise MalformedError(j + k, f"unexpected {chr(buf[j + k])!r}: "
                                        f"{chr(opened[k])!r} is not closed")
        del stack[len(stack) - len(closed):]
        if not stack:
            return i


def item_end(buf: bytes, pos: int) -> int | None:
    """``value_end``, with one regex match for the usual shallow object."""
    match = _item_re().match(buf, pos, len(buf) if _ITEM_SPAN is None else pos + _ITEM_SPAN)
    return match.end() if match else value_end(buf, pos)


def members(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """The members at the top of the object at ``data[start:end]``, in the order written, a
    repeated key each time: (key, offset of the key, offset of its value)."""
    i = start + 1
    depth = 1
    rest_match, window = _STRING_REST.match, _WINDOW
    while i < end:
        match = _STRUCTURAL.search(data, i, end)
        if match is None:
            return
        j = match.start()
        ch = data[j]
        if ch == 0x22:
            rest = rest_match(data, j + 1, min(j + window, end))  # the usual string
            after = rest.end() if rest is not None else string_end(data, j + 1, end)
            if after is None:
                return
            if depth == 1:
                colon = NOT_WS.search(data, after, end)
                if colon is not None and data[colon.start()] == 0x3A:
                    value = NOT_WS.search(data, colon.start() + 1, end)
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
    found: list[Repeat] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [
        ((key,), value) for key, value in reversed(root.items())]
    while stack:
        path, value = stack.pop()
        if type(value) is dict:
            found.extend(Repeat(str(path[0]), dropped, -1, (*path[1:], key))
                         for key, dropped in twice.get(id(value), ()))
            stack.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif type(value) is list:
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return found


def value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` (reference tokens, as a ``Repeat`` gives them) inside ``value``."""
    for token in path:
        value = value[token]
    return value


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



def last_boundary(buf: bytes, pos: int) -> tuple[int, int] | None:
    """The last ``}`` ``,`` ``{`` in ``buf`` after ``pos``: (end of the ``}``, the ``{``)."""
    j = len(buf)
    for _ in range(64):
        j = buf.rfind(b"{", pos + 1, j)
        if j < 0:
            return None
        before = buf[max(pos, j - 64) : j].rstrip(WS)
        if before.endswith(b","):
            before = before[:-1].rstrip(WS)
            if before.endswith(b"}"):
                return max(pos, j - 64) + len(before), j
    return None

