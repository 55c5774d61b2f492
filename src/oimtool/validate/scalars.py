"""The rules of the scalar fields: order_number, product, sku, quantity and price."""

from __future__ import annotations

import math
import re
from typing import Any

from ..fields import MAX_LENGTH, PRICE_LIMIT, QUANTITY_MAX
from ..format import described, kind, number_as_text, show
from ..problems import Problem
from ..values import has_price_places, is_float_noise, round_half_up
from .found import finding, is_number, nul, set_fix


def not_text(code: str, key: str, value: Any, out: list[Problem]) -> None:
    if is_number(value):
        text, certain = number_as_text(value)
        note = "" if certain else (
            " (it has more digits than a float holds exactly: check the original, Excel may "
            "have rounded it)"
        )
        out.append(finding(
            code, key, value,
            f"{key} is the number {show(value)}; it must be text: write {show(text)}{note}",
            set_fix(key, text, safe=certain),
        ))
    elif value is None:  # only order_number cannot be null
        out.append(finding(code, key, value, f"{key} is null (an empty cell?): write the "
                           "number of the order this line belongs to"))
    else:
        allowed = "text" if key == "order_number" else "text or null"
        out.append(finding(code, key, value, f"{key} is {described(value)}; it must be {allowed}"))


def order_number(item: dict[str, Any], out: list[Problem]) -> None:
    if "order_number" not in item:
        out.append(finding(
            "OIM101", "order_number", None,
            "order_number is missing; add the `number` of the order this line belongs to",
        ))
        return
    value = item["order_number"]
    if not isinstance(value, str):
        not_text("OIM102", "order_number", value, out)
        return
    stripped = value.strip()
    if not stripped:
        out.append(finding(
            "OIM103", "order_number", value,
            f"order_number is empty ({show(value)}); write the number of the order",
        ))
        return
    if stripped != value:
        out.append(finding(
            "OIM104", "order_number", value,
            f"order_number {show(value)} has whitespace around it; write {show(stripped)}",
            set_fix("order_number", stripped, safe=True),
        ))
    nul("order_number", value, out)


def text_field(item: dict[str, Any], key: str, codes: tuple[str, str, str],
               out: list[Problem]) -> None:
    missing, wrong_type, too_long = codes
    if key not in item:
        out.append(finding(
            missing, key, None,
            f"{key} is missing; add \"{key}\": null when there is none",
            set_fix(key, None, safe=True),
        ))
        return
    value = item[key]
    if value is None:
        return
    if not isinstance(value, str):
        not_text(wrong_type, key, value, out)
        return
    limit = MAX_LENGTH[key]
    if len(value) > limit:
        out.append(finding(
            too_long, key, value,
            f"{key} is {len(value):,} characters long; at most {limit:,} are allowed: shorten it "
            f"(the unsafe fix cuts it to {show(value[:limit], 40)})",
            set_fix(key, value[:limit], safe=False),
        ))
    nul(key, value, out)


_QUANTITY_TEXT = re.compile(r"^([-+]?[0-9]{1,4300})(?:\.0*)?$")  # 4300: what int() takes


def quantity(item: dict[str, Any], out: list[Problem]) -> None:
    if "quantity" not in item:
        out.append(finding(
            "OIM401", "quantity", None, "quantity is missing; add the number of units ordered"
        ))
        return
    value = item["quantity"]
    number: int | None = None
    if value is None:
        out.append(finding(
            "OIM404", "quantity", None,
            "quantity is null; Omnitron accepts it, but the order line will show no quantity",
        ))
        return
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
        out.append(finding(
            "OIM402", "quantity", value,
            f"quantity is {show(value)}; write the integer {number}",
            set_fix("quantity", number, safe=True),
        ))
    elif isinstance(value, str) and (match := _QUANTITY_TEXT.match(value.strip())):
        number = int(match[1])
        out.append(finding(
            "OIM402", "quantity", value,
            f"quantity is the text {show(value)}; write the number {number}",
            set_fix("quantity", number, safe=True),
        ))
    else:
        what = "not a whole number" if is_number(value) else kind(value)
        out.append(finding(
            "OIM402", "quantity", value,
            f"quantity {show(value)} is {what}; write a whole number of units, 1 or more",
        ))
        return
    if number < 1:
        out.append(finding(
            "OIM403", "quantity", value,
            f"quantity is {number}; it must be at least 1 (remove the line or correct it)",
        ))
    elif number > QUANTITY_MAX:
        out.append(finding(
            "OIM405", "quantity", value,
            f"quantity {show(number)} is beyond {QUANTITY_MAX:,}, the largest the database "
            "stores",
        ))


def price(item: dict[str, Any], out: list[Problem]) -> None:
    if "price" not in item:
        out.append(finding("OIM501", "price", None, "price is missing; add the line's price"))
        return
    value = item["price"]
    number: int | float | None
    if isinstance(value, str):
        number = _price_text(value, out)
        if number is None:
            return
    elif is_number(value):
        number = value
    else:
        out.append(finding(
            "OIM502", "price", value, f"price is {kind(value)}; write the line's price as a number"
        ))
        return
    if not math.isfinite(number) or abs(number) >= PRICE_LIMIT:
        out.append(finding(
            "OIM505", "price", value,
            f"price {show(number)} is out of range: at most 10 digits before the decimal point",
        ))
        return
    if isinstance(number, float) and not has_price_places(number):
        if is_float_noise(number):
            fixed = round(number, 2)
            out.append(finding(
                "OIM503", "price", value,
                f"price {show(number)} carries float noise; write {show(fixed)}",
                set_fix("price", fixed, safe=True),
            ))
        else:
            fixed = round_half_up(number)
            out.append(finding(
                "OIM504", "price", value,
                f"price {show(number)} has more than 2 decimal places; round it "
                f"(to {show(fixed)}, half up) or correct it",
                set_fix("price", fixed, safe=False),
            ))
    if number < 0:
        out.append(finding(
            "OIM506", "price", value,
            f"price {show(number)} is negative; check it is not a refund or discount line",
        ))


def _price_text(value: str, out: list[Problem]) -> float | None:
    """A price written as text: OIM502 (with the number it reads as, when it reads as one);
    the number, for the price's other rules; None when there is none to judge."""
    from ..numbers import parse_number_text  # only on this slow path: decimal is slow to import

    parsed = parse_number_text(value)
    if parsed is None:
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}, not a number; write the price as a number",
        ))
        return None
    number = float(parsed.value)
    if not math.isfinite(number) or abs(number) >= PRICE_LIMIT:
        out.append(finding(
            "OIM505", "price", value,
            f"price is the text {show(value)}, a number out of range: at most 10 digits "
            "before the decimal point",
        ))
        return None
    if parsed.ambiguous:
        out.append(finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}: {parsed.value} or {parsed.alternative}? "
            "Write the price as a JSON number",
        ))
        return None
    out.append(finding(
        "OIM502", "price", value,
        f"price is the text {show(value)}; write the number {show(number)}"
        + ("" if parsed.plain else " (check the decimal separator)"),
        set_fix("price", number, safe=parsed.plain),
    ))
    return number
