"""Validation of one order item: a fast yes/no for the bulk, and a full explanation otherwise.

``is_clean`` is the hot path: a handful of type checks per field, true only for an item with no
problem at all. ``explain`` lists every problem of an item with its rule code and fix. The
bundled JSON Schema, run by jsonschema with the ``x-oimtool-*`` keywords (``oimtool.schema``),
is the reference both are tested against.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .fields import (
    COMMON_URL,
    FIELD_SET,
    FIELDS,
    MAX_LENGTH,
    MAX_NESTING,
    PRICE_LIMIT,
    QUANTITY_MAX,
    URL_WARN_LENGTH,
    URL_WARN_SCHEMES,
    has_price_places,
    is_float_noise,
    nesting_message,
    round_half_up,
    url_scheme,
    url_verdict,
)
from .problems import Fix

_PRODUCT_MAX = MAX_LENGTH["product"]
_SKU_MAX = MAX_LENGTH["sku"]
_EXACT_FLOAT_INT = 2**53
_common_url = COMMON_URL.match


def is_clean(item: Any) -> bool:
    """True when the item has no problem at all (errors or warnings).

    A conservative filter: an item it turns down may still be clean (``explain`` decides).
    """
    if type(item) is not dict or len(item) != 7:
        return False
    try:  # seven keys, all seven fields present: exactly the documented keys
        v = item["order_number"]
        if type(v) is not str or not v or v.strip() != v or "\x00" in v:
            return False
        v = item["product"]
        if v is not None and (type(v) is not str or len(v) > _PRODUCT_MAX or "\x00" in v):
            return False
        v = item["sku"]
        if v is not None and (type(v) is not str or len(v) > _SKU_MAX or "\x00" in v):
            return False
        v = item["quantity"]
        if type(v) is not int or v < 1 or v > QUANTITY_MAX:
            return False
        v = item["price"]
        if type(v) is float:
            if not 0 <= v < PRICE_LIMIT or round(v * 100) / 100 != v:
                return False
        elif type(v) is not int or v < 0 or v >= PRICE_LIMIT:
            return False
        v = item["image_url"]
        if v is not None and (type(v) is not str or (v and (
                len(v) > URL_WARN_LENGTH or _common_url(v) is None))):
            return False
        v = item["extra_field"]
        return type(v) is dict and (not v or _clean_extra(v))
    except KeyError:
        return False


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem of one item before it is placed in a file: the key it concerns (None for the
    item itself), the offending value, and a message that says what to do."""

    code: str
    key: str | None
    value: Any
    message: str
    fix: Fix | None = None

    def __reduce__(self) -> tuple[Any, ...]:  # sent back from worker processes
        return (Finding, (self.code, self.key, self.value, self.message, self.fix))


def show(value: Any, limit: int = 60) -> str:
    """A value as it is written in JSON, shortened for a message."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _described(value: Any) -> str:
    """'null', 'a boolean (true)', 'an array ([1,2])': the kind of a value, and the value."""
    return "null" if value is None else f"{_kind(value)} ({show(value)})"


def _number_as_text(number: int | float) -> tuple[str, bool]:
    """The text a number stands for (Excel turns 100024 into 100024.0), and whether that is
    certain: integral floats beyond 2^53 may already have lost digits."""
    if isinstance(number, int):
        return str(number), True
    if math.isfinite(number) and number.is_integer():
        return str(int(number)), abs(number) < _EXACT_FLOAT_INT
    return repr(number), math.isfinite(number)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _nul(key: str, value: str, out: list[Finding]) -> None:
    if "\x00" in value:
        out.append(Finding(
            "OIM802", key, value,
            f"{key} holds a NUL character (U+0000), which Omnitron rejects: {show(value)}; "
            "remove it",
            Fix(value.replace("\x00", ""), safe=False),
        ))


def _not_text(code: str, key: str, value: Any, out: list[Finding]) -> None:
    if _is_number(value):
        text, certain = _number_as_text(value)
        note = "" if certain else (
            " (it has more digits than a float holds exactly: check the original, Excel may "
            "have rounded it)"
        )
        out.append(Finding(
            code, key, value,
            f"{key} is the number {show(value)}; it must be text: write {show(text)}{note}",
            Fix(text, safe=certain),
        ))
    elif value is None:  # only order_number cannot be null
        out.append(Finding(code, key, value, f"{key} is null (an empty cell?): write the "
                           "number of the order this line belongs to"))
    else:
        allowed = "text" if key == "order_number" else "text or null"
        out.append(Finding(code, key, value, f"{key} is {_described(value)}; it must be {allowed}"))


def _order_number(item: dict[str, Any], out: list[Finding]) -> None:
    if "order_number" not in item:
        out.append(Finding(
            "OIM101", "order_number", None,
            "order_number is missing; add the `number` of the order this line belongs to",
        ))
        return
    value = item["order_number"]
    if not isinstance(value, str):
        _not_text("OIM102", "order_number", value, out)
        return
    stripped = value.strip()
    if not stripped:
        out.append(Finding(
            "OIM103", "order_number", value,
            f"order_number is empty ({show(value)}); write the number of the order",
        ))
        return
    if stripped != value:
        out.append(Finding(
            "OIM104", "order_number", value,
            f"order_number {show(value)} has whitespace around it; write {show(stripped)}",
            Fix(stripped, safe=True),
        ))
    _nul("order_number", value, out)


def _text(item: dict[str, Any], key: str, codes: tuple[str, str, str], out: list[Finding]) -> None:
    missing, not_text, too_long = codes
    if key not in item:
        out.append(Finding(
            missing, key, None,
            f"{key} is missing; add \"{key}\": null when there is none",
            Fix(None, safe=True),
        ))
        return
    value = item[key]
    if value is None:
        return
    if not isinstance(value, str):
        _not_text(not_text, key, value, out)
        return
    limit = MAX_LENGTH[key]
    if len(value) > limit:
        out.append(Finding(
            too_long, key, value,
            f"{key} is {len(value):,} characters long; at most {limit:,} are allowed: shorten it "
            f"(the unsafe fix cuts it to {show(value[:limit], 40)})",
            Fix(value[:limit], safe=False),
        ))
    _nul(key, value, out)


_QUANTITY_TEXT = re.compile(r"^([-+]?[0-9]{1,4300})(?:\.0*)?$")  # 4300: what int() takes


def _quantity(item: dict[str, Any], out: list[Finding]) -> None:
    if "quantity" not in item:
        out.append(Finding(
            "OIM401", "quantity", None, "quantity is missing; add the number of units ordered"
        ))
        return
    value = item["quantity"]
    number: int | None = None
    if value is None:
        out.append(Finding(
            "OIM404", "quantity", None,
            "quantity is null; Omnitron accepts it, but the order line will show no quantity",
        ))
        return
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
        out.append(Finding(
            "OIM402", "quantity", value,
            f"quantity is {show(value)}; write the integer {number}", Fix(number, safe=True),
        ))
    elif isinstance(value, str) and (match := _QUANTITY_TEXT.match(value.strip())):
        number = int(match[1])
        out.append(Finding(
            "OIM402", "quantity", value,
            f"quantity is the text {show(value)}; write the number {number}",
            Fix(number, safe=True),
        ))
    else:
        what = "not a whole number" if _is_number(value) else f"{_kind(value)}"
        out.append(Finding(
            "OIM402", "quantity", value,
            f"quantity {show(value)} is {what}; write a whole number of units, 1 or more",
        ))
        return
    if number < 1:
        out.append(Finding(
            "OIM403", "quantity", value,
            f"quantity is {number}; it must be at least 1 (remove the line or correct it)",
        ))
    elif number > QUANTITY_MAX:
        out.append(Finding(
            "OIM405", "quantity", value,
            f"quantity {show(number)} is beyond {QUANTITY_MAX:,}, the largest the database "
            "stores",
        ))


def _price(item: dict[str, Any], out: list[Finding]) -> None:
    if "price" not in item:
        out.append(Finding("OIM501", "price", None, "price is missing; add the line's price"))
        return
    value = item["price"]
    number: int | float
    if isinstance(value, str):
        from .numbers import parse_number_text

        parsed = parse_number_text(value)
        if parsed is None:
            out.append(Finding(
                "OIM502", "price", value,
                f"price is the text {show(value)}, not a number; write the price as a number",
            ))
            return
        number = float(parsed.value)
        if not math.isfinite(number) or abs(number) >= PRICE_LIMIT:
            out.append(Finding(
                "OIM505", "price", value,
                f"price is the text {show(value)}, a number out of range: at most 10 digits "
                "before the decimal point",
            ))
            return
        if parsed.ambiguous:
            out.append(Finding(
                "OIM502", "price", value,
                f"price is the text {show(value)}: {parsed.value} or {parsed.alternative}? "
                "Write the price as a JSON number",
            ))
            return
        out.append(Finding(
            "OIM502", "price", value,
            f"price is the text {show(value)}; write the number {show(number)}"
            + ("" if parsed.plain else " (check the decimal separator)"),
            Fix(number, safe=parsed.plain),
        ))
    elif _is_number(value):
        number = value
    else:
        out.append(Finding(
            "OIM502", "price", value, f"price is {_kind(value)}; write the line's price as a number"
        ))
        return
    if not math.isfinite(number) or abs(number) >= PRICE_LIMIT:
        out.append(Finding(
            "OIM505", "price", value,
            f"price {show(number)} is out of range: at most 10 digits before the decimal point",
        ))
        return
    if isinstance(number, float) and not has_price_places(number):
        if is_float_noise(number):
            fixed = round(number, 2)
            out.append(Finding(
                "OIM503", "price", value,
                f"price {show(number)} carries float noise; write {show(fixed)}",
                Fix(fixed, safe=True),
            ))
        else:
            fixed = round_half_up(number)
            out.append(Finding(
                "OIM504", "price", value,
                f"price {show(number)} has more than 2 decimal places; round it "
                f"(to {show(fixed)}, half up) or correct it",
                Fix(fixed, safe=False),
            ))
    if number < 0:
        out.append(Finding(
            "OIM506", "price", value,
            f"price {show(number)} is negative; check it is not a refund or discount line",
        ))


_WHITESPACE = re.compile(r"\s")


def _image_url(item: dict[str, Any], out: list[Finding]) -> None:
    if "image_url" not in item:
        out.append(Finding(
            "OIM601", "image_url", None,
            'image_url is missing; add "image_url": null when there is no image',
            Fix(None, safe=True),
        ))
        return
    value = item["image_url"]
    if value is None or value == "":
        return
    if not isinstance(value, str):
        out.append(Finding(
            "OIM602", "image_url", value,
            f"image_url is {_described(value)}; write a URL as text, or null",
        ))
        return
    url = value
    if _WHITESPACE.search(value):
        from urllib.parse import quote

        encoded = _WHITESPACE.sub(lambda m: quote(m[0]), value.strip())
        if not encoded or url_verdict(encoded) != "invalid":  # else encoding would not help
            out.append(Finding(
                "OIM603", "image_url", value,
                f"image_url {show(value)} contains whitespace; write {show(encoded)}",
                Fix(encoded, safe=True),
            ))
            if not encoded:
                return
            url = encoded
    _nul("image_url", url, out)
    verdict = url_verdict(url)
    if verdict in ("scheme-relative", "no-scheme"):
        fixed = ("https:" if verdict == "scheme-relative" else "https://") + url
        out.append(Finding(
            "OIM604", "image_url", value,
            f"image_url {show(url)} has no scheme; write {show(fixed)} if the image is "
            "served over https",
            Fix(fixed, safe=False),
        ))
    elif verdict == "invalid":
        out.append(Finding(
            "OIM605", "image_url", value,
            f"image_url {show(url)} is not a valid URL; write an absolute http(s) URL such as "
            '"https://cdn.example.com/image.jpg", or null',
        ))
    elif url_scheme(url) in URL_WARN_SCHEMES:
        out.append(Finding(
            "OIM606", "image_url", value,
            f"image_url {show(url)} uses {url_scheme(url)}; shoppers' browsers will not show it: "
            "use an https URL",
        ))
    if len(url) > URL_WARN_LENGTH:
        out.append(Finding(
            "OIM607", "image_url", value,
            f"image_url is {len(url):,} characters long; Django's URLField stores at most "
            f"{URL_WARN_LENGTH}: check Omnitron keeps it whole, or shorten it",
        ))


def _clean_extra(value: dict[str, Any]) -> bool:
    try:  # in a list, as in its item: orjson refuses it exactly when the item is too deep
        return b"\\u0000" not in orjson.dumps([value])
    except TypeError:  # too deep for orjson, or an integer beyond 64 bits: look closer
        return not _deeper(value, MAX_NESTING - 1) and not has_nul(value)


def has_nul(value: Any) -> bool:
    """True when a JSON value holds U+0000 anywhere, in a key or a string."""
    try:
        return b"\\u0000" in orjson.dumps(value)
    except TypeError:  # too deep for orjson, or not JSON data (library callers)
        return any("\x00" in text for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    """Every string in a value, keys too, without recursion (the value may be deep)."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (key for key in value if isinstance(key, str))
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)


def too_deep(item: Any) -> bool:
    """True when an item nests objects or arrays more than MAX_NESTING levels deep (OIM007).
    Cheap for the usual item: orjson writes anything up to that depth, and refuses deeper."""
    if type(item) is not dict and type(item) is not list:
        return False
    try:
        orjson.dumps(item)
        return False
    except TypeError:  # too deep, or not JSON data (library callers): look closer
        return _deeper(item, MAX_NESTING)


def _deeper(value: Any, limit: int) -> bool:
    """True when a value nests objects or arrays more than ``limit`` levels deep (the value
    itself is level 1); without recursion."""
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _extra_field(item: dict[str, Any], out: list[Finding]) -> None:
    if "extra_field" not in item:
        out.append(Finding(
            "OIM701", "extra_field", None,
            'extra_field is missing; add "extra_field": {} when there is nothing extra',
            Fix({}, safe=True),
        ))
        return
    value = item["extra_field"]
    if isinstance(value, dict):
        if value and has_nul(value):
            out.append(Finding(
                "OIM802", "extra_field", value,
                "extra_field holds a NUL character (U+0000), which PostgreSQL's JSON columns "
                "reject; remove it",
                Fix(_without_nul(value), safe=False),
            ))
        return
    if value is None:
        out.append(Finding(
            "OIM702", "extra_field", None, "extra_field is null; write {} when there is nothing",
            Fix({}, safe=True),
        ))
        return
    fix = None
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value) if value.strip() else {}
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            fix = Fix(parsed, safe=True)
    elif value == []:
        fix = Fix({}, safe=True)
    if fix is not None:
        message = (
            f"extra_field is {_described(value)}; write it as the object "
            f"{show(fix.value)}"
        )
    else:
        message = f"extra_field is {_described(value)}; it must be a JSON object"
    out.append(Finding("OIM703", "extra_field", value, message, fix))


def _fold(key: str) -> str:
    text = unicodedata.normalize("NFKD", key.replace("ı", "i")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


_KEY_ALIASES = {
    "order": "order_number", "order_no": "order_number", "order_id": "order_number",
    "ordernumber": "order_number", "number": "order_number", "siparis_no": "order_number",
    "qty": "quantity", "adet": "quantity", "amount": "price", "unit_price": "price",
    "fiyat": "price", "image": "image_url", "img": "image_url", "url": "image_url",
    "image_link": "image_url", "product_name": "product", "name": "product", "urun": "product",
    "stock_code": "sku", "stok_kodu": "sku", "extra": "extra_field", "extra_fields": "extra_field",
    "extras": "extra_field",
}


def suggest_field(key: str) -> str | None:
    """The order-item field an unknown key most likely means, if any."""
    folded = _fold(key)
    if folded in FIELD_SET:
        return folded
    if folded in _KEY_ALIASES:
        return _KEY_ALIASES[folded]
    import difflib  # only on this slow path: it costs a few ms to import

    close = difflib.get_close_matches(folded, FIELDS, n=1, cutoff=0.75)
    return close[0] if close else None


def _unknown_keys(item: dict[str, Any], out: list[Finding]) -> None:
    unknown = [key for key in item if key not in FIELD_SET]
    if not unknown:
        return
    extra = item.get("extra_field")
    targets = {key: suggest_field(key) for key in unknown}
    renamed = {t for t in targets.values() if t is not None and t not in item}
    movable = [key for key in unknown if targets[key] not in renamed and (
        extra is None or (isinstance(extra, dict) and key not in extra))]
    # Every move fix carries extra_field with all movable keys in it: any order of applying
    # them, or only some of them, ends with the same extra_field.
    moved = {**(extra if isinstance(extra, dict) else {}), **{key: item[key] for key in movable}}
    for key in unknown:
        target = targets[key]
        hint = f' (did you mean "{target}"?)' if target else ""
        if target in renamed:
            fix = Fix(item[key], safe=False, action="rename", target=target)
            todo = f'rename it to "{target}"'
        elif key in movable:
            fix = Fix(moved, safe=False, action="move")
            todo = "move it into extra_field"
        else:
            fix = None
            todo = "move it into extra_field or remove it"
        out.append(Finding(
            "OIM801", key, item[key],
            f"unknown key {show(key)}{hint}: Omnitron ignores it; {todo}",
            fix,
        ))


def explain(item: Any) -> list[Finding]:
    """Every problem of one item, in field order, each with its rule code and fix."""
    if too_deep(item):
        return [Finding("OIM007", None, None, nesting_message("the item"))]
    if not isinstance(item, dict):
        return [Finding(
            "OIM006", None, item,
            f"the item is {_described(item)}, not an object with the order-item keys",
        )]
    out: list[Finding] = []
    _order_number(item, out)
    _text(item, "product", ("OIM201", "OIM202", "OIM203"), out)
    _text(item, "sku", ("OIM301", "OIM302", "OIM303"), out)
    _quantity(item, out)
    _price(item, out)
    _image_url(item, out)
    _extra_field(item, out)
    _unknown_keys(item, out)
    return out
