"""The JSON report: a versioned envelope, stable for scripts.

    {"version": 1, "summary": {...}, "problems": [{...}, ...]}

Problems are spooled (in memory up to 16 MiB, then to a temporary file) so the summary can come
first however many there are; each problem takes one line.
"""

from __future__ import annotations

from typing import IO, Any

import orjson

from ..problems import Change, Plan, Problem, Summary
from . import Reporter, Spool

VERSION = 1
_SPOOL_LIMIT = 16 * 1024 * 1024


def problem_json(problem: Problem, *, with_source: bool = False) -> dict[str, Any]:
    """A problem as the JSON report writes it."""
    where = problem.location
    data: dict[str, Any] = {
        "file": where.file,
        "index": where.index,
        "pointer": where.pointer,
        "field": where.field,
        "line": where.line,
        "column": where.column,
        "code": problem.code,
        "severity": problem.severity.value,
        "message": problem.message,
        "value": problem.value,
        "fix": problem.fix.to_json() if problem.fix is not None else None,
    }
    if with_source:
        cell = where.cell
        data["source"] = None if cell is None else {
            "file": where.file, "sheet": cell.sheet, "row": cell.row, "column": cell.header,
        }
    return data


def dumps(data: Any) -> bytes:
    """orjson, tolerating what it cannot encode (integers beyond 64 bits, non-JSON objects)."""
    try:
        return orjson.dumps(data, default=str)
    except TypeError:
        pass
    try:
        return orjson.dumps(_stringify(data), default=str)
    except TypeError:  # a value nested deeper than orjson writes (up to OIM007's limit)
        import json

        return json.dumps(_stringify(data), default=str, ensure_ascii=False,
                          separators=(",", ":")).encode()


def _stringify(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _stringify(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_stringify(v) for v in data]
    if isinstance(data, int) and not isinstance(data, bool) and abs(data) >= 2**63:
        return str(data)
    return data


class JsonReporter(Reporter):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(out, **options)
        self._with_source = self.command == "convert"
        self._spool = Spool(_SPOOL_LIMIT)
        self._changes = Spool(_SPOOL_LIMIT)
        self._count = 0
        self._changed = 0
        self._plan: Plan | None = None

    def plan(self, plan: Plan) -> None:
        self._plan = plan

    def add(self, problem: Problem) -> None:
        self._spool.write(b",\n" if self._count else b"\n")
        self._spool.write(dumps(problem_json(problem, with_source=self._with_source)))
        self._count += 1

    def change(self, change: Change) -> None:
        self._changes.write(b",\n" if self._changed else b"\n")
        self._changes.write(dumps(change.to_json()))
        self._changed += 1

    def close(self, summary: Summary) -> None:
        out = self.out
        head: dict[str, Any] = {"version": VERSION, "summary": summary.to_json()}
        if self._plan is not None:
            head["plan"] = self._plan.to_json()
        out.write(dumps(head)[:-1] + b',"problems":[')
        self._spool.copy_to(out)
        out.write(b"\n]" if self._count else b"]")
        if self.command == "fix":
            out.write(b',"changes":[')
            self._changes.copy_to(out)
            out.write(b"\n]" if self._changed else b"]")
        out.write(b"}\n")
        self._changes.close()
        out.flush()
