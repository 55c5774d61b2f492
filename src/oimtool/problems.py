"""The one problem model that every command, reporter and the fixer share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .rules import RULES, Severity


@dataclass(frozen=True, slots=True)
class Fix:
    """A repair for one problem: the new value at the problem's pointer.

    ``action`` tells the fixer how to apply it: ``"set"`` puts ``value`` at the pointer (adding
    the key when missing), ``"rename"`` moves the key's value to the key ``target``, and
    ``"move"`` moves the key into ``extra_field`` (``value`` is then the new ``extra_field``).
    """

    value: Any
    safe: bool
    action: str = "set"
    target: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "safe": self.safe}

    def __reduce__(self) -> tuple[Any, ...]:  # frozen slotted dataclasses pickle badly on 3.10
        return (Fix, (self.value, self.safe, self.action, self.target))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from in a spreadsheet or CSV export (convert)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None  # the header text
    letter: str | None = None  # the spreadsheet column letter, for "Items!E17"


def cell_reference(sheet: str, letter: str | None, row: int) -> str:
    """A cell as Excel writes it: Items!E17, 'Orders 2019'!E17; a whole row without a
    letter: Items!4:4."""
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{letter}{row}" if letter else f"{name}!{row}:{row}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or suspicious) in a file, located as precisely as possible.

    ``index`` is the 0-based item index (None for a file-level problem), ``pointer`` the RFC
    6901 pointer into the file's JSON (None when the document could not be read that far),
    ``field`` the item key, ``line``/``column`` the 1-based position in the JSON text.
    """

    code: str
    message: str
    file: str
    index: int | None = None
    pointer: str | None = None
    field: str | None = None
    value: Any = None
    fix: Fix | None = None
    line: int | None = None
    column: int | None = None
    source: Source | None = None

    @property
    def severity(self) -> Severity:
        return RULES[self.code].severity

    @property
    def is_error(self) -> bool:
        return RULES[self.code].severity is Severity.ERROR


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer from its reference tokens."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass
class Summary:
    """Counts over one run; ``fixable`` counts problems that ``oimtool fix`` repairs unasked."""

    files: int = 0
    items: int = 0
    errors: int = 0
    warnings: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        severity = problem.severity
        if severity is Severity.ERROR:
            self.errors += 1
        elif severity is Severity.WARNING:
            self.warnings += 1
        if problem.fix is not None:
            if problem.fix.safe:
                self.fixable += 1
            else:
                self.unsafe_fixable += 1

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def to_json(self) -> dict[str, int]:
        counts = {
            "files": self.files,
            "items": self.items,
            "errors": self.errors,
            "warnings": self.warnings,
            "fixable": self.fixable,
        }
        counts.update(self.extra)
        return counts
