"""The price of an item from an export's price columns (``convert.pricing``): decimal arithmetic
on the cells, the paid unit price rounded half up with a warning, the list price and the line's
discount kept beside it."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oimtool.convert.pricing import Recipe, decimal, price


def cells(*values: str | float | None):
    numbers = [decimal(v) for v in values]
    return lambda position: numbers[position]


def test_unit_less_a_line_discount():
    # Shopify: 3 × 79.90 less a line discount of 35.96 = 203.74, 67.9133… a unit
    written, extra, problems = price(Recipe("unit", (0,), (1,)), cells("79.90", "35.96"), 3)
    assert written == Decimal("67.91")
    assert extra == {"retail_price": 79.9, "discount_amount": 35.96}
    assert [p.code for p in problems] == ["OIM018"]
    assert problems[0].message == (
        "price: 203.74 paid for 3 units is 67.913333… a unit; written 67.91 (rounded half up), "
        "so the line comes to 203.73: 0.01 less than the export's 203.74")


def test_line_total_and_a_negative_discount():
    # Amazon: item-price is the line's; the promotion is written negative
    written, extra, problems = price(Recipe("line", (0,), (1,)), cells(12.99, -2.6), 1)
    assert (written, extra, problems) == (Decimal("10.39"),
                                          {"retail_price": 12.99, "discount_amount": 2.6}, [])


def test_a_free_line_is_zero_with_its_whole_discount():
    written, extra, _ = price(Recipe("unit", (0,), (1,)), cells("179.00", "179.00"), 1)
    assert written == Decimal("0.00")
    assert extra == {"retail_price": 179.0, "discount_amount": 179.0}


def test_paid_line_with_a_list_line():
    # Trendyol: Faturalanacak Tutar 399.97 for 3, Satış Tutarı 449.97
    recipe = Recipe("paid_line", (0,), list_line=1)
    written, extra, problems = price(recipe, cells(399.97, 449.97), 3)
    assert written == Decimal("133.32")
    assert extra == {"retail_price": 149.99, "discount_amount": 50.0}
    assert problems[0].value == float(Decimal("399.97") / 3)


def test_summed_base_and_tax_rate_and_per_unit_discounts():
    # Ticimax: net + its tax; 82.4958 + 16.4992 = 98.995 → 99.00, not the float's 98.99
    written, extra, problems = price(Recipe("paid_unit", (0, 1)), cells("82.4958", "16.4992"), 1)
    assert written == Decimal("99.00") and extra == {} and problems[0].code == "OIM018"
    assert problems[0].message == ("price: the unit price paid is 98.995, more than 2 decimal "
                                   "places; written 99.00 (rounded half up): 0.005 more")
    # IdeaSoft: (500 − 125 a unit) × 1.20
    recipe = Recipe("unit", (0,), (1,), per_unit=True, tax=2)
    written, extra, _ = price(recipe, cells("500", "125", "20"), 2)
    assert written == Decimal("450.00")
    assert extra == {"retail_price": 600.0, "discount_amount": 300.0}


def test_list_price_when_asked():
    recipe = Recipe("unit", (0,), (1,), use_list=True)
    written, extra, problems = price(recipe, cells("79.90", "35.96"), 3)
    assert written == Decimal("79.90") and problems == []
    assert extra == {"retail_price": 79.9, "discount_amount": 35.96}
    recipe = Recipe("paid_unit", (0,), use_list=True)  # no list price: the paid one
    assert price(recipe, cells("10.00"), 2)[0] == Decimal("10.00")


def test_no_details_when_asked_or_when_nothing_was_taken_off():
    assert price(Recipe("unit", (0,), (1,), details=False), cells("10", "5"), 1)[1] == {}
    assert price(Recipe("paid_unit", (0,), list_unit=1), cells("10", "10"), 4)[1] == {}


def test_what_cannot_be_made_is_left_to_the_rules():
    assert price(Recipe("unit", (0,)), cells("10"), 0) == (None, {}, [])  # quantity 0
    assert price(Recipe("unit", (0,)), cells(None), 1) == (None, {}, [])  # no price
    assert price(Recipe("unit", (0,)), cells("10"), "2") == (None, {}, [])  # text quantity


def test_line_total_that_disagrees():
    recipe = Recipe("unit", (0,), total=1)
    assert price(recipe, cells("24.00", "48.01"), 2)[2] == []  # a rounding cent
    assert [p.code for p in price(recipe, cells("24.00", "24.00"), 2)[2]] == ["OIM019"]


cents = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n) / 100)


@given(unit=cents, discount=cents, quantity=st.integers(min_value=1, max_value=999))
def test_the_written_price_is_the_paid_line_within_half_a_cent_a_unit(unit, discount,
                                                                     quantity):
    """Whatever the numbers: the written unit price has 2 places, is within half a cent of the
    exact paid unit price, and the warning is there exactly when it is not exact."""
    written, extra, problems = price(Recipe("unit", (0,), (1,)),
                                     cells(str(unit), str(discount)), quantity)
    assert written is not None
    exact = (unit * quantity - discount) / quantity
    assert written == written.quantize(Decimal("0.01"))
    assert abs(written - exact) <= Decimal("0.005")
    assert bool(problems) == (written != exact)
    if discount:
        assert extra["discount_amount"] == float(discount)
