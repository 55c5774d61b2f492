"""The header of an export: which row it is, and which column holds which order-item field.

The header is the first row in which two or more cells name a field (by the synonym table of
``oimtool.fields``, or as a ``--map`` names it), or that a platform profile recognises, below
any title rows; failing that, the first row that is not blank. A recognised (or chosen) profile
then says what each column means (``profiles``, ``layout``); without one, each column is matched
to a field: ``--map`` first, then the settings file, then the synonyms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..fields import FIELDS, did_you_mean, field_called, field_match, known_count, words
from ..format import column_letter, with_article
from ..problems import Cell, Location, Plan, Problem
from ..sources import ContentError, Source, blank_cells
from .layout import Column, Layout, compile_profile, find, plan
from .profiles import Profile, from_data, named, other_report, recognise

REQUIRED_COLUMNS = ("order_number", "quantity", "price")
_HEADER_SEARCH_ROWS = 50
#: Words in a header that make it a candidate for a required field nothing matched.
_HINTS = {
    "order_number": ("order", "siparis", "number", "no", "id", "code", "kodu", "numarasi"),
    "quantity": ("qty", "quantity", "adet", "miktar", "count", "units", "adedi"),
    "price": ("price", "fiyat", "fiyati", "amount", "tutar", "tutari", "total", "cost",
              "subtotal"),
}


@dataclass(frozen=True)
class ReadOptions:
    """How to read the source and what to do with what does not fit."""

    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> header (--map)
    settings_mapping: Mapping[str, str] = field(default_factory=dict)  # the same, from a file
    #: columns into extra_field: True every column that fills no field, or these headers
    extra: bool | tuple[str, ...] = False
    decimal: str | None = None  # "," or ".": how to read "1,234" when the column cannot tell
    #: a built-in profile's name, a profile file, or "none"; None: recognised by the header
    profile: str | None = None
    settings_profile: Mapping[str, Any] | None = None  # [tool.oimtool.profile]
    price: str = "paid"  # "paid" (after the line's discounts) or "list"
    price_details: bool = True  # retail_price and discount_amount into extra_field
    profile_from: str = "--profile"  # where ``profile`` was given: --profile, or "settings"
    order_numbers: Mapping[str, str] | None = None  # internal order id -> order number
    order_numbers_file: str | None = None  # where they came from, for messages


class ConvertError(Exception):
    """The source cannot be converted as asked (exit 2): no header, a --map that fits not."""


class MappingError(Exception):
    """The columns cannot be matched to the fields as asked (a usage error)."""


@dataclass
class Header:
    """The header of a source: its row, its columns, the notes on how the source reads
    (problems of the source as a whole), the layout and the plan that says it."""

    row: int
    columns: list[Column]
    notes: list[Problem]
    layout: Layout = field(default_factory=Layout)
    plan: Plan | None = None
    extra: tuple[Column, ...] = ()  # the columns --extra keeps, by their header

    def where(self, shown: str, sheet: str | None, row: int | None,
              column: Column | None) -> Location:
        """A place in the source."""
        return Location(shown, cell=Cell(sheet, row, column.header if column else None,
                                         column.letter if column else None))


def read_header(source: Source, options: ReadOptions, shown: str) -> Header:
    """Find the header of a source (reading its rows up to it) and plan its columns. Raises
    ContentError for an empty source, ConvertError for columns that cannot be matched."""
    chosen, explicit = _chosen_profile(options)
    settings = None
    if options.settings_profile is not None and chosen == "recognised":
        settings = from_data(options.settings_profile, "[profile] of the settings file")
    own = tuple(p for p in (explicit, settings) if p is not None)
    wanted = [*options.settings_mapping.values(), *options.mapping.values(),
              *(explicit.signature if explicit else ())]
    number, cells = _find_header(source, wanted, auto=chosen == "recognised", own=own)
    texts = ["" if cell is None else str(cell).strip() for cell in cells]
    profile = explicit
    if chosen == "recognised":
        # the settings file's profile, where its export is this one; else a built-in one
        if settings is not None and settings.matches(texts):
            profile, chosen = settings, "settings"
        else:
            profile = recognise(cells)
    try:
        unfit = explicit is not None and bool(explicit.missing(texts))
        if (profile is None and chosen != "none") or unfit:
            _refuse_other_report(cells, own)
        if explicit is not None:
            missing = explicit.missing(texts)
            if missing:
                raise MappingError(
                    f"{chosen} {explicit.name}: the header lacks "
                    f"{', '.join(repr(m) for m in missing)}, which "
                    f"{with_article(explicit.title)} has; use --profile none to match the "
                    "columns by their names")
        if profile is not None:
            columns, layout = _profile_columns(texts, profile, options)
        else:
            columns = plan_columns(cells, options.mapping, options.settings_mapping)
            layout = Layout()
        if profile is not None and not {"product", "sku"} & {c.field for c in columns}:
            raise MappingError(
                f"no column for product or sku, which {with_article(profile.title)} has: every "
                "item would "
                "show the shopper nothing but a price. Export the order lines with their "
                'product names or SKUs, or say which column holds one: --map product="…"')
        extra = _extra_columns(columns, options.extra)
    except MappingError as exc:
        raise ConvertError(f"{shown}: {exc}") from exc
    if options.order_numbers is not None and layout.internal is None:
        raise ConvertError(f"{shown}: --order-numbers {options.order_numbers_file}: the export "
                           "has no column of the platform's internal order ids to look up "
                           "(the profile's [order] internal_id)")
    header = Header(number, columns, [], layout, None, extra)
    header.notes = _notes(header, source, options, shown)
    if chosen == "--profile" and options.profile_from != "--profile":
        chosen = options.profile_from
    header.plan = plan(layout, columns, chosen if profile else "headers", extra,
                       all_extra=options.extra is True)
    return header


def _chosen_profile(options: ReadOptions) -> tuple[str, Profile | None]:
    """How the profile is chosen ("--profile", "settings", "none", "recognised") and the
    profile chosen by name or file, if any."""
    if options.profile is not None:
        if options.profile.strip().lower() == "none":
            return "none", None
        given = ("--profile" if options.profile_from == "--profile" else
                 "the settings file's profile")
        return "--profile", named(options.profile, given)
    return "recognised", None


def _refuse_other_report(cells: Sequence[object], own: Sequence[Profile]) -> None:
    found = other_report(cells, own)
    if found is not None:
        profile, other = found
        raise MappingError(f"this is not an export of order lines ({profile.name}): "
                           f"{other.advice}")


def _profile_columns(texts: list[str], profile: Profile, options: ReadOptions
                     ) -> tuple[list[Column], Layout]:
    """The columns as a profile reads them: its columns (``--map`` over them), its price
    recipe, its line rules; no synonyms."""
    chosen = _mapped(texts, options.mapping, options.settings_mapping)
    taken = {f: i for i, f in chosen.items()}
    for name, headers in profile.columns.items():
        if name in taken:
            continue
        position = next((p for p in (find(texts, h) for h in headers) if p is not None), None)
        if position is not None and position not in chosen:
            chosen[position] = name
            taken[name] = position
    price_mapped = "price" in taken
    if not price_mapped:
        base = next((at for _, names in profile.prices.bases
                     if (at := find(texts, names[0])) is not None), None)
        if base is not None and base not in chosen:
            chosen[base] = "price"
            taken["price"] = base
    layout = compile_profile(profile, texts, taken, use_list=options.price == "list",
                             details=options.price_details, price_mapped=price_mapped)
    internal = find(texts, profile.internal_id) if profile.internal_id else None
    if internal is not None and "order_number" not in taken:
        if options.order_numbers is None:
            wanted = profile.columns.get("order_number", ("the order number",))[0]
            raise MappingError(
                f"this {profile.title} holds only {profile.internal_id!r}, the platform's "
                f"internal order id, not the order number the customer knows ({wanted!r}); "
                "oimtool will not guess one from the other. Export the lines with the column "
                f"{wanted!r} (joined from the orders table), or give a file of both "
                f"with --order-numbers FILE (a CSV: {profile.internal_id}, {wanted})")
        layout = layout._replace(order_numbers=options.order_numbers, internal=internal)
    elif options.order_numbers is not None and internal is not None:
        layout = layout._replace(order_numbers=options.order_numbers, internal=internal)
    missing = [f for f in REQUIRED_COLUMNS if f not in taken and not (
        f == "order_number" and layout.internal is not None)]
    if missing:
        raise MappingError(_missing(missing, texts, taken, profile))
    columns = [Column(i, t, column_letter(i), chosen.get(i)) for i, t in enumerate(texts)]
    return columns, layout


def _extra_columns(columns: list[Column], extra: bool | tuple[str, ...]) -> tuple[Column, ...]:
    """The columns --extra keeps: every one that fills no field, or those it names."""
    if extra is True:
        return tuple(c for c in columns if c.field is None and c.header)
    if not extra:
        return ()
    headers = [c.header for c in columns]
    kept = []
    for name in extra:
        position = find(headers, name)
        if position is None:
            raise MappingError(f"--extra {name!r}: there is no such column; the headers are: "
                               f"{', '.join(h for h in headers if h)}")
        if columns[position].field is not None:
            raise MappingError(f"--extra {name!r}: that column fills {columns[position].field}")
        kept.append(columns[position])
    return tuple(kept)


def _missing(missing: list[str], texts: Sequence[str], taken: Mapping[str, int],
             profile: Profile | None = None) -> str:
    """The message for required fields no column fills: all of them, with candidates."""
    used = set(taken.values())
    parts = []
    for name in missing:
        hints = _HINTS[name]
        candidates = [t for i, t in enumerate(texts) if t and i not in used
                      and any(w in hints for w in words(t))]
        parts.append(f"{name} (candidates: {', '.join(repr(c) for c in candidates[:8])})"
                     if candidates else name)
    example = " ".join(f'--map {f}="…"' for f in missing)
    where = f" that the profile {profile.name} expects" if profile else ""
    joined = ("; " if any("(" in part for part in parts) else ", ").join(parts)
    return (f"no column{where} for {joined} (required); the headers are: "
            f"{', '.join(t for t in texts if t) or '(none)'}. Say which column holds it: "
            f"{example}")


def _find_header(source: Source, wanted: Iterable[str], *, auto: bool,
                 own: Sequence[Profile] = ()) -> tuple[int, list[Any]]:
    first: tuple[int, list[Any]] | None = None
    while True:
        rows, error = source.take(1)
        if error is not None:
            raise error
        if not rows:
            if first is None:
                raise ContentError("the export is empty: there is no row to read")
            return first
        number, cells = rows[0]
        if blank_cells(cells):
            continue
        if first is None:
            first = (number, cells)
        if known_count(cells, wanted) >= 2 or (auto and recognise(cells) is not None) or any(
                p.matches(c.strip() for c in cells if isinstance(c, str)) for p in own):
            return number, cells
        if number - first[0] >= _HEADER_SEARCH_ROWS:
            return first


def _notes(header: Header, source: Source, options: ReadOptions, shown: str
           ) -> list[Problem]:
    sheet = source.sheet

    def note(code: str, message: str, column: Column | None = None) -> Problem:
        return Problem(code, message, header.where(shown, sheet, header.row, column))

    notes = [Problem("OIM015", text, header.where(shown, sheet, None, None))
             for text in source.notes]
    if header.row > 1:
        notes.append(note("OIM015", f"the header is row {header.row}: the rows above it were "
                          "taken for titles and skipped"))
    mapped = {c.field for c in header.columns if c.field}
    for name in ("product", "sku", "image_url"):
        if name not in mapped:
            notes.append(note("OIM011", f"no column for {name}: every item gets \"{name}\": "
                              f"null (use --map {name}=\"…\" if a column holds it)"))
    if options.extra is not True:
        layout = header.layout
        read = layout.used | {c.index for c in header.extra}
        if layout.internal is not None:
            read |= {layout.internal}
        left = [c for c in header.columns
                if c.field is None and c.header and c.index not in read]
        if left:
            shown_left = ", ".join(repr(c.header) for c in left[:12])
            more = f" and {len(left) - 12} more" if len(left) > 12 else ""
            notes.append(note("OIM010", (
                f"{len(left)} column{'s' if len(left) > 1 else ''} left out, matching no "
                f"field: {shown_left}{more}. --extra NAME keeps one in extra_field (--extra "
                "all: every one), --map FIELD=NAME reads one as a field"),
                left[0] if len(left) == 1 else None))
    return notes


def plan_columns(header: Sequence[object], mapping: Mapping[str, str],
                 settings: Mapping[str, str] | None = None) -> list[Column]:
    """Match a header row to the fields: ``mapping`` (field → header, from --map) first,
    then ``settings`` (the same, from a settings file: used where the header is there), then
    the synonyms. Raises MappingError for an unknown field or header in ``mapping``, two
    fields given one column, a field two columns claim, or a missing required column."""
    texts = ["" if cell is None else str(cell).strip() for cell in header]
    chosen = _mapped(texts, mapping, settings or {})
    wanted_by = {**(settings or {}), **mapping}
    mapped = {f for f in wanted_by if f in chosen.values()}
    taken = {field: index for index, field in chosen.items()}
    best: dict[str, tuple[int, list[int]]] = {}  # field -> (how surely, columns)
    for index, text in enumerate(texts):
        match = field_match(text) if text and index not in chosen else None
        if match is None or match[0] in mapped or match[0] in taken:
            continue
        name, sure = match
        known = best.get(name)
        if known is None or sure > known[0]:
            best[name] = (sure, [index])
        elif sure == known[0]:
            known[1].append(index)
    for name, (_, indexes) in best.items():
        if len(indexes) > 1:
            first, second = texts[indexes[0]], texts[indexes[1]]
            raise MappingError(f'both "{first}" and "{second}" look like {name}; choose one '
                               f'with --map {name}="{first}"')
        chosen[indexes[0]] = name
        taken[name] = indexes[0]
    missing = [f for f in REQUIRED_COLUMNS if f not in taken]
    if missing:
        raise MappingError(_missing(missing, texts, taken))
    return [Column(i, t, column_letter(i), chosen.get(i)) for i, t in enumerate(texts)]


def _mapped(texts: list[str], mapping: Mapping[str, str], settings: Mapping[str, str]
            ) -> dict[int, str]:
    """The columns ``--map`` and the settings file name: column index → field."""
    chosen: dict[int, str] = {}
    for given, wanted in {**settings, **mapping}.items():
        name = field_called(given)
        if name is None:
            where = "--map" if given in mapping else "the settings file's map:"
            raise MappingError(f"{where} {given}=…: {given} is not an order-item field"
                               f"{did_you_mean(given)}; the fields are {', '.join(FIELDS)}")
        at = find(texts, wanted)
        if at is None:
            if given not in mapping:
                continue  # a settings file serves several layouts: this one has no such column
            found = [t for t in texts if t]
            raise MappingError(f'--map {name}="{wanted}": there is no column "{wanted}"; '
                               f"the headers are: {', '.join(found)}")
        if at in chosen:
            raise MappingError(f'--map {chosen[at]} and --map {name} both name the '
                               f'column "{texts[at]}": a column holds one field')
        chosen[at] = name
    return chosen
