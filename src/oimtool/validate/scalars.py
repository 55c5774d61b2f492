"""The rules of the scalar fields: order_number, product, sku, quantity and price."""

from __future__ import annotations

import re
from typing import Any

from ..fields import MAX_LENGTH, ORDER_NUMBER_MAX, ORDER_NUMBER_WARN, QUANTITY_MAX
from ..format import described, kind, number_as_text, show
from ..problems import Problem
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
    if len(stripped) > ORDER_NUMBER_MAX:
        out.append(finding(
            "OIM106", "order_number", value,
            f"order_number {show(stripped, 40)} is {len(stripped):,} characters long; an "
            f"order's number holds at most {ORDER_NUMBER_MAX}: it cannot be an order's number",
        ))
    elif len(stripped) > ORDER_NUMBER_WARN:
        out.append(finding(
            "OIM107", "order_number", value,
            f"order_number {show(stripped, 40)} is {len(stripped):,} characters long; the order "
            f"migration documents at most {ORDER_NUMBER_WARN}: check it is the order's number",
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


#: What Django REST framework's IntegerField takes off text before int() reads it ("2.0").
_DRF_DECIMAL = re.compile(r"\.0*\s*$")
_DRF_MAX_TEXT = 1000  # its MAX_STRING_LENGTH


def drf_int(text: str) -> int | None:
    """The integer Omnitron reads from text (Django REST framework: int() after taking off a
    ".0"): white space around, a sign, any script's decimal digits ("٢") and underscores
    between digits ("1_000") are read; None when it reads no integer."""
    if len(text) > _DRF_MAX_TEXT:
        return None
    try:
        return int(_DRF_DECIMAL.sub("", text))
    except ValueError:
        return None


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
    elif isinstance(value, str) and (number := drf_int(value)) is not None:
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
