"""Hostile items files at the CLI: nesting, escapes, numbers and encodings that once cost an
internal error or time and memory beyond the input's size (the bench is
bench/bench_adversarial.py)."""

from __future__ import annotations

import json

import pytest

from conftest import item

HEAD = (b'{"order_number": "A", "product": null, "sku": null, "quantity": 1, "price": 1, '
        b'"image_url": null, "extra_field": ')


def nested(depth: int, kind: str, inner: bytes) -> bytes:
    if kind == "object":
        return b'{"a": ' * depth + inner + b"}" * depth
    return b"[" * depth + inner + b"]" * depth


@pytest.mark.parametrize("kind", ["object", "array"])
@pytest.mark.parametrize("depth", [989, 1000, 1020, 100_000])
def test_a_deep_item_with_a_long_integer_is_too_deep_not_an_internal_error(cli, tmp_path, kind,
                                                                           depth):
    """orjson reads 1,024 levels; an integer of more than 19 digits is read again by Python's
    parser, to keep it exact, and that one stops near 990 levels: a RecursionError was exit 3.
    The item is OIM007, the next one is checked, and fix keeps the item as written."""
    deep = HEAD + nested(depth - 2, kind, b"123456789012345678901234567890") + b"}"
    after = json.dumps(item(order_number="B", quantity=0)).encode()
    path = tmp_path / "items.json"
    path.write_bytes(b"[" + deep + b",\n" + after + b"]")
    result = cli("check", path, "-f", "json")
    assert result.code == 1, result.err
    column = after.index(b'"quantity": 0') + 13  # the 0
    assert [(p["code"], p["index"], p["line"], p["column"]) for p in result.json()["problems"]] == [
        ("OIM007", 0, 1, 2), ("OIM403", 1, 2, column)]
    fixed = cli("fix", path, "-o", tmp_path / "fixed.json", "-f", "json")
    assert fixed.code == 1, fixed.err
    assert fixed.json()["summary"]["items"] == 2
    assert (tmp_path / "fixed.json").read_bytes().count(b"\n  " + deep + b",\n") == 1


@pytest.mark.parametrize("escape", [b'\\"', b"\\\\", b"\\u011f"])
def test_an_item_of_escapes_larger_than_a_chunk(cli, tmp_path, escape):
    """100,000 escapes, larger than the reader's chunk: followed across refills, the problem
    after them placed exactly, and fix writes the value back."""
    note = escape * 100_000
    path = tmp_path / "items.json"
    data = b"[" + HEAD + b'{"note": "' + note + b'"}, "x": 0}]'
    path.write_bytes(data)
    result = cli("check", path, "-f", "json")
    assert result.code == 0, result.err
    assert [(p["code"], p["pointer"], p["line"], p["column"]) for p in
            result.json()["problems"]] == [("OIM801", "/0/x", 1, data.index(b'"x"') + 1)]
    assert cli("fix", path, "-o", tmp_path / "fixed.json", "--unsafe").code == 0
    fixed = json.loads((tmp_path / "fixed.json").read_bytes())
    assert fixed[0]["extra_field"] == {"note": json.loads(b'"' + note + b'"'), "x": 0}


def test_utf16_of_nothing_but_bad_units_is_counted_and_read(cli, tmp_path):
    """Each unpaired surrogate is one U+FFFD and two bad bytes (the decoder copied the rest of
    its chunk at each of them: 1.3 MB of them took 25 s)."""
    bad = b"\x00\xd8" * 100_000
    path = tmp_path / "items.json"
    path.write_bytes(b"\xff\xfe" + '[{"product": "'.encode("utf-16-le") + bad
                     + '"}]'.encode("utf-16-le"))
    report = cli("check", path, "-f", "json").json()
    assert [(p["code"], p["message"][:40]) for p in report["problems"]
            if p["code"] in ("OIM004", "OIM203")] == [
        ("OIM203", "product is 100,000 characters long; at m"),
        ("OIM004", "200000 bytes are not valid UTF-16 text; "),
    ]
