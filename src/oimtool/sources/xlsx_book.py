"""What the sheets of an .xlsx/.xlsm workbook share: the parts of the archive, the sheets' names,
the shared strings, which cell styles show dates, and the date system; and the XML parser every
part is read with (expat, refusing any document type: no entity expands)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import Any
from xml.parsers import expat

#: The unpacked bytes read at a time from the archive.
CHUNK = 1 << 20

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})"
                        rb"(?::([A-Z]{1,3})(\d{1,7}))?\"")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)")
_ISO_TIME = re.compile(r"\d\d:\d\d:\d\d(?:\.\d+)?")
_DATETIME, _TIMEDELTA = 1, 2  # kinds of number format
_BUILTIN_DATES = {**dict.fromkeys((*range(14, 23), 45, 47), _DATETIME), 46: _TIMEDELTA}
_DAY_MS = 86_400_000
TRIM = " \t\r\n"


class XlsxError(Exception):
    """The workbook's XML cannot be read (the message says where)."""


def unescape(text: str) -> str:
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
        workbook, written = next(((t, raw) for kind, t, raw in root_rels.values()
                                  if kind.endswith("/officeDocument")),
                                 ("xl/workbook.xml", "xl/workbook.xml"))
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
        #: the sheets' parts that every reader finds at the same path: their relationship
        #: names them plainly (no "..", no "\\"), from the usual folder, xl/
        self.plain: set[str] = set()
        plain = folder == "xl" and written.lstrip("/") == workbook
        for element in tree.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.in_1904 = element.get("date1904", "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                kind, part, raw = rels.get(rid or "", ("", None, ""))
                self.sheets.append((element.get("name", ""), part,
                                    element.get("state", "visible") == "visible",
                                    kind.endswith("/worksheet")))
                if plain and part is not None and raw == part:
                    self.plain.add(part)
        self._rels = rels
        self.styles: list[int] = []
        self.strings: list[str] = []

    def load(self) -> None:
        """Read the shared strings and the styles: before the rows of a sheet."""
        from defusedxml import ElementTree

        names = set(self.archive.namelist())
        for kind, part, _ in self._rels.values():
            if part not in names:
                continue
            if kind.endswith("/styles"):
                self.styles = _date_styles(ElementTree.fromstring(self.archive.read(part)))
            elif kind.endswith("/sharedStrings"):
                self.strings = _shared_strings(self.archive, part)

    def dimension(self, part: str) -> tuple[int, int] | None:
        """The rows and columns a sheet says it spans from A1, in its ``<dimension>`` (None
        without one). A claim: the cells may lie elsewhere."""
        with self.archive.open(part) as handle:
            head = handle.read(64 * 1024)
        match = _DIMENSION.search(head)
        if match is None:
            return None
        first_letters, first_digits, last_letters, last_digits = match.groups()
        return int(last_digits or first_digits), column_index(
            (last_letters or first_letters).decode()) + 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


def _relations(archive: zipfile.ZipFile, path: str, folder: str
               ) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id → (type, the target's path in the archive, and that path
    as written, joined to ``folder`` but not made normal)."""
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
                                            posixpath.normpath(target), target)
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
                parts.append(piece if state["preserve"] else piece.strip(TRIM))
            state["t"] = False
        elif tag == "si":
            strings.append(unescape("".join(parts)))
        elif tag == "rPh":
            state["phonetic"] = False

    def characters(data: str) -> None:
        if state["t"]:
            text.append(data)

    parser = xml_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    with archive.open(part) as handle:
        while chunk := handle.read(CHUNK):
            feed(parser, chunk, False)
        feed(parser, b"", True)
    return strings


def xml_parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_: Any) -> None:
        raise XlsxError("the workbook's XML declares a document type (entities that expand: "
                        "an XML bomb?); oimtool does not read it")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def feed(parser: Any, data: bytes, final: bool) -> None:
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise XlsxError(f"the workbook's XML is broken ({expat.errors.messages[exc.code]}, "
                        f"line {exc.lineno}, column {exc.offset})") from exc
