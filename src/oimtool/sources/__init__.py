"""Everything that turns an export into rows with their places: CSV/TSV text in any common
encoding, and workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods), behind one ``Source`` protocol."""

from __future__ import annotations

from pathlib import Path

from .base import ContentError, Piece, Row, Source, SourceError, Span, blank_cells
from .text import TextSource

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

__all__ = ["SHEET_SUFFIXES", "TEXT_SUFFIXES", "ContentError", "Piece", "Row", "Source",
           "SourceError", "Span", "blank_cells", "open_source", "reopen"]


def open_source(path: str | Path, *, sheet: str | None = None, encoding: str | None = None,
                delimiter: str | None = None) -> Source:
    """Open a CSV/TSV/TXT file or a workbook by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES:
        from .workbook import open_workbook

        return open_workbook(path, sheet)
    if suffix in TEXT_SUFFIXES or suffix == "":
        if sheet is not None:
            raise SourceError(f"--sheet is for workbooks; {path.name} is a text file")
        return TextSource.open(path, encoding, delimiter)
    raise SourceError(
        f"{path.name}: unknown kind of file; oimtool converts "
        f"{', '.join(TEXT_SUFFIXES + SHEET_SUFFIXES)}"
    )


def reopen(source: Source) -> Source:
    """The same source read again from its first row, as it was read (sheet, encoding,
    delimiter)."""
    again = open_source(source.path, sheet=source.sheet, encoding=source.encoding,
                        delimiter=source.delimiter)
    if source.quoting or not again.quoting:
        return again
    unquoted = again.again(quoting=False)
    again.close()
    return unquoted
