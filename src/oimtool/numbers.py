"""Numbers written as text, in either decimal convention, with or without a currency.

"1.234,56", "1,234.56", "49,90 TL", "TL 49,90", "₺250,00", "$12.50", "1 234,56". A lone
separator followed by exactly three digits ("1,234", "1.234") is ambiguous: thousands or
decimals. The caller decides those (convert looks at the rest of the column) or reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_CURRENCY = r"(?:₺|\$|€|£|TL|TRY|USD|EUR|GBP|YTL)"
_SPACES = "\u00a0\u202f\u2009 \t"
_AFFIX = re.compile(
    rf"^(?P<sign1>[-+]?)\s*(?:{_CURRENCY}\s*)?(?P<sign2>[-+]?)(?P<body>[0-9][0-9.,'\s]*?)"
    rf"(?:\s*{_CURRENCY})?$",
    re.IGNORECASE,
)
_PLAIN = re.compile(r"^[-+]?[0-9]+(?:\.[0-9]+)?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:(?P<group>[.,' ])[0-9]{3})(?:(?P=group)[0-9]{3})*$")


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from text.

    ``plain`` is True for the JSON-like form (digits, optional point and fraction, no currency),
    which can be taken as is. ``ambiguous`` is True when the text reads both as a thousands
    group and as a decimal fraction; ``value`` then takes the decimal reading and
    ``alternative`` the thousands reading.
    """

    value: Decimal
    plain: bool = False
    ambiguous: bool = False
    alternative: Decimal | None = None
    separator: str | None = None  # the decimal separator used, when there is one


def _normalise_spaces(text: str) -> str:
    for space in _SPACES:
        text = text.replace(space, " ")
    return text.strip()


def parse_number_text(text: str) -> ParsedNumber | None:
    """Read a number written as text; None when the text is not a number."""
    text = _normalise_spaces(text)
    if not text:
        return None
    if _PLAIN.match(text):
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None
        if "." not in text:
            return ParsedNumber(value, plain=True)
        whole, fraction = text.lstrip("+-").split(".")
        if len(fraction) == 3 and whole.lstrip("0"):
            alternative = Decimal(whole + fraction).copy_sign(value)
            return ParsedNumber(value, True, True, alternative, ".")
        return ParsedNumber(value, plain=True, separator=".")
    match = _AFFIX.match(text)
    if match is None:
        return None
    sign1, sign2 = match["sign1"], match["sign2"]
    if sign1 and sign2:
        return None
    negative = (sign1 or sign2) == "-"
    body = re.sub(r"\s+", " ", match["body"].strip())
    parsed = _parse_body(body)
    if parsed is None:
        return None
    if negative:
        flipped = -parsed.alternative if parsed.alternative is not None else None
        parsed = ParsedNumber(-parsed.value, False, parsed.ambiguous, flipped, parsed.separator)
    return parsed


def _parse_body(body: str) -> ParsedNumber | None:
    if body.isdigit():
        return ParsedNumber(Decimal(body))
    separators = [c for c in body if c in ".,' "]
    last = max(body.rfind("."), body.rfind(","))
    if len(separators) == 1 and body[last] in ".,":
        whole, fraction = body[:last], body[last + 1 :]
        if not whole.isdigit() or not fraction.isdigit():
            return None
        value = Decimal(f"{whole}.{fraction}")
        if len(fraction) == 3 and whole.lstrip("0"):
            return ParsedNumber(value, ambiguous=True, alternative=Decimal(whole + fraction),
                                separator=body[last])
        return ParsedNumber(value, separator=body[last])
    if _GROUPED.match(body):  # "1.234.567", "1,234,567", "1'234", "1 234"
        return ParsedNumber(Decimal(re.sub(r"[.,' ]", "", body)))
    whole, fraction = body[:last], body[last + 1 :]
    decimal_sep = body[last]
    if not fraction.isdigit() or decimal_sep not in ".,":
        return None
    group_match = _GROUPED.match(whole)
    if group_match is None or group_match["group"] == decimal_sep:
        return None
    return ParsedNumber(Decimal(re.sub(r"[.,' ]", "", whole) + "." + fraction),
                        separator=decimal_sep)
