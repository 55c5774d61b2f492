"""The header of an export: which row it is, and which column holds which order-item field.

The header is the first row in which two or more cells name a field (by the synonym table of
``oimtool.fields``, or as a ``--map`` names it), below any title rows; failing that, the first
row that is not blank. Each column is then matched to a field: ``--map`` first, then the
settings file, then the synonyms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..fields import FIELDS, field_named, fold, known_count
from ..format import column_letter
from ..problems import Cell, Location, Problem
from ..sources import ContentError, Source, blank_cells

REQUIRED_COLUMNS = ("order_number", "quantity", "price")
_HEADER_SEARCH_ROWS = 50


@dataclass(frozen=True)
class ReadOptions:
    """How to read the source and what to do with what does not fit."""

    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> header (--map)
    settings_mapping: Mapping[str, str] = field(default_factory=dict)  # the same, from a file
    extra: bool = False  # unmatched columns into extra_field, rather than dropped
    decimal: str | None = None  # "," or ".": how to read "1,234" when the column cannot tell


class ConvertError(Exception):
    """The source cannot be converted as asked (exit 2): no header, a --map that fits not."""


class MappingError(Exception):
    """The columns cannot be matched to the fields as asked (a usage error)."""


@dataclass(frozen=True)
class Column:
    """One column of the source: where it is and what it holds."""

    index: int  # 0-based position in the row
    header: str  # the header as written
    letter: str  # the spreadsheet column letter (a CSV's too: it becomes one when opened)
    field: str | None  # the order-item field it fills; None: an extra column


@dataclass
class Header:
    """The header of a source: its row, its columns, and the notes on how the source reads
    (problems of the source as a whole)."""

    row: int
    columns: list[Column]
    notes: list[Problem]

    def where(self, shown: str, sheet: str | None, row: int | None,
              column: Column | None) -> Location:
        """A place in the source."""
        return Location(shown, cell=Cell(sheet, row, column.header if column else None,
                                         column.letter if column else None))


def read_header(source: Source, options: ReadOptions, shown: str) -> Header:
    """Find the header of a source (reading its rows up to it) and plan its columns. Raises
    ContentError for an empty source, ConvertError for columns that cannot be matched."""
    number, cells = _find_header(source, {**options.settings_mapping, **options.mapping})
    try:
        columns = plan_columns(cells, options.mapping, options.settings_mapping)
    except MappingError as exc:
        raise ConvertError(f"{shown}: {exc}") from exc
    header = Header(number, columns, [])
    header.notes = _notes(header, source, options, shown)
    return header


def _find_header(source: Source, mapping: Mapping[str, str]) -> tuple[int, list[Any]]:
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
        if known_count(cells, mapping.values()) >= 2:
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
    for column in header.columns:
        if column.field is None and column.header and not options.extra:
            notes.append(note("OIM010", f"column {column.header!r} matches no field and is "
                              "dropped: use --extra to keep it in extra_field, or --map to "
                              "match it", column))
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
    for index, text in enumerate(texts):
        field = field_named(text) if text and index not in chosen else None
        if field is None or field in mapped:
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
            f"{', '.join(t for t in texts if t) or '(none)'}. Say which column holds it: "
            f"{example}"
        )
    return [Column(i, t, column_letter(i), chosen.get(i)) for i, t in enumerate(texts)]


def _mapped(texts: list[str], mapping: Mapping[str, str], settings: Mapping[str, str]
            ) -> dict[int, str]:
    """The columns ``--map`` and the settings file name: column index → field."""
    chosen: dict[int, str] = {}
    for name, wanted in {**settings, **mapping}.items():
        if name not in FIELDS:
            raise MappingError(f"--map {name}=…: {name} is not an order-item field; the "
                               f"fields are {', '.join(FIELDS)}")
        matches = [i for i, t in enumerate(texts) if t == wanted.strip()] or [
            i for i, t in enumerate(texts) if t and fold(t) == fold(wanted)]
        if not matches:
            if name not in mapping:
                continue  # a settings file serves several layouts: this one has no such column
            found = [t for t in texts if t]
            raise MappingError(f'--map {name}="{wanted}": there is no column "{wanted}"; '
                               f"the headers are: {', '.join(found)}")
        if matches[0] in chosen:
            raise MappingError(f'--map {chosen[matches[0]]} and --map {name} both name the '
                               f'column "{texts[matches[0]]}": a column holds one field')
        chosen[matches[0]] = name
    return chosen
