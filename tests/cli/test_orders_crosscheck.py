"""The --orders cross-check on any orders file: never an internal error, and the orders no item
refers to counted exactly as a plain computation counts them; repeated numbers, an empty file,
near matches a person would make."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import item, write_json

#: Numbers that collide in every way: repeated, with white space around, a leading zero.
NUMBERS = st.sampled_from(["A", "B", "A ", " B", "C", "01", "1", "ORD-7", "ORD-7 ", "Z"])
ITEM_NUMBERS = st.one_of(NUMBERS, st.sampled_from(["Q", "", " ", "1.0"]), st.integers(0, 3),
                         st.floats(0, 2).map(float), st.none())


def naive_unreferenced(orders: list[str], items: list[object]) -> int:
    """The orders (a repeated number once) that no item's order_number names, as its safe fixes
    leave it: text stripped, an integral number as its digits."""
    known = {number.strip() for number in orders}
    named = set()
    for value in items:
        if isinstance(value, str):
            named.add(value.strip())
        elif isinstance(value, int):
            named.add(str(value))
        elif isinstance(value, float) and value.is_integer():
            named.add(str(int(value)))
    return len(known - named)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(NUMBERS, min_size=1, max_size=12), st.lists(ITEM_NUMBERS, min_size=1,
                                                            max_size=8))
def test_any_orders_file_any_items(cli, tmp_path, orders, numbers):
    orders_file = write_json(tmp_path / "orders.json", [{"number": n} for n in orders])
    items = write_json(tmp_path / "items.json", [item(order_number=n) for n in numbers])
    result = cli("check", items, "--orders", orders_file, "-f", "json")
    assert result.code in (0, 1), result.err
    report = result.json()
    unreferenced = [p["value"] for p in report["problems"] if p["code"] == "OIM901"]
    expected = naive_unreferenced(orders, numbers)
    assert unreferenced == ([expected] if expected else [])
    repeated = len(orders) - len({n.strip() for n in orders})
    assert sum(p["code"] == "OIM902" for p in report["problems"]) == repeated


@pytest.mark.parametrize("orders", [
    [{"number": "A"}, {"number": "A"}, {"number": "B"}],
    [{"number": " ORD-1"}, {"number": "ORD-1"}, {"number": "B"}],
])
def test_a_repeated_number_before_the_one_referred_to(cli, tmp_path, orders):
    orders_file = write_json(tmp_path / "orders.json", orders)
    items = write_json(tmp_path / "items.json", [item(order_number="B")])
    result = cli("check", items, "--orders", orders_file, "-f", "json")
    assert result.code == 0, result.err
    assert [(p["code"], p["value"]) for p in result.json()["problems"]] == [
        ("OIM902", orders[1]["number"].strip()), ("OIM901", 1)]


def test_large_orders_file_with_an_early_repeat(cli, tmp_path):
    orders = [{"number": f"N{i}"} for i in range(20_000)]
    orders.insert(1, {"number": "N0"})
    orders_file = write_json(tmp_path / "orders.json", orders, indent=None)
    items = write_json(tmp_path / "items.json", [item(order_number="N19999")])
    result = cli("check", items, "--orders", orders_file, "-f", "json")
    assert result.code == 0, result.err
    assert [(p["code"], p["value"]) for p in result.json()["problems"]] == [
        ("OIM902", "N0"), ("OIM901", 19_999)]


def test_an_empty_orders_file_is_said_once(cli, tmp_path):
    orders_file = write_json(tmp_path / "orders.json", [])
    items = write_json(tmp_path / "items.json", [item(order_number=f"A{i}") for i in range(3)])
    result = cli("check", items, "--orders", orders_file, "-f", "json")
    assert result.code == 1
    assert [(p["file"], p["code"], p["message"]) for p in result.json()["problems"]] == [
        (str(orders_file), "OIM003", "the orders file holds no orders: no order_number can be "
         "found in it; give the order migration file with the orders")]


@pytest.mark.parametrize(("known", "written"), [
    ("ORD-1", "ORD\u200b-1"),  # a zero-width space
    ("ORD-1", "ORD\ufeff-1"),  # a byte order mark inside
    ("ORD-1", "ORD\u20131"),  # an en dash
    ("ORD-1", "ORD\u22121"),  # a minus sign
    ("ORD-1", "ＯＲＤ－１"),  # fullwidth
    ("İSTANBUL-1", "istanbul-1"),  # Turkish case
    ("ISTANBUL-1", "ıstanbul-1"),
    ("1001", "#1001"),  # Shopify writes order names with a "#"
    ("ORD-1", "ord-1"), ("000123", "123"), ("100023", "100023.0"),
])
def test_near_matches_a_person_would_make(cli, tmp_path, known, written):
    orders_file = write_json(tmp_path / "orders.json", [{"number": known}, {"number": "X"}])
    items = write_json(tmp_path / "items.json", [item(order_number=written)])
    result = cli("check", items, "--orders", orders_file, "-f", "json")
    [problem] = [p for p in result.json()["problems"] if p["code"] == "OIM105"]
    assert f"did you mean {json.dumps(known, ensure_ascii=False)}?" in problem["message"]
    assert problem["fix"] == {"value": known, "safe": False}
