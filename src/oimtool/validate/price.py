"""The rules of price: a JSON number, at most 2 decimal places, below 10,000,000,000 in size.

A price written as text is judged on its text, never on the float it would become: the text
"12.50000000000000001" holds digits no float holds, so writing it as the number 12.5 would lose
them. Turning text into a number is a safe fix only when the float written is the text's value
exactly and that value has at most 2 decimal places; otherwise the text has more than 2 decimal
places, and rounding it (OIM504) is the judgement call. No fix is offered whose result breaks
another rule (rounding 9999999999.995 would leave the range).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..fields import PRICE_LIMIT, PRICE_PLACES
from ..format import kind, show
from ..problems import Problem
from ..values import has_price_places, is_float_noise, round_half_up
from .found import finding, is_number, set_fix

if TYPE_CHECKING:
    from decimal import Decimal


def price(item: dict[str, Any], out: list[Problem]) -> None:
    if "price" not in item:
        out.append(finding("OIM501", "price", None, "price is missing; add the line's price"))
        return
    value = item["price"]
    if isinstance(value, str):
        _text(value, out)
        return
    if not is_number(value):
        out.append(finding(
            "OIM502", "price", value, f"price is {kind(value)}; write the line's price as a number"
        ))
        return
    if not math.isfinite(value) or abs(value) >= PRICE_LIMIT:
        out.append(_out_of_range(value, f"price {show(value)} is out of range"))
        return
    if isinstance(value, float) and not has_price_places(value):
        if is_float_noise(value):
            fixed = round(value, PRICE_PLACES)
            out.append(finding(
                "OIM503", "price", value,
                f"price {show(value)} carries float noise; write {show(fixed)}",
                set_fix("price", fixed, safe=True),
            ) if abs(fixed) < PRICE_LIMIT else finding(
                "OIM503", "price", value,
                f"price {show(value)} carries float noise, and without it ({show(fixed)}) it "
                "would be out of range: correct it",
            ))
        else:
            out.append(_too_many_places(value, show(value), round_half_up(value)))
    _negative(value, value, out)


def _text(value: str, out: list[Problem]) -> None:
    """A price written as text: OIM502, with the number it reads as when it reads as one, and
    the rules of that number judged on the text."""
    from decimal import ROUND_HALF_UP, Decimal, DecimalException

    from ..numbers import parse_number_text  # only on this slow path: decimal is slow to import

    parsed = parse_number_text(value)
    if parsed is not None and parsed.ambiguous:
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}: {parsed.value} or {parsed.alternative}? "
            "Write the price as a JSON number",
        ))
        return
    exact: Decimal | None = None
    plain = parsed is None or parsed.plain  # read as Omnitron reads text: exactly as written
    if parsed is not None:
        exact = parsed.value
    else:  # what Django REST framework's DecimalField reads: 1e2, .5, 5., 1_000, ١٢
        try:
            exact = Decimal(value.strip())
        except (DecimalException, ValueError):
            exact = None
    if exact is None or not exact.is_finite():
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}, not a number; write the price as a number",
        ))
        return
    if abs(exact) >= PRICE_LIMIT:
        out.append(_out_of_range(value, f"price is the text {show(value)}, a number out of range"))
        return
    number = float(exact)
    places = max(0, -int(exact.normalize().as_tuple().exponent))
    if places <= PRICE_PLACES and Decimal(repr(number)) == exact:
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}; write the number {show(number)}"
            + ("" if plain else " (check the decimal separator)"),
            set_fix("price", number, safe=plain),
        ))
    else:
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}, not a JSON number; write it as a number with at "
            f"most {PRICE_PLACES} decimal places",
        ))
        rounded = float(exact.quantize(Decimal(1).scaleb(-PRICE_PLACES), ROUND_HALF_UP))
        out.append(_too_many_places(value, show(value), rounded))
    _negative(value, number, out)


def _too_many_places(value: Any, shown: str, rounded: float) -> Problem:
    """OIM504, with the rounding as an unsafe fix when the rounded price is in range."""
    if abs(rounded) >= PRICE_LIMIT:
        return finding(
            "OIM504", "price", value,
            f"price {shown} has more than {PRICE_PLACES} decimal places, and rounded (to "
            f"{show(rounded)}) it would be out of range: correct it",
        )
    return finding(
        "OIM504", "price", value,
        f"price {shown} has more than {PRICE_PLACES} decimal places; round it "
        f"(to {show(rounded)}, half up) or correct it",
        set_fix("price", rounded, safe=False),
    )


def _out_of_range(value: Any, what: str) -> Problem:
    return finding("OIM505", "price", value,
                   f"{what}: at most 10 digits before the decimal point")


def _negative(value: Any, number: float, out: list[Problem]) -> None:
    if number < 0:
        out.append(finding(
            "OIM506", "price", value,
            f"price {show(number)} is negative; check it is not a refund or discount line",
        ))
