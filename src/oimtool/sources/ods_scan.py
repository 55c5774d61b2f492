"""An .ods workbook's sheets measured before python-calamine reads them.

python-calamine reads every sheet of an .ods when it opens it, and writes out what the XML only
counts: a row with ``table:number-rows-repeated="1000000"`` becomes a million rows in memory
(900 bytes of file, 678 MB and 18 s to convert), a cell with
``table:number-columns-repeated`` as many cells. There is no other reader of .ods here, so a
sheet that would expand beyond ``cells`` cells, or beyond a sheet's last row or column, is
refused before it is opened, with a message that says so: the simplest bound that holds.

The content is read in pieces, one row at a time looked at for what python-calamine keeps of it:
its repeats, and the place of its last cell with a value (or a formula). Rows and cells without
one count only between two that have one: the empty rows an .ods repeats to the sheet's end
(LibreOffice writes them) are nothing, as for python-calamine.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import IO
from xml.sax.saxutils import unescape

from .base import MAX_COLUMNS, MAX_ROWS, ContentError

#: The unpacked bytes read at a time.
CHUNK = 1 << 20
#: A row longer than this is not one an export writes.
LONGEST_ROW = 16 << 20

_ROW_END = b"</table:table-row>"
_TABLE_OR_ROW = re.compile(rb'<table:table(?:(?=[\s>/])([^>]*)>|-row(?=[\s>/])([^>]*)>)')
_NAME = re.compile(rb'table:name="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([^"]*)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([^"]*)"')


class _Table:
    """What python-calamine will hold of one sheet, so far."""

    def __init__(self, name: str, cells: int) -> None:
        self.name = name
        self.limit = cells
        self.rows = 0  # rows so far, with their repeats, empty or not
        self.span = 0  # rows from the first with a value to the last, with their repeats
        self.empty = 0  # rows without a value since the last with one
        self.width = 0  # columns from A to the last with a value, in any row

    def row(self, repeats: int, width: int) -> None:
        self.rows += repeats
        if not width:
            if self.span:
                self.empty += repeats
            return
        if self.rows > MAX_ROWS:
            raise ContentError(f"sheet {self.name!r} has a value in row {self.rows:,}, beyond "
                               f"the last row a sheet can have ({MAX_ROWS:,}): a row repeated "
                               "without end? Save the export again, as .xlsx or .csv")
        if width > MAX_COLUMNS:
            raise ContentError(f"sheet {self.name!r} has a value in column {width:,}, beyond "
                               f"the last column a sheet can have ({MAX_COLUMNS:,}): a cell "
                               "repeated without end? Save the export again, as .xlsx or .csv")
        self.span += self.empty + repeats
        self.empty = 0
        self.width = max(self.width, width)
        if self.span * self.width > self.limit:
            raise ContentError(
                f"sheet {self.name!r} expands to {self.span:,} rows of {self.width:,} columns "
                f"(its rows and cells repeated), more than oimtool reads from an .ods "
                f"({self.limit:,} cells): save the export as .xlsx (read as a stream) or .csv")


def check_ods(path: Path, cells: int) -> None:
    """Raise ContentError when a sheet of the .ods at ``path`` would expand to more than
    ``cells`` cells (from its first row with a value to its last, from column A), or place a
    value beyond a sheet's last row or column. A workbook that is not an .ods as expected is
    left to python-calamine, which says what is wrong."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        if "content.xml" not in archive.namelist():
            return
        try:
            with archive.open("content.xml") as handle:
                _measure(handle, cells)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise ContentError(f"cannot read the workbook: {exc}") from exc


def _measure(handle: IO[bytes], cells: int) -> None:
    table = _Table("", cells)
    carry = b""
    while chunk := handle.read(CHUNK):
        data = carry + chunk if carry else chunk
        cut = data.rfind(_ROW_END)
        if cut < 0:
            if len(data) > LONGEST_ROW:
                raise ContentError(f"a row of the workbook is longer than {LONGEST_ROW:,} "
                                   "bytes: not an export")
            carry = data
            continue
        cut += len(_ROW_END)
        carry = data[cut:]
        table = _rows(data[:cut], table, cells)
    _rows(carry, table, cells)


def _rows(piece: bytes, table: _Table, cells: int) -> _Table:
    """Count the rows of ``piece`` (whole rows, and the tables they start) into ``table``, and
    into the tables after it; the table the piece ends in."""
    at = 0
    while match := _TABLE_OR_ROW.search(piece, at):
        at = match.end()
        if match[2] is None:  # a table
            name = _NAME.search(match[1] or b"")
            table = _Table(unescape(name[1].decode("utf-8", "replace"), {"&quot;": '"'})
                           if name else "", cells)
            continue
        repeats = _number(_ROWS_REPEATED.search(match[2]))
        if match[2].endswith(b"/"):
            table.row(repeats, 0)
            continue
        end = piece.find(_ROW_END, at)
        if end < 0:
            end = len(piece)  # the row breaks off: python-calamine says where
        table.row(repeats, _width(piece, at, end))
        at = end
    return table


def _width(piece: bytes, start: int, end: int) -> int:
    """The columns of the row between ``start`` and ``end``, from the first to the last cell
    with a value or a formula, cells repeated as often as they say (0: no such cell). The last
    ``office:`` attribute or formula is at or after that cell: never less than the truth."""
    last = max(piece.rfind(b"office:", start, end), piece.rfind(b"table:formula", start, end))
    if last < 0:
        return 0
    stop = piece.find(b">", last, end)
    stop = end if stop < 0 else stop
    width = piece.count(b"<table:table-cell", start, stop) + piece.count(
        b"<table:covered-table-cell", start, stop)
    for repeated in _COLUMNS_REPEATED.findall(piece, start, stop):
        width += _number(repeated) - 1
    return width


def _number(found: re.Match[bytes] | bytes | None) -> int:
    """A repeat count as the XML writes it (1 when absent, or not a number)."""
    text = found[1] if isinstance(found, re.Match) else found
    return int(text) if text and text.isdigit() and text.isascii() else 1
