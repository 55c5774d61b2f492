"""Workbooks: which reader reads a sheet, which sheet is read, and a guard against archives
that are not exports (zip bombs, encrypted or renamed files)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, open_input
from .base import ContentError, Source, SourceError
from .calamine import CalamineSource

#: An .xlsx sheet that spans more cells than this (from A1 to its last cell), or whose XML
#: unpacks to more than ``STREAM_BYTES``, is read as a stream (``xlsx``): memory stays flat.
#: A smaller one is read whole by python-calamine: twice as fast, but about 100 bytes a cell
#: of that span, empty or not.
STREAM_CELLS = 2_000_000
STREAM_BYTES = 96 << 20


def open_workbook(path: Path, sheet: str | None) -> Source:
    """Open ``sheet`` (or the first visible worksheet) of a workbook: a large .xlsx/.xlsm sheet
    as a stream, any other with python-calamine."""
    try:
        open_input(path).close()
    except InputError as exc:
        raise SourceError(str(exc)) from exc
    _check_archive(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        streamed = _open_xlsx(path, sheet)
        if streamed is not None:
            return streamed
    return CalamineSource.open(path, sheet, choose_sheet)


def choose_sheet(names: list[str], visible: list[str], sheet: str | None
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


def _open_xlsx(path: Path, sheet: str | None) -> Source | None:
    """A large sheet of an .xlsx/.xlsm opened as a stream; None for one read whole."""
    import zipfile
    import zlib

    from .xlsx_book import Book, XlsxError
    from .xlsx_stream import SheetStream, StreamSource

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError(f"not a workbook: {exc} (is the file complete?)") from exc
    try:
        book = Book(archive)
        names = [name for name, *_ in book.sheets]
        chosen, notes = choose_sheet(
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
    except (XlsxError, zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError,
            ValueError, SyntaxError) as exc:  # defusedxml's refusals, ElementTree's errors
        archive.close()
        raise ContentError(f"cannot read the workbook: {exc}") from exc
    return StreamSource(path, chosen, SheetStream(book, part), archive=archive, notes=notes)


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
