"""How values, numbers and cells are shown to a person: in messages, reports and outputs.

Pure functions of their arguments; every reporter, the fixer and the converter use these, so a
value reads the same wherever it is shown.
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson

_EXACT_FLOAT_INT = 2**53


def show(value: Any, limit: int = 60) -> str:
    """A value as it is written in JSON, shortened for a message."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits, a value nested very deep, not JSON data
        import json

        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind(value: Any) -> str:
    """What a JSON value is, in words: "null", "a boolean", "text", "an array"…"""
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


def described(value: Any) -> str:
    """'null', 'a boolean (true)', 'an array ([1,2])': the kind of a value, and the value."""
    return "null" if value is None else f"{kind(value)} ({show(value)})"


def number_as_text(number: int | float) -> tuple[str, bool]:
    """The text a number stands for (Excel turns 100024 into 100024.0), and whether that is
    certain: integral floats beyond 2^53 may already have lost digits."""
    if isinstance(number, int):
        return str(number), True
    if math.isfinite(number) and number.is_integer():
        return str(int(number)), abs(number) < _EXACT_FLOAT_INT
    return repr(number), math.isfinite(number)


def shown_here(path: Path) -> str:
    """``shown_path`` of ``path`` relative to the current folder when it is below it (a file
    oimtool found itself: the settings file, a ledger's paths)."""
    here = Path.cwd()
    return shown_path(path.relative_to(here) if path.is_relative_to(here) else path)


def shown_path(path: object) -> str:
    """A file's name as reports show it: as given, but for bytes that are no UTF-8 (a name
    from a Latin-1 file system), written as escapes (``bad\\xff.json``), so that every
    report can be written as UTF-8."""
    text = str(path)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def with_article(noun: str) -> str:
    """A noun phrase with "a" or "an", as it is said: "an Etsy …", "an n11 …" (a letter and
    a digit are spelled), "a Shopify …"."""
    lower = noun.lower()
    spelled = len(lower) > 1 and lower[0] in "fhlmnrsx" and lower[1].isdigit()
    return ("an " if lower[:1] in tuple("aeiou") or spelled else "a ") + noun


def plural(count: int, word: str) -> str:
    """``3 items``, ``1 item``, ``1,234 rows``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_reference(sheet: str, letter: str | None, row: int) -> str:
    """A cell as Excel writes it: Items!E17, 'Orders 2019'!E17; a whole row without a
    letter: Items!4:4."""
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{letter}{row}" if letter else f"{name}!{row}:{row}"


def cell_value(cell: Any) -> Any:
    """A spreadsheet cell as JSON can hold it: a whole float is an int, a date its ISO text,
    text trimmed."""
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 2**53:
            return int(cell)
        return cell if math.isfinite(cell) else str(cell)
    if isinstance(cell, (datetime, date, time)):
        return cell.isoformat()
    if isinstance(cell, timedelta):
        return str(cell)
    if isinstance(cell, str):
        return cell.strip()
    return cell


def cell_text(cell: Any) -> str:
    """A cell as text, the way a person reads it: 100024.0 is "100024"."""
    value = cell_value(cell)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)
