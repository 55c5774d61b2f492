"""What kind of file a path is, from its first bytes: an order-item file, an order migration
file, an export (a workbook, a CSV), or something else. So that a command given the wrong kind
says so in one line ("this is an export: use oimtool convert") instead of a hundred problems.

Only the start of the file is read (its first item, at most 256 KB), and nothing is concluded
when in doubt: the command then reads the file as usual, and its problems say what is wrong.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson

ITEMS = "items"
ORDERS = "orders"
WORKBOOK = "workbook"
TEXT_EXPORT = "text export"

_HEAD = 256 << 10
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an encrypted .xlsx
_ORDER_FIELDS = {"user", "user_email", "amount", "currency", "created_date", "payment_type",
                 "customer_code", "discount_amount", "bank"}
_ITEM_FIELDS = {"product", "sku", "quantity", "price", "image_url", "extra_field"}
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def kind_of(path: str | Path) -> str | None:
    """``ITEMS``, ``ORDERS``, ``WORKBOOK``, ``TEXT_EXPORT``, or None when unsure (or unreadable:
    the command's own reading says why)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block: the reading says so
            return None
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return None
    if head.startswith((_ZIP, _OLE)):
        return WORKBOOK
    text = _decoded(head).lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return _json_kind(text)
    if text.startswith("{"):
        return None
    if Path(path).suffix.lower() in _TEXT_SUFFIXES and text:
        return TEXT_EXPORT
    return None


def _decoded(head: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore")
    return head.decode("utf-8", "ignore")


def _json_kind(text: str) -> str | None:
    """The kind of a JSON array from its first object, parsed alone."""
    start = text.find("{")
    if start < 0 or text[1:start].strip():
        return None
    first = _first_object(text, start)
    if not isinstance(first, dict):
        return None
    keys = set(first)
    if "order_number" in keys or ("number" not in keys and len(keys & _ITEM_FIELDS) >= 3):
        return ITEMS
    if "number" in keys and keys & _ORDER_FIELDS:
        return ORDERS
    return None


def _first_object(text: str, start: int) -> Any:
    """The object that begins at ``text[start]``, or None when it does not end in ``text``."""
    from .jsonstream.tokens import MalformedError, value_end

    data = text[start:].encode("utf-8")
    try:
        end = value_end(data, 0)
        return None if end is None else orjson.loads(data[:end])
    except (MalformedError, orjson.JSONDecodeError):
        return None


def as_export(path: str | Path, kind: str) -> str:
    """What to tell a user who gave an export where an order-item file was expected."""
    what = "an Excel or ODS workbook" if kind == WORKBOOK else "a CSV or text export"
    return (f"{path} is {what}, not an order-item file: convert it first, with "
            f"`oimtool convert {path}`, then check the JSON file it writes")
