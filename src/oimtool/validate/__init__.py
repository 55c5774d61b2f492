"""Validation of one order item: a fast yes/no for the bulk, and a full explanation otherwise.

``is_clean`` is the hot path: a handful of type checks per field, true only for an item with no
problem at all. ``explain`` lists every problem of an item with its rule code and fix. The
bundled JSON Schema, run by jsonschema with the ``x-oimtool-*`` keywords (``oimtool.schema``),
is the reference both are tested against.
"""

from __future__ import annotations

from typing import Any

from ..fields import (
    MAX_LENGTH,
    ORDER_NUMBER_WARN,
    PRICE_LIMIT,
    QUANTITY_MAX,
    URL_WARN_LENGTH,
    nesting_message,
)
from ..format import described
from ..problems import Problem
from ..values import COMMON_URL
from .found import finding
from .objects import clean_extra, extra_field, has_nul, too_deep, unknown_keys
from .price import price
from .scalars import order_number, quantity, text_field
from .urls import image_url

__all__ = ["explain", "has_nul", "is_clean", "too_deep"]

_ORDER_MAX = ORDER_NUMBER_WARN
_PRODUCT_MAX = MAX_LENGTH["product"]
_SKU_MAX = MAX_LENGTH["sku"]
_common_url = COMMON_URL.match


def is_clean(item: Any) -> bool:
    """True when the item has no problem at all (errors or warnings).

    A conservative filter: an item it turns down may still be clean (``explain`` decides).
    """
    if type(item) is not dict or len(item) != 7:
        return False
    try:  # seven keys, all seven fields present: exactly the documented keys
        v = item["order_number"]
        if type(v) is not str or not v or v.strip() != v or "\x00" in v or len(v) > _ORDER_MAX:
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
                len(v) > URL_WARN_LENGTH or _common_url(v) is None or v.count("://") > 1))):
            return False  # (a second "://": several URLs, maybe: OIM608 looks closer)
        v = item["extra_field"]
        return type(v) is dict and (not v or clean_extra(v))
    except KeyError:
        return False


def explain(item: Any) -> list[Problem]:
    """Every problem of one item, in field order, each with its rule code and fix."""
    if too_deep(item):
        return [finding("OIM007", None, None, nesting_message("the item"))]
    if not isinstance(item, dict):
        return [finding(
            "OIM006", None, item,
            f"the item is {described(item)}, not an object with the order-item keys",
        )]
    out: list[Problem] = []
    order_number(item, out)
    text_field(item, "product", ("OIM201", "OIM202", "OIM203"), out)
    text_field(item, "sku", ("OIM301", "OIM302", "OIM303"), out)
    quantity(item, out)
    price(item, out)
    image_url(item, out)
    extra_field(item, out)
    unknown_keys(item, out)
    return out
