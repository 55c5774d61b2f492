"""What every source of rows is: the ``Source`` protocol, its ``Piece`` of work, and the errors.

A source gives rows as ``(row number, cells)``, the row number being the one a spreadsheet
program shows (a quoted CSV record spanning several lines is one row). Text cells are ``str``;
workbook cells keep their type (float, str, bool, date) and are "" when empty.

A large source can be cut into pieces that worker processes read themselves (``pieces`` here,
``read_piece`` there); ``reopen_at`` reads on in order from a piece that could not be read on
its own. Whatever the kind of source, the converter does the same with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from ..tuning import Tuning

Row = tuple[int, list[Any]]

#: A sheet's last row and its number of columns (XFD), in Excel and LibreOffice alike: a workbook
#: that places a cell beyond them is broken, or made to exhaust memory.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


class SourceError(Exception):
    """The source cannot be read as asked: unknown sheet, unknown format (usage errors)."""


class ContentError(Exception):
    """The source's content cannot be parsed (a broken workbook, a CSV quote never closed);
    ``row`` is the row it breaks off at, when known."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


class Piece(NamedTuple):
    """A stretch of a source that a worker process reads itself: a byte range of a text file, a
    range of a sheet's rows (0-based, as ``range``), or whole rows of a sheet's XML, which
    travel with the piece (``data``, and ``head``: what the XML of the rows needs before it to
    parse). ``final``: the piece runs to the end of the source; ``whole``: it can be read on
    its own (else it is read in order, ``reopen_at``)."""

    start: int
    stop: int
    final: bool = False
    data: bytes = b""
    whole: bool = True
    head: bytes = b""


class Span(NamedTuple):
    """The rows a piece held: ``size`` of them; for a source that numbers its rows itself (a
    sheet), the numbers of the first and the last (0, 0: none with a value), else 0, 0: its
    rows are numbered from 1 and placed after the rows before it."""

    size: int
    first: int = 0
    last: int = 0
    numbered: bool = False

    def place(self, before: int) -> tuple[int, int, int]:
        """In the whole source, after ``before`` rows: what to add to the piece's row numbers,
        how many rows of the source it covers, and the rows with no value before its first
        (between the previous piece and this one)."""
        if not self.numbered:
            return before, self.size, 0
        if not self.last:
            return 0, 0, 0
        return 0, self.last - before, self.first - before - 1


class Source(Protocol):
    """An opened export: its rows, what was found out about it, and how to cut it."""

    path: Path
    sheet: str | None  # the sheet read, for a workbook
    encoding: str | None  # a text file's
    delimiter: str | None
    notes: list[str]  # how it was read, for the report
    last: int  # the number of the last row taken
    quoting: bool  # a text file's quote character quotes (False: it is text)

    def take(self, count: int) -> tuple[list[Row], ContentError | None]: ...

    def __iter__(self) -> Iterator[Row]: ...

    def blank(self, cells: list[Any]) -> bool: ...

    def done(self, rows: int = 0) -> float: ...

    def done_at(self, piece: Piece) -> float: ...

    def late_notes(self) -> list[str]: ...

    def pieces(self, after: int, jobs: int, tuning: Tuning) -> Iterator[Piece] | None: ...

    def read_piece(self, piece: Piece) -> tuple[list[Row], Span] | None: ...

    def reopen_at(self, piece: Piece, row: int) -> Source: ...

    def again(self, *, encoding: str | None = None, quoting: bool | None = None) -> Source: ...

    def close(self) -> None: ...


def blank_cells(cells: list[Any]) -> bool:
    """No cell of the row holds a value (None, "" and white space are no value)."""
    for cell in cells:  # noqa: SIM110 - a plain loop: faster; it stops at the first cell
        if cell is not None and (type(cell) is not str or cell.strip()):
            return False
    return True


def blank_text(cells: list[str]) -> bool:
    """``blank_cells`` for a text row, whose cells are all text: faster."""
    return not "".join(cells).strip()


class RowSource:
    """What the sources share: rows taken from an iterator in chunks, read errors turned into
    ``ContentError`` (after the rows before them), and no cutting unless a kind says how."""

    path: Path
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    quoting = False

    def __init__(self, path: Path, rows: Iterator[Row], *, notes: list[str] | None = None,
                 last: int = 0) -> None:
        self.path = path
        self.rows = rows
        self.notes = notes or []
        self.last = last

    blank: Callable[[list[Any]], bool] = staticmethod(blank_cells)

    def take(self, count: int) -> tuple[list[Row], ContentError | None]:
        """The next rows, at most ``count``; and the error that stopped them, if one did (the
        rows before it are all there)."""
        rows: list[Row] = []
        error = None
        try:
            rows.extend(islice(self.rows, count))  # what came before an error stays in rows
        except ContentError as exc:
            error = exc
        except Exception as exc:
            error = self.broken(exc, rows)
            if error is None:
                raise
        if rows:
            self.last = rows[-1][0]
        return rows, error

    def broken(self, exc: Exception, rows: list[Row]) -> ContentError | None:
        """What a read error means for the user (None: it is not a read error, a bug)."""
        return None

    def __iter__(self) -> Iterator[Row]:
        while True:
            rows, error = self.take(1000)
            yield from rows
            if error is not None:
                raise error
            if len(rows) < 1000:
                return

    def done(self, rows: int = 0) -> float:
        """The fraction of the source read so far, for a progress bar (``rows``: the rows
        converted so far, for a source that cannot tell otherwise)."""
        return 0.0

    def done_at(self, piece: Piece) -> float:
        """The fraction of the source up to the end of ``piece``: how far a conversion by
        worker processes is once that piece is converted (what the main process has read is
        ahead of that)."""
        return 0.0

    def late_notes(self) -> list[str]:
        """Notes known only once every row is read."""
        return []

    def pieces(self, after: int, jobs: int, tuning: Tuning) -> Iterator[Piece] | None:
        """The rows after row ``after`` cut into pieces for ``jobs`` workers; None when the
        source is read in order here (too small to be worth it, or not to be cut)."""
        return None

    def read_piece(self, piece: Piece) -> tuple[list[Row], Span] | None:
        """In a worker: a piece's rows, and what they span; None when the piece is to be read
        in order (it does not parse on its own)."""
        return None

    def reopen_at(self, piece: Piece, row: int) -> Source:
        """The source read in order from where ``piece`` starts, after row ``row``."""
        raise NotImplementedError

    def again(self, *, encoding: str | None = None, quoting: bool | None = None) -> Source:
        """The source read again from its start in another encoding, or with quote characters
        as text (a text file; any other source is this one, as it is)."""
        return self

    def close(self) -> None:
        """Let go of the file."""
