"""Which spreadsheet column holds which order-item field: headers in English and Turkish.

A header is compared after folding: case, Turkish letters to ASCII (ı→i, ş→s, ğ→g, ü→u, ö→o,
ç→c), and spacing and punctuation removed, so "Sipariş No", "SIPARIS NO." and "siparis_no" are
one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .fields import FIELDS

REQUIRED_COLUMNS = ("order_number", "quantity", "price")

#: Header names real exports use, per field (folded when compared).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_number": (
        "order_number", "order number", "order no", "order nr", "order id", "order #", "order",
        "order ref", "order reference", "order code", "sales order", "sales order no",
        "sipariş no", "sipariş numarası", "sipariş", "sipariş id", "sipariş kodu",
        "sipariş referansı", "sipariş nr",
    ),
    "product": (
        "product", "product name", "product title", "item name", "item", "item description",
        "name", "title", "description", "ürün", "ürün adı", "ürün ismi", "ürün açıklaması",
        "açıklama", "malzeme adı", "stok adı", "ürün tanımı",
    ),
    "sku": (
        "sku", "sku code", "stock code", "product code", "item code", "article number",
        "variant sku", "stok kodu", "ürün kodu", "malzeme kodu", "model kodu", "varyant kodu",
    ),
    "quantity": (
        "quantity", "qty", "units", "unit count", "count", "pieces", "adet", "miktar",
        "sipariş adedi", "satış adedi",
    ),
    "price": (
        "price", "unit price", "sale price", "selling price", "item price", "price per unit",
        "fiyat", "birim fiyat", "birim fiyatı", "satış fiyatı", "ürün fiyatı",
    ),
    "image_url": (
        "image_url", "image", "image url", "image link", "picture", "picture url", "photo",
        "photo url", "product image", "görsel", "görsel url", "görsel linki", "resim",
        "resim url", "resim linki", "fotoğraf", "ürün görseli",
    ),
    "extra_field": ("extra_field", "extra", "extra fields", "ek alan", "ek alanlar"),
}

_TURKISH = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iIsSgGuUoOcC")


def fold(header: str) -> str:
    """A header reduced to what identifies it: lower-case ASCII letters and digits."""
    text = unicodedata.normalize("NFKD", header.translate(_TURKISH))
    text = text.encode("ascii", "ignore").decode().lower()
    text = text.replace("#", "no")  # "Order #" is "Order No"
    return re.sub(r"[^a-z0-9]+", "", text)


_FOLDED = {fold(name): field for field, names in SYNONYMS.items() for name in names}


@dataclass(frozen=True)
class Column:
    """One column of the source: where it is and what it holds."""

    index: int  # 0-based position in the row
    header: str  # the header as written
    letter: str  # the spreadsheet column letter (a CSV's too: it becomes one when opened)
    field: str | None  # the order-item field it fills; None: an extra column


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class MappingError(Exception):
    """The columns cannot be matched to the fields as asked (a usage error)."""


def synonym_of(header: str) -> str | None:
    """The field a header names, by the synonym table."""
    return _FOLDED.get(fold(header))


def known_count(cells: Sequence[object], mapping: Mapping[str, str]) -> int:
    """How many cells of a row name a field: the header row is the first with two or more."""
    wanted = {fold(h) for h in mapping.values()}
    return sum(1 for cell in cells if isinstance(cell, str) and (
        synonym_of(cell) is not None or fold(cell) in wanted))


def plan_columns(header: Sequence[object], mapping: Mapping[str, str],
                 settings: Mapping[str, str] | None = None) -> list[Column]:
    """Match a header row to the fields: ``mapping`` (field → header, from --map) first,
    then ``settings`` (the same, from a settings file: used where the header is there), then
    the synonyms. Raises MappingError for an unknown field or header in ``mapping``, two
    fields given one column, a field two columns claim, or a missing required column."""
    texts = ["" if cell is None else str(cell).strip() for cell in header]
    found = [t for t in texts if t]
    chosen: dict[int, str] = {}
    wanted_by = {**(settings or {}), **mapping}
    for field, wanted in wanted_by.items():
        if field not in FIELDS:
            raise MappingError(f"--map {field}=…: {field} is not an order-item field; the "
                               f"fields are {', '.join(FIELDS)}")
        matches = [i for i, t in enumerate(texts) if t == wanted.strip()] or [
            i for i, t in enumerate(texts) if t and fold(t) == fold(wanted)]
        if not matches:
            if field not in mapping:
                continue  # a settings file serves several layouts: this one has no such column
            raise MappingError(f'--map {field}="{wanted}": there is no column "{wanted}"; '
                               f"the headers are: {', '.join(found)}")
        if matches[0] in chosen:
            raise MappingError(f'--map {chosen[matches[0]]} and --map {field} both name the '
                               f'column "{texts[matches[0]]}": a column holds one field')
        chosen[matches[0]] = field
    mapping = {f: h for f, h in wanted_by.items() if f in chosen.values()}
    taken = {field: index for index, field in chosen.items()}
    for index, text in enumerate(texts):
        field = synonym_of(text) if text and index not in chosen else None
        if field is None or field in mapping:
            continue
        if field in taken:
            raise MappingError(
                f'both "{texts[taken[field]]}" and "{text}" look like {field}; choose one '
                f'with --map {field}="{texts[taken[field]]}"'
            )
        chosen[index] = field
        taken[field] = index
    missing = [f for f in REQUIRED_COLUMNS if f not in taken]
    if missing:
        example = " ".join(f'--map {f}="…"' for f in missing)
        raise MappingError(
            f"no column for {', '.join(missing)} (required); the headers are: "
            f"{', '.join(found) or '(none)'}. Say which column holds it: {example}"
        )
    return [Column(i, t, letter(i), chosen.get(i)) for i, t in enumerate(texts)]
