"""The streaming array reader: same items as a plain parse, exact positions, never a crash."""

from __future__ import annotations

import io
import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oimtool.jsonstream import ArrayReader, Batch, EmptyArray, UnreadableItem
from oimtool.jsonstream.tokens import member_offsets
from oimtool.problems import Problem
from oimtool.tuning import Tuning

json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(st.characters(codec="utf-8"), max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(st.characters(codec="utf-8"), max_size=8), inner, max_size=4),
    max_leaves=12,
)
items_strategy = st.lists(
    st.dictionaries(st.sampled_from(["order_number", "price", "x", '"}', "{[", "ğ"]), json_values,
                    max_size=5) | json_values,
    min_size=1, max_size=8,
)
whitespace = st.sampled_from(["", " ", "\n", "\r\n  ", "\t", "\n\n    "])


def read(data: bytes, chunk_size: int) -> tuple[list, list[Problem], list[Batch]]:
    reader = ArrayReader(io.BytesIO(data), tuning=Tuning(chunk_bytes=chunk_size))
    items, issues, batches = [], [], []
    for part in reader:
        if isinstance(part, Batch):
            assert part.start == len(items)
            items.extend(part.items)
            batches.append(part)
        else:
            issues.append(part.problem if isinstance(part, (EmptyArray, UnreadableItem))
                          else part)
    assert reader.count == len(items) + sum(1 for i in issues if i.location.index is not None)
    return items, issues, batches


def position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(items_strategy, st.lists(whitespace, min_size=3, max_size=3), st.integers(1, 40),
       st.booleans())
def test_reads_what_orjson_reads_with_exact_positions(items, spaces, chunk_size, pretty):
    before, between, after = spaces
    pieces, starts = [], []
    text = before + "["
    for k, value in enumerate(items):
        text += between + ("," + between if k else "")
        starts.append(len(text))
        rendered = json.dumps(value, ensure_ascii=False, indent=2 if pretty else None)
        pieces.append(rendered)
        text += rendered
    text += between + "]" + after
    data = text.encode("utf-8")
    got, issues, batches = read(data, chunk_size)
    assert issues == []
    assert got == orjson.loads(data)
    located = [b.locate(k) for b in batches for k in range(len(b.items))]
    assert located == [position(text, s) for s in starts]


@settings(max_examples=300)
@given(st.binary(max_size=200), st.integers(1, 64))
def test_never_raises_on_arbitrary_bytes(data, chunk_size):
    items, issues, _ = read(data, chunk_size)
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list) and parsed and not data.startswith((b"\xef\xbb\xbf", b"\xff",
                                                                    b"\xfe")):
        assert items == parsed
        assert issues == []


@settings(max_examples=200)
@given(items_strategy, st.data())
def test_truncated_file_is_a_syntax_error(items, data):
    text = json.dumps(items, indent=1).encode()
    cut = data.draw(st.integers(0, len(text) - 1))
    _, issues, _ = read(text[:cut], 7)
    assert [i.code for i in issues][-1:] == ["OIM001"]


def test_member_offsets_follow_keys_not_strings():
    data = b'{"a": "\\"price\\": 1", "pr\\u0069ce": {"price": 2}, "b": [1, {"price": 3}]}'
    members = member_offsets(data, 0, len(data))
    assert list(members) == ["a", "price", "b"]
    key, value = members["price"]
    assert data[key:key + 12] == b'"pr\\u0069ce"'
    assert data[value:value + 1] == b"{"


@pytest.mark.parametrize("chunk_size", [1, 3, 4096])
def test_a_cut_utf16_character_is_kept_whole(chunk_size):
    text = '[{"product": "Ağaç 𝄞 ürün"}]'
    items, issues, _ = read(b"\xff\xfe" + text.encode("utf-16-le"), chunk_size)
    assert items == [{"product": "Ağaç 𝄞 ürün"}]
    assert [i.code for i in issues] == ["OIM005"]


def test_undecodable_utf16_is_counted_and_replaced():
    data = b"\xff\xfe" + '[{"a": "x'.encode("utf-16-le") + b"\x00\xd8" + '"}]'.encode("utf-16-le")
    items, issues, _ = read(data, 4096)
    assert items == [{"a": "x\ufffd"}]
    assert [(i.code, i.message) for i in issues] == [
        ("OIM005", "the file is UTF-16 text; it was read, but save it as UTF-8 without a BOM "
         "(oimtool fix does)"),
        ("OIM004", "2 bytes are not valid UTF-16 text; they were read as U+FFFD: check the "
         "export"),
    ]


def test_large_item_spanning_many_chunks():
    big = {"order_number": "A", "product": "x" * 100_000, "extra_field": {"a": [1] * 5000}}
    data = orjson.dumps([big, big])
    items, issues, batches = read(data, 1024)
    assert items == [big, big]
    assert issues == []
    assert [b.locate(k) for b in batches for k in range(len(b.items))] == [
        (1, 2), (1, 2 + len(orjson.dumps(big)) + 1),
    ]
