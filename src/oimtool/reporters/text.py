"""The default report: ``path:line:col: CODE message``, one line a problem, then a summary.

Editors and CI log viewers turn the ``path:line:col`` prefix into a link to the place.
"""

from __future__ import annotations

from typing import Any

from ..format import cell_reference, plural, show, with_article
from ..problems import ABSENT, Change, Plan, Problem, Summary
from ..rules import Severity
from . import Reporter

_RED, _YELLOW, _CYAN = "\033[31m", "\033[33m", "\033[36m"
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_STYLES = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW, Severity.NOTE: _CYAN}


def location(problem: Problem) -> str:
    """Where a problem is, as the text report writes it: ``path:line:col`` in a JSON file, the
    cell in an export (``sales.xlsx:Items!E17``, ``sales.csv:17:E``), or its row alone."""
    where = problem.location
    cell = where.cell
    if cell is not None and cell.row is not None:
        if cell.sheet is None:
            column = f":{cell.letter}" if cell.letter else ""
            return f"{where.file}:{cell.row}{column}"
        return f"{where.file}:{cell_reference(cell.sheet, cell.letter, cell.row)}"
    if where.line is not None:
        return f"{where.file}:{where.line}:{where.column}"
    return where.file


class TextReporter(Reporter):
    _file = ""  # the file begun last: a plan names it

    def _paint(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color else text

    def begin(self, file: str, output: str | None = None) -> None:
        self._file = file

    def plan(self, plan: Plan) -> None:
        if self.quiet:
            return
        self.out.write((plan_text(plan, self._file) + "\n").encode(
            "utf-8", "backslashreplace"))

    def add(self, problem: Problem) -> None:
        if self.quiet and problem.severity is Severity.NOTE:
            return
        style = _STYLES[problem.severity]
        fix = problem.fix
        note = ""
        if fix is not None:
            note = self._paint(" (safe fix)" if fix.safe else " (unsafe fix)", _DIM)
        line = (
            f"{self._paint(location(problem), _BOLD)}: {self._paint(problem.code, style)} "
            f"{problem.message}{note}\n"
        )
        self.out.write(line.encode("utf-8", "backslashreplace"))

    def change(self, change: Change) -> None:
        if self.quiet:
            return

        def shown(value: Any) -> str:
            if value is ABSENT:
                return "(absent)"
            return show(value) if change.pointer else str(value)

        where = f"{change.file} {change.pointer}" if change.pointer else change.file
        line = (f"{self._paint(where, _BOLD)}: {shown(change.old)} → {shown(change.new)} "
                f"({change.code})\n")
        self.out.write(line.encode("utf-8", "backslashreplace"))

    def close(self, summary: Summary) -> None:
        if not self.quiet:
            self.out.write((summary_line(summary) + "\n").encode("utf-8"))
        self.out.flush()


def plan_text(plan: Plan, file: str) -> str:
    """A conversion's plan: the profile, and where each field comes from, a line each."""
    if plan.profile is None:
        head = f"{file}: read with its headers matched by name (no profile)"
    elif plan.chosen == "recognised":
        head = (f"{file}: recognised {with_article(plan.title or plan.profile)} (profile "
                f"{plan.profile})")
    else:
        head = (f"{file}: read as {with_article(plan.title or plan.profile)} (profile "
                f"{plan.profile}, from {plan.chosen})")
    if plan.price == "list":
        head += "; price: the list price, before the line's discounts (--price list)"
    lines = [head]
    width = max(len(source.field) for source in plan.fields)
    for source in plan.fields:
        where = ""
        if source.columns:
            letters = ", ".join(source.columns)
            where = f" (column{'s' if len(source.columns) > 1 else ''} {letters})"
        lines.append(f"  {source.field:<{width}} ← {source.how}{where}")
    return "\n".join(lines)


def summary_line(summary: Summary) -> str:
    """One sentence: what was read, what was found, what ``oimtool fix`` can do (and how many
    problems --select/--ignore kept out of the report)."""
    line = _summary_line(summary)
    if summary.hidden:
        hidden = f"{plural(summary.hidden, 'more problem')} not shown (--select/--ignore)."
        if line.startswith("OK: "):
            return f"No problems shown in {line[4:].removesuffix(', no problems.')}; {hidden}"
        if line.endswith(" No problems remain."):
            return f"{line.removesuffix(' No problems remain.')} No problems shown remain; {hidden}"
        line += f" {hidden.capitalize()}"
    return line


def _summary_line(summary: Summary) -> str:
    if summary.conversion is not None:
        return _conversion_line(summary)
    if summary.changes is not None:
        return _fix_line(summary)
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


def _conversion_line(summary: Summary) -> str:
    counts = summary.conversion
    assert counts is not None
    text = (f"{plural(counts.rows, 'row')} read: {plural(summary.items, 'item')}, "
            f"{counts.rejected:,} rejected")
    if counts.skipped:
        reasons = ", ".join(f"{number:,} {reason}" for reason, number in counts.skipped.items())
        text += f", {counts.skipped_rows:,} skipped ({reasons})"
    if counts.blank:
        text += f", {plural(counts.blank, 'blank row')} skipped"
    written = counts.written
    text += (f". {plural(written, 'item')} written{_to(summary.outputs)}." if written else
             ". Nothing written.")
    if summary.rejects is not None:
        text += f" The rejected and skipped rows are in {summary.rejects}."
    found = []
    if summary.errors:
        found.append(plural(summary.errors, "error"))
    if summary.warnings:
        found.append(plural(summary.warnings, "warning"))
    if found:
        text += f" {' and '.join(found).capitalize()}."
    if counts.rejected and not written:
        text += " Correct the rejected rows, or use --skip-invalid to write the others."
    return text


def _to(outputs: list[str]) -> str:
    """`` to items.json``; `` to a.part001.json … a.part004.json (4 parts)``."""
    if not outputs:
        return ""
    if outputs == ["-"]:
        return " to standard output"
    if len(outputs) == 1:
        return f" to {outputs[0]}"
    if len(outputs) == 2:
        return f" to {outputs[0]} and {outputs[1]}"
    return f" to {outputs[0]} … {outputs[-1]} ({len(outputs):,} files)"


def _fix_line(summary: Summary) -> str:
    changes = summary.changes or 0
    scope = f"{plural(summary.items, 'item')} in {plural(summary.files, 'file')}"
    if changes:
        text = f"{plural(changes, 'change')} in {scope}" + (
            f", written{_to(summary.outputs)}." if summary.outputs else ".")
    else:
        text = f"Nothing to fix in {scope}" + (
            f" (written unchanged{_to(summary.outputs)})." if summary.outputs else ".")
    if not summary.errors and not summary.warnings:
        return text + " No problems remain."
    remain = [plural(summary.errors, "error")] if summary.errors else []
    if summary.warnings:
        remain.append(plural(summary.warnings, "warning"))
    verb = "remains" if len(remain) == 1 and summary.errors + summary.warnings == 1 else "remain"
    text += f" {' and '.join(remain).capitalize()} {verb}"
    if summary.unsafe_fixable:
        text += f"; {summary.unsafe_fixable:,} more with --unsafe"
    return text + "."
