"""Cells to values: how a cell of an export becomes the value of an order-item field.

Pure functions of the cell (and, for a number that reads two ways, of how its column writes
decimals): each returns the value and adds what it found to ``found``, problems located by
their field only (the row converter places them in the source). The usual cells take the fast
paths (text digits, "49,90", a typed float); the rest go to ``numbers.parse_number_text``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import orjson

from ..fields import QUANTITY_MAX
from ..format import cell_text, cell_value, show
from ..numbers import ParsedNumber, parse_number_text
from ..problems import Location, Problem
from ..values import has_price_places, is_float_noise

#: What reading a row's cells found: problems located by their field only. An error among them
#: means the cell could not be read as its field's value: its text is kept, and the item's own
#: problem for that field would say the same again.
Found = list[Problem]
Reader = Callable[[Any, Found], Any]

EXACT_DIGITS = 15  # what a spreadsheet keeps of a number
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SIMPLE_DECIMAL = re.compile(r"([0-9]+)([.,])([0-9]+)\Z")
#: "6.643,95", "1,234,567.5": thousands grouped one way, decimals the other (unambiguous).
_GROUPED_DECIMAL = re.compile(r"([1-9][0-9]{0,2}(?:([.,])[0-9]{3})+)(?!\2)[.,]([0-9]+)\Z")
#: A whole column of a batch written the usual way, one cell a line, read at once
#: (``read_columns``): plain digits, or decimals after a comma with dots grouping thousands
#: (or after a point, commas grouping): what the cell readers' fast paths read.
_BULK_COMMA = re.compile(
    r"(?:(?:[1-9][0-9]{0,2}(?:\.[0-9]{3}){1,4},[0-9]{1,2}|[0-9]{1,15}(?:,[0-9]{1,2})?)\n)*\Z")
_BULK_POINT = re.compile(
    r"(?:(?:[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4}\.[0-9]{1,2}|[0-9]{1,15}(?:\.[0-9]{1,2})?)\n)*\Z")
#: A cell that ``read_columns`` left to its reader.
UNREAD: Any = object()
#: Digits Python turns into an int without complaint (sys.get_int_max_str_digits()); a cell
#: with more is reported as too large, and kept as text.
_INT_DIGITS = 4300
_FLOAT_DIGITS = 308  # and a float: beyond, infinity


class Undecided(Exception):
    """A number reads two ways and its column has not been looked through yet."""


@dataclass
class Decimals:
    """How each numeric column writes decimals ("," or "."; "mixed": both ways; None: not
    known), and whether the columns were looked through (``scanned``) to learn it."""

    separators: dict[str, str | None] = field(default_factory=dict)
    scanned: bool = False


def _found(code: str, name: str, value: Any, message: str) -> Problem:
    return Problem(code, message, Location(field=name or None), value)


def empty(cell: Any) -> bool:
    """The cell holds no value."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def text(cell: Any, found: Found) -> Any:
    """Product or image URL: text, trimmed (a non-breaking space too); empty is null."""
    if type(cell) is str:
        return cell.strip() or None
    return None if cell is None else cell_value(cell)


def code_reader(name: str) -> Reader:
    """The reader of an order number or SKU: text as it is, a spreadsheet's number as its
    digits; a warning where the spreadsheet lost digits."""
    def read(cell: Any, found: Found) -> Any:
        if cell is None:
            return None
        if type(cell) is str:
            text = cell.strip()
            if not text:
                return None
            if (("e" in text or "E" in text) and (text[0] in "+-" or text[0].isdigit())
                    and _SCIENTIFIC.match(text)):
                found.append(_found("OIM013", name, text, (
                    f"{name} {show(text)} is in scientific notation: the spreadsheet turned "
                    "a long code into a number and its digits are lost. Format the column "
                    "as text and export again"
                )))
            return text
        return typed_code(name, cell, found)
    return read


def typed_code(name: str, cell: Any, found: Found) -> Any:
    """An order number or SKU a spreadsheet typed as a number: its digits, as text."""
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        text = str(int(cell))
        if abs(cell) >= 2**53 or len(text.lstrip("-")) > EXACT_DIGITS:
            found.append(_found("OIM014", name, cell, (
                f"{name} {text} has more than {EXACT_DIGITS} digits: a spreadsheet keeps only "
                f"{EXACT_DIGITS}, so the last ones may have been lost. Format the column as "
                "text in the source and export again"
            )))
        return text
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    return cell_text(cell) or None


def number_reader(name: str, *, integral: bool, decimals: Decimals) -> Reader:
    """The reader of the quantity (``integral``) or the price: the usual cells quickly, the
    rest through ``parse_number_text``, reading "1,234" the way its column does."""
    def read(cell: Any, found: Found) -> Any:
        if cell is None:
            return None
        kind = type(cell)
        if kind is float:  # a workbook's typed number: the usual cases, quickly
            if integral:
                if cell.is_integer() and abs(cell) < 2**63:
                    return int(cell)
            elif math.isfinite(cell) and round(cell * 100) / 100 == cell:
                return cell
        elif kind is int and integral and abs(cell) < 2**63:
            return cell
        elif kind is str:
            text = cell.strip()
            if not text:
                return None
            if text.isdigit() and text.isascii():
                if len(text) > (_INT_DIGITS if integral else _FLOAT_DIGITS):
                    return too_many_digits(name, text, found)
                return int(text) if integral else float(text)
            plain = None  # the number with a point for its decimals, nothing else
            simple = _SIMPLE_DECIMAL.match(text)
            if simple is not None:
                whole, _, fraction = simple.groups()
                if len(fraction) != 3 or not whole.lstrip("0"):  # not "1,234"
                    plain = f"{whole}.{fraction}"
            if plain is None and (grouped := _GROUPED_DECIMAL.match(text)) is not None:
                whole, group, fraction = grouped.groups()
                plain = f"{whole.replace(group, '')}.{fraction}"
            if plain is not None:
                value = float(plain)
                if value == math.inf:
                    return too_many_digits(name, text, found)
                if integral:
                    return int(value) if value.is_integer() else value
                return without_noise(value) if len(fraction) > 2 else value
        return read_number(name, cell, found, integral=integral, decimals=decimals)
    return read


def read_number(name: str, cell: Any, found: Found, *, integral: bool,
                decimals: Decimals) -> Any:
    """A quantity or a price the fast paths did not read."""
    if isinstance(cell, bool) or not isinstance(cell, (str, int, float)):
        return cell_value(cell)
    if isinstance(cell, (int, float)):
        value: Any = cell
    else:
        parsed = parse_number_text(cell)
        if parsed is None:
            return cell.strip()
        value = decide(name, cell, parsed, found, decimals)
        if value is None:
            return cell.strip()
        if not math.isfinite(float(value)):
            return too_many_digits(name, cell.strip(), found)
    if integral:
        return int(value) if float(value).is_integer() and abs(value) < 2**63 else float(
            value)
    return without_noise(float(value))


def decide(name: str, text: str, parsed: ParsedNumber, found: Found,
           decimals: Decimals) -> Any:
    """The value of a number written as text, reading "1,234" the way its column does;
    raises Undecided when the column was not looked through yet."""
    if not parsed.ambiguous:
        return parsed.value
    decimal = decimals.separators.get(name)
    if decimal is None and not decimals.scanned:
        raise Undecided(name)
    if decimal == parsed.separator:
        return parsed.value
    if decimal in (",", "."):
        return parsed.alternative
    why = ("its column writes decimals both ways" if decimal == "mixed" else
           f"its column never uses '{parsed.separator}' otherwise")
    found.append(_found("OIM012", name, text, (
        f"{name} {show(text.strip())} reads as {parsed.value} or {parsed.alternative}, and "
        f"{why}: write it without thousands separators, or say how the column writes "
        "decimals with --decimal , or --decimal ."
    )))
    return None


def separator_of(cell: Any) -> str | None:
    """The decimal separator a cell shows for sure ("," or "."), for learning how a column
    writes decimals; None when it does not tell."""
    if not isinstance(cell, str):
        return None
    parsed = parse_number_text(cell)
    if parsed and parsed.separator and not parsed.ambiguous:
        return parsed.separator
    return None


def read_columns(quantities: list[Any], prices: list[Any]
                 ) -> tuple[Iterable[Any], Iterable[Any]]:
    """The quantities and the prices of a batch, each column read at once at C speed when
    every cell of it is text of the usual kind (the cell readers' fast paths, giving the same
    values); else ``UNREAD`` for each, left to the cell readers."""
    unread = repeat(UNREAD)
    try:
        quantity_text = "".join(quantities)
        price_text = "\n".join(prices)
    except TypeError:  # a cell that is no text
        return unread, unread
    if (quantity_text.isdigit() and quantity_text.isascii() and "" not in quantities
            and max(map(len, quantities)) <= 18):
        read_quantities: Iterable[Any] = map(int, quantities)
    else:
        read_quantities = unread
    price_text += "\n"
    if _BULK_COMMA.match(price_text):
        price_text = price_text.replace(".", "").replace(",", ".")
    elif not _BULK_POINT.match(price_text):
        return read_quantities, unread
    else:
        price_text = price_text.replace(",", "")
    values = price_text.split("\n")
    values.pop()
    if len(values) != len(prices):  # a cell with a line break in it
        return read_quantities, unread
    return read_quantities, map(float, values)


def extra_field(cell: Any, found: Found) -> Any:
    """A column holding extra_field: a JSON object written as text, or {} when empty."""
    if empty(cell):
        return {}
    if isinstance(cell, str):
        text = cell.strip()
        if text.startswith("{"):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
        return text
    return cell_value(cell)


def without_noise(value: float) -> float:
    """A price with what binary floats and spreadsheets add to two-place values taken off:
    19.990000000000002 is 19.99 (a safe fix, made as the export is read)."""
    if math.isfinite(value) and not has_price_places(value) and is_float_noise(value):
        return round(value, 2)
    return value


def too_many_digits(name: str, text: str, found: Found) -> str:
    """A quantity or price of hundreds or thousands of digits (more than a float or an int
    holds): reported as such, kept as text."""
    shown = f"{text[:20]}…"
    if name == "quantity":
        found.append(_found("OIM405", name, shown, (
            f"quantity {shown} ({len(text):,} characters) is beyond {QUANTITY_MAX:,}, the "
            "largest the database stores")))
    else:
        found.append(_found("OIM505", name, shown, (
            f"price {shown} ({len(text):,} characters) is out of range: at most 10 digits "
            "before the decimal point")))
    return text
