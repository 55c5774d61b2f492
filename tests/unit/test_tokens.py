"""The tokenizer of items files on hostile text: where strings and values end, whatever they
hold, with memory that does not grow per escape and matches that never try two readings."""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oimtool.jsonstream import tokens
from oimtool.jsonstream.tokens import item_end, member_offsets, string_end, value_end


def reference_string_end(buf: bytes, pos: int) -> int | None:
    """The end of a string, by walking its bytes: what the patterns must agree with."""
    i = pos
    while i < len(buf):
        if buf[i] == 0x5C:
            i += 2
        elif buf[i] == 0x22:
            return i + 1
        else:
            i += 1
    return None


string_bytes = st.lists(st.sampled_from([b"a", b"\\", b'\\"', b"\\\\", b'"', b"\xc4\x9f", b"\n",
                                          b"{", b"]"]), max_size=40).map(b"".join)


@contextmanager
def window(size: int) -> Iterator[None]:
    """Strings matched ``size`` bytes at a time."""
    saved = tokens._WINDOW
    tokens._WINDOW = size
    try:
        yield
    finally:
        tokens._WINDOW = saved


@settings(max_examples=300)
@given(string_bytes, st.integers(2, 9))
def test_string_end_agrees_with_a_walk_at_every_window(text, size):
    """The window a string is matched in (2 bytes, an escape, at the least) never changes where
    the string ends, even when a window ends between a backslash and what it escapes."""
    buf = b'"' + text
    cut = len(buf) // 2
    with window(size):
        assert string_end(buf, 1) == reference_string_end(buf, 1)
        assert value_end(buf, 0) == reference_string_end(buf, 1)
        assert string_end(buf, 1, cut) == reference_string_end(buf[:cut], 1)


@pytest.mark.parametrize("size", [2, 3, 1 << 14])
def test_an_item_of_long_escape_runs_ends_where_orjson_says(size):
    value = '"\\' * 500 + "\\" * 301 + "ğ"
    data = orjson.dumps({"a": value, value: [value, {"b": value}]})
    with window(size):
        assert item_end(data + b", {", 0) == len(data)
        assert value_end(data + b", {", 0) == len(data)
        assert list(member_offsets(data, 0, len(data))) == ["a", value]


@pytest.mark.parametrize("escape", [b'\\"', b"\\\\", b"\\u00e7"])
@pytest.mark.parametrize("find", ["string_end", "value_end", "item_end", "member_offsets"])
def test_memory_does_not_grow_per_escape(escape, find):
    """A string of 100,000 escapes (200 to 600 KB) is followed in a few kilobytes: the regex
    engine's backtracking state grew by ~130 bytes an escape (13 MB here; a 40 MB file took
    2.5 GB). Python 3.10, without possessive quantifiers, keeps that state for one window (16 KB
    of text, 1.4 MB of state) at most."""
    text = escape * 100_000
    item = b'{"order_number": "A", "extra_field": {"note": "' + text + b'"}}'
    incomplete = item[:-10]  # the reader asks again and again while an item is incomplete
    calls = {
        "string_end": lambda: (string_end(item, item.index(b'"note": "') + 9),
                               string_end(incomplete, incomplete.index(b'"note": "') + 9)),
        "value_end": lambda: (value_end(item, 0), value_end(incomplete, 0)),
        "item_end": lambda: (item_end(item, 0), item_end(incomplete, 0)),
        "member_offsets": lambda: member_offsets(item, 0, len(item)),
    }
    tracemalloc.start()
    try:
        found = calls[find]()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if find != "member_offsets":
        assert found == (len(item) - 2, None) if find == "string_end" else (len(item), None)
    assert peak < 2 << 20  # 13 MB before


@pytest.mark.parametrize("possessive", [True, False])
@pytest.mark.parametrize("tail", [b"", b"x", b",", b'"', b"]"])
def test_a_failed_item_match_gives_back_each_byte_once(possessive, tail):
    """An item cut short, or not one the pattern follows, after a long run of plain bytes: the
    match fails at once. The pattern used to allow a run to be split in every way
    (``(?:[^"]+)*``), which without possessive quantifiers (Python 3.10) tried them all: 30
    spaces took 10 s, and each more doubled it (this test would not end)."""
    if possessive and not tokens._POSSESSIVE:
        pytest.skip("possessive quantifiers need Python 3.11")
    pattern = re.compile(tokens._pattern(tokens._ITEM, possessive))
    for run in (b" " * 64, b"1234567890" * 8, b"tru" * 30):
        for text in (b'{"a": ' + run + tail, b'{"a": [' + run + tail, b'{"a": {"b": ' + run + tail,
                     b'{"a": ' + run + b', "b": [[[[1]]]]}', b'{"a": "' + b'\\"' * 40 + tail):
            assert pattern.match(text) is None
        closed = b'{"a": ' + run + b', "b": {"c": [1, "]"]}, "d": "\\"}"}'
        assert pattern.match(closed + b", {").end() == len(closed)


def reference_value_end(buf: bytes, pos: int) -> tuple[int | None, str]:
    """The end of a bracketed value, a bracket at a time, or where and why it is malformed."""
    stack: list[int] = []
    i = pos
    while i < len(buf):
        ch = buf[i]
        if ch == 0x22:
            end = reference_string_end(buf, i + 1)
            if end is None:
                return None, ""
            i = end
            continue
        if ch in b"[{":
            stack.append(ch)
        elif ch in b"]}":
            opener = ord("[") if ch == ord("]") else ord("{")
            if stack[-1] != opener:
                return i, f"unexpected {chr(ch)!r}: {chr(stack[-1])!r} is not closed"
            stack.pop()
            if not stack:
                return i + 1, ""
        i += 1
    return None, ""


@settings(max_examples=500)
@given(st.lists(st.sampled_from([b"[", b"]", b"{", b"}", b"[[[", b"]]]", b"}}", b"{{", b"][",
                                 b' "]}" ', b"1,", b'"\\"']), min_size=1, max_size=30))
def test_runs_of_brackets_end_where_a_walk_ends(pieces):
    """Runs of brackets are taken at once; where a value ends, or the first bracket that closes
    the wrong one, is as when they were taken one by one."""
    buf = b"[" + b"".join(pieces)
    try:
        found = value_end(buf, 0), ""
    except tokens.MalformedError as error:
        found = error.offset, error.message
    assert found == reference_value_end(buf, 0)


def test_deep_nesting_is_followed_without_recursion():
    depth = 100_000
    data = b'{"a": ' + b"[" * depth + b'"]' + b"\\" * 4 + b'"' + b"]" * depth + b"}"
    assert item_end(data + b",", 0) == len(data)
    assert value_end(data[:-1], 0) is None
    with pytest.raises(tokens.MalformedError) as error:
        value_end(data[:-2] + b"}}", 0)
    assert error.value.offset == len(data) - 2
