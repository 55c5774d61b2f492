"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Each problem is a result: its rule, its level, its message, and where it is: the file with
line and column when it is in a JSON file, and as logical locations its JSON pointer and, for a
converted export, its cell (``Items!E17``). The rules come from the catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from ..format import cell_reference
from ..problems import Problem, Summary
from ..rules import RULES
from . import Reporter, Spool
from .json_ import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INDEX = {code: i for i, code in enumerate(RULES)}


def _uri(file: str) -> dict[str, str]:
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}


def sarif_result(problem: Problem) -> dict[str, Any]:
    """A problem as a SARIF result."""
    where = problem.location
    physical: dict[str, Any] = {"artifactLocation": _uri(where.file)}
    if where.line is not None:
        region = {"startLine": where.line}
        if where.column is not None:
            region["startColumn"] = where.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = []
    if where.pointer:
        logical.append({"fullyQualifiedName": where.pointer, "kind": "element"})
    cell = where.cell
    if cell is not None and cell.row is not None:
        at = (cell_reference(cell.sheet, cell.letter, cell.row) if cell.sheet
              else f"row {cell.row}")
        logical.append({"fullyQualifiedName": at, "kind": "element"})
    if logical:
        location["logicalLocations"] = logical
    result: dict[str, Any] = {
        "ruleId": problem.code,
        "ruleIndex": _INDEX[problem.code],
        "level": problem.severity.value,
        "message": {"text": problem.message},
        "locations": [location],
    }
    properties: dict[str, Any] = {}
    if problem.value is not None:
        properties["value"] = problem.value
    if problem.fix is not None:
        properties["fix"] = problem.fix.to_json()
    if properties:
        result["properties"] = properties
    return result


def _rules() -> list[dict[str, Any]]:
    return [{
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": {"fix": rule.fix.value},
    } for rule in RULES.values()]


class SarifReporter(Reporter):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(out, **options)
        self._spool = Spool(16 << 20)
        self._count = 0

    def add(self, problem: Problem) -> None:
        self._spool.write(b",\n" if self._count else b"\n")
        self._spool.write(dumps(sarif_result(problem)))
        self._count += 1

    def close(self, summary: Summary) -> None:
        from importlib.metadata import version

        driver = {"name": "oimtool", "version": version("oimtool"), "rules": _rules()}
        head = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
            "tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
            "results": [],
        }]}
        text = dumps(head)
        marker = b'"results":[]'
        before, after = text.split(marker)
        out = self.out
        out.write(before + b'"results":[')
        self._spool.copy_to(out)
        out.write((b"\n]" if self._count else b"]") + after + b"\n")
        out.flush()
