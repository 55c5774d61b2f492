"""``oimtool convert``: a CSV/TSV/Excel export to the order-item JSON, row by row.

Each row becomes an item, which is then checked by exactly the code ``oimtool check`` uses;
every problem names the row and the column of the source it came from. Rows are streamed in
batches, converted here or, for a large source, in forked worker processes: only the order
numbers, one fingerprint per row and the batches in flight are held.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import count, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from .check import fingerprint, order_lookup
from .columns import Column, MappingError, known_count, letter, plan_columns
from .dedup import Seen
from .fields import FIELDS, QUANTITY_MAX, has_price_places, is_float_noise
from .numbers import ParsedNumber, parse_number_text
from .orders import OrderIndex
from .problems import Problem, Source, Summary, pointer
from .readers import (
    ContentError,
    Export,
    open_sheet_at,
    open_source,
    open_text_at,
    sheet_rows,
    text_offset_after,
    text_piece_rows,
)
from .rules import Severity
from .validate import Finding, explain, is_clean, show
from .xlsx import XmlPiece, parse_piece

_HEADER_SEARCH_ROWS = 50
_EXACT_DIGITS = 15  # what a spreadsheet keeps of a number
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SIMPLE_DECIMAL = re.compile(r"([0-9]+)([.,])([0-9]+)\Z")
#: "6.643,95", "1,234,567.5": thousands grouped one way, decimals the other (unambiguous).
_GROUPED_DECIMAL = re.compile(r"([1-9][0-9]{0,2}(?:([.,])[0-9]{3})+)(?!\2)[.,]([0-9]+)\Z")
#: A whole column of a batch written the usual way, one cell a line, read at once
#: (``Converter._bulk``): plain digits, or decimals after a comma with dots grouping
#: thousands (or after a point, commas grouping): what the cell readers' fast paths read.
_BULK_COMMA = re.compile(
    r"(?:(?:[1-9][0-9]{0,2}(?:\.[0-9]{3}){1,4},[0-9]{1,2}|[0-9]{1,15}(?:,[0-9]{1,2})?)\n)*\Z")
_BULK_POINT = re.compile(
    r"(?:(?:[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4}\.[0-9]{1,2}|[0-9]{1,15}(?:\.[0-9]{1,2})?)\n)*\Z")
_UNREAD = object()  # a cell the bulk reading left to its reader
#: Digits Python turns into an int without complaint (sys.get_int_max_str_digits()); a cell
#: with more is reported as too large, and kept as text.
_INT_DIGITS = 4300
_FLOAT_DIGITS = 308  # and a float: beyond, infinity
_NUMERIC = ("quantity", "price")
_six = itemgetter("order_number", "product", "sku", "quantity", "price", "image_url")
_NONE = [None]
#: Data rows per batch: the unit of work of a worker process.
BATCH_ROWS = 2000
#: A sheet of this many rows or more is converted by worker processes, in pieces of
#: SHEET_PIECE_ROWS rows (few in flight: memory stays flat).
SHEET_PARALLEL_ROWS = 50_000
SHEET_PIECE_ROWS = 10_000
#: A sheet read as a stream goes to the workers as pieces of its XML of about this size.
XML_PIECE_BYTES = 1 << 20

Found = list[tuple[str, str, Any, str]]  # what reading cells found: (code, field, value, message)
Reader = Callable[[Any, Found], Any]


@dataclass(frozen=True)
class ConvertOptions:
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


class Undecided(Exception):
    """A number reads two ways and its column has not been looked through yet."""


class RowBatch(NamedTuple):
    """Consecutive data rows, (row number, cells), the first of them data row ``first``."""

    first: int
    rows: list[tuple[int, list[Any]]]
    blank: int  # blank rows skipped among them


class Converted(NamedTuple):
    """A batch converted and checked: small, to travel back from a worker process."""

    first: int  # index of its first data row
    rows: int  # data rows
    blank: int  # blank rows skipped among them
    valid: int
    items: bytes  # the valid items, as the body of a JSON array (2-space indent, no brackets);
    # from a worker, a parallel.Parcel until the main process takes it
    numbers: bytes  # array('I'): the row number of each data row
    fingerprints: bytes  # array('q'): one per data row
    referenced: list[bytes]  # per orders file, array('I') of the orders the rows refer to
    problems: list[Problem]  # in row order
    rejected: list[tuple[int, list[Any], list[str]]]  # (row number, cells, error messages)


class Piece(NamedTuple):
    """A stretch of the source a worker reads itself: a byte range of a text file (its rows
    numbered from 1), or a range of a sheet's rows (numbered as the sheet does)."""

    start: int
    stop: int
    final: bool = False


def _moved(problem: Problem, index: int, row: int) -> Problem:
    """A problem found in a piece, placed in the whole source."""
    new_index = None if problem.index is None else problem.index + index
    source = problem.source
    if source is not None and source.row is not None and row:
        source = replace(source, row=source.row + row)
    where = None if new_index is None else (
        pointer(new_index, problem.field) if problem.field else pointer(new_index))
    return replace(problem, index=new_index, pointer=where, source=source)


def rebase(converted: Converted, index: int, row: int) -> Converted:
    """A piece's batch with its rows placed in the whole source: data rows after ``index``
    others, row numbers after ``row`` others."""
    numbers = array("I", converted.numbers)
    if row:
        numbers = array("I", (n + row for n in numbers))
    return converted._replace(
        first=converted.first + index, numbers=numbers.tobytes(),
        problems=[_moved(p, index, row) for p in converted.problems],
        rejected=[(n + row, cells, messages) for n, cells, messages in converted.rejected],
    )


def _json_value(cell: Any) -> Any:
    """A workbook cell as JSON can hold it."""
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
    value = _json_value(cell)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


class Converter:
    """Everything needed to convert the rows of one source, decided from its header.

    ``problems`` holds what concerns the source as a whole (columns, encoding); ``batches``
    reads the rows; ``convert`` turns a batch into checked items, the same here or in a worker.
    """

    def __init__(self, path: str | Path, options: ConvertOptions = ConvertOptions(), *,
                 orders: Sequence[OrderIndex] = (), keep_rejected: bool = False) -> None:
        self.path = Path(path)
        self.shown = str(path)
        self.options = options
        self.orders = orders
        self.keep_rejected = keep_rejected
        self.source = open_source(path, sheet=options.sheet, encoding=options.encoding,
                                  delimiter=options.delimiter)
        self.problems: list[Problem] = []
        self.header_row = 0
        self.header: list[str] = []
        self.columns: list[Column] = []
        self.decimal: dict[str, str | None] = {f: options.decimal for f in _NUMERIC}
        self.scanned = options.decimal is not None
        self.rows_read = 0
        try:
            self._find_header()
        except BaseException:
            self.source.close()
            raise
        self._plan()

    # -- the header ---------------------------------------------------------------------
    def _find_header(self) -> None:
        first: tuple[int, list[Any]] | None = None
        source = self.source
        while True:
            rows, error = source.take(1)
            if error is not None:
                raise error
            if not rows:
                if first is None:
                    raise ContentError("the export is empty: there is no row to read")
                number, cells = first
                break
            number, cells = rows[0]
            if _blank(cells):
                continue
            if first is None:
                first = (number, cells)
            if known_count(cells, {**self.options.settings_mapping,
                                   **self.options.mapping}) >= 2:
                break
            if number - first[0] >= _HEADER_SEARCH_ROWS:
                number, cells = first
                break
        self.rows_read = source.last
        try:
            self.columns = plan_columns(cells, self.options.mapping,
                                        self.options.settings_mapping)
        except MappingError as exc:
            raise ConvertError(f"{self.shown}: {exc}") from exc
        self.header_row = number
        self.header = [c.header for c in self.columns]
        self._source_notes()

    def _note(self, code: str, message: str, column: Column | None = None,
              row: int | None = None) -> None:
        self.problems.append(Problem(
            code, message, self.shown, source=self.where(row or self.header_row, column),
        ))

    def _source_notes(self) -> None:
        for note in self.source.notes:
            self.problems.append(Problem("OIM015", note, self.shown,
                                         source=self.where(None, None)))
        if self.header_row > 1:
            self._note("OIM015", f"the header is row {self.header_row}: the rows above it were "
                       "taken for titles and skipped")
        mapped = {c.field for c in self.columns if c.field}
        for name in ("product", "sku", "image_url"):
            if name not in mapped:
                self._note("OIM011", f"no column for {name}: every item gets \"{name}\": null "
                           f"(use --map {name}=\"…\" if a column holds it)")
        for column in self.columns:
            if column.field is None and column.header and not self.options.extra:
                self._note("OIM010", f"column {column.header!r} matches no field and is "
                           "dropped: use --extra to keep it in extra_field, or --map to match "
                           "it", column)

    def _plan(self) -> None:
        """Choose, once, where each field's cell is and the function that reads it."""
        self._by_field = {c.field: c for c in self.columns if c.field}
        self._width = len(self.columns)
        # A field without a column reads the cell past the last column, which a padded row
        # has (None); a row needs padding when it is short or such a field exists.
        positions = [self._by_field[f].index if f in self._by_field else self._width
                     for f in FIELDS[:-1]]
        self._pad = self._width in positions
        self._cells = itemgetter(*positions)
        self._quantity_at, self._price_at = positions[3], positions[4]
        extra_column = self._by_field.get("extra_field")
        self._extra_at = extra_column.index if extra_column else None
        self._read = (
            self._code_reader("order_number"), _text, self._code_reader("sku"),
            self._number_reader("quantity", integral=True),
            self._number_reader("price", integral=False), _text,
        )
        self._extra_columns = [(c.index, c.header) for c in self.columns
                               if c.field is None and c.header] if self.options.extra else []
        # Cells under no header: columns with an empty header, and any past the last one
        # (a position at or past the header's width marks the start of those).
        self._unnamed = [c.index for c in self.columns if not c.header] or [self._width]
        self._keep_extra = bool(self.options.extra)

    def where(self, row: int | None, column: Column | None) -> Source:
        """A place in the source."""
        return Source(self.shown, self.source.sheet, row,
                      column.header if column else None, column.letter if column else None)

    def done(self) -> float:
        """The fraction of the source read so far, for a progress bar."""
        source = self.source
        try:
            read = source.progress() if source.progress else self.rows_read
        except (OSError, ValueError):
            return 0.0
        return min(1.0, read / source.size) if source.size else 0.0

    # -- reading rows -------------------------------------------------------------------
    def batches(self, source: Export | None = None, first: int = 0) -> Iterator[RowBatch]:
        """The data rows in batches, blank rows counted and left out, from the source (or
        ``source``: the rest of it, read from elsewhere). Raises ContentError when the source
        breaks off (a quote never closed, bytes not in its encoding), after the rows before."""
        source = source or self.source
        while True:
            rows, error = source.take(BATCH_ROWS)
            self.rows_read += len(rows)
            if rows:
                batch = self.batch(rows, first)
                yield batch
                first += len(batch.rows)
            if error is not None:
                raise error
            if len(rows) < BATCH_ROWS:
                return

    def batch(self, rows: list[tuple[int, list[Any]]], first: int) -> RowBatch:
        """Rows as a batch: the blank ones counted and left out."""
        if self.source.is_sheet:
            data = [row for row in rows if not _blank(row[1])]
        else:
            data = [row for row in rows if "".join(row[1]).strip()]
        return RowBatch(first, data, len(rows) - len(data))

    # -- pieces for workers -------------------------------------------------------------
    def pieces(self, jobs: int) -> Iterator[Piece]:
        """Cut what is left of the source after the header into pieces for ``jobs`` workers.

        A text file is cut after a line break near every ``PIECE_BYTES``; a cut inside a
        quoted cell is caught by the piece before it not ending between records. A sheet
        (which the workers inherit, read) is cut into ranges of ``SHEET_PIECE_ROWS`` rows."""
        from .parallel import PIECE_BYTES

        source = self.source
        if source.stream is not None:
            start = source.stream.start_after(self.header_row)
            assert start is not None  # _large() asks first
            yield from source.stream.pieces(start, XML_PIECE_BYTES)
            return
        if source.is_sheet:
            start = self.header_row  # rows counted from row 1
            total = source.size
            for begin in range(start, total, SHEET_PIECE_ROWS):
                end = min(begin + SHEET_PIECE_ROWS, total)
                yield Piece(begin, end, end >= total)
            return
        assert source.encoding is not None and source.delimiter is not None
        start = text_offset_after(self.path, source.encoding, source.delimiter,
                                  self.header_row)
        size = source.size
        with open(self.path, "rb") as handle:
            while start < size:
                nominal = start + PIECE_BYTES
                if nominal >= size:
                    yield Piece(start, size, True)
                    return
                handle.seek(nominal)
                tail = handle.read(64 * 1024)
                cut = tail.find(b"\n")
                if cut < 0:  # no line break near: the rest as one piece
                    yield Piece(start, size, True)
                    return
                yield Piece(start, nominal + cut + 1)
                start = nominal + cut + 1

    def piece_rows(self, piece: Piece | XmlPiece) -> list[tuple[int, list[Any]]] | None:
        """A piece's rows; None when a text piece does not parse on its own."""
        source = self.source
        if type(piece) is XmlPiece:
            parsed = parse_piece(source.stream.book, piece)
            if parsed is None:
                return None
            rows, self._span = parsed[0], parsed[1:]
            return rows
        if source.is_sheet:
            return sheet_rows(source, piece.start, piece.stop)
        assert source.encoding is not None and source.delimiter is not None
        return text_piece_rows(self.path, piece.start, piece.stop, source.encoding,
                               source.delimiter)

    def convert_piece(self, piece: Piece | XmlPiece,
                      decimal: Mapping[str, str | None] | None = None
                      ) -> tuple[Any, list[Converted]] | None:
        """A piece's rows converted, numbered from its start: (rows, batches); None when it
        must be read here (it does not parse on its own). Raises Undecided like convert.
        For a piece of a sheet's XML, ``rows`` is the numbers of the first and the last row
        with a value in it (0, 0: none)."""
        rows = self.piece_rows(piece)
        if rows is None:
            return None
        batches = []
        first = 0
        for at in range(0, len(rows), BATCH_ROWS):
            batch = self.batch(rows[at: at + BATCH_ROWS], first)
            batches.append(self.convert(batch, decimal))
            first += len(batch.rows)
        return (self._span if type(piece) is XmlPiece else len(rows)), batches

    # -- converting rows ----------------------------------------------------------------
    def convert(self, batch: RowBatch, decimal: Mapping[str, str | None] | None = None
                ) -> Converted:
        """Convert and check a batch. Raises Undecided when a number reads two ways and
        neither ``decimal`` nor this converter knows how its column writes decimals."""
        if decimal is not None:
            self.decimal.update(decimal)
        keys = array("q")
        referenced = [array("I") for _ in self.orders]
        problems: list[Problem] = []
        rejected: list[tuple[int, list[Any], list[str]]] = []
        valid_items = []
        orders = self.orders
        rows = batch.rows
        quantities, prices = self._bulk(rows)
        for index, (number, cells), q, p in zip(count(batch.first), rows, quantities, prices):
            item, found = self._item(number, cells, q, p)
            looked_up = order_lookup(item["order_number"], orders) if orders else None
            if is_clean(item):
                keys.append(hash(_six(item)) if not item["extra_field"] else fingerprint(item))
                if type(looked_up) is tuple:
                    referenced[looked_up[0]].append(looked_up[1])
                    looked_up = None
                if not found and looked_up is None:  # the usual row: nothing to say
                    valid_items.append(item)
                    continue
                findings: list[Finding] = []
            else:
                findings = explain(item)
                keys.append(fingerprint(item))
                if type(looked_up) is tuple:
                    referenced[looked_up[0]].append(looked_up[1])
                    looked_up = None
            if looked_up is not None:
                findings.append(looked_up)
            row_problems = [self._problem(index, number, c, name, value, message)
                            for c, name, value, message in found] if found else []
            if found:  # a cell reading failed: its field's own problem says it already
                failed = {name for code, name, _, _ in found if code in _CELL_FAILED}
                findings = [f for f in findings if f.key not in failed]
            for f in findings:
                row_problems.append(self._problem(index, number, f.code, f.key or "", f.value,
                                                  f.message, f.fix))
            errors = [p for p in row_problems if p.severity is Severity.ERROR]
            if errors:
                if self.keep_rejected:
                    rejected.append((number, cells, [f"{p.code} {p.message}" for p in errors]))
            else:
                valid_items.append(item)
            problems.extend(row_problems)
        body = orjson.dumps(valid_items, option=orjson.OPT_INDENT_2)[2:-2]
        numbers = array("I", (row[0] for row in batch.rows))
        return Converted(batch.first, len(batch.rows), batch.blank, len(valid_items), body,
                         numbers.tobytes(), keys.tobytes(), [r.tobytes() for r in referenced],
                         problems, rejected)

    def _bulk(self, rows: list[tuple[int, list[Any]]]) -> tuple[Iterable[Any], Iterable[Any]]:
        """The quantities and the prices of a batch, each column read at once at C speed
        when every cell of it is text of the usual kind (the cell readers' fast paths, giving
        the same values); else ``_UNREAD`` for each, left to the cell readers."""
        unread = repeat(_UNREAD)
        try:
            quantities = [cells[self._quantity_at] for _, cells in rows]
            prices = [cells[self._price_at] for _, cells in rows]
            quantity_text = "".join(quantities)
            price_text = "\n".join(prices)
        except (IndexError, TypeError):  # a short row, a cell that is no text
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

    def _item(self, number: int, cells: list[Any], q: Any = _UNREAD, p: Any = _UNREAD
              ) -> tuple[dict[str, Any], Found]:
        """The item of a row, and what its cells' readers found; ``q`` and ``p``: its
        quantity and price, when they were read already (``_bulk``)."""
        found: Found = []
        width = len(cells)
        if width > self._unnamed[0]:
            stray = [(i, c) for i in self._unnamed_in(width) if not _empty(c := cells[i])]
            if stray:
                self._stray(stray, found)
        if width == self._width:
            v = self._cells(cells + _NONE) if self._pad else self._cells(cells)
        else:
            v = self._cells(cells[: self._width] + [None] * (self._width + 1 - min(
                width, self._width)))
        order_number, product, sku, quantity, price, image_url = self._read
        extra_at = self._extra_at
        item = {
            "order_number": order_number(v[0], found), "product": product(v[1], found),
            "sku": sku(v[2], found),
            "quantity": quantity(v[3], found) if q is _UNREAD else q,
            "price": price(v[4], found) if p is _UNREAD else p,
            "image_url": image_url(v[5], found),
            "extra_field": {} if extra_at is None or extra_at >= width else
            _extra_field(cells[extra_at], found),
        }
        if self._keep_extra:
            extra = {header: _json_value(cells[i]) for i, header in self._extra_columns
                     if i < width and not _empty(cells[i])}
            if width > self._unnamed[0]:
                extra.update((f"column {letter(i)}", _json_value(cells[i]))
                             for i in self._unnamed_in(width) if not _empty(cells[i]))
            if extra and isinstance(item["extra_field"], dict):
                item["extra_field"] = {**item["extra_field"], **extra}
        return item, found

    def _unnamed_in(self, width: int) -> Iterator[int]:
        """The positions of a row of ``width`` cells that have no header."""
        yield from (i for i in self._unnamed if i < width)
        yield from range(max(self._width, self._unnamed[-1] + 1 if self._unnamed else 0),
                         width)

    def _stray(self, stray: list[tuple[int, Any]], found: Found) -> None:
        if self.options.extra:
            return  # kept in extra_field as "column F"
        values = ", ".join(f"{letter(i)}: {show(cell_text(c))}" for i, c in stray[:5])
        count = f"{len(stray)} cell{'s' if len(stray) > 1 else ''}"
        found.append(("OIM016", "", None, (
            f"the row has {count} under no header ({values}); dropped: check the row for a "
            f"stray delimiter, or name the column (--extra keeps such cells, as "
            f"\"column {letter(stray[0][0])}\")"
        )))

    def _problem(self, index: int, number: int, code: str, name: str, value: Any, message: str,
                 fix: Any = None) -> Problem:
        return Problem(code, message, self.shown, index,
                       pointer(index, name) if name else pointer(index), name or None, value,
                       fix, source=self.where(number, self._by_field.get(name)))

    # -- values -------------------------------------------------------------------------
    def _code_reader(self, name: str) -> Reader:
        def read(cell: Any, found: Found) -> Any:
            if cell is None:
                return None
            if type(cell) is str:
                text = cell.strip()
                if not text:
                    return None
                if (("e" in text or "E" in text) and (text[0] in "+-" or text[0].isdigit())
                        and _SCIENTIFIC.match(text)):
                    found.append(("OIM013", name, text, (
                        f"{name} {show(text)} is in scientific notation: the spreadsheet turned "
                        "a long code into a number and its digits are lost. Format the column "
                        "as text and export again"
                    )))
                return text
            return _code(name, cell, found)
        return read

    def _number_reader(self, name: str, *, integral: bool) -> Reader:
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
                        return _too_many_digits(name, text, found)
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
                        return _too_many_digits(name, text, found)
                    if integral:
                        return int(value) if value.is_integer() else value
                    return _without_noise(value) if len(fraction) > 2 else value
            return self._number(name, cell, found, integral=integral)
        return read

    def _number(self, name: str, cell: Any, found: Found, *, integral: bool) -> Any:
        if isinstance(cell, bool) or not isinstance(cell, (str, int, float)):
            return _json_value(cell)
        if isinstance(cell, (int, float)):
            value: Any = cell
        else:
            parsed = parse_number_text(cell)
            if parsed is None:
                return cell.strip()
            value = self._decide(name, cell, parsed, found)
            if value is None:
                return cell.strip()
            if not math.isfinite(float(value)):
                return _too_many_digits(name, cell.strip(), found)
        if integral:
            return int(value) if float(value).is_integer() and abs(value) < 2**63 else float(
                value)
        return _without_noise(float(value))

    def _decide(self, name: str, text: str, parsed: ParsedNumber, found: Found) -> Any:
        """The value of a number written as text, reading "1,234" the way its column does."""
        if not parsed.ambiguous:
            return parsed.value
        decimal = self.decimal[name]
        if decimal is None and not self.scanned:
            raise Undecided(name)
        if decimal == parsed.separator:
            return parsed.value
        if decimal in (",", "."):
            return parsed.alternative
        why = ("its column writes decimals both ways" if decimal == "mixed" else
               f"its column never uses '{parsed.separator}' otherwise")
        found.append(("OIM012", name, text, (
            f"{name} {show(text.strip())} reads as {parsed.value} or {parsed.alternative}, and "
            f"{why}: write it without thousands separators, or say how the column writes "
            "decimals with --decimal , or --decimal ."
        )))
        return None

    def scan(self) -> None:
        """Look through the numeric columns for how they write decimals: once, on the first
        number that reads two ways."""
        self.scanned = True
        wanted = {c.index: c.field for c in self.columns if c.field in _NUMERIC}
        learned: dict[str, str] = {}
        source = open_source(self.path, sheet=self.options.sheet,
                             encoding=self.source.encoding, delimiter=self.source.delimiter)
        try:
            for number, cells in source:
                if number <= self.header_row:
                    continue
                for position, name in wanted.items():
                    cell = cells[position] if position < len(cells) else None
                    if not isinstance(cell, str):
                        continue
                    parsed = parse_number_text(cell)
                    if parsed and parsed.separator and not parsed.ambiguous:
                        known = learned.get(name)
                        learned[name] = parsed.separator if known in (
                            None, parsed.separator) else "mixed"
        except (ContentError, OSError):
            pass
        finally:
            source.close()
        for name, separator in learned.items():
            self.decimal[name] = separator


def convert_in_worker(piece: Piece, decimal: Mapping[str, str | None]
                      ) -> tuple[int, list[Converted]] | None:
    """``Converter.convert_piece`` in a worker process, with the converter it inherited (None:
    this piece is to be done in the main process)."""
    from .parallel import context, ship

    try:
        done = context().convert_piece(piece, decimal)
    except Undecided:
        return None
    if done is None:
        return None
    rows, batches = done
    return rows, [c._replace(items=ship(c.items)) for c in batches]


def _without_noise(value: float) -> float:
    """A price with what binary floats and spreadsheets add to two-place values taken off:
    19.990000000000002 is 19.99 (a safe fix, made as the export is read)."""
    if math.isfinite(value) and not has_price_places(value) and is_float_noise(value):
        return round(value, 2)
    return value


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _blank(cells: list[Any]) -> bool:
    for cell in cells:  # noqa: SIM110 - a plain loop: faster; it stops at the first cell
        if cell is not None and (type(cell) is not str or cell.strip()):
            return False
    return True


def _blank_text(cells: list[str]) -> bool:
    return not "".join(cells).strip()


#: Codes of a cell that could not be read as its field's value: the item's own problem for
#: that field (the text it holds) would say the same again.
_CELL_FAILED = frozenset({"OIM012", "OIM405", "OIM505"})


def _too_many_digits(name: str, text: str, found: Found) -> str:
    """A quantity or price of hundreds or thousands of digits (more than a float or an int
    holds): reported as such, kept as text."""
    shown = f"{text[:20]}…"
    if name == "quantity":
        found.append(("OIM405", name, shown, (
            f"quantity {shown} ({len(text):,} characters) is beyond {QUANTITY_MAX:,}, the "
            "largest the database stores")))
    else:
        found.append(("OIM505", name, shown, (
            f"price {shown} ({len(text):,} characters) is out of range: at most 10 digits "
            "before the decimal point")))
    return text


def _text(cell: Any, found: Found) -> Any:
    """Product or image URL: text, trimmed (a non-breaking space too); empty is null."""
    if type(cell) is str:
        return cell.strip() or None
    return None if cell is None else _json_value(cell)


def _code(name: str, cell: Any, found: Found) -> Any:
    """An order number or SKU a spreadsheet typed as a number: its digits, as text."""
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        text = str(int(cell))
        if abs(cell) >= 2**53 or len(text.lstrip("-")) > _EXACT_DIGITS:
            found.append(("OIM014", name, cell, (
                f"{name} {text} has more than {_EXACT_DIGITS} digits: a spreadsheet keeps only "
                f"{_EXACT_DIGITS}, so the last ones may have been lost. Format the column as "
                "text in the source and export again"
            )))
        return text
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    return cell_text(cell) or None


def _extra_field(cell: Any, found: Found) -> Any:
    """A column holding extra_field: a JSON object written as text, or {} when empty."""
    if _empty(cell):
        return {}
    if isinstance(cell, str):
        text = cell.strip()
        if text.startswith("{"):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
        return text
    return _json_value(cell)


def default_output(source: Path) -> Path:
    """Where the items go by default: the source's name with .json, beside it."""
    return source.with_suffix(".json")


class Conversion:
    """One ``oimtool convert`` run: problems in source order while items are written to
    temporary files, then ``finish`` puts the output in place, or removes it.

    By default nothing is written when a row is rejected: no half file to upload by mistake.
    With ``skip_invalid`` the valid rows are written all the same. A large source is converted
    by ``jobs`` worker processes.
    """

    def __init__(self, source: str | Path, *, output: Path | None, options: ConvertOptions,
                 orders: Sequence[OrderIndex] = (), skip_invalid: bool = False,
                 split: int | None = None, rejects: Path | None = None, force: bool = False,
                 jobs: int = 1) -> None:
        from .output import ItemsWriter

        self.orders = orders
        self.skip_invalid = skip_invalid
        self.jobs = jobs
        self.writer = ItemsWriter(output, split=split, overwrite=force)
        self.rejects_path = rejects
        self.converter = Converter(source, options, orders=orders,
                                   keep_rejected=rejects is not None)
        self.summary = Summary(files=1)
        self.summary.extra.update(rows=0, rejected=0, blank=0, written=0)
        self._rejects = None if rejects is None else RejectsWriter(
            rejects, self.converter.header, delimiter=self.converter.source.delimiter or ",")
        self._seen = Seen()
        self._broken = False
        self.outputs: list[Path] = []
        #: Called now and then with (fraction of the source read, rows so far).
        self.progress: Callable[[float, int], None] | None = None

    def problems(self) -> Iterator[Problem]:
        """Every problem, in source order; items and rejected rows are kept as they come."""
        from .orders import iter_unreferenced

        converter = self.converter
        yield from self._counted(converter.problems)
        try:
            for converted in self._converted():
                yield from self._conclude(converted)
                if self.progress is not None:
                    self.progress(converter.done(), self.summary.extra["rows"])
        except ContentError as exc:
            self._broken = True
            yield from self._counted([Problem(
                "OIM017", str(exc), converter.shown,
                source=converter.where(exc.row or converter.header_row, None))])
        else:
            yield from self._counted(  # repeats found on disk, in a very long export
                self._repeat(index, number, first_row)
                for number, index, first_row in self._seen.finish())
            stream = converter.source.stream
            if stream is not None and stream.merged:  # known at the end of a stream
                yield from self._counted([Problem(
                    "OIM015", f"sheet {converter.source.sheet!r} has merged cells: only their "
                    "first cell holds a value", converter.shown,
                    source=converter.where(None, None))])
            if self.summary.extra["rows"] == 0:
                self._broken = True
                yield from self._counted([Problem(
                    "OIM003", "there are no data rows below the header: nothing to migrate",
                    converter.shown, source=converter.where(converter.header_row, None))])
        for orders in self.orders:
            yield from self._counted(orders.problems)
        yield from self._counted(iter_unreferenced(list(self.orders)))

    def _converted(self) -> Iterator[Converted]:
        """Each batch converted, in order: by workers reading pieces when the source is large,
        here otherwise, and here from where a piece could not be done on its own."""
        from .parallel import Workers, spread

        converter = self.converter
        workers = Workers.start(self.jobs, converter) if self.jobs > 1 and _large(
            converter) else None
        if workers is None:
            for batch in converter.batches():
                yield self._convert_here(batch)
            return
        index = 0  # data rows so far
        row = converter.header_row  # rows so far, for a text source (a sheet's are numbered)
        sheet = converter.source.is_sheet
        stream = converter.source.stream is not None
        failed = True
        try:
            for piece, done in spread(converter.pieces(workers.jobs), workers,
                                      convert_in_worker, self._piece_here, converter.decimal):
                if done is None:  # read on here, from this piece
                    source = open_sheet_at(converter.source, piece.start, row) if stream else (
                        open_text_at(converter.path, piece.start, row + 1,
                                     converter.source.encoding or "utf-8",
                                     converter.source.delimiter or ","))
                    try:
                        for batch in converter.batches(source, index):
                            yield self._convert_here(batch)
                    finally:
                        source.close()
                    failed = False
                    return
                rows, batches = done
                if stream:  # rows: the first and last row with a value; none between pieces
                    first_used, last_used = rows
                    rows = 0
                    if last_used:
                        rows = last_used - row
                        if batches:
                            batches[0] = batches[0]._replace(
                                blank=batches[0].blank + first_used - row - 1)
                for converted in batches:
                    converted = converted._replace(items=workers.shuttle.take(converted.items))
                    yield rebase(converted, index, 0 if sheet else row)
                index += sum(c.rows for c in batches)
                row += rows
                converter.rows_read += rows
            failed = False
        except Exception:
            failed = False  # only an interruption stops the workers at once
            raise
        finally:
            workers.close(failed=failed)

    def _piece_here(self, piece: Piece) -> tuple[int, list[Converted]] | None:
        converter = self.converter
        try:
            return converter.convert_piece(piece)
        except Undecided:
            converter.scan()
            return converter.convert_piece(piece)

    def _convert_here(self, batch: RowBatch) -> Converted:
        converter = self.converter
        try:
            return converter.convert(batch)
        except Undecided:
            converter.scan()
            return converter.convert(batch)

    def _conclude(self, converted: Converted) -> Iterator[Problem]:
        counts = self.summary.extra
        counts["rows"] += converted.rows
        counts["blank"] += converted.blank
        counts["rejected"] += converted.rows - converted.valid
        self.summary.items += converted.valid
        for orders, marks in zip(self.orders, converted.referenced, strict=True):
            referenced = orders.referenced
            for j in array("I", marks):
                referenced[j] = 1
        if converted.valid:
            self.writer.write_json(converted.items, converted.valid)
        if self._rejects is not None and converted.rejected:
            self._rejects.add(converted.rejected)
        first = converted.first
        indexes = range(first, first + converted.rows)
        numbers = array("I", converted.numbers)
        found = self._seen.add(array("q", converted.fingerprints), numbers, indexes)
        problems = converted.problems
        if found:
            problems = list(problems)
            problems.extend(self._repeat(indexes[k], numbers[k], first_row)
                            for k, first_row in found)
            problems.sort(key=lambda p: p.index)  # stable: each row's problems keep order
        yield from self._counted(problems)

    def _repeat(self, index: int, number: int, first_row: int) -> Problem:
        return Problem(
            "OIM803", f"row {number} repeats row {first_row}: a double export? "
            "Remove one unless the order really has two such lines",
            self.converter.shown, index, pointer(index),
            source=self.converter.where(number, None))

    def _counted(self, problems: list[Problem] | Iterator[Problem]) -> Iterator[Problem]:
        for problem in problems:
            self.summary.add(problem)
            yield problem

    @property
    def complete(self) -> bool:
        """Every row could be read, and none was rejected (or rejections are skipped)."""
        return not self._broken and (self.skip_invalid or self.summary.extra["rejected"] == 0)

    def finish(self, stdout: Any = None) -> list[Path]:
        """Write the output (and the rejected rows) if the run allows it; remove it if not."""
        self.converter.source.close()
        self._seen.close()
        if self._rejects is not None:
            self._rejects.commit()
        if not self.complete or self.writer.total == 0:
            self.writer.abort()
            return []
        self.outputs = self.writer.commit(stdout)
        self.summary.extra["written"] = self.writer.total
        return self.outputs

    def abort(self) -> None:
        """Remove what was written; nothing is kept."""
        self.converter.source.close()
        self._seen.close()
        if self._rejects is not None:
            self._rejects.abort()
        self.writer.abort()


def _large(converter: Converter) -> bool:
    from .parallel import PARALLEL_MIN_BYTES

    source = converter.source
    if source.stream is not None:  # a sheet read as a stream: pieces of its XML
        return source.stream.start_after(converter.header_row) is not None
    if source.is_sheet:
        # python-calamine reads the whole sheet before the first row, in one thread; then the
        # rows are converted. Workers fork after that read, and share the sheet.
        return source.size >= SHEET_PARALLEL_ROWS
    # Pieces are cut after a "\n" byte: a line break only in an ASCII-based encoding.
    ascii_based = not (source.encoding or "").startswith(("utf-16", "utf-32"))
    return ascii_based and source.size >= PARALLEL_MIN_BYTES


class RejectsWriter:
    """The rejected rows, in the source's own columns plus ``problems``: to correct and convert
    again. A .xlsx path gets a workbook; anything else a CSV with the source's delimiter (UTF-8
    with a BOM, which Excel needs to see UTF-8). Rows are written as they come, to a temporary
    file beside ``path`` (memory stays flat), which ``commit`` renames into place."""

    def __init__(self, path: Path, header: list[str], *, delimiter: str = ",") -> None:
        import tempfile

        from .errors import OutputError

        self.path = path
        self.header = [*header, "problems"]
        self.workbook = path.suffix.lower() == ".xlsx"
        try:
            fd, self.temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=str(path.parent) or ".")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
        self.handle = os.fdopen(fd, "wb")
        if self.workbook:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)  # rows go to a temporary file as they come
            self.sheet = self.book.create_sheet("Rejected rows")
            self.sheet.append(self.header)
        else:
            self.text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.text, delimiter=delimiter)
            self.writer.writerow(self.header)

    def add(self, rows: list[tuple[int, list[Any], list[str]]]) -> None:
        width = len(self.header) - 1
        for _, cells, messages in rows:
            # A workbook keeps numbers as numbers (read back, 10.125 must not become text).
            values = [_json_value(c) if self.workbook else cell_text(c) for c in cells]
            values.extend([""] * (width - len(values)))
            values.append("; ".join(messages))
            if self.workbook:
                from openpyxl.cell import WriteOnlyCell

                row = []
                for value in values:
                    cell = WriteOnlyCell(self.sheet, value=value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"  # data, not a formula
                    row.append(cell)
                self.sheet.append(row)
            else:
                self.writer.writerow(values)

    def commit(self) -> None:
        from .errors import OutputError
        from .output import _publish

        try:
            if self.workbook:
                self.book.save(self.handle)
            else:
                self.text.flush()
                self.text.detach()
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        _publish(self.temp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)


