"""The layout of an export: which column fills each field, how the price is made, which lines
are not sold, what goes into extra_field; from a platform profile, or from the headers' names.
And the plan that says all this to the user before the first problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ..fields import fold
from ..format import column_letter
from ..problems import Plan, PlanField
from .pricing import Recipe
from .profiles import Extra, LineRule, Profile


class Column(NamedTuple):
    """One column of the source: where it is and what it holds."""

    index: int  # type: ignore[assignment]  # 0-based position in the row
    header: str  # the header as written
    letter: str  # the spreadsheet column letter (a CSV's too: it becomes one when opened)
    field: str | None  # the order-item field it fills; None: another use, or left out


class Test(NamedTuple):
    """A line rule's condition on a row's cells (see profiles.Condition)."""

    at: int
    values: frozenset[str]
    filled: bool | None
    same_as: int | None


class Rule(NamedTuple):
    """A line rule with its columns found: None for a column the export lacks."""

    tests: tuple[Test, ...] | None  # None: a column it tests is not in the export
    rule: LineRule
    status_at: int | None


class Kept(NamedTuple):
    """A key of extra_field the profile fills, with its columns found (None: not in the
    export)."""

    extra: Extra
    positions: tuple[int | None, ...]  # of extra.headers()


class Layout(NamedTuple):
    """What a profile (or the headers' names) says of the columns, by position."""

    profile: Profile | None = None
    recipe: Recipe | None = None  # None: the price column holds the price as it is
    fallbacks: tuple[tuple[int, tuple[int, ...]], ...] = ()  # field's column -> others
    carry: tuple[int, ...] = ()  # order columns filled on an order's first line only
    rules: tuple[Rule, ...] = ()
    null: frozenset[str] = frozenset()
    html: tuple[int, ...] = ()  # positions of the fields whose HTML entities are decoded
    kept: tuple[Kept, ...] = ()
    order_numbers: Mapping[str, str] | None = None  # internal id -> order number
    internal: int | None = None  # the internal id's column, when order numbers are mapped
    used: frozenset[int] = frozenset()  # positions read for something else than a field

    @property
    def active(self) -> bool:
        """Whether rows need more than their fields' cells read."""
        return self.profile is not None or self.order_numbers is not None


def find(header: Sequence[str], name: str) -> int | None:
    """The position of a column by its header: as written, else folded."""
    wanted = name.strip()
    for i, text in enumerate(header):
        if text == wanted:
            return i
    folded = fold(wanted)
    for i, text in enumerate(header):
        if text and fold(text) == folded:
            return i
    return None


def compile_profile(profile: Profile, header: Sequence[str], fields: Mapping[str, int], *,
                    use_list: bool, details: bool, price_mapped: bool) -> Layout:
    """The layout a profile gives a header; ``fields``: the column of each field."""
    prices = profile.prices

    def at(name: str | None) -> int | None:
        return None if name is None else find(header, name)

    def present(names: Sequence[str]) -> tuple[int, ...]:
        return tuple(p for p in map(at, names) if p is not None)

    recipe = None
    if not price_mapped:
        kind, base = next(((k, present(names)) for k, names in prices.bases
                           if at(names[0]) is not None), (prices.bases[0][0], ()))
        recipe = Recipe(kind, base, present(prices.discounts), prices.per_unit,
                        at(prices.list_unit), at(prices.list_line), at(prices.tax_rate),
                        at(prices.total), use_list=use_list, details=details)
    fallbacks = []
    for name, headers in profile.columns.items():
        if name in fields:
            others = tuple(p for p in present(headers) if p != fields[name])
            if others:
                fallbacks.append((fields[name], others))
    rules = []
    for rule in profile.rules:
        tests: list[Test] | None = []
        for c in rule.when:
            position = at(c.column)
            other = at(c.same_as) if c.same_as else None
            if position is None or (c.same_as and other is None) or tests is None:
                tests = None
                break
            tests.append(Test(position, c.values, c.filled, other))
        rules.append(Rule(None if tests is None else tuple(tests), rule, at(rule.status_from)))
    kept = tuple(Kept(e, tuple(map(at, e.headers()))) for e in profile.extra)
    html = tuple(fields[f] for f in profile.html if f in fields)
    used: set[int] = set(present(profile.headers()))
    return Layout(profile, recipe, tuple(fallbacks), present(profile.carry), tuple(rules),
                  profile.null, html, kept, used=frozenset(used - set(fields.values())))


def plan(layout: Layout, columns: Sequence[Column], chosen: str, extra: Sequence[Column],
         *, all_extra: bool = False) -> Plan:
    """The plan to show: the profile, and where each field comes from; ``extra``: the
    columns --extra keeps (``all_extra``: and the cells under no header)."""
    by_field = {c.field: c for c in columns if c.field}
    headers = [c.header for c in columns]

    def name(p: int) -> str:
        return f"'{headers[p]}'"

    fields = []
    fallbacks = dict(layout.fallbacks)
    for field in ("order_number", "product", "sku", "quantity"):
        column = by_field.get(field)
        if column is None:
            if field == "order_number" and layout.internal is not None:
                fields.append(PlanField(field, f"{name(layout.internal)} through "
                                        "--order-numbers", (column_letter(layout.internal),)))
            else:
                fields.append(PlanField(field, "no column: null"))
            continue
        how, letters = name(column.index), [column.letter]
        for other in fallbacks.get(column.index, ()):
            how += f", else {name(other)} when blank"
            letters.append(column_letter(other))
        if column.index in layout.html:
            how += " (HTML entities decoded)"
        fields.append(PlanField(field, how, tuple(letters)))
    fields.append(_price(layout, by_field.get("price"), name))
    column = by_field.get("image_url")
    fields.append(PlanField("image_url", name(column.index) if column else "no column: null",
                            (column.letter,) if column else ()))
    fields.append(_extra(layout, by_field.get("extra_field"), extra, name, all_extra))
    profile = layout.profile
    return Plan(profile.name if profile else None, profile.title if profile else None,
                tuple(fields), "list" if layout.recipe and layout.recipe.use_list else "paid",
                chosen)


def _extra(layout: Layout, column: Column | None, extra: Sequence[Column], name: object,
           all_extra: bool) -> PlanField:
    parts, letters = [], []
    if column is not None:
        parts.append(f"'{column.header}' (its JSON)")
        letters.append(column.letter)
    for kept in layout.kept:
        found = [p for p in kept.positions if p is not None]
        if found:
            parts.append(f"\"{kept.extra.key}\" ← " + " + ".join(
                f"'{kept.extra.headers()[i]}'" for i, p in enumerate(kept.positions)
                if p is not None))
            letters += [column_letter(p) for p in found]
    statuses = [r for r in layout.rules if r.tests is not None and not r.rule.skip]
    if statuses:
        parts.append('"status" of a line sold, then cancelled or returned')
    if layout.recipe is not None and layout.recipe.details and (
            layout.recipe.discounts or layout.recipe.list_unit is not None
            or layout.recipe.list_line is not None):
        parts.append('"retail_price" and "discount_amount" where the price was reduced')
    for c in extra:
        parts.append(f"\"{c.header}\" (kept as it is)")
        letters.append(c.letter)
    if all_extra:
        parts.append('a cell under no header as "column F" (its letter)')
    return PlanField("extra_field", ", ".join(parts) if parts else "{}", tuple(letters))


def _price(layout: Layout, column: Column | None, name: object) -> PlanField:
    recipe = layout.recipe
    if recipe is None:
        if column is None:
            return PlanField("price", "no column")
        return PlanField("price", f"'{column.header}'", (column.letter,))
    named = name if callable(name) else str

    def total(positions: Sequence[int]) -> str:
        text = " + ".join(named(p) for p in positions)
        return f"({text})" if len(positions) > 1 else text

    base, used = total(recipe.base), list(recipe.base)
    discounts = total(recipe.discounts)
    used += recipe.discounts
    if recipe.kind == "paid_unit":
        how = f"{base}, what was paid for a unit"
    elif recipe.kind == "paid_line":
        how = f"{base} ÷ quantity, what was paid for the line"
    elif recipe.kind == "unit":
        if discounts:
            each = "" if recipe.per_unit else " ÷ quantity"
            how = f"{base} − {discounts}{each}, the unit price after the line's discounts"
        else:
            how = f"{base}, the unit price"
    else:
        how = (f"({base} − {discounts}) ÷ quantity, the unit price after the line's discounts"
               if discounts else f"{base} ÷ quantity, the unit price")
    if recipe.tax is not None:
        how += f", plus the tax rate {named(recipe.tax)} %"
        used.append(recipe.tax)
    if recipe.use_list:
        if recipe.list_unit is not None:
            how, used = named(recipe.list_unit), [recipe.list_unit]
        elif recipe.list_line is not None:
            how, used = f"{named(recipe.list_line)} ÷ quantity", [recipe.list_line]
        elif recipe.kind in ("unit", "line"):
            how = base if recipe.kind == "unit" else f"{base} ÷ quantity"
            used = list(recipe.base)
        else:
            return PlanField("price", how + " (the export has no list price for --price list)",
                             tuple(column_letter(p) for p in used))
        if recipe.tax is not None:
            how += f", plus the tax rate {named(recipe.tax)} %"
            used.append(recipe.tax)
        how = f"the list unit price (--price list): {how}"
    return PlanField("price", how, tuple(column_letter(p) for p in used))
