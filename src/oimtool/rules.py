"""The rule catalogue: every problem oimtool reports has one of these stable codes.

``docs/rules.md`` documents each code with a bad and a fixed example; a test keeps the two in
sync. Codes are never renumbered or reused.
"""

# No `from __future__ import annotations` here: typing.NamedTuple would compile each field's
# annotation text at import (a ForwardRef), and a pre-commit hook starts often.

from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    """How bad a problem is. The values are SARIF's ``level`` values."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    def __str__(self) -> str:
        return self.value


class FixKind(str, Enum):
    """Whether problems of a rule carry a fix, and whether ``oimtool fix`` applies it unasked."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"
    SOME = "some"  # depends on the value: see the rule's documentation

    def __str__(self) -> str:
        return self.value


class Rule(NamedTuple):
    """One entry of the catalogue."""

    code: str
    slug: str
    severity: Severity
    fix: FixKind
    title: str
    #: The problem is about a key, not its value: it is placed at the key.
    at_key: bool = False

    @property
    def anchor(self) -> str:
        """The rule's section in docs/rules.md: ``oim105-order-number-unknown``."""
        return f"{self.code.lower()}-{self.slug}"


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
_N, _S, _U, _M = FixKind.NONE, FixKind.SAFE, FixKind.UNSAFE, FixKind.SOME

_CATALOGUE = (
    # The file
    Rule("OIM001", "invalid-json", E, _N, "The file is not valid JSON"),
    Rule("OIM002", "not-an-array", E, _N, "The top level is not a JSON array"),
    Rule("OIM003", "empty-array", E, _N, "The array holds no items"),
    Rule("OIM004", "not-utf8", E, _N, "Bytes that are not UTF-8 text"),
    Rule("OIM005", "byte-order-mark", W, _S, "A byte order mark or UTF-16/UTF-32 encoding"),
    Rule("OIM006", "item-not-object", E, _N, "An item is not a JSON object"),
    Rule("OIM007", "nested-too-deep", E, _N, "An item nests values too deep to be read"),
    Rule("OIM008", "duplicate-key", W, _S, "A key appears twice in one item", at_key=True),
    # The source of a conversion (oimtool convert)
    Rule("OIM010", "unmapped-column", N, _N, "Columns that match no field, left out"),
    Rule("OIM011", "missing-optional-column", N, _N, "No column for product, sku or image_url"),
    Rule("OIM012", "ambiguous-number", E, _N, "A number that reads two ways"),
    Rule("OIM013", "scientific-notation", W, _N, "A code written in scientific notation"),
    Rule("OIM014", "excel-precision", W, _N, "A code beyond the digits a spreadsheet keeps"),
    Rule("OIM015", "source-note", N, _N, "How the source was read"),
    Rule("OIM016", "cells-beyond-header", W, _N, "Cells to the right of the last header"),
    Rule("OIM017", "unreadable-source", E, _N, "The source cannot be read to the end"),
    Rule("OIM018", "price-rounded", W, _N, "A paid unit price rounded to 2 decimal places"),
    Rule("OIM019", "line-total-mismatch", W, _N, "Unit price times quantity is not the line total"),
    Rule("OIM020", "internal-id-unmapped", E, _N, "An internal order id not in --order-numbers"),
    # order_number
    Rule("OIM101", "order-number-missing", E, _N, "order_number is missing"),
    Rule("OIM102", "order-number-not-text", E, _M, "order_number is not text"),
    Rule("OIM103", "order-number-empty", E, _N, "order_number is empty"),
    Rule("OIM104", "order-number-whitespace", E, _S, "order_number has surrounding whitespace"),
    Rule("OIM105", "order-number-unknown", E, _M, "order_number is not in the orders file"),
    Rule("OIM106", "order-number-too-long", E, _N, "order_number is longer than 255 characters"),
    Rule("OIM107", "order-number-long", W, _N, "order_number is longer than 128 characters"),
    # product
    Rule("OIM201", "product-missing", W, _S, "product is missing"),
    Rule("OIM202", "product-not-text", E, _M, "product is not text or null"),
    Rule("OIM203", "product-too-long", E, _U, "product is longer than 256 characters"),
    # sku
    Rule("OIM301", "sku-missing", W, _S, "sku is missing"),
    Rule("OIM302", "sku-not-text", E, _M, "sku is not text or null"),
    Rule("OIM303", "sku-too-long", E, _U, "sku is longer than 128 characters"),
    # quantity
    Rule("OIM401", "quantity-missing", E, _N, "quantity is missing"),
    Rule("OIM402", "quantity-not-integer", E, _M, "quantity is not a JSON integer"),
    Rule("OIM403", "quantity-below-one", E, _N, "quantity is less than 1"),
    Rule("OIM404", "quantity-null", W, _N, "quantity is null"),
    Rule("OIM405", "quantity-too-large", E, _N, "quantity is beyond the integer range"),
    # price
    Rule("OIM501", "price-missing", E, _N, "price is missing"),
    Rule("OIM502", "price-not-number", E, _M, "price is not a JSON number"),
    Rule("OIM503", "price-float-noise", E, _S, "price carries float noise"),
    Rule("OIM504", "price-too-many-decimals", E, _U, "price has more than 2 decimal places"),
    Rule("OIM505", "price-out-of-range", E, _N, "price has more than 10 digits before the point"),
    Rule("OIM506", "price-negative", W, _N, "price is negative"),
    # image_url
    Rule("OIM601", "image-url-missing", E, _S, "image_url is missing"),
    Rule("OIM602", "image-url-not-text", E, _N, "image_url is not text or null"),
    Rule("OIM603", "image-url-whitespace", E, _S, "image_url contains whitespace"),
    Rule("OIM604", "image-url-no-scheme", E, _U, "image_url has no scheme"),
    Rule("OIM605", "image-url-invalid", E, _N, "image_url is not a valid URL"),
    Rule("OIM606", "image-url-ftp", W, _N, "image_url uses ftp"),
    Rule("OIM607", "image-url-long", W, _N, "image_url is longer than 200 characters"),
    Rule("OIM608", "image-url-several", E, _N, "image_url holds several URLs"),
    # extra_field
    Rule("OIM701", "extra-field-missing", E, _S, "extra_field is missing"),
    Rule("OIM702", "extra-field-null", E, _S, "extra_field is null"),
    Rule("OIM703", "extra-field-not-object", E, _M, "extra_field is not a JSON object"),
    # the item as a whole
    Rule("OIM801", "unknown-key", W, _M, "A key Omnitron does not know", at_key=True),
    Rule("OIM802", "nul-character", E, _U, "Text holds a NUL character"),
    Rule("OIM803", "duplicate-item", W, _N, "The item repeats an earlier item"),
    # the orders file
    Rule("OIM901", "unreferenced-orders", W, _N, "Orders that no item refers to"),
    Rule("OIM902", "duplicate-order-number", W, _N, "An order number appears twice"),
)

#: Every rule by code, in catalogue order.
RULES: dict[str, Rule] = {rule.code: rule for rule in _CATALOGUE}

#: Problems that mean a file, or the rest of it, could not be read: reported whatever ``select``
#: and ``ignore`` say, since leaving them out would pass a file that was not checked.
UNREAD = frozenset({"OIM001", "OIM002", "OIM017"})


class UnknownCode(ValueError):
    """A ``select``/``ignore`` entry that names no rule: ``entry``, and the nearest codes or
    names (``suggestions``) for a "did you mean"."""

    def __init__(self, entry: str, suggestions: tuple[str, ...]) -> None:
        names = ", ".join(suggestions[:-1]) + " or " + suggestions[-1] if len(suggestions) > 1 \
            else "".join(suggestions)
        hint = f"; did you mean {names}?" if suggestions else (
            "; give rule codes (OIM105), prefixes (OIM1: OIM1xx) or names (oimtool rules)")
        super().__init__(f"unknown rule code {entry!r}{hint}")
        self.entry = entry
        self.suggestions = suggestions


def _matched(entry: str) -> tuple[int, frozenset[str]]:
    """The codes an entry matches (a code, a prefix of codes, a rule's name, or ALL), and how
    specific it is (the length of the code prefix it stands for)."""
    upper = entry.strip().upper()
    if upper == "ALL":
        return 0, frozenset(RULES)
    codes = frozenset(code for code in RULES if code.startswith(upper))
    if upper and codes:
        return len(upper), codes
    by_slug = [rule.code for rule in _CATALOGUE if rule.slug == entry.strip().lower()]
    if by_slug:
        return len(by_slug[0]), frozenset(by_slug)
    import difflib

    names = [*RULES, *(rule.slug for rule in _CATALOGUE)]
    near = difflib.get_close_matches(upper if upper.startswith("OIM") else entry.lower(),
                                     names, n=3, cutoff=0.6)
    raise UnknownCode(entry, tuple(near))


def chosen(select: Iterable[str] | None, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The rule codes to report: those ``select`` matches (every code when None), less those
    ``ignore`` matches. Entries are codes (``OIM105``), prefixes (``OIM1`` is OIM1xx), rule
    names (``order-number-unknown``) or ``ALL``, in any case. Where a code is matched by both,
    the more specific entry decides: select OIM1 and ignore OIM105 is OIM1xx but OIM105; select
    OIM105 and ignore OIM1 is OIM105. At equal specificity ignore wins. Raises UnknownCode for
    an entry that matches no rule."""
    decided: dict[str, tuple[int, bool]] = {}
    for entries, on in ((select or (), True), (ignore, False)):
        for entry in entries:
            specificity, codes = _matched(entry)
            for code in codes:
                before = decided.get(code)
                if before is None or specificity > before[0] or (
                        specificity == before[0] and not on):
                    decided[code] = (specificity, on)
    default = select is None
    return frozenset(code for code in RULES if decided.get(code, (0, default))[1])
