"""Workbooks: which reader reads a sheet, which sheet is read, and a guard against archives
that are not exports (zip bombs, encrypted or renamed files, sheets that expand without end)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, open_input
from .base import ContentError, Source, SourceError
from .calamine import CalamineSource

if TYPE_CHECKING:
    from zipfile import ZipFile

#: An .xlsx sheet whose cells span more than this (from A1 to its last cell), or whose XML
#: unpacks to more than ``STREAM_BYTES``, is read as a stream (``xlsx``): memory stays flat.
#: A smaller one is read whole by python-calamine: twice as fast, but about 100 bytes a cell
#: of that span, empty or not. The span is the one its cells show (``xlsx_scan``), never the
#: one the sheet claims. An .ods sheet (python-calamine only) of more cells is refused.
STREAM_CELLS = 2_000_000
STREAM_BYTES = 96 << 20


def open_workbook(path: Path, sheet: str | None) -> Source:
    """Open ``sheet`` (or the first visible worksheet) of a workbook: an .xlsx/.xlsm sheet that
    is large, or whose XML python-calamine might not read as written (``xlsx_scan``), as a
    stream; any other with python-calamine."""
    try:
        open_input(path).close()
    except InputError as exc:
        raise SourceError(str(exc)) from exc
    _check_archive(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, sheet)
    if suffix == ".ods":
        from .ods_scan import check_ods

        check_ods(path, STREAM_CELLS)
    return CalamineSource.open(path, sheet, choose_sheet)


def visible_sheets(path: Path) -> list[str]:
    """The visible worksheets of a workbook, in order (none when it cannot be read: opening
    it says why)."""
    from python_calamine import (
        CalamineWorkbook,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible
                and m.typ == SheetTypeEnum.WorkSheet]
    except Exception:  # any failure: no other sheet to offer
        return []


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


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    """A sheet of an .xlsx/.xlsm: with python-calamine when it is small and its XML shows
    nothing python-calamine would read otherwise than the stream reader; else as a stream."""
    import zipfile
    import zlib

    from .xlsx_book import Book, XlsxError
    from .xlsx_scan import bounded
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
        members: dict[str, list[str]] = {}  # as python-calamine finds them: in any case
        for member in archive.namelist():
            members.setdefault(member.replace("\\", "/").lower(), []).append(member)
        # python-calamine reads the part looked at only if both find it the same way: one sheet
        # of that name, named plainly, no two members whose names differ only in case
        same = (part in book.plain and sum(name == chosen for name, *_ in book.sheets) == 1
                and len(members) == len(archive.namelist()))
        if part is not None and part not in archive.NameToInfo:
            found = members.get(part.lower(), [])  # named in another case
            part = found[0] if len(found) == 1 else None
        if part is None:
            archive.close()
            raise ContentError(f"sheet {chosen!r} has no part in the workbook")
        size = archive.getinfo(part).file_size
        claimed = book.dimension(part)  # a claim: a small one is checked, a large one believed
        width = bounded(archive, part, STREAM_CELLS, claimed[1] if claimed else 0) if (
            same and size <= STREAM_BYTES
            and (claimed is None or claimed[0] * claimed[1] <= STREAM_CELLS)) else 0
        if width:
            whole = _read_whole(path, chosen, archive, part, STREAM_CELLS // width)
            if whole is not None:
                archive.close()
                whole.notes[:0] = notes
                return whole
        book.load()
    except (XlsxError, zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError,
            ValueError, SyntaxError) as exc:  # defusedxml's refusals, ElementTree's errors
        archive.close()
        raise ContentError(f"cannot read the workbook: {exc}") from exc
    return StreamSource(path, chosen, SheetStream(book, part), archive=archive, notes=notes)


def _read_whole(path: Path, sheet: str, archive: ZipFile, part: str, rows: int
                ) -> CalamineSource | None:
    """The sheet read by python-calamine (the one named ``sheet``, whose ``part`` was looked
    at), while its rows are looked through (``regular``) in a thread: python-calamine lets go
    of the interpreter as it reads, so the look costs no time with a second CPU. None when the
    rows are not as Excel writes them, or go beyond row ``rows``, or python-calamine cannot
    read the sheet: the stream reader reads it, or says what is wrong and where."""
    from .xlsx_scan import regular

    verdict: list[bool] = []
    look = threading.Thread(target=lambda: verdict.append(regular(archive, part, rows)),
                            name="oimtool-look", daemon=True)
    look.start()
    try:
        whole: CalamineSource | None = CalamineSource.open(path, sheet, choose_sheet)
    except ContentError:
        whole = None
    finally:
        look.join()
    if whole is not None and not (verdict and verdict[0]):
        whole.close()
        whole = None
    return whole


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
