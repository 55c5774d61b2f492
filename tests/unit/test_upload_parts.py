"""Cutting an items file into parts (``upload.cut``) and reading the ledger back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oimtool.errors import InputError
from oimtool.tuning import Tuning
from oimtool.upload import Ledger, cut
from oimtool.upload.omnitron import base_url


def _write(path: Path, orders: list[str], indent: int | None = None) -> list[dict[str, Any]]:
    items = [{"order_number": o, "sku": f"S{i}", "quantity": 1, "price": 1.5,
              "product": "ü\"x", "image_url": None, "extra_field": {"n": [i]}}
             for i, o in enumerate(orders)]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=indent), encoding="utf-8")
    return items


@given(orders=st.lists(st.sampled_from("ABCD"), min_size=1, max_size=40),
       size=st.one_of(st.none(), st.integers(1, 12)), indent=st.sampled_from([None, 2]),
       chunk=st.sampled_from([64, 300, 256 << 10]))
def test_parts_keep_every_item_in_order_and_orders_together(
        tmp_path_factory: pytest.TempPathFactory, orders: list[str], size: int | None,
        indent: int | None, chunk: int) -> None:
    folder = tmp_path_factory.mktemp("parts")
    items = _write(folder / "items.json", orders, indent)
    out = folder / "out"
    out.mkdir()
    parts = list(cut(folder / "items.json", size, out, tuning=Tuning(chunk_bytes=chunk)))
    got = [json.loads(part.path.read_bytes()) for part in parts]
    assert [line for lines in got for line in lines] == items  # all, once, in order
    assert [p.number for p in parts] == list(range(1, len(parts) + 1))
    assert [p.first for p in parts] == [sum(len(g) for g in got[:k]) for k in range(len(got))]
    for part, lines in zip(parts, got, strict=True):
        assert part.items == len(lines)
        assert size is None or part.items <= size
        data = part.path.read_bytes()
        assert part.sha256 == hashlib.sha256(data).hexdigest() and part.size == len(data)
    for k in range(len(parts) - 1):
        before, after = got[k][-1]["order_number"], got[k + 1][0]["order_number"]
        if before == after:  # an order cut in two: it alone fills the part before
            assert {line["order_number"] for line in got[k]} == {before}
            assert parts[k].items == size and parts[k].split_order == before
        else:
            assert parts[k].split_order is None
    if size is None:
        assert len(parts) == 1


def test_a_part_is_the_items_text_as_written(tmp_path: Path) -> None:
    source = tmp_path / "items.json"
    source.write_text('[{"order_number": "A", "price": 19.90,  "x": "\\u00fc"},\r\n'
                      ' {"order_number": "B", "price": 1e2}]', encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (part,) = cut(source, None, out)
    assert part.path.read_bytes() == (b'[\n{"order_number": "A", "price": 19.90,  "x": '
                                      b'"\\u00fc"},\r\n {"order_number": "B", "price": 1e2}\n]\n')


def test_an_empty_array_has_no_parts(tmp_path: Path) -> None:
    (tmp_path / "items.json").write_text("[]")
    with pytest.raises(InputError, match="holds no items to upload"):
        list(cut(tmp_path / "items.json", None, tmp_path))


def test_ledger_read_only_never_creates_it(tmp_path: Path) -> None:
    path = tmp_path / ".oimtool" / "uploads.jsonl"
    with Ledger(path, write=False) as ledger:
        assert ledger.attempts == {}
    assert not path.parent.exists()


def test_ledger_events_fold_into_attempts(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with Ledger(path) as ledger:
        attempt = ledger.posting(url="https://o.example.com", channel="3", file="/x/items.json",
                                 file_sha256="f" * 64, part=1, parts=2, first=0, items=10,
                                 sha256="a" * 64, bytes=100)
        assert attempt.state == "unknown" and attempt.went_in
        ledger.record({"event": "accepted", "id": attempt.id, "migration_id": "m1"})
        ledger.record({"event": "progress", "id": attempt.id, "total": 10, "processed": 4,
                       "errors": 0})
    with Ledger(path, write=False) as again:
        (read,) = again.attempts.values()
        assert (read.state, read.migration_id, read.processed, read.done) == (
            "accepted", "m1", 4, False)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Omnitron.Example.com/", "https://omnitron.example.com"),
    ("https://omnitron.example.com/base/", "https://omnitron.example.com/base"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
    ("http://[::1]:8000", "http://[::1]:8000"),
])
def test_base_url(url: str, expected: str) -> None:
    assert base_url(url) == expected
