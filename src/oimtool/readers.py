"""Read exports row by row: CSV/TSV text in any common encoding, and workbooks.

An ``Export`` gives rows as lists of cells with the row number a spreadsheet program shows
(a quoted CSV record spanning several lines is one row). Text cells are ``str``; workbook cells
keep their type (float, str, bool, date) and are "" when empty.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count, islice
from pathlib import Path
from typing import Any

from .errors import InputError, open_input

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 256 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that are Turkish letters in cp1254 (ğ Ğ ı İ ş Ş) and rare Icelandic ones in cp1252.
_CP1254_LETTERS = frozenset(b"\xf0\xd0\xfd\xdd\xfe\xde")
# Bytes cp1254 leaves undefined that cp1252 uses (Ž ž): a sign the text is not Turkish.
_CP1252_ONLY = frozenset(b"\x8e\x9e")


class SourceError(Exception):
    """The source cannot be read as asked: unknown sheet, unknown format (usage errors)."""


class ContentError(Exception):
    """The source's content cannot be parsed (a broken workbook, a CSV quote never closed)."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class Export:
    """An opened export: its rows, and what was found out about it.

    Iterate it for (row number, cells) pairs, or ``take`` them in chunks (faster).
    """

    path: Path
    sheet: str | None  # the sheet read, for a workbook
    rows: Iterator[tuple[int, list[Any]]]  # raw: may raise csv.Error or UnicodeDecodeError
    encoding: str | None = None
    delimiter: str | None = None
    size: int = 0  # bytes (text) or rows (workbook), for a progress bar
    notes: list[str] = field(default_factory=list)
    progress: Any = None  # () -> how much of ``size`` is read
    reader: Any = None  # the csv reader, for the line an error is on
    last: int = 0  # the number of the last row taken
    data: Any = None  # the sheet, for a workbook (to read ranges of rows again)
    first_column: int = 0  # a workbook's first used column (0-based), where calamine starts
    handle: Any = None  # the open file of a text source
    lines_before: int = 0  # lines before where reading started, for messages
    stream: Any = None  # the xlsx.SheetStream of a workbook read as a stream

    def close(self) -> None:
        """Close the file (a text source keeps it open while rows are read)."""
        if self.stream is not None:
            self.rows.close()  # a generator: the sheet's part, open in the archive, is closed
        if self.handle is not None:
            self.handle.close()

    @property
    def is_sheet(self) -> bool:
        return self.sheet is not None

    def take(self, count: int) -> tuple[list[tuple[int, list[Any]]], ContentError | None]:
        """The next rows, at most ``count``; and the error that stopped them, if one did (the
        rows before it are all there)."""
        rows: list[tuple[int, list[Any]]] = []
        error = None
        try:
            rows.extend(islice(self.rows, count))  # what came before an error stays in rows
        except csv.Error as exc:
            line = self.lines_before + (self.reader.line_num if self.reader is not None else 0)
            error = ContentError(_csv_error(str(exc), line), (rows[-1][0] if rows else self.last)
                                 + 1)
        except UnicodeError:  # not decodable; or, for UTF-16, no byte order mark
            error = ContentError(_undecodable(self.path, self.encoding or "utf-8"))
        except ContentError as exc:  # a workbook read as a stream breaks off
            error = exc
        if rows:
            self.last = rows[-1][0]
        return rows, error

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        while True:
            rows, error = self.take(1000)
            yield from rows
            if error is not None:
                raise error
            if len(rows) < 1000:
                return


def open_source(path: str | Path, *, sheet: str | None = None, encoding: str | None = None,
                delimiter: str | None = None) -> Export:
    """Open a CSV/TSV/TXT file or a workbook by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES:
        return _open_sheet(path, sheet)
    if suffix in TEXT_SUFFIXES or suffix == "":
        if sheet is not None:
            raise SourceError(f"--sheet is for workbooks; {path.name} is a text file")
        return _open_text(path, encoding, delimiter)
    raise SourceError(
        f"{path.name}: unknown kind of file; oimtool converts "
        f"{', '.join(TEXT_SUFFIXES + SHEET_SUFFIXES)}"
    )


# -- text ----------------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> tuple[str, str | None]:
    """The encoding of a text export from its first bytes, and a note when it was a guess.

    A BOM decides. Else UTF-8 if the sample decodes as UTF-8. Else a Windows code page: Turkish
    cp1254 unless the bytes say otherwise (general detectors misjudge short Turkish samples as
    cp1250 or cp1252; the six bytes that differ are Turkish letters in cp1254).
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, None
    if len(sample) >= 4 and sample[1] == sample[3] == 0 and sample[0] and sample[2]:
        return "utf-16-le", "UTF-16 without a byte order mark: read as UTF-16 (little endian)"
    if len(sample) >= 4 and sample[0] == sample[2] == 0 and sample[1] and sample[3]:
        return "utf-16-be", "UTF-16 without a byte order mark: read as UTF-16 (big endian)"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", None
    present = set(sample)
    if present & _CP1252_ONLY and not present & _CP1254_LETTERS:
        return "cp1252", "not UTF-8: read as Windows-1252 (cp1252); use --encoding to choose"
    return "cp1254", "not UTF-8: read as Turkish Windows-1254 (cp1254); use --encoding to choose"


def _first_non_utf8(handle: Any) -> int | None:
    """The offset of the first byte that is not UTF-8, reading the whole file (at C speed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    finally:
        handle.seek(0)
    return None


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the first lines into rows of one width, preferring one that
    splits a line into known header names. Each line is split on its own, so that one stray
    quote cannot mislead it."""
    if suffix == ".tsv":
        return "\t"
    from .columns import known_count

    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample cut the last line
    best, best_score = ",", (False, -1, -1)
    for candidate in DELIMITERS:
        rows = []
        for line in lines:
            try:
                rows.append(next(csv.reader([line], delimiter=candidate), []))
            except csv.Error:
                rows.append(line.split(candidate))
        widths = [len(row) for row in rows]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        header = any(known_count(row, {}) >= 2 for row in rows)
        score = (header, sum(1 for w in widths if w == common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _open_text(path: Path, encoding: str | None, delimiter: str | None) -> Export:
    try:
        handle = open_input(path)  # closed with the export
    except InputError as exc:
        raise SourceError(str(exc)) from exc
    size = os.fstat(handle.fileno()).st_size
    sample = handle.read(_SAMPLE)
    handle.seek(0)
    notes = []
    if encoding is None:
        encoding, note = detect_encoding(sample)
        if encoding == "utf-8" and size > len(sample):
            bad = _first_non_utf8(handle)  # the sample may be ASCII and the rest not
            if bad is not None:
                handle.seek(max(0, bad - _SAMPLE // 2))
                window = handle.read(_SAMPLE)
                handle.seek(0)
                encoding, note = detect_encoding(b"\xff" + window)  # not UTF-8, for sure
                note = f"{note} (the first byte that is not UTF-8 is at offset {bad:,})"
        if note:
            notes.append(note)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            handle.close()
            raise SourceError(f"--encoding {encoding}: unknown encoding") from exc
    if delimiter is None:
        delimiter = sniff_delimiter(sample.decode(encoding, "replace"), path.suffix.lower())
    elif delimiter in ("tab", "\\t"):
        delimiter = "\t"
    if len(delimiter) != 1:
        handle.close()
        raise SourceError(f"--delimiter {delimiter!r}: give one character (or 'tab')")
    csv.field_size_limit(MAX_CELL)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    return Export(path, None, zip(count(1), reader), encoding, delimiter, size, notes,
                  progress=handle.tell, reader=reader, handle=text)


def _undecodable(path: Path, encoding: str) -> str:
    """Where a text file first fails to decode, for the message (the reader decodes ahead, in
    chunks, so its own error cannot say)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start]
                line += chunk.count(b"\n", 0, exc.start)
                return (f"byte 0x{bad:02x} on line {line} is not {encoding} text: give the "
                        "file's encoding with --encoding (cp1254 for Turkish Windows)")
            except UnicodeError as exc:  # UTF-16 without a byte order mark
                return (f"the file is not {encoding} text ({exc}): give its encoding with "
                        "--encoding, or leave it out to have it detected")
            offset += len(chunk)
            line += chunk.count(b"\n")
    return f"the file is not {encoding} text: give its encoding with --encoding"


def _codec(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def text_offset_after(path: Path, encoding: str, delimiter: str, records: int) -> int:
    """The byte offset just after the first ``records`` CSV records of a file: where the rows
    after the header start, for cutting the rest into pieces."""
    with open(path, "rb") as handle:
        offset = 0
        if encoding == "utf-8-sig" and handle.read(3) == codecs.BOM_UTF8:
            offset = 3
        else:
            handle.seek(0)

        def lines() -> Iterator[str]:
            nonlocal offset
            for line in handle:
                offset += len(line)
                yield line.decode(_codec(encoding))

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        for _ in range(records):
            next(reader)
        return offset


def text_piece_rows(path: Path, start: int, end: int, encoding: str, delimiter: str
                    ) -> list[tuple[int, list[str]]] | None:
    """The CSV records between two byte offsets, numbered from 1; None when the piece does not
    end between records (a quote still open) or does not decode."""
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    csv.field_size_limit(MAX_CELL)
    try:
        text = data.decode(_codec(encoding))
        return list(zip(count(1), csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                             strict=True)))
    except (UnicodeError, csv.Error):
        return None


def open_text_at(path: Path, offset: int, row: int, encoding: str, delimiter: str) -> Export:
    """A text source read from a byte offset where a record starts, numbering from ``row``."""
    handle = open(path, "rb")  # noqa: SIM115 - closed with the export
    lines_before = 0
    while handle.tell() + (1 << 20) <= offset:
        lines_before += handle.read(1 << 20).count(b"\n")
    lines_before += handle.read(offset - handle.tell()).count(b"\n")
    csv.field_size_limit(MAX_CELL)
    text = io.TextIOWrapper(handle, encoding=_codec(encoding), newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    size = os.fstat(handle.fileno()).st_size
    return Export(path, None, zip(count(row), reader), encoding, delimiter, size,
                  progress=handle.tell, reader=reader, last=row - 1, handle=text,
                  lines_before=lines_before)


#: The longest cell a text export may have (Python's csv stops at 128 KiB by default).
MAX_CELL = 16 << 20


def _csv_error(reason: str, line: int) -> str:
    if "field larger than field limit" in reason:
        return (f"a cell ending on line {line} is longer than {MAX_CELL:,} characters: that "
                "is not an export column (a quote opened and never closed?)")
    if "unexpected end of data" in reason:
        return (f"a quote opened in this row is never closed: everything after it, to the end "
                f"of the file (line {line}), would be one cell. Close the quote, or double the "
                'quote characters inside the cell ("")')
    return f"the CSV cannot be read at line {line}: {reason}"


# -- workbooks -----------------------------------------------------------------------------

#: An .xlsx sheet that spans more cells than this (from A1 to its last cell), or whose XML
#: unpacks to more than ``STREAM_BYTES``, is read as a stream (``xlsx``): memory stays flat.
#: A smaller one is read whole by python-calamine: twice as fast, but about 100 bytes a cell
#: of that span, empty or not.
STREAM_CELLS = 2_000_000
STREAM_BYTES = 96 << 20


def _open_sheet(path: Path, sheet: str | None) -> Export:
    try:
        open_input(path).close()
    except InputError as exc:
        raise SourceError(str(exc)) from exc
    _check_archive(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        streamed = _open_xlsx(path, sheet)
        if streamed is not None:
            return streamed
    return _open_calamine(path, sheet)


def _choose_sheet(names: list[str], visible: list[str], sheet: str | None
                  ) -> tuple[str, list[str]]:
    """The sheet to read (the first visible worksheet unless one is asked for), and notes."""
    if not names:
        raise ContentError("the workbook has no sheet")
    if sheet is None:
        chosen = (visible or names)[0]
        notes = [f"read sheet {chosen!r} of {len(names)} ({', '.join(names)}); --sheet "
                 "chooses another"] if len(names) > 1 else []
        return chosen, notes
    if sheet not in names:
        raise SourceError(f"--sheet {sheet}: there is no such sheet; the sheets are: "
                          f"{', '.join(names)}")
    return sheet, []


def _open_xlsx(path: Path, sheet: str | None) -> Export | None:
    """A large sheet of an .xlsx/.xlsm opened as a stream; None for one read whole."""
    import zipfile

    from .xlsx import Book, XlsxError

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError(f"not a workbook: {exc} (is the file complete?)") from exc
    try:
        book = Book(archive)
        names = [name for name, *_ in book.sheets]
        chosen, notes = _choose_sheet(
            names, [name for name, _, visible, work in book.sheets if visible and work], sheet)
        part = next(part for name, part, *_ in book.sheets if name == chosen)
        if part is None or part not in archive.namelist():
            archive.close()
            return None  # a chart sheet, or a part calamine may find otherwise
        size = archive.getinfo(part).file_size
        span = book.dimension(part)
        if size <= STREAM_BYTES and (span is None or span[0] * span[1] <= STREAM_CELLS):
            archive.close()
            return None
        book.load()
    except (XlsxError, zipfile.BadZipFile, KeyError, OSError,
            ValueError, SyntaxError) as exc:  # defusedxml's refusals, ElementTree's errors
        archive.close()
        raise ContentError(f"cannot read the workbook: {exc}") from exc
    stream = book.open(part)
    return Export(path, chosen, _stream_rows(stream.rows()), size=stream.size, notes=notes,
                  progress=lambda: stream.read, stream=stream, handle=archive)


def _stream_rows(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    from .xlsx import XlsxError

    last = 0
    try:
        for row in rows:
            last = row[0]
            yield row
    except XlsxError as exc:
        raise ContentError(f"cannot read the sheet after row {last}: {exc}", last + 1) from exc


def open_sheet_at(source: Export, start: int, last_used: int) -> Export:
    """A sheet read as a stream, from byte ``start`` of its XML (where a row starts), after
    row ``last_used``: to read on in order where a piece could not be read on its own."""
    stream = source.stream
    return Export(source.path, source.sheet, _stream_rows(stream.rows(start, last_used)),
                  size=stream.size, progress=lambda: stream.read, stream=stream)


def _open_calamine(path: Path, sheet: str | None) -> Export:
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
    sheet, notes = _choose_sheet(
        book.sheet_names, [m.name for m in book.sheets_metadata
                           if m.visible == SheetVisibleEnum.Visible
                           and m.typ == SheetTypeEnum.WorkSheet], sheet)
    try:
        data = book.get_sheet_by_name(sheet)
    except (CalamineError, ValueError) as exc:
        raise ContentError(f"cannot read sheet {sheet}: {exc}") from exc
    if data.merged_cell_ranges:
        notes.append(f"sheet {sheet!r} has merged cells: only their first cell holds a value")
    first_column = data.start[1] if data.start else 0
    height = data.end[0] + 1 if data.end else 0  # iter_rows starts at row 1, however empty
    return Export(path, sheet, _sheet_rows(data, first_column), size=height, notes=notes,
                  data=data, first_column=first_column)


_cursor: tuple[Any, int, Iterator[tuple[int, list[Any]]]] | None = None  # (sheet, at, rows)


def sheet_rows(source: Export, start: int, stop: int) -> list[tuple[int, list[Any]]]:
    """Rows ``start`` to ``stop`` (0-based: row 1 is 0) of an
    opened workbook, read again: for worker processes, which inherit the sheet. Each process
    keeps its place, so rows asked for in order are each read once (a row costs about 0.3 µs
    to skip), not once per piece from the top."""
    global _cursor
    if _cursor is not None and _cursor[0] is source.data and _cursor[1] <= start:
        _, at, rows = _cursor
    else:
        at, rows = 0, _sheet_rows(source.data, source.first_column)
    if start > at:
        next(islice(rows, start - at - 1, None), None)  # skip, at C speed
    found = list(islice(rows, stop - start))
    _cursor = (source.data, start + len(found), rows)
    return found


#: Limits on a workbook (a zip archive of XML) before it is opened: beyond them it is a
#: "zip bomb", made to exhaust memory, not an export.
MAX_UNPACKED = 4 << 30  # bytes, all the archive's members together
MAX_RATIO = 200  # unpacked / packed, for members above a few megabytes
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls and of encrypted .xlsx


def _check_archive(path: Path) -> None:
    """Refuse a workbook that is not what its name says, or that would unpack to far more
    than an export can hold."""
    import zipfile

    with open(path, "rb") as handle:
        magic = handle.read(8)
    if path.suffix.lower() == ".xls":
        return
    if magic == _OLE:
        raise ContentError("the workbook is encrypted (protected by a password), or an old "
                           ".xls renamed: open it in Excel and save a copy without a password "
                           "as .xlsx")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError(f"not a workbook: {exc} (is the file complete?)") from exc
    with archive:
        members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    for member in members:
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > (16 << 20) and ratio > MAX_RATIO:
            raise ContentError(
                f"{member.filename} would unpack {ratio:,.0f} times its size "
                f"({member.file_size:,} bytes): not a real export (a zip bomb?)")
    if unpacked > MAX_UNPACKED:
        raise ContentError(f"the workbook would unpack to {unpacked:,} bytes, more than "
                           f"oimtool reads ({MAX_UNPACKED:,}): split the export")


def _sheet_rows(data: Any, first_column: int) -> Iterator[tuple[int, list[Any]]]:
    """Rows as calamine gives them: an empty cell is ""."""
    # iter_rows starts at the sheet's row 1 (not at its first used row, as ``start`` and
    # to_python do), and at its first used column
    rows = zip(count(1), data.iter_rows())
    if not first_column:
        return rows
    pad = [""] * first_column  # calamine starts at the first used column
    return ((number, pad + cells) for number, cells in rows)
