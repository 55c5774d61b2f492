"""Worker processes change nothing but the speed: the same problems, positions and counts."""

from __future__ import annotations

import json
import multiprocessing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oimtool import workers
from oimtool.api import check as check_files
from oimtool.errors import InputError
from oimtool.orders import load_orders as load
from oimtool.tuning import Tuning

from conftest import item, write_json

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="workers need fork")


#: Cut even small files into many pieces, so every path of the parallel reader runs.
TINY_PIECES = Tuning(parallel_min_bytes=0, piece_bytes=1500, window_bytes=700, chunk_bytes=4096)


def check(paths, *, orders=(), jobs):
    return check_files(paths, orders=orders, jobs=jobs, tuning=TINY_PIECES)


def load_orders(path, *, jobs):
    return load(path, jobs=jobs, tuning=TINY_PIECES)


def flat(report):
    return [(p.location.file, p.location.index, p.location.pointer, p.code, p.location.line,
             p.location.column, p.message, p.fix) for p in report.problems], report.summary


def both(paths, orders=()):
    serial = flat(check(paths, orders=orders, jobs=1))
    spread = flat(check(paths, orders=orders, jobs=2))
    assert spread == serial
    return serial


def items_file(tmp_path, n=120, **changes):
    rows = [item(order_number=f"O{i % 40}", sku=f"S{i}") for i in range(n)]
    for index, change in changes.items():
        rows[int(index.removeprefix("i"))] = change
    return write_json(tmp_path / "items.json", rows)


def test_clean_file(tmp_path):
    (problems, summary) = both([items_file(tmp_path)])
    assert problems == []
    assert summary.items == 120


def test_problems_duplicates_and_orders_across_pieces(tmp_path):
    orders = write_json(tmp_path / "orders.json",
                        [{"number": f"O{i}"} for i in range(45)] + [{"number": "O3"}])
    path = items_file(tmp_path, i5=item(price="1,5"), i60=item(order_number="O1", sku="S1"),
                      i61=item(order_number="o7"), i100=[1], i119=item(quantity=0))
    problems, summary = both([path], [orders])
    assert [(p[1], p[3]) for p in problems] == [
        (5, "OIM502"), (5, "OIM105"), (60, "OIM803"), (61, "OIM105"), (100, "OIM006"),
        (119, "OIM403"), (119, "OIM105"), (45, "OIM902"), (None, "OIM901"),
    ]
    assert summary.items == 120


@pytest.mark.parametrize("damage", [
    lambda text: text.replace('"O20"', '"O20" "x"', 1),  # a syntax error half way
    lambda text: text[: len(text) // 2],  # a truncated file
    lambda text: text + "\n]",  # something after the array
    lambda text: text.replace('"S70"', '"S70 }, { \\" }, {"', 1),  # a string that fools the cut
    lambda text: text.replace('"S', '"}, {S'),  # ... in every item
    lambda text: text.replace('"S30"', '"' + "x" * 5000 + '"', 1),  # an item larger than a window
    lambda text: text.replace('"S50"', '"\\ud800"', 1),  # not a character
])
def test_damaged_files_read_on_here(tmp_path, damage):
    path = items_file(tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    both([path])


def test_invalid_utf8_in_the_middle(tmp_path):
    path = items_file(tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"S40"', b'"S\xff40"', 1))
    problems, _ = both([path])
    assert [(p[1], p[3]) for p in problems] == [(40, "OIM004")]


def test_bom_file(tmp_path):
    path = items_file(tmp_path, i90=item(quantity=None))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problems, _ = both([path])
    assert [(p[1], p[3]) for p in problems] == [(None, "OIM005"), (90, "OIM404")]


def test_orders_file_read_by_workers(tmp_path):
    orders = write_json(tmp_path / "orders.json", [{"number": f" N{i} "} for i in range(300)]
                        + [{"number": "N7"}])
    serial = load_orders(orders, jobs=1)
    spread = load_orders(orders, jobs=2)
    assert spread.numbers == serial.numbers
    assert [(p.location.index, p.location.line, p.location.column) for p in spread.problems] == [
        (p.location.index, p.location.line, p.location.column) for p in serial.problems] == [
        (300, 903, 15)]


def test_unusable_orders_are_described_alike(tmp_path):
    orders = write_json(tmp_path / "orders.json", [{"number": f"N{i}"} for i in range(200)]
                        + [{"user": "x"}])
    messages = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as caught:
            load_orders(orders, jobs=jobs)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert 'order 200 (line 602) has no "number"' in messages[0]


json_items = st.lists(st.one_of(
    st.builds(item),
    st.builds(item, price=st.sampled_from(["1", 1.005, -3, None])),
    st.builds(item, order_number=st.sampled_from(["O1", "O2", " O3", "zz"])),
    st.builds(item, extra_field=st.dictionaries(st.text(max_size=3), st.integers(),
                                                max_size=2)),
    st.just([]), st.just("x"),
), min_size=1, max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(json_items, st.sampled_from([None, 2]))
def test_same_report_with_and_without_workers(tmp_path, rows, indent):
    path = tmp_path / "items.json"
    path.write_text(json.dumps(rows, indent=indent, ensure_ascii=False), encoding="utf-8")
    orders = write_json(tmp_path / "orders.json", [{"number": "O1"}, {"number": "O2"}])
    both([path], [orders])


# -- results through shared memory -------------------------------------------------------------

def test_shuttle_rings_wrap_and_overflow():
    shuttle = workers.Shuttle(1, size=100, smallest=10)
    a, b = shuttle.send(b"a" * 40), shuttle.send(b"b" * 40)
    assert (a.start, b.start) == (0, 40)
    assert shuttle.send(b"c" * 40) == b"c" * 40  # no room: sent the usual way
    assert shuttle.send(b"s" * 9) == b"s" * 9  # too small to be worth it
    assert shuttle.take(a) == b"a" * 40
    d = shuttle.send(b"d" * 30)  # wraps into the space a left
    assert d.start == 0
    assert shuttle.take(b) == b"b" * 40 and shuttle.take(d) == b"d" * 30
    assert shuttle.taken[0] == 3


def test_shuttle_space_freed_in_order_only():
    shuttle = workers.Shuttle(1, size=100, smallest=10)
    a, b = shuttle.send(b"a" * 50), shuttle.send(b"b" * 50)
    assert shuttle.take(b) == b"b" * 50  # before a: nothing is freed yet
    assert shuttle.taken[0] == 0
    assert shuttle.send(b"c" * 50) == b"c" * 50
    assert shuttle.take(a) == b"a" * 50
    assert shuttle.taken[0] == 2
    assert shuttle.send(b"e" * 50).start == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 60), st.integers(0, 10)), max_size=60))
def test_shuttle_gives_back_what_was_sent(steps):
    """Sends and takes in any order: every take returns exactly the bytes sent."""
    shuttle = workers.Shuttle(1, size=128, smallest=5)
    out = []
    for n, (sending, length, pick) in enumerate(steps):
        if sending or not out:
            data = bytes([n % 256]) * length
            out.append((shuttle.send(data), data))
        else:
            parcel, data = out.pop(pick % len(out))
            assert shuttle.take(parcel) == data
    for parcel, data in out:
        assert shuttle.take(parcel) == data


def test_keys_written_twice_found_by_workers(tmp_path):
    path = items_file(tmp_path, i30=item(extra_field={"size": "M"}))
    text = path.read_text(encoding="utf-8")
    text = text.replace('"S8",', '"S8", "price": 1,', 1)  # item 8 writes price twice
    text = text.replace('"size": "M"', '"size": "M", "tags": [{"k": 1, "k": 2}], "size": "L"')
    path.write_text(text, encoding="utf-8")
    problems, _ = both([path])
    assert [(p[1], p[2], p[3], p[6].split(":")[0]) for p in problems] == [
        (8, "/8/price", "OIM008", 'key "price" is written twice in the item'),
        (30, "/30/extra_field", "OIM008",
         'key "size" is written twice in one object of extra_field (at /extra_field/size)'),
        (30, "/30/extra_field", "OIM008",
         'key "k" is written twice in one object of extra_field (at /extra_field/tags/0/k)'),
    ]
