"""Read a worksheet of an .xlsx/.xlsm workbook as a stream of rows, never whole.

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

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from xml.parsers import expat

#: The unpacked bytes read at a time from the archive.
CHUNK = 1 << 20

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})"
                        rb"(?::([A-Z]{1,3})(\d{1,7}))?\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+)(\d+)\"")
#: A sheet without a ``<dimension>`` up to this size has its cells looked through for it.
SCAN_BYTES = 8 << 20
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)")
_ISO_TIME = re.compile(r"\d\d:\d\d:\d\d(?:\.\d+)?")
_DATETIME, _TIMEDELTA = 1, 2  # kinds of number format
_BUILTIN_DATES = {**dict.fromkeys((*range(14, 23), 45, 47), _DATETIME), 46: _TIMEDELTA}
_DAY_MS = 86_400_000
_TRIM = " \t\r\n"


class XlsxError(Exception):
    """The workbook's XML cannot be read (the message says where)."""


def _unescape(text: str) -> str:
    """Excel's escapes for characters XML cannot hold: ``_x000D_`` is a carriage return."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def number_format_kind(code: str) -> int:
    """Whether a custom number format shows a date or time (1), a duration like ``[h]:mm``
    (2), or a number (0): the first section's letters outside quotes, escapes and brackets."""
    escaped = quoted = after_a = False
    brackets = 0
    previous = " "
    duration = False
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            if char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == ";":
            return 0
        elif char == "[":
            brackets += 1
        elif char == "]":
            if brackets == 1 and duration:
                return _TIMEDELTA
            brackets = max(0, brackets - 1)
        elif brackets == 0 and not after_a and char in "aA":
            after_a = True
        elif brackets == 0 and char in ("pm/PM" if after_a else "dmhysDMHYS"):
            return _DATETIME
        elif not (duration and char.lower() == previous.lower()):
            duration = previous == "[" and char in "mhsMHS"
        previous = char
    return 0


def excel_date(value: float, kind: int, in_1904: bool) -> Any:
    """A number in a date (or duration) format as Python gives dates: a ``time`` below 1, a
    ``date`` when whole, else a ``datetime``; to the millisecond. Out of range: the number."""
    try:
        scaled = value * _DAY_MS
        ms = int(scaled + 0.5) if scaled >= 0 else -int(-scaled + 0.5)
        if kind == _TIMEDELTA:
            return timedelta(milliseconds=ms)
        if in_1904:
            base = datetime(1904, 1, 1)
        else:  # Excel counts a 29 February 1900 that never was
            base = datetime(1899, 12, 31) if value < 60 else datetime(1899, 12, 30)
        moment = base + timedelta(milliseconds=ms)
    except (OverflowError, ValueError):
        return value
    if value < 1:
        return moment.time()
    if value == int(value):
        return moment.date()
    return moment


def iso_value(text: str) -> Any:
    """A ``t="d"`` cell: an ISO 8601 date, date and time, or time; else the text."""
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if match := _ISO_DATETIME.fullmatch(text):
            return datetime.fromisoformat(f"{match[1]}T{_micro(match[2])}")
        if _ISO_TIME.fullmatch(text):
            return datetime.fromisoformat(f"2000-01-01T{_micro(text)}").time()
    except ValueError:
        pass
    return text


def _micro(clock: str) -> str:
    whole, _, fraction = clock.partition(".")
    return f"{whole}.{fraction[:6]:0<6}" if fraction else whole


def column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


class Book:
    """What the sheets of a workbook share: their names and parts, the shared strings, which
    cell styles are dates, and the date system."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        from defusedxml import ElementTree

        self.archive = archive
        names = set(archive.namelist())
        root_rels = _relations(archive, "_rels/.rels", "")
        workbook = next((t for kind, t in root_rels.values() if kind.endswith(
            "/officeDocument")), "xl/workbook.xml")
        if workbook not in names:
            raise XlsxError("the archive has no workbook part: not an .xlsx workbook")
        folder = posixpath.dirname(workbook)
        rels = _relations(archive, posixpath.join(folder, "_rels",
                                                  posixpath.basename(workbook) + ".rels"),
                          folder)
        tree = ElementTree.fromstring(archive.read(workbook))
        self.in_1904 = False
        #: (name, part, visible, a worksheet) for each sheet, in the workbook's order
        self.sheets: list[tuple[str, str | None, bool, bool]] = []
        for element in tree.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.in_1904 = element.get("date1904", "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                kind, part = rels.get(rid or "", ("", None))
                self.sheets.append((element.get("name", ""), part,
                                    element.get("state", "visible") == "visible",
                                    kind.endswith("/worksheet")))
        self._rels = rels
        self.styles: list[int] = []
        self.strings: list[str] = []

    def load(self) -> None:
        """Read the shared strings and the styles: before the rows of a sheet."""
        from defusedxml import ElementTree

        names = set(self.archive.namelist())
        for kind, part in self._rels.values():
            if part not in names:
                continue
            if kind.endswith("/styles"):
                self.styles = _date_styles(ElementTree.fromstring(self.archive.read(part)))
            elif kind.endswith("/sharedStrings"):
                self.strings = _shared_strings(self.archive, part)

    def open(self, part: str) -> SheetStream:
        return SheetStream(self, part)

    def dimension(self, part: str) -> tuple[int, int] | None:
        """The rows and columns a sheet spans: as its ``<dimension>`` says; without one, as
        its cells say, for a sheet of up to ``SCAN_BYTES`` (None for a larger one)."""
        with self.archive.open(part) as handle:
            head = handle.read(64 * 1024)
        match = _DIMENSION.search(head)
        if match is None:
            if self.archive.getinfo(part).file_size > SCAN_BYTES:
                return None
            last_row = last_column = 0
            for letters, digits in set(_CELL_REF.findall(self.archive.read(part))):
                last_row = max(last_row, int(digits))
                last_column = max(last_column, column_index(letters.decode()) + 1)
            return last_row, last_column
        first_column, first_row, last_column, last_row = match.groups()
        last_column, last_row = last_column or first_column, last_row or first_row
        return (int(last_row) - int(first_row) + 1,
                column_index(last_column.decode()) - column_index(first_column.decode()) + 1)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


def _relations(archive: zipfile.ZipFile, path: str, folder: str
               ) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, the target's path in the archive)."""
    from defusedxml import ElementTree

    try:
        tree = ElementTree.fromstring(archive.read(path))
    except KeyError:
        return {}
    found = {}
    for element in tree.iter():
        if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
            target = element.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id", "")] = (element.get("Type", ""),
                                            posixpath.normpath(target))
    return found


def _date_styles(tree: Any) -> list[int]:
    """For each cell style (``s`` of a cell), the kind of its number format."""
    custom = {}
    kinds = []
    for element in tree.iter():
        tag = _local(element.tag)
        if tag == "numFmt":
            custom[element.get("numFmtId", "")] = number_format_kind(
                element.get("formatCode", ""))
        elif tag == "cellXfs":
            for xf in element:
                key = xf.get("numFmtId", "0")
                kind = custom.get(key)
                if kind is None:
                    kind = _BUILTIN_DATES.get(int(key), 0) if key.isdigit() else 0
                kinds.append(kind)
    return kinds


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    """The shared strings table, read as a stream."""
    strings: list[str] = []
    parts: list[str] = []
    text: list[str] = []
    state = {"t": False, "preserve": False, "phonetic": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "t":
            state["t"] = not state["phonetic"]
            state["preserve"] = attrs.get("xml:space") == "preserve"
            text.clear()
        elif tag == "si":
            parts.clear()
        elif tag == "rPh":
            state["phonetic"] = True

    def end(name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag == "t":
            if state["t"]:
                piece = "".join(text)
                parts.append(piece if state["preserve"] else piece.strip(_TRIM))
            state["t"] = False
        elif tag == "si":
            strings.append(_unescape("".join(parts)))
        elif tag == "rPh":
            state["phonetic"] = False

    def characters(data: str) -> None:
        if state["t"]:
            text.append(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    with archive.open(part) as handle:
        while chunk := handle.read(CHUNK):
            _feed(parser, chunk, False)
        _feed(parser, b"", True)
    return strings


def _parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_: Any) -> None:
        raise XlsxError("the workbook's XML declares a document type (entities that expand: "
                        "an XML bomb?); oimtool does not read it")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _feed(parser: Any, data: bytes, final: bool) -> None:
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise XlsxError(f"the workbook's XML is broken ({expat.errors.messages[exc.code]}, "
                        f"line {exc.lineno}, column {exc.offset})") from exc


_ROW, _C, _V, _T, _PHONETIC, _MERGED = 1, 2, 3, 4, 5, 6
_TAGS = {"row": _ROW, "c": _C, "v": _V, "t": _T, "rPh": _PHONETIC, "mergeCell": _MERGED}
#: Rows whose start in the XML is noted (for cutting the rest after the header into pieces).
NOTED_ROWS = 10_000


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
        self.parser = _parser()
        self._handlers(book)

    def feed(self, data: bytes, final: bool = False) -> None:
        _feed(self.parser, data, final)

    def close(self) -> None:
        """Let go of the handlers: they and this parser refer to each other, a cycle that
        only the (rarely run) garbage collector would free."""
        parser = self.parser
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.CharacterDataHandler = None

    def _handlers(self, book: Book) -> None:
        # One closure per expat event, state in the closure: the fastest Python can do here.
        strings, in_1904 = book.strings, book.in_1904
        dates = {str(i): kind for i, kind in enumerate(book.styles) if kind}
        rows = self.rows
        tags: dict[str, int] = {}
        letters: dict[str, int] = {}
        parser = self.parser
        number = 0
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
            nonlocal number, cells, used, column, kind, style, text, capture, preserve
            nonlocal phonetic
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
                    if at < 0:
                        raise XlsxError(f"a cell has the reference {ref!r}, which is not a "
                                        "cell's (A1 … XFD1048576)")
                    column = at
                    if number < 0:  # a row without its number: the cells say it
                        number = int(ref[len(head):] or 0) or self.last_seen + 1
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
                number = int(ref) if ref and ref.isdigit() else -1
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
                        parts.append(text.strip(_TRIM))
                    value: Any = _unescape("".join(parts))
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
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise XlsxError(f"row {number} has a cell pointing at shared string "
                                        f"{text!r}, which the workbook does not have") from None
                elif kind == "str":
                    value = _unescape(text)
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
                    parts.append(text if preserve else text.strip(_TRIM))
                    text = ""
                capture = False
            elif tag == _ROW:
                if number < 0:
                    number = self.last_seen + 1
                self.last_seen = number
                if not used:
                    return
                last = self.last_used
                if number <= last:
                    raise XlsxError(f"row {number} comes after row {last}: the sheet's rows "
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

        self.last_seen = 0
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters


def expand(found: list[Any]) -> Iterator[tuple[int, list[Any]]]:
    """A parser's rows, with each range of rows that have no value as empty rows."""
    for row in found:
        if type(row[1]) is int:
            for number in range(row[0], row[1] + 1):
                yield number, []
        else:
            yield row


class XmlPiece(NamedTuple):
    """Whole rows of a sheet's XML, for a worker to parse and convert."""

    start: int  # where they start in the sheet's XML (bytes)
    data: bytes
    final: bool = False
    safe: bool = True  # no comment, CDATA or processing instruction: cut between rows
    head: bytes = b""  # the XML before the sheet's first row, which the rows need to parse


def parse_piece(book: Book, piece: XmlPiece
                ) -> tuple[list[tuple[int, list[Any]]], int, int] | None:
    """A piece's rows, and the numbers of the first and last that have a value (0: none);
    None when it is to be read in order from where it starts (it may not be whole rows, or
    the XML breaks in it: read in order, the error says where)."""
    if not piece.safe:
        return None
    parser = RowParser(book)
    try:
        parser.feed(piece.head)
        parser.feed(_plain_inline(piece.data))
    except XlsxError:
        return None
    finally:
        parser.close()
    return list(expand(parser.rows)), parser.first_used, parser.last_used


class SheetStream:
    """One worksheet's part, read from the archive as rows are asked for."""

    def __init__(self, book: Book, part: str) -> None:
        self.book = book
        self.part = part
        self.size = book.archive.getinfo(part).file_size  # unpacked bytes
        self.read = 0  # unpacked bytes parsed so far
        self.parser: RowParser | None = None  # the parser of the rows read in order
        self._merged = False

    def rows(self, start: int = 0, last_used: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """Every row, in order; or the rows from byte ``start`` of the XML (where a row
        starts), after a row ``last_used`` with a value. Raises XlsxError where the XML
        breaks, after the rows before."""
        parser = RowParser(self.book, last_used=last_used)
        if start:
            head = self.head()
            assert self.parser is not None
            parser.row_name = self.parser.row_name
        else:
            self.parser = parser
            parser.record_starts = True
        found = parser.rows
        plain = True  # no comment or CDATA so far (where "<is><t>" may be text)
        aligned = bool(start)  # what was fed ends where a row does
        carry = bytearray()  # what follows the last whole row fed
        end = f"</{parser.row_name}>".encode()
        with self.book.archive.open(self.part) as handle:
            if start:
                _skip(handle, start)
                parser.feed(head)
            while True:
                try:
                    chunk = handle.read(CHUNK)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                    raise XlsxError(f"the workbook is damaged: {exc}") from exc
                self.read += len(chunk)
                plain = plain and b"<!" not in chunk
                try:
                    if chunk and plain and not parser.record_starts:
                        # Whole rows, rewritten (not while the offsets of rows in the XML as
                        # it is are noted).
                        if not aligned:
                            end = f"</{parser.row_name}>".encode()
                            first = chunk.find(end)
                            if first < 0:
                                parser.feed(chunk)
                                continue
                            first += len(end)
                            parser.feed(chunk[:first])
                            chunk = chunk[first:]
                            aligned = True
                        carry += chunk
                        cut = carry.rfind(end)
                        if cut >= 0:
                            cut += len(end)
                            parser.feed(_plain_inline(bytes(carry[:cut])))
                            del carry[:cut]
                    else:
                        if carry:
                            parser.feed(bytes(carry))
                            carry.clear()
                        parser.feed(chunk, not chunk)
                except BaseException:
                    parser.close()
                    raise
                finally:  # the rows before an error come out first
                    yield from expand(found)
                    found.clear()
                if not chunk:
                    parser.close()
                    return

    @property
    def merged(self) -> bool:
        """Whether the sheet has merged cells: known once every row is read."""
        return self._merged or (self.parser is not None and self.parser.merged)

    def start_after(self, row: int) -> int | None:
        """Where, in the XML, the rows after row ``row`` start (as far as the rows read in
        order noted): None when not known."""
        starts = self.parser.row_starts if self.parser else []
        if not starts or any(number < 0 for number, _ in starts):
            return None  # rows without their number: only reading in order can count them
        for number, offset in starts:
            if number > row:
                return offset
        return None

    def head(self) -> bytes:
        """The XML before the first row: what makes a piece of rows parse as the sheet."""
        assert self.parser is not None and self.parser.row_starts
        with self.book.archive.open(self.part) as handle:
            return handle.read(self.parser.row_starts[0][1])

    def pieces(self, start: int, size: int) -> Iterator[XmlPiece]:
        """The XML from byte ``start`` (where a row starts) to the last row's end, cut after
        a row's end near every ``size`` bytes."""
        assert self.parser is not None
        end = f"</{self.parser.row_name}>".encode()
        head = self.head()
        with self.book.archive.open(self.part) as handle:
            _skip(handle, start)
            buffer = bytearray()
            offset = start
            while True:
                try:
                    chunk = handle.read(size)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    # read in order from here, the rows before the damage are read first
                    yield XmlPiece(offset, bytes(buffer), True, False, head)
                    return
                buffer += chunk
                self.read = max(self.read, offset + len(buffer))
                if chunk and len(buffer) < size:
                    continue
                cut = buffer.rfind(end)
                if cut < 0:
                    if chunk:
                        continue  # a row longer than a piece: read on
                    self._merged = self._merged or b"mergeCell" in buffer
                    return
                cut += len(end)
                data = bytes(buffer[:cut])
                del buffer[:cut]
                if not chunk:  # what follows the last row
                    self._merged = self._merged or b"mergeCell" in buffer
                yield XmlPiece(offset, data, not chunk, b"<!" not in data and b"<?" not in data,
                               head)
                offset += cut
                if not chunk:
                    return


def _plain_inline(data: bytes) -> bytes:
    """Whole rows with ``<is><t>text</t></is>``, an inline string's usual form, written
    ``<v>text</v>``: two elements fewer a cell to parse, 20% faster. (Only where markup can
    be: a piece with a comment or CDATA is not parsed on its own.)"""
    return data.replace(b"<is><t>", b"<v>").replace(b"</t></is>", b"</v>")


def _skip(handle: Any, count: int) -> None:
    while count > 0:
        count -= len(handle.read(min(count, CHUNK))) or count
