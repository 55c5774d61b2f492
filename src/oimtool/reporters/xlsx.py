"""The annotated workbook: the owner's own data back, with every bad cell marked.

A cell with an error is filled red, one with a warning amber, and carries a comment with the
message and the suggested fix; a "Problems" sheet lists every problem with a link to its cell.
An .xlsx/.xlsm export is annotated in a copy of the workbook itself (its other sheets and its
formatting kept, as far as openpyxl keeps them); any other export (CSV, .xls, .ods) is copied
into a new workbook first, each row at the row number the report gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from ..format import cell_reference, show
from ..problems import Problem, Summary
from ..rules import Severity
from . import Reporter

ERROR_FILL = "FFC7CE"  # Excel's own "Bad" style
WARNING_FILL = "FFEB9C"  # Excel's "Neutral" style
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what a workbook cannot hold
_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.NOTE: 0}


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("\ufffd", value)
    return value


def _set(cell: Any, value: Any) -> None:
    """Put a value in a cell as data: text that looks like a formula stays text."""
    cell.value = _text(value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _suggestion(problem: Problem) -> str:
    fix = problem.fix
    if fix is None:
        return ""
    value = fix.value if isinstance(fix.value, str) else show(fix.value, limit=200)
    return f"{value} ({'safe' if fix.safe else 'unsafe'})"


def check_target(source: Path, target: Path) -> str | None:
    """Why ``target`` cannot be the annotated copy of ``source``, or None. A workbook's kind
    is in its content, and Excel refuses a file whose suffix says otherwise: the copy of an
    .xlsm (macros kept, never run) is an .xlsm, any other copy an .xlsx."""
    wanted = {".xlsx"} | ({".xlsm"} if source.suffix.lower() == ".xlsm" else set())
    if target.suffix.lower() not in wanted:
        return (f"{target}: give the annotated workbook the suffix "
                f"{' or '.join(sorted(wanted, reverse=True))}")
    return None


class XlsxReporter(Reporter):
    """The annotated copy of an export, written to ``out`` at the end: the export's sheet
    (``sheet`` of the workbook ``export``, or ``rows`` copied into a new workbook) with every
    bad cell marked, and a Problems sheet. ``columns``: the header's width, for marking a whole
    row."""

    def __init__(self, out: IO[bytes], *, export: Path, sheet: str | None, columns: int,
                 rows: Callable[[], Iterable[tuple[int, list[Any]]]], macros: bool = False
                 ) -> None:
        super().__init__(out, command="convert")
        self.export = export
        self.sheet = sheet
        self.columns = columns
        self.rows = rows
        self.macros = macros
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def close(self, summary: Summary) -> None:
        book, sheet = self._book()
        _mark(sheet, self.problems, self.columns)
        _listing(book, sheet, self.problems)
        book.save(self.out)
        self.out.flush()

    def _book(self) -> tuple[Any, Any]:
        """The workbook to annotate, and its sheet of the export's rows."""
        from openpyxl import Workbook, load_workbook

        if self.export.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                book = load_workbook(self.export, keep_vba=self.macros)
                return book, book[self.sheet or ""]
            except Exception:  # XML entities (refused), a part calamine skips that openpyxl
                pass  # cannot read: the values go into a new workbook, as for a CSV
        book = Workbook()
        sheet: Any = book.active  # a new workbook has one sheet
        sheet.title = (self.sheet or self.export.stem)[:31]
        for number, cells in self.rows():
            for index, value in enumerate(cells, 1):
                if value not in (None, ""):
                    _set(sheet.cell(row=number, column=index), value)
        return book, sheet


def _mark(sheet: Any, problems: list[Problem], columns: int) -> None:
    """Fill and comment every cell (or row) with a problem."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    marks: dict[tuple[int, str | None], list[Problem]] = {}
    for problem in problems:
        cell = problem.location.cell
        if cell is not None and cell.row is not None and problem.severity is not (
                Severity.NOTE):
            marks.setdefault((cell.row, cell.letter), []).append(problem)
    fills = {Severity.ERROR: PatternFill("solid", fgColor=ERROR_FILL),
             Severity.WARNING: PatternFill("solid", fgColor=WARNING_FILL)}
    # Whole rows first, so that a cell's own mark, applied after, is the one that shows.
    for (row, letter), found in sorted(marks.items(), key=lambda m: m[0][1] is not None):
        worst = max((p.severity for p in found), key=_RANK.__getitem__)
        text = "\n\n".join(
            f"{p.code} {p.message}" + (f"\nSuggested: {_suggestion(p)}" if p.fix else "")
            for p in found)
        if letter is None:  # the whole row: its first cell gets the comment
            for column in range(1, columns + 1):
                sheet.cell(row=row, column=column).fill = fills[worst]
            anchor = sheet.cell(row=row, column=1)
        else:
            anchor = sheet[f"{letter}{row}"]
            anchor.fill = fills[worst]
        anchor.comment = Comment(_text(text), "oimtool", width=420,
                                 height=min(600, 80 + 60 * len(found)))


def _listing(book: Any, sheet: Any, problems: list[Problem]) -> None:
    """The Problems sheet: every problem, with a link to its cell."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    name = "Problems"
    while name in book.sheetnames:
        name += "+"
    listing = book.create_sheet(name)
    listing.append(["Cell", "Severity", "Code", "Field", "Message", "Value", "Suggested fix"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    link_font = Font(color="0563C1", underline="single")
    for problem in problems:
        where = problem.location.cell
        ref = ""
        if where is not None and where.row is not None:
            ref = f"{where.letter or 'A'}{where.row}"
        listing.append([None] * 7)
        row = listing.max_row
        shown = cell_reference(sheet.title, where.letter or "A", where.row) if (
            ref and where is not None and where.row is not None) else ""
        values = [shown, problem.severity.value, problem.code,
                  problem.location.field or "", problem.message,
                  "" if problem.value is None else str(problem.value), _suggestion(problem)]
        for column, value in enumerate(values, 1):
            _set(listing.cell(row=row, column=column), value)
        if ref:
            link = listing.cell(row=row, column=1)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=shown)
            link.font = link_font
    for letter, width in zip("ABCDEFG", (16, 10, 9, 14, 90, 30, 30), strict=True):
        listing.column_dimensions[letter].width = width
    listing.freeze_panes = "A2"
