"""The price of an order item from an export's price columns, as a profile says they mean it.

``price`` is the unit price the customer paid for the line: after the discounts the export gives
for the line, before order-level discounts it does not spread over lines (they stay in the
order's amount). A line total becomes a unit price by dividing by the quantity; a paid unit price
with more than 2 decimal places is rounded half-up, with a warning that states the line's cent
difference (OIM018). Where the list price differs from the paid one, the item keeps both facts in
extra_field, in Akinon's words: ``retail_price`` (the list unit price) and ``discount_amount``
(the line's discount). Arithmetic is decimal, on the numbers as the cells give them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from ..problems import Location, Problem

_CENT = Decimal("0.01")
_TOLERANCE = Decimal("0.01")  # a line total may differ from unit × quantity by a rounding cent
_HUNDRED = Decimal(100)


class Recipe(NamedTuple):
    """Where the price's inputs are in a row (cell positions; None: not in the export)."""

    kind: str  # paid_line, paid_unit, line or unit: what ``base`` holds
    base: tuple[int, ...]  # summed (a net price and its tax)
    discounts: tuple[int, ...] = ()
    per_unit: bool = False  # the discounts are for one unit, not the line
    list_unit: int | None = None
    list_line: int | None = None
    tax: int | None = None  # a tax rate (percent) the prices are without
    total: int | None = None  # a line total, to check unit × quantity against
    use_list: bool = False  # --price list: the list (undiscounted) unit price
    details: bool = True  # retail_price and discount_amount into extra_field


def decimal(value: Any) -> Decimal | None:
    """A cell's number (as the number reader gives it) as a decimal; None when it is none."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, str)):
            number = Decimal(value)
        else:
            return None
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money(number: Decimal) -> float:
    return float(number.quantize(_CENT, ROUND_HALF_UP))


def price(recipe: Recipe, number: Callable[[int], Decimal | None], quantity: Any
          ) -> tuple[Decimal | None, dict[str, float], list[Problem]]:
    """The price of a row (None: it cannot be made, the price column's rules say why), what
    goes into its extra_field, and the warnings (located at the price field). ``number``: the
    number of the row's cell at a position (None: blank or no number)."""
    units = quantity if type(quantity) is int and quantity > 0 else None
    first = number(recipe.base[0]) if recipe.base else None
    if units is None or first is None:
        return None, {}, []
    count = Decimal(units)
    base = first + sum((n for n in map(number, recipe.base[1:]) if n is not None), Decimal(0))
    list_line: Decimal | None = None  # lines, not units: exact as the export writes them
    if recipe.kind in ("unit", "line"):
        list_line = base * count if recipe.kind == "unit" else base
        discount = sum((abs(d) for d in map(number, recipe.discounts) if d is not None),
                       Decimal(0))
        paid_line = list_line - (discount * count if recipe.per_unit else discount)
    else:
        paid_line = base * count if recipe.kind == "paid_unit" else base
    if recipe.list_unit is not None and (given := number(recipe.list_unit)) is not None:
        list_line = given * count
    elif recipe.list_line is not None and (given := number(recipe.list_line)) is not None:
        list_line = given
    if recipe.tax is not None and (rate := number(recipe.tax)) is not None:
        factor = 1 + rate / _HUNDRED
        paid_line *= factor
        list_line = None if list_line is None else list_line * factor
    list_unit = None if list_line is None else list_line / count
    problems = _plausible(recipe, number, base, count)
    use_list = recipe.use_list and list_line is not None
    exact = list_line if use_list and list_line is not None else paid_line
    chosen = exact / count
    written = chosen.quantize(_CENT, ROUND_HALF_UP)
    if written != chosen:
        difference = written * count - exact
        what = "list price" if use_list else "paid"
        more = f"{_shown(abs(difference))} {'more' if difference > 0 else 'less'}"
        if units > 1:
            message = (f"price: {_shown(exact)} {what} for {units} units is {_shown(chosen)} a "
                       f"unit; written {written} (rounded half up), so the line comes to "
                       f"{written * count}: {more} than the export's {_shown(exact)}")
        else:
            message = (f"price: the unit price {what} is {_shown(chosen)}, more than 2 decimal "
                       f"places; written {written} (rounded half up): {more}")
        problems.append(Problem("OIM018", message, Location(field="price"), float(chosen)))
    extra: dict[str, float] = {}
    if recipe.details and list_line is not None and list_unit is not None:
        discount_amount = list_line - paid_line
        if discount_amount.quantize(_CENT, ROUND_HALF_UP) != 0:
            extra = {"retail_price": _money(list_unit), "discount_amount": _money(
                discount_amount)}
    return written, extra, problems


def _shown(number: Decimal) -> str:
    """A decimal as a person reads it: 2 places, or up to 6 and "…" when it has more."""
    if number == number.quantize(_CENT):
        return f"{number:.2f}"
    text = f"{number:.6f}".rstrip("0")
    return text + ("…" if Decimal(text) != number else "")


def _plausible(recipe: Recipe, number: Callable[[int], Decimal | None], base: Decimal,
               count: Decimal) -> list[Problem]:
    """OIM019 when the export's line total is not its unit price times the quantity."""
    if recipe.total is None or recipe.kind not in ("unit", "paid_unit"):
        return []
    total = number(recipe.total)
    if total is None or abs(base * count - total) <= _TOLERANCE:
        return []
    return [Problem("OIM019", (
        f"price: the unit price {_shown(base)} × {count} is {_shown(base * count)}, but the "
        f"export's line total is {_shown(total)}: check which column holds what"),
        Location(field="price"), float(total))]
