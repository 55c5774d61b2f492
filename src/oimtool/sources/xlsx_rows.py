"""The rows of a worksheet's XML, parsed as it is fed: the cells of each row, as values.

A workbook is a zip archive of XML parts. The sheet's part is unpacked and parsed (expat, in
C) as rows are asked for, so memory does not grow with the rows: a readers that builds the
whole sheet first takes about 600 bytes a row, and 32 bytes for every cell of the rectangle
from A1 to the last used cell, however empty (one stray value in XFD1048576 asks for 550 GB).

Cell values are what python-calamine gives for the same cell, which the tests check cell by
cell: numbers are floats; a number in a date or time format is a ``date``, ``datetime``,
``time`` or ``timedelta``; an error (#N/A) and an empty text are ""; text in ``<t>`` is
trimmed unless marked ``xml:space="preserve"``; Excel's ``_x000D_`` escapes are decoded.
Rows come with the number a spreadsheet program shows, as lists of cells from column A;
rows with no value between two that have one come as empty lists; rows before the first
value and after the last do not come at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import MAX_COLUMNS, MAX_ROWS, Piece
from .xlsx_book import (
    TRIM,
    Book,
    XlsxError,
    column_index,
    excel_date,
    feed,
    iso_value,
    unescape,
    xml_parser,
)

_ROW, _C, _V, _T, _PHONETIC, _MERGED = 1, 2, 3, 4, 5, 6
_TAGS = {"row": _ROW, "c": _C, "v": _V, "t": _T, "rPh": _PHONETIC, "mergeCell": _MERGED}
#: Rows whose start in the XML is noted (for cutting the rest after the header into pieces).
NOTED_ROWS = 10_000
#: A piece with a longer run of rows without a value is read in order, not by a worker.
EMPTY_IN_A_PIECE = 10_000


class RowParser:
    """Turn the XML of a sheet (or of whole rows of it) into rows, as it is fed.

    ``rows`` collects (number, cells) for rows with a value, and (first, last) ranges of the
    row numbers between them that have none; ``take`` empties it."""

    def __init__(self, book: Book, *, last_used: int = 0) -> None:
        self.rows: list[Any] = []
        self.last_used = last_used  # the number of the last row with a value
        self.first_used = 0  # the number of the first row with a value it found
        self.row_name = "row"  # the name of row elements (with their prefix, if any)
        self.row_starts: list[tuple[int, int]] = []  # (row number, byte offset), if asked
        self.record_starts = False
        self.merged = False  # the sheet has merged cells (they follow the rows)
        self.last_seen = 0  # the number of the last row seen, with a value or not
        self.parser = xml_parser()
        self._handlers(book)

    def feed(self, data: bytes, final: bool = False) -> None:
        feed(self.parser, data, final)

    def close(self) -> None:
        """Let go of the handlers: they and this parser refer to each other, a cycle that
        only the (rarely run) garbage collector would free."""
        parser = self.parser
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.CharacterDataHandler = None

    def _handlers(self, book: Book) -> None:
        """Install the expat handlers: the hot loop of the stream reader, run for every element
        of a sheet (millions), so one function of closures, state in the closure, no call per
        cell: the fastest Python can do here, measured (a documented exception to keeping
        functions short)."""
        strings, in_1904 = book.strings, book.in_1904
        dates = {str(i): kind for i, kind in enumerate(book.styles) if kind}
        rows = self.rows
        tags: dict[str, int] = {}
        letters: dict[str, int] = {}
        parser = self.parser
        number = 0
        numbered = ""  # the row's number as the XML writes it, which its cells must repeat
        cells: list[Any] = []
        used = False
        column = -1
        kind: str | None = None
        style: str | None = None
        text = ""
        parts: list[str] = []
        capture = preserve = phonetic = False

        def tag_of(name: str) -> int:
            tag = tags[name] = _TAGS.get(name.rpartition(":")[2], 0)
            return tag

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal number, numbered, cells, used, column, kind, style, text, capture
            nonlocal preserve, phonetic
            tag = tags.get(name)
            if tag is None:
                tag = tag_of(name)
            if tag == _C:
                ref = attrs.get("r")
                if ref:
                    head = ref.rstrip("0123456789")
                    at = letters.get(head)
                    if at is None:
                        at = letters[head] = column_index(head) if head.isupper() and (
                            head.isascii()) and 0 < len(head) <= 3 else -2
                        if at >= MAX_COLUMNS:
                            at = letters[head] = -2
                    if at < 0 or len(head) == len(ref):
                        raise XlsxError(f"a cell has the reference {ref!r}, which is not a "
                                        "cell's (A1 … XFD1048576)")
                    column = at
                    if number < 0:  # a row without its number: the cells say it
                        numbered = ref[len(head):]
                        number = _row_number(numbered)
                    elif ref[len(head):] != numbered:
                        raise XlsxError(f"row {number} has a cell {ref!r}, which names another "
                                        "row (the reference is broken)")
                else:
                    column += 1
                kind = attrs.get("t")
                style = attrs.get("s")
                text = ""
                if parts:
                    parts.clear()
            elif tag == _V:
                capture = True
            elif tag == _T:
                capture = not phonetic
                preserve = attrs.get("xml:space") == "preserve"
                text = ""
            elif tag == _ROW:
                ref = attrs.get("r")
                if ref is None:
                    number = -1
                else:
                    number = _row_number(ref)
                    numbered = ref
                if self.record_starts:
                    self.row_name = name
                    self.row_starts.append((number, parser.CurrentByteIndex))
                    self.record_starts = len(self.row_starts) < NOTED_ROWS
                cells = []
                used = False
                column = -1
            elif tag == _PHONETIC:
                phonetic = True

        def end(name: str) -> None:
            nonlocal number, used, capture, phonetic, text
            tag = tags.get(name)
            if tag is None:
                tag = tag_of(name)
            if tag == _C:
                if kind == "inlineStr":
                    if text:  # <is><t> made <v> (see ``parse_piece``): a <t> all the same
                        parts.append(text.strip(TRIM))
                    value: Any = unescape("".join(parts))
                elif not text:
                    if kind == "str":
                        value = ""
                    else:
                        return  # no value: not a used cell
                elif kind is None or kind == "n":
                    try:
                        value = float(text)
                    except ValueError:
                        value = text
                    else:
                        if "_" in text or not text.isascii() or text[0] <= " " or (
                                text[-1] <= " "):
                            value = text  # Python reads these; Excel's readers do not
                        elif style is not None and dates:
                            date_kind = dates.get(style)
                            if date_kind:
                                value = excel_date(value, date_kind, in_1904)
                elif kind == "s":
                    index = int(text) if text.isascii() and text.isdigit() else -1
                    if not 0 <= index < len(strings):
                        raise XlsxError(f"row {number} has a cell pointing at shared string "
                                        f"{text!r}, which the workbook does not have")
                    value = strings[index]
                elif kind == "str":
                    value = unescape(text)
                elif kind == "b":
                    if text in ("1", "true"):
                        value = True
                    elif text in ("0", "false"):
                        value = False
                    else:
                        raise XlsxError(f"row {number} has a true/false cell holding {text!r}")
                elif kind == "e":
                    value = ""
                elif kind == "d":
                    value = iso_value(text)
                else:
                    raise XlsxError(f"row {number} has a cell of unknown type {kind!r}")
                if column == len(cells):
                    cells.append(value)
                elif column > len(cells):
                    cells.extend([""] * (column - len(cells)))
                    cells.append(value)
                else:
                    cells[column] = value
                used = True
            elif tag == _V:
                capture = False
            elif tag == _T:
                if capture:
                    parts.append(text if preserve else text.strip(TRIM))
                    text = ""
                capture = False
            elif tag == _ROW:
                if number < 0:
                    number = self.last_seen + 1
                    if number > MAX_ROWS:
                        raise XlsxError(f"the sheet has a row after row {MAX_ROWS:,}, the last "
                                        "a sheet can have")
                self.last_seen = number
                if not used:
                    return
                last = self.last_used
                if number <= last:
                    raise XlsxError(f"row {number} is written twice: a row of the sheet would "
                                    "be lost (open the workbook in Excel and save it again)"
                                    if number == last else
                                    f"row {number} comes after row {last}: the sheet's rows "
                                    "are out of order (open the workbook in Excel and save "
                                    "it again)")
                if last and number > last + 1:
                    rows.append((last + 1, number - 1))
                rows.append((number, cells))
                self.last_used = number
                if not self.first_used:
                    self.first_used = number
            elif tag == _PHONETIC:
                phonetic = False
            elif tag == _MERGED:
                self.merged = True

        def characters(data: str) -> None:
            nonlocal text
            if capture:
                text += data

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters


def _row_number(text: str) -> int:
    """A row's number, written in its ``r`` or in its cells' references: 1 to 1,048,576."""
    number = int(text) if text.isascii() and text.isdigit() else 0
    if not 0 < number <= MAX_ROWS:
        raise XlsxError(f"a row is numbered {text!r}: a sheet's rows are numbered 1 to "
                        f"{MAX_ROWS:,} (the reference is broken)")
    return number


def expand(found: list[Any]) -> Iterator[tuple[int, list[Any]]]:
    """A parser's rows, with each range of rows that have no value as empty rows."""
    for row in found:
        if type(row[1]) is int:
            for number in range(row[0], row[1] + 1):
                yield number, []
        else:
            yield row


def parse_piece(book: Book, piece: Piece
                ) -> tuple[list[tuple[int, list[Any]]], int, int] | None:
    """A piece's rows (whole rows of the sheet's XML, in ``data``), and the numbers of the
    first and last that have a value (0: none); None when it is to be read in order from where
    it starts (it may not be whole rows, or the XML breaks in it: read in order, the error says
    where), or when it holds a run of more than ``EMPTY_IN_A_PIECE`` rows with no value (a few
    bytes of XML, and as many empty rows to hold: read in order, they are only counted)."""
    if not piece.whole:
        return None
    parser = RowParser(book)
    try:
        parser.feed(piece.head)
        parser.feed(plain_inline(piece.data))
    except XlsxError:
        return None
    finally:
        parser.close()
    if any(type(row[1]) is int and row[1] - row[0] >= EMPTY_IN_A_PIECE for row in parser.rows):
        return None
    return list(expand(parser.rows)), parser.first_used, parser.last_used


def plain_inline(data: bytes) -> bytes:
    """Whole rows with ``<is><t>text</t></is>``, an inline string's usual form, written
    ``<v>text</v>``: two elements fewer a cell to parse, 20% faster. (Only where markup can
    be: a piece with a comment or CDATA is not parsed on its own.)"""
    return data.replace(b"<is><t>", b"<v>").replace(b"</t></is>", b"</v>")
