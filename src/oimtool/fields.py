"""The order-item fields: their names, their limits, and the words people use for them.

One vocabulary serves every place that must recognise a field by another name: ``convert``
matching an export's headers, and ``check`` suggesting a field for an unknown key ("did you
mean"). Names are compared after one folding rule (``fold``): case, Turkish letters to ASCII
(ı→i, ş→s, ğ→g, ü→u, ö→o, ç→c), "#" as "no", and spacing and punctuation removed, so
"Sipariş No", "SIPARIS NO." and "siparis_no" are one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

#: The seven keys of an order item, in the documented order (also the output order).
FIELDS: tuple[str, ...] = (
    "order_number",
    "product",
    "sku",
    "quantity",
    "price",
    "image_url",
    "extra_field",
)
FIELD_SET = frozenset(FIELDS)


def ordered(item: Any) -> Any:
    """An item with the documented fields first, in the documented order, then any other."""
    if type(item) is not dict:
        return item
    result = {key: item[key] for key in FIELDS if key in item}
    if len(result) != len(item):
        result.update((k, v) for k, v in item.items() if k not in FIELD_SET)
    return result


MAX_LENGTH = {"product": 256, "sku": 128}
#: order_number: the orders' number column holds 255 characters (one page of Akinon's
#: documentation); the order migration page says 128: longer than that is a warning.
ORDER_NUMBER_MAX = 255
ORDER_NUMBER_WARN = 128
QUANTITY_MAX = 2_147_483_647  # the database integer column
PRICE_LIMIT = 10_000_000_000  # 12 digits, 2 of them decimals: |price| < 10^10
PRICE_PLACES = 2
URL_SCHEMES = ("http", "https", "ftp", "ftps")
URL_WARN_SCHEMES = ("ftp", "ftps")
URL_MAX_LENGTH = 2048  # Django's URLValidator.max_length
URL_MAX_HOST = 253
URL_WARN_LENGTH = 200  # Django's URLField default max_length
FLOAT_NOISE_ULPS = 4
#: How deep an item may nest objects and arrays (the item itself is level 1). Python's json
#: module, which Omnitron reads uploads with, stops near 1,000 levels less the server's own
#: call stack, orjson writes at most 254: deeper is refused, which no real extra_field needs.
MAX_NESTING = 254


def nesting_message(what: str) -> str:
    """OIM007's message: ``what`` names the item."""
    return (f"{what} nests objects or arrays more than {MAX_NESTING} levels deep, beyond what "
            "oimtool and most JSON tools read (Omnitron's parser stops near 1,000): flatten "
            "extra_field")


#: Names exports and hand-written files use for each field, as headers or as keys (folded when
#: compared; docs/convert.md lists them, generated from this table).
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

#: Names too vague to take an export's column by (an "Amount" column may hold a line total, a
#: "Number" column anything), which still tell what an unknown key in an items file most
#: likely meant: suggestions only.
VAGUE: dict[str, tuple[str, ...]] = {
    "order_number": ("number",),
    "price": ("amount",),
    "image_url": ("img", "url"),
    "extra_field": ("extras",),
}

_TURKISH = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iIsSgGuUoOcC")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """A name reduced to what identifies it: lower-case ASCII letters and digits."""
    text = unicodedata.normalize("NFKD", name.translate(_TURKISH))
    text = text.encode("ascii", "ignore").decode().lower()
    text = text.replace("#", "no")  # "Order #" is "Order No"
    return _NOT_ALNUM.sub("", text)


_FOLDED = {fold(name): field for field, names in SYNONYMS.items() for name in names}
_FOLDED_VAGUE = {fold(name): field for field, names in VAGUE.items() for name in names}
_FOLDED_FIELDS = {fold(field): field for field in FIELDS}


def field_called(name: str) -> str | None:
    """The field ``name`` is, written any way (``Order_Number``, ``order-number``, ``PRICE``);
    None when it is none."""
    return _FOLDED_FIELDS.get(fold(name))


def did_you_mean(name: str) -> str:
    """`` (did you mean price?)`` for a name that is not a field, or ``""``."""
    guess = suggest_field(name)
    return f" (did you mean {guess}?)" if guess else ""


def field_named(name: str) -> str | None:
    """The field a header or key names, by the synonym table; None when it names none."""
    return _FOLDED.get(fold(name))


#: Single words that name a field only vaguely ("Name" may be the order's name, as in Shopify's
#: export): taken only when no better column names the field.
_GENERIC = frozenset(fold(w) for w in ("name", "title", "description", "item", "order",
                                       "count", "açıklama", "sipariş"))
#: Words that lead a field's name without changing it: "Lineitem price", "Seller SKU",
#: "Satıcı Stok Kodu".
_LEADS = frozenset(("lineitem", "line", "item", "product", "seller", "merchant", "vendor",
                    "your", "satici", "magaza"))
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(name: str) -> list[str]:
    """A name's words, folded: "orderLineItems.Qty" is order, line, items, qty."""
    return [fold(w) for w in _WORDS.findall(unicodedata.normalize("NFKD", name.translate(
        _TURKISH)).encode("ascii", "ignore").decode())]


@lru_cache(maxsize=1)
def _by_words() -> dict[frozenset[str], str]:
    """The synonyms of several words, by their set of words (built when first needed: a
    check never needs it)."""
    return {frozenset(words(name)): field for field, names in SYNONYMS.items()
            for name in names if len(words(name)) > 1}


def field_match(name: str) -> tuple[str, int] | None:
    """The field a header names and how surely: 3 a synonym, 2 a synonym in other words
    ("Lineitem sku", "SKU Item", "Seller SKU"), 1 a generic word alone ("Name")."""
    folded = fold(name)
    found = _FOLDED.get(folded)
    if found is not None:
        return found, 1 if folded in _GENERIC else 3
    parts = words(name)
    if not parts:
        return None
    found = _by_words().get(frozenset(parts))
    if found is not None:
        return found, 2
    if "sku" in parts:
        return "sku", 2
    lead = 0
    while lead < len(parts) - 1 and parts[lead] in _LEADS:
        lead += 1
        found = _FOLDED.get("".join(parts[lead:]))
        if found is not None:
            return found, 2
    return None


def known_count(cells: Sequence[object], also: Iterable[str] = ()) -> int:
    """How many cells of a row name a field, by the synonym table or as one of the names
    ``also`` (headers a mapping asks for): a header row has two or more."""
    wanted = {fold(name) for name in also}
    return sum(1 for cell in cells if isinstance(cell, str) and (
        field_named(cell) is not None or fold(cell) in wanted))


def suggest_field(key: str) -> str | None:
    """The field an unknown key most likely means, if any: a synonym, a vaguer name, or a
    near spelling of a field's name."""
    folded = fold(key)
    found = _FOLDED.get(folded) or _FOLDED_VAGUE.get(folded)
    if found is not None:
        return found
    import difflib  # only on this slow path: it costs a few ms to import

    close = difflib.get_close_matches(folded, list(_FOLDED_FIELDS), n=1, cutoff=0.75)
    return _FOLDED_FIELDS[close[0]] if close else None
