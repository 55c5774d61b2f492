"""GitHub Actions workflow commands: each problem becomes an annotation on its line.

    ::error file=items.json,line=12,col=5,title=OIM502 price-not-number::price is the text ...
"""

from __future__ import annotations

from ..format import cell_reference
from ..problems import Problem, Summary
from ..rules import RULES, Severity
from . import Reporter

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(problem: Problem) -> str:
    """The annotation for a problem (a spreadsheet cell goes in the title: GitHub cannot show
    a workbook's lines)."""
    where = problem.location
    properties = [f"file={_property(where.file)}"]
    if where.line is not None:
        properties.append(f"line={where.line}")
        if where.column is not None:
            properties.append(f"col={where.column}")
    title = f"{problem.code} {RULES[problem.code].slug}"
    cell = where.cell
    if cell is not None and cell.row is not None:
        at = cell_reference(cell.sheet, cell.letter, cell.row) if cell.sheet else (
            f"row {cell.row}")
        title += f" at {at}"
    properties.append(f"title={_property(title)}")
    return f"::{_COMMANDS[problem.severity]} {','.join(properties)}::{_data(problem.message)}"


class GithubReporter(Reporter):
    def add(self, problem: Problem) -> None:
        self.out.write((workflow_command(problem) + "\n").encode("utf-8"))

    def close(self, summary: Summary) -> None:
        from .text import summary_line

        self.out.write(f"::notice title=oimtool::{_data(summary_line(summary))}\n".encode())
        self.out.flush()
