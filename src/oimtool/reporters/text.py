"""The default report: ``path:line:col: CODE message``, one line a problem, then a summary.

Editors and CI log viewers turn the ``path:line:col`` prefix into a link to the place.
"""

from __future__ import annotations

from typing import IO

from ..problems import Problem, Summary
from ..rules import Severity

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def location(problem: Problem) -> str:
    """Where a problem is, as the text report writes it."""
    source = problem.source
    if source is not None and source.row is not None:
        if source.sheet is not None:
            cell = f"{source.sheet}!{source.letter or ''}{source.row}"
        else:
            cell = str(source.row)
        return f"{source.file}:{cell}"
    if problem.line is not None:
        return f"{problem.file}:{problem.line}:{problem.column}"
    return problem.file


class TextReporter:
    def __init__(self, out: IO[bytes], *, color: bool = False, command: str = "check") -> None:
        self._out = out
        self._color = color
        self._command = command

    def _paint(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self._color else text

    def add(self, problem: Problem) -> None:
        style = _RED if problem.severity is Severity.ERROR else _YELLOW
        fix = problem.fix
        note = ""
        if fix is not None:
            note = self._paint(" (safe fix)" if fix.safe else " (unsafe fix)", _DIM)
        line = (
            f"{self._paint(location(problem), _BOLD)}: {self._paint(problem.code, style)} "
            f"{problem.message}{note}\n"
        )
        self._out.write(line.encode("utf-8", "backslashreplace"))

    def close(self, summary: Summary) -> None:
        self._out.write((summary_line(summary) + "\n").encode("utf-8"))
        self._out.flush()


def summary_line(summary: Summary) -> str:
    """One sentence: what was checked, what was found, what ``oimtool fix`` can do."""
    scope = f"{plural(summary.items, 'item')} in {plural(summary.files, 'file')}"
    if not summary.errors and not summary.warnings:
        return f"OK: {scope}, no problems."
    found = [plural(summary.errors, "error")]
    if summary.warnings:
        found.append(plural(summary.warnings, "warning"))
    text = f"{' and '.join(found)} in {scope}."
    if summary.fixable:
        text += f" {summary.fixable:,} fixable with `oimtool fix`"
        if summary.unsafe_fixable:
            text += f", {summary.unsafe_fixable:,} more with `oimtool fix --unsafe`"
        text += "."
    elif summary.unsafe_fixable:
        text += f" {summary.unsafe_fixable:,} fixable with `oimtool fix --unsafe`."
    return text
