"""The cell readers of ``oimtool convert``: how a cell of an export becomes the value of its
field (order number, quantity, price, extra_field, product), what each finds wrong, and the
whole-column fast path ``read_columns`` agreeing with the cell readers."""

from __future__ import annotations

from datetime import date, datetime
from itertools import islice
from typing import Any

import pytest

from oimtool.convert.cells import (
    UNREAD,
    Decimals,
    Undecided,
    code_reader,
    extra_field,
    number_reader,
    read_columns,
    separator_of,
    text,
)
from oimtool.problems import Location, Problem


def read(reader: Any, cell: Any) -> tuple[Any, list[tuple[str, str | None]]]:
    """The value a reader gives a cell, and the codes and fields of what it found."""
    found: list[Problem] = []
    value = reader(cell, found)
    return value, [(p.code, p.location.field) for p in found]


def same(value: Any, expected: Any) -> bool:
    """Equal and of the same type: 250 is not 250.0 here."""
    return type(value) is type(expected) and value == expected


def typed(values: list[Any]) -> list[tuple[type, Any]]:
    return [(type(value), value) for value in values]


# order numbers and SKUs


@pytest.mark.parametrize(("cell", "value", "codes"), [
    ("ORD1001", "ORD1001", []),
    ("  ORD1002 \u00a0", "ORD1002", []),
    ("", None, []),
    ("   ", None, []),
    (None, None, []),
    (100024.0, "100024", []),  # a spreadsheet's number: its digits
    (42, "42", []),
    (-5.0, "-5", []),
    (1.5, "1.5", []),
    (True, "TRUE", []),
    (999_999_999_999_999.0, "999999999999999", []),  # 15 digits: all kept
    (1e15, "1000000000000000", ["OIM014"]),  # 16: maybe not
    (1234567890123456789.0, "1234567890123456768", ["OIM014"]),
    ("1.23E+15", "1.23E+15", ["OIM013"]),
    ("1,5e3", "1,5e3", ["OIM013"]),
    ("-2E5", "-2E5", ["OIM013"]),
    ("E12", "E12", []),
    ("ABC-1E5", "ABC-1E5", []),
    ("1234567890123456789", "1234567890123456789", []),  # text keeps every digit
])
def test_code_reader(cell: Any, value: Any, codes: list[str]) -> None:
    assert read(code_reader("order_number"), cell) == (
        value, [(code, "order_number") for code in codes])


def test_code_problems() -> None:
    found: list[Problem] = []
    reader = code_reader("sku")
    reader(1234567890123456789.0, found)
    reader(" 1.23E+15 ", found)
    assert found == [
        Problem("OIM014", "sku 1234567890123456768 has more than 15 digits: a spreadsheet keeps "
                "only 15, so the last ones may have been lost. Format the column as text in the "
                "source and export again", Location(field="sku"), 1234567890123456789.0),
        Problem("OIM013", 'sku "1.23E+15" is in scientific notation: the spreadsheet turned a '
                "long code into a number and its digits are lost. Format the column as text "
                "and export again", Location(field="sku"), "1.23E+15"),
    ]


# quantities and prices

NOT_SCANNED = Decimals()
QUANTITY = number_reader("quantity", integral=True, decimals=NOT_SCANNED)
PRICE = number_reader("price", integral=False, decimals=NOT_SCANNED)


@pytest.mark.parametrize(("cell", "quantity", "price"), [
    ("2", 2, 2.0),
    (" 3 ", 3, 3.0),
    ("0012", 12, 12.0),
    (2.0, 2, 2.0),
    (3, 3, 3.0),
    (2.5, 2.5, 2.5),
    ("-3", -3, -3.0),
    ("2,0", 2, 2.0),
    ("49,90", 49.9, 49.9),
    ("0,500", 0.5, 0.5),  # not "1,234": a zero before it
    ("1.234,50", 1234.5, 1234.5),
    ("1,234.50", 1234.5, 1234.5),
    ("100.000.000,00", 100_000_000, 100_000_000.0),
    ("1 234,56", 1234.56, 1234.56),
    ("1'234", 1234, 1234.0),
    ("49,90 TL", 49.9, 49.9),
    ("₺250,00", 250, 250.0),
    ("$12.50", 12.5, 12.5),
    ("19.990000000000002", 19.990000000000002, 19.99),  # a price's noise is taken off
    (19.990000000000002, 19.990000000000002, 19.99),
    (12.345, 12.345, 12.345),  # three places are no noise: kept for the check to report
    ("abc", "abc", "abc"),  # not a number: kept as text
    (" 1.5e3 ", "1.5e3", "1.5e3"),
    ("", None, None),
    ("  ", None, None),
    (None, None, None),
    (True, True, True),
    (date(2024, 1, 2), "2024-01-02", "2024-01-02"),
])
def test_number_reader(cell: Any, quantity: Any, price: Any) -> None:
    got_quantity, found_quantity = read(QUANTITY, cell)
    got_price, found_price = read(PRICE, cell)
    assert same(got_quantity, quantity), got_quantity
    assert same(got_price, price), got_price
    assert found_quantity == found_price == []


def test_too_many_digits() -> None:
    digits = "1" * 5000
    assert read(QUANTITY, digits) == (digits, [("OIM405", "quantity")])
    assert read(PRICE, digits) == (digits, [("OIM505", "price")])
    assert read(PRICE, "9" * 400 + ",5") == ("9" * 400 + ",5", [("OIM505", "price")])
    assert read(QUANTITY, "9" * 400) == (10**400 - 1, [])  # an int holds it: the check says
    found: list[Problem] = []
    PRICE(digits, found)
    QUANTITY(digits, found)
    shown = "1" * 20 + "…"
    assert found == [
        Problem("OIM505", f"price {shown} (5,000 characters) is out of range: at most 10 digits "
                "before the decimal point", Location(field="price"), shown),
        Problem("OIM405", f"quantity {shown} (5,000 characters) is beyond 2,147,483,647, the "
                "largest the database stores", Location(field="quantity"), shown),
    ]


# "1,234": a thousand, or one and a bit?


@pytest.mark.parametrize(("cell", "decimals", "value"), [
    ("1,234", Decimals(separators={"price": ","}), 1.234),
    ("1,234", Decimals(separators={"price": "."}), 1234.0),
    ("1.234", Decimals(separators={"price": "."}), 1.234),
    ("1.234", Decimals(separators={"price": ","}), 1234.0),
    ("₺1.234", Decimals(separators={"price": ","}), 1234.0),
])
def test_ambiguous_read_the_column_s_way(cell: str, decimals: Decimals, value: float) -> None:
    reader = number_reader("price", integral=False, decimals=decimals)
    assert read(reader, cell) == (value, [])


def test_ambiguous_quantity() -> None:
    reader = number_reader("quantity", integral=True, decimals=Decimals({"quantity": "."}))
    assert read(reader, "1,234") == (1234, [])
    assert same(reader("1,234", []), 1234)


@pytest.mark.parametrize(("separators", "why"), [
    ({"quantity": ","}, "its column never uses ',' otherwise"),  # another column's way
    ({"price": "mixed"}, "its column writes decimals both ways"),
])
def test_ambiguous_reported(separators: dict[str, str | None], why: str) -> None:
    reader = number_reader("price", integral=False,
                           decimals=Decimals(separators, scanned=True))
    found: list[Problem] = []
    assert reader(" 1,234 ", found) == "1,234"
    assert found == [Problem(
        "OIM012", f'price "1,234" reads as 1.234 or 1234, and {why}: write it without '
        "thousands separators, or say how the column writes decimals with --decimal , or "
        "--decimal .", Location(field="price"), " 1,234 ")]


def test_ambiguous_undecided() -> None:
    with pytest.raises(Undecided) as price:
        PRICE("1,234", [])
    with pytest.raises(Undecided) as quantity:
        QUANTITY("1.234", [])
    assert (price.value.args, quantity.value.args) == (("price",), ("quantity",))


@pytest.mark.parametrize(("cell", "separator"), [
    ("49,90", ","), ("1.234,50", ","), ("12.5", "."), ("1,234", None), ("12", None),
    ("abc", None), (12.5, None),
])
def test_separator_of(cell: Any, separator: str | None) -> None:
    assert separator_of(cell) == separator


# whole columns at once


def columns(quantities: list[Any], prices: list[Any]) -> tuple[list[Any], list[Any]]:
    read_quantities, read_prices = read_columns(quantities, prices)
    return (list(islice(read_quantities, len(quantities))),
            list(islice(read_prices, len(prices))))


@pytest.mark.parametrize(("quantities", "prices"), [
    (["1", "2", "10"], ["49,90", "1.234,50", "250"]),
    (["3", "4"], ["49.90", "1,234.50"]),
    (["1", "2"], ["1,5", "2,25"]),
    (["007", "1"], ["0012", "1.234.567,89"]),
    (["1" * 18, "5"], ["123456789012345", "1"]),
    ([], []),
])
def test_read_columns_reads_as_the_cells_do(quantities: list[str], prices: list[str]) -> None:
    read_quantities, read_prices = columns(quantities, prices)
    assert typed(read_quantities) == typed([QUANTITY(c, []) for c in quantities])
    assert typed(read_prices) == typed([PRICE(c, []) for c in prices])


@pytest.mark.parametrize(("quantities", "prices", "quantities_read", "prices_read"), [
    (["1", ""], ["1", "2"], False, True),
    (["1", "-2"], ["1", "2"], False, True),
    (["1", " 2"], ["1", "2"], False, True),
    (["1", "1" * 19], ["1", "2"], False, True),
    (["1", 2.0], ["1", "2"], False, False),  # not text: neither column is read
    (["1", "2"], ["1", 2.0], False, False),
    (["1", "2"], ["1,234", "2"], True, False),  # ambiguous
    (["1", "2"], ["49,90", "1.5"], True, False),  # both ways
    (["1", "2"], ["49,90 TL", "2"], True, False),
    (["1", "2"], ["19.990000000000002", "2"], True, False),
    (["1", "2"], ["", "2"], True, False),
    (["1", "2"], ["1\n2", "5"], True, False),  # a line break in a cell
])
def test_read_columns_leaves_the_rest(quantities: list[Any], prices: list[Any],
                                      quantities_read: bool, prices_read: bool) -> None:
    read_quantities, read_prices = columns(quantities, prices)
    assert (UNREAD not in read_quantities) is quantities_read
    assert all(v is UNREAD for v in read_quantities) is not quantities_read
    assert (UNREAD not in read_prices) is prices_read
    assert all(v is UNREAD for v in read_prices) is not prices_read
    if quantities_read:
        assert typed(read_quantities) == typed([QUANTITY(c, []) for c in quantities])
    if prices_read:
        assert typed(read_prices) == typed([PRICE(c, []) for c in prices])


# extra_field, product, image_url


@pytest.mark.parametrize(("cell", "value"), [
    (None, {}),
    ("", {}),
    ("  ", {}),
    ('{"a": 1}', {"a": 1}),
    (' {"renk": "kırmızı", "beden": ["M"]} ', {"renk": "kırmızı", "beden": ["M"]}),
    ("{broken", "{broken"),  # kept as text: the check reports it
    (" plain ", "plain"),
    ("[1, 2]", "[1, 2]"),
    (5.0, 5),
    (True, True),
    (date(2024, 1, 2), "2024-01-02"),
])
def test_extra_field(cell: Any, value: Any) -> None:
    assert read(extra_field, cell) == (value, [])


@pytest.mark.parametrize(("cell", "value"), [
    (None, None),
    ("", None),
    (" \u00a0", None),
    (" Pamuklu Tişört\u00a0", "Pamuklu Tişört"),
    ("https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
    (5.0, 5),
    (5.5, 5.5),
    (datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00"),
])
def test_text(cell: Any, value: Any) -> None:
    got, found = read(text, cell)
    assert same(got, value)
    assert found == []
