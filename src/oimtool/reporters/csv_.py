r"""The CSV report: one row a problem, for the people who own the export (it opens in Excel).

UTF-8 with a BOM (which Excel needs to see UTF-8). A cell that starts with ``=``, ``+``, ``-``
or ``@`` gets a leading apostrophe, so that a report can never run a formula: the values come
from the data, and the data is not to be trusted. For the same reason no cell holds a control
character (a NUL, the escape a terminal obeys, a line break, a tab): each is written as its JSON
escape, as the messages quote values (``\u0000``, ``\u001b``, ``\r``, ``\t``).
"""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from ..format import show
from ..problems import Problem, Summary
from . import Reporter

COLUMNS = ("file", "sheet", "row", "column", "item", "field", "code", "severity", "message",
           "value", "suggested fix")
_ACTIVE = ("=", "+", "-", "@")
_SHORT = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
#: The C0 controls, DEL and the C1 controls, each to its JSON escape.
_CONTROLS = {code: _SHORT.get(code, f"\\u{code:04x}")
             for code in (*range(0x20), *range(0x7F, 0xA0))}


def neutral(text: str) -> str:
    """A cell Excel shows as text, never as a formula, and with no control character."""
    text = text.translate(_CONTROLS)
    return "'" + text if text.startswith(_ACTIVE) else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else show(value, limit=10_000)


def problem_row(problem: Problem) -> list[str]:
    """A problem as the CSV report writes it: the source cell when it came from an export,
    the line and column of the JSON file otherwise."""
    where = problem.location
    cell = where.cell
    column: str | int | None
    if cell is not None:
        sheet, row, column = cell.sheet, cell.row, cell.header
    else:
        sheet, row, column = None, where.line, where.column
    fix = problem.fix
    suggested = "" if fix is None else f"{_text(fix.value)} ({'safe' if fix.safe else 'unsafe'})"
    cells = [where.file, sheet or "", "" if row is None else str(row),
             "" if column is None else str(column),
             "" if where.index is None else str(where.index), where.field or "",
             problem.code, problem.severity.value, problem.message, _text(problem.value),
             suggested]
    return [neutral(cell) for cell in cells]


class CsvReporter(Reporter):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(out, **options)
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        self._writer = csv.writer(self._text)
        self._writer.writerow(COLUMNS)

    def add(self, problem: Problem) -> None:
        self._writer.writerow(problem_row(problem))

    def close(self, summary: Summary) -> None:
        self._text.flush()
        self._text.detach()
        self.out.flush()
