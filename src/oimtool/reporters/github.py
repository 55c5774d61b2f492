"""GitHub Actions workflow commands: each problem becomes an annotation on its line.

    ::error file=items.json,line=12,col=5,title=OIM502 price-not-number::price is the text ...
"""

from __future__ import annotations

from ..problems import Problem, Summary, cell_reference
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
    properties = [f"file={_property(problem.file)}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
        if problem.column is not None:
            properties.append(f"col={problem.column}")
    title = f"{problem.code} {RULES[problem.code].slug}"
    source = problem.source
    if source is not None and source.row is not None:
        cell = cell_reference(source.sheet, source.letter, source.row) if source.sheet else (
            f"row {source.row}")
        title += f" at {cell}"
    properties.append(f"title={_property(title)}")
    return f"::{_COMMANDS[problem.severity]} {','.join(properties)}::{_data(problem.message)}"


class GithubReporter(Reporter):
    def add(self, problem: Problem) -> None:
        self.out.write((workflow_command(problem) + "\n").encode("utf-8"))

    def close(self, summary: Summary) -> None:
        from .text import summary_line

        self.out.write(f"::notice title=oimtool::{_data(summary_line(summary))}\n".encode())
        self.out.flush()
