"""Rows to items: a batch of an export's rows converted into order items and checked, with every
problem placed at its row and column. The same here or in a worker process."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import count, repeat
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from ..dedup import fingerprint, six
from ..fields import FIELDS
from ..format import cell_text, cell_value, column_letter, show
from ..orders import OrderIndex, order_lookup
from ..problems import Location, Problem, pointer
from ..sources import ContentError, Piece, Row, Source, Span, reopen
from ..validate import explain, is_clean
from ..workers import context, ship
from .cells import (
    UNREAD,
    Decimals,
    Found,
    Undecided,
    code_reader,
    empty,
    extra_field,
    number_reader,
    read_columns,
    separator_of,
    text,
)
from .header import Header, ReadOptions
from .layout import Column
from .lines import LineReader

_NUMERIC = ("quantity", "price")
_NONE = [None]


class RowBatch(NamedTuple):
    """Consecutive data rows, (row number, cells), the first of them data row ``first``."""

    first: int
    rows: list[Row]
    blank: int  # blank rows skipped among them


class Rejected(NamedTuple):
    """A row that became no item: its number, its cells, and the errors that rejected it."""

    row: int
    cells: list[Any]
    errors: list[Problem]


class Skipped(NamedTuple):
    """A row that is no sale (a profile's line rule): its number, its cells, and why."""

    row: int
    cells: list[Any]
    reason: str


class Converted(NamedTuple):
    """A batch converted and checked: small, to travel back from a worker process."""

    first: int  # index of its first data row
    rows: int  # data rows
    blank: int  # blank rows skipped among them
    valid: int
    items: Any  # the valid items, as the body of a JSON array (2-space indent, no brackets);
    # from a worker, a workers.Parcel until the main process takes it
    numbers: bytes  # array('I'): the row number of each data row
    fingerprints: bytes  # array('q'): one per data row
    referenced: list[bytes]  # per orders file, array('I') of the orders the rows refer to
    problems: list[Problem]  # in row order
    rejected: list[Rejected]
    skipped: dict[str, int]  # rows not sold, by the reason (a profile's line rules)
    skipped_rows: list[Skipped]  # their cells, when rejected rows are kept


class RowConverter:
    """Everything needed to convert the rows of one source, decided once from its header: where
    each field's cell is and the function that reads it."""

    def __init__(self, source: Source, header: Header, options: ReadOptions, shown: str, *,
                 orders: Sequence[OrderIndex] = (), keep_rejected: bool = False) -> None:
        self.source = source
        self.header = header
        self.options = options
        self.shown = shown
        self.orders = orders
        self.keep_rejected = keep_rejected
        self.decimals = Decimals({f: options.decimal for f in _NUMERIC},
                                 scanned=options.decimal is not None)
        columns = header.columns
        self._by_field: dict[str | None, Column] = {c.field: c for c in columns if c.field}
        self._width = len(columns)
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
            code_reader("order_number"), text, code_reader("sku"),
            number_reader("quantity", integral=True, decimals=self.decimals),
            number_reader("price", integral=False, decimals=self.decimals), text,
        )
        self._extra_columns = [(c.index, c.header) for c in header.extra]
        self._all_extra = options.extra is True
        self._keep_extra = self._all_extra or bool(self._extra_columns)
        # a profile's reading of the lines (None: the rows are read by their fields' cells)
        self._lines = LineReader(header, self._by_field, self.decimals) if (
            header.layout.active) else None
        # Cells under no header: columns with an empty header, and any past the last one
        # (a position at or past the header's width marks the start of those).
        self._unnamed = [c.index for c in columns if not c.header] or [self._width]

    def where(self, row: int | None, field: str | None = None) -> Location:
        """A place in the source: a row, and the column of a field."""
        return self.header.where(self.shown, self.source.sheet, row, self._by_field.get(field))

    def batch(self, rows: list[Row], first: int) -> RowBatch:
        """Rows as a batch: the blank ones counted and left out."""
        blank = self.source.blank
        data = [row for row in rows if not blank(row[1])]
        return RowBatch(first, data, len(rows) - len(data))

    def convert(self, batch: RowBatch, decimal: Mapping[str, str | None] | None = None
                ) -> Converted:
        """Convert and check a batch. Raises Undecided when a number reads two ways and
        neither ``decimal`` nor this converter knows how its column writes decimals."""
        if decimal is not None:
            self.decimals.separators.update(decimal)
        keys = array("q")
        referenced = [array("I") for _ in self.orders]
        problems: list[Problem] = []
        rejected: list[Rejected] = []
        valid_items = []
        orders = self.orders
        rows = originals = batch.rows  # a profile reads prepared rows; rejects get originals
        skipped: dict[str, int] = {}
        skipped_rows: list[Skipped] = []
        verdicts: list[tuple[str, str] | None] = []
        lines = self._lines
        if lines is not None:
            rows, verdicts = lines.prepared(rows)
        quantities, prices = self._columns(rows)
        for index, (number, cells), q, p in zip(count(batch.first), rows, quantities, prices):
            if verdicts:  # a profile's: the line may be no sale, the item is made further
                verdict = verdicts[index - batch.first]
                if verdict is not None and verdict[0] == "skip":
                    reason = verdict[1]
                    skipped[reason] = skipped.get(reason, 0) + 1
                    keys.append(hash(("skipped", number)))
                    if self.keep_rejected:
                        skipped_rows.append(Skipped(number, originals[index - batch.first][1],
                                                    reason))
                    continue
                item, found = self._item(number, cells, q, p)
                lines.profiled(item, cells, found, verdict)  # type: ignore[union-attr]
            else:
                item, found = self._item(number, cells, q, p)
            looked_up = order_lookup(item["order_number"], orders) if orders else None
            unknown = None
            if isinstance(looked_up, Problem):
                unknown = looked_up
            elif looked_up is not None:
                referenced[looked_up[0]].append(looked_up[1])
            if is_clean(item):
                keys.append(hash(six(item)) if not item["extra_field"] else fingerprint(item))
                if not found and unknown is None:  # the usual row: nothing to say
                    valid_items.append(item)
                    continue
                checked: list[Problem] = []
            else:
                checked = explain(item)
                keys.append(fingerprint(item))
            if unknown is not None:
                checked.append(unknown)
            row_problems = self._placed(index, number, found, checked)
            errors = [p for p in row_problems if p.is_error]
            if not errors:
                valid_items.append(item)
            elif self.keep_rejected:
                rejected.append(Rejected(number, originals[index - batch.first][1], errors))
            problems.extend(row_problems)
        body = orjson.dumps(valid_items, option=orjson.OPT_INDENT_2)[2:-2]
        numbers = array("I", (row[0] for row in batch.rows))
        return Converted(batch.first, len(batch.rows), batch.blank, len(valid_items), body,
                         numbers.tobytes(), keys.tobytes(), [r.tobytes() for r in referenced],
                         problems, rejected, skipped, skipped_rows)

    def _placed(self, index: int, number: int, found: Found, checked: list[Problem]
                ) -> list[Problem]:
        """A row's problems placed in the source: what reading its cells found, then what
        checking its item found (but for a field whose cell could not be read: the reading's
        error says it already)."""
        if found:
            failed = {p.location.field for p in found if p.is_error}
            checked = [p for p in checked if p.location.field not in failed]
        placed = []
        for problem in (*found, *checked):
            field = problem.location.field
            where = self.where(number, field)
            placed.append(problem.at(index=index, field=field, cell=where.cell, file=self.shown,
                                     pointer=pointer(index, field) if field else pointer(index)))
        return placed

    def _columns(self, rows: list[Row]) -> tuple[Iterable[Any], Iterable[Any]]:
        try:
            quantities = [cells[self._quantity_at] for _, cells in rows]
            prices = [cells[self._price_at] for _, cells in rows]
        except IndexError:  # a short row
            return repeat(UNREAD), repeat(UNREAD)
        return read_columns(quantities, prices)

    def _item(self, number: int, cells: list[Any], q: Any = UNREAD, p: Any = UNREAD
              ) -> tuple[dict[str, Any], Found]:
        """The item of a row, and what its cells' readers found; ``q`` and ``p``: its
        quantity and price, when they were read already (``read_columns``)."""
        found: Found = []
        width = len(cells)
        if width > self._unnamed[0]:
            stray = [(i, c) for i in self._unnamed_in(width) if not empty(c := cells[i])]
            if stray and not self._all_extra:  # with --extra all: kept as "column F"
                found.append(_stray(stray))
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
            "quantity": quantity(v[3], found) if q is UNREAD else q,
            "price": price(v[4], found) if p is UNREAD else p,
            "image_url": image_url(v[5], found),
            "extra_field": {} if extra_at is None or extra_at >= width else
            extra_field(cells[extra_at], found),
        }
        if self._keep_extra:
            extra = {header: cell_value(cells[i]) for i, header in self._extra_columns
                     if i < width and not empty(cells[i])}
            if self._all_extra and width > self._unnamed[0]:
                extra.update((f"column {column_letter(i)}", cell_value(cells[i]))
                             for i in self._unnamed_in(width) if not empty(cells[i]))
            if extra and isinstance(item["extra_field"], dict):
                item["extra_field"] = {**item["extra_field"], **extra}
        return item, found

    def _unnamed_in(self, width: int) -> Iterator[int]:
        """The positions of a row of ``width`` cells that have no header."""
        yield from (i for i in self._unnamed if i < width)
        yield from range(max(self._width, self._unnamed[-1] + 1 if self._unnamed else 0),
                         width)

    def scan(self) -> None:
        """Look through the numeric columns for how they write decimals: once, on the first
        number that reads two ways."""
        self.decimals.scanned = True
        wanted = {c.index: c.field for c in self.header.columns if c.field in _NUMERIC}
        learned: dict[str, str] = {}
        source = reopen(self.source)
        try:
            for number, cells in source:
                if number <= self.header.row:
                    continue
                for position, name in wanted.items():
                    separator = separator_of(cells[position] if position < len(cells)
                                             else None)
                    if separator is not None:
                        known = learned.get(name)
                        learned[name] = separator if known in (None, separator) else "mixed"
        except (ContentError, OSError):
            pass
        finally:
            source.close()
        self.decimals.separators.update(learned)

    def convert_piece(self, piece: Piece, batch_rows: int,
                      decimal: Mapping[str, str | None] | None = None
                      ) -> tuple[Span, list[Converted]] | None:
        """A piece's rows converted, numbered as the source numbers a piece's rows: (what
        they span, batches); None when it must be read in order here. Raises Undecided like
        convert."""
        read = self.source.read_piece(piece)
        if read is None:
            return None
        rows, span = read
        batches = []
        first = 0
        for at in range(0, len(rows), batch_rows):
            batch = self.batch(rows[at: at + batch_rows], first)
            batches.append(self.convert(batch, decimal))
            first += len(batch.rows)
        return span, batches


def _stray(stray: list[tuple[int, Any]]) -> Problem:
    """OIM016: cells under no header, which are dropped."""
    values = ", ".join(f"{column_letter(i)}: {show(cell_text(c))}" for i, c in stray[:5])
    cells = f"{len(stray)} cell{'s' if len(stray) > 1 else ''}"
    return Problem("OIM016", (
        f"the row has {cells} under no header ({values}); dropped: check the row for a "
        f"stray delimiter, or name the column (--extra all keeps such cells, as "
        f"\"column {column_letter(stray[0][0])}\")"
    ))


def convert_in_worker(piece: Piece, batch_rows: int, decimal: Mapping[str, str | None]
                      ) -> tuple[Span, list[Converted]] | None:
    """``RowConverter.convert_piece`` in a worker process, with the converter it inherited
    (None: this piece is to be done in the main process)."""
    try:
        done = context().convert_piece(piece, batch_rows, decimal)
    except Undecided:
        return None
    if done is None:
        return None
    span, batches = done
    return span, [c._replace(items=ship(c.items)) for c in batches]


def rebase(converted: Converted, index: int, row: int) -> Converted:
    """A piece's batch with its rows placed in the whole source: data rows after ``index``
    others, row numbers after ``row`` others."""
    numbers = array("I", converted.numbers)
    if row:
        numbers = array("I", (n + row for n in numbers))
    return converted._replace(
        first=converted.first + index, numbers=numbers.tobytes(),
        problems=[_moved(p, index, row) for p in converted.problems],
        rejected=[r._replace(row=r.row + row) for r in converted.rejected],
        skipped_rows=[r._replace(row=r.row + row) for r in converted.skipped_rows],
    )


def _moved(problem: Problem, index: int, row: int) -> Problem:
    """A problem found in a piece, placed in the whole source."""
    where = problem.location
    cell = where.cell
    if cell is not None and cell.row is not None and row:
        cell = cell._replace(row=cell.row + row)
    if where.index is None:
        return problem.at(cell=cell)
    return problem._replace(location=where.item(where.index + index)._replace(cell=cell))
