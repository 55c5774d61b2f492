"""A sheet read whole by python-calamine: .xls, .xlsb, .ods, and .xlsx sheets small enough.

python-calamine reads the whole sheet before the first row, in one thread (twice as fast as the
stream reader, but about 100 bytes a cell of the sheet's span, empty or not); then the rows are
converted. Worker processes fork after that read, share the sheet, and read ranges of its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count, islice
from pathlib import Path
from typing import Any

from ..tuning import Tuning
from .base import ContentError, Piece, Row, RowSource, Span

_cursor: tuple[Any, int, Iterator[Row]] | None = None  # a worker's (sheet, at, rows)


class CalamineSource(RowSource):
    """A sheet python-calamine read: ``data`` (a CalamineSheet), from its first used column."""

    def __init__(self, path: Path, sheet: str, data: Any, *, notes: list[str] | None = None
                 ) -> None:
        self.first_column = data.start[1] if data.start else 0
        super().__init__(path, _sheet_rows(data, self.first_column), notes=notes)
        self.sheet = sheet
        self.data = data
        self.size = data.end[0] + 1 if data.end else 0  # iter_rows starts at row 1

    @classmethod
    def open(cls, path: Path, sheet: str | None, choose: Any) -> CalamineSource:
        """Open ``sheet`` of a workbook (``choose`` picks it from the names and notes how)."""
        from python_calamine import (
            CalamineError,
            CalamineWorkbook,
            PasswordError,
            SheetTypeEnum,
            SheetVisibleEnum,
        )

        try:
            book = CalamineWorkbook.from_path(str(path))
        except PasswordError as exc:
            raise ContentError("the workbook is protected by a password; save a copy without "
                               "one") from exc
        except (CalamineError, OSError, ValueError) as exc:
            raise ContentError(f"cannot read the workbook: {exc}") from exc
        sheet, notes = choose(
            book.sheet_names, [m.name for m in book.sheets_metadata
                               if m.visible == SheetVisibleEnum.Visible
                               and m.typ == SheetTypeEnum.WorkSheet], sheet)
        try:
            data = book.get_sheet_by_name(sheet)
        except (CalamineError, ValueError) as exc:
            raise ContentError(f"cannot read sheet {sheet}: {exc}") from exc
        if data.merged_cell_ranges:
            notes.append(f"sheet {sheet!r} has merged cells: only their first cell holds a "
                         "value")
        return cls(path, sheet, data, notes=notes)

    def done(self, rows: int = 0) -> float:
        return min(1.0, rows / self.size) if self.size else 0.0

    def done_at(self, piece: Piece) -> float:
        return min(1.0, piece.stop / self.size) if self.size else 0.0

    def pieces(self, after: int, jobs: int, tuning: Tuning) -> Iterator[Piece] | None:
        if self.size < tuning.sheet_parallel_rows:
            return None
        step, total = tuning.sheet_piece_rows, self.size
        return (Piece(begin, min(begin + step, total), begin + step >= total)
                for begin in range(after, total, step))  # rows counted from row 1

    def read_piece(self, piece: Piece) -> tuple[list[Row], Span] | None:
        """Rows ``start`` to ``stop`` (0-based: row 1 is 0), read again in a worker, which
        inherited the sheet. Each process keeps its place, so rows asked for in order are each
        read once (a row costs about 0.3 µs to skip), not once per piece from the top."""
        global _cursor
        start, stop = piece.start, piece.stop
        if _cursor is not None and _cursor[0] is self.data and _cursor[1] <= start:
            _, at, rows = _cursor
        else:
            at, rows = 0, _sheet_rows(self.data, self.first_column)
        if start > at:
            next(islice(rows, start - at - 1, None), None)  # skip, at C speed
        found = list(islice(rows, stop - start))
        _cursor = (self.data, start + len(found), rows)
        span = Span(len(found), found[0][0], found[-1][0], True) if found else Span(0)
        return found, span

    def reopen_at(self, piece: Piece, row: int) -> CalamineSource:
        source = CalamineSource(self.path, self.sheet or "", self.data)
        source.rows = islice(source.rows, piece.start, None)
        source.last = piece.start
        return source


def _sheet_rows(data: Any, first_column: int) -> Iterator[Row]:
    """Rows as calamine gives them: an empty cell is ""."""
    # iter_rows starts at the sheet's row 1 (not at its first used row, as ``start`` and
    # to_python do), and at its first used column
    rows = zip(count(1), data.iter_rows())
    if not first_column:
        return rows
    pad = [""] * first_column  # calamine starts at the first used column
    return ((number, pad + cells) for number, cells in rows)
