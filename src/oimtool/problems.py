"""The one problem model that every command, reporter and the fixer share.

A ``Problem`` is a rule code, a message for a person, the value at fault and where it is (a
``Location``): in a JSON file by line, column, item index and JSON pointer, and in a converted
export by sheet, row and column (a ``Cell``). A problem may carry a ``Fix``: typed edits of the
item, and whether ``oimtool fix`` applies them unasked. ``Change`` is one edit made; ``Summary``
counts a run.
"""

# No `from __future__ import annotations` here: typing.NamedTuple would compile each field's
# annotation text at import (a ForwardRef), and a pre-commit hook starts often.

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple, Protocol

from .rules import RULES, Rule, Severity


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer from its reference tokens."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Cell(NamedTuple):
    """Where a value came from in a spreadsheet or CSV export (``oimtool convert``): the sheet
    (None for a text file), the row as a spreadsheet program numbers it, the column's header as
    written and its letter. A problem of the whole export has neither row nor column."""

    sheet: str | None = None
    row: int | None = None
    header: str | None = None
    letter: str | None = None


class Location(NamedTuple):
    """Where a problem is. ``index`` is the 0-based item index (None for a problem of the file),
    ``pointer`` the RFC 6901 pointer into the file's JSON (None when the document could not be
    read that far), ``field`` the item's key, ``line``/``column`` the 1-based place in the JSON
    text (in characters), ``cell`` the place in the export it was converted from."""

    file: str = ""
    index: int | None = None  # type: ignore[assignment]  # the field, not tuple.index
    pointer: str | None = None
    field: str | None = None
    line: int | None = None
    column: int | None = None
    cell: Cell | None = None

    def item(self, index: int) -> "Location":
        """This location in item ``index``: its pointer follows."""
        at = pointer(index, self.field) if self.field is not None else pointer(index)
        return self._replace(index=index, pointer=at)


class Applicability(str, Enum):
    """Whether ``oimtool fix`` applies a fix unasked (safe: it loses nothing and keeps the
    meaning) or only with ``--unsafe`` (a judgement call)."""

    SAFE = "safe"
    UNSAFE = "unsafe"

    def __str__(self) -> str:
        return self.value


class Set(NamedTuple):
    """Put ``value`` at the item's ``key``, adding the key when it is missing."""

    key: str
    value: Any

    @property
    def shown(self) -> Any:
        return self.value


class Rename(NamedTuple):
    """Give the value of ``key`` (``value``) the key ``target`` instead."""

    key: str
    target: str
    value: Any

    @property
    def shown(self) -> Any:
        return self.value


class Move(NamedTuple):
    """Move the item's unknown keys into ``extra_field``, which becomes ``extra_field``: every
    key of it that the item holds with the same value moves (so that applying the moves of an
    item in any order, or only some of them, ends with the same ``extra_field``)."""

    extra_field: dict[str, Any]
    key: str | None = None  # the key this fix is about: what a report shows is its member

    @property
    def shown(self) -> Any:
        """What a report shows: the member this fix adds to extra_field (the whole of it, for
        a fix about no one key), so that an item with N unknown keys reports N members, not N
        copies of an extra_field of N keys."""
        if self.key is not None and self.key in self.extra_field:
            return {self.key: self.extra_field[self.key]}
        return self.extra_field


class Transcode(NamedTuple):
    """Write the whole file in ``encoding`` (UTF-8 without a byte order mark)."""

    encoding: str

    @property
    def shown(self) -> Any:
        return self.encoding


Edit = Set | Rename | Move | Transcode


class Fix(NamedTuple):
    """A repair for one problem: its edits, and whether it is safe."""

    edits: tuple[Edit, ...]
    applicability: Applicability

    @classmethod
    def of(cls, edit: Edit, *, safe: bool) -> "Fix":
        """A fix of one edit."""
        return cls((edit,), Applicability.SAFE if safe else Applicability.UNSAFE)

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    @property
    def value(self) -> Any:
        """What the fix writes, as reports show it: the new value (or, for a move, the new
        extra_field; for a transcoding, the encoding)."""
        return self.edits[0].shown

    @property
    def rewrites_file(self) -> bool:
        """The fix is made by writing the file anew (a transcoding), not by editing an item."""
        return any(isinstance(edit, Transcode) for edit in self.edits)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "safe": self.safe}


class Problem(NamedTuple):
    """Something wrong (or suspicious) in a file, located as precisely as possible."""

    code: str
    message: str
    location: Location = Location()
    value: Any = None
    fix: Fix | None = None

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> Severity:
        return RULES[self.code].severity

    @property
    def is_error(self) -> bool:
        return RULES[self.code].severity is Severity.ERROR

    def at(self, **where: Any) -> "Problem":
        """The same problem at a location changed by ``where`` (Location's fields)."""
        return self._replace(location=self.location._replace(**where))

    def in_item(self, file: str, index: int, **where: Any) -> "Problem":
        """A problem found in an item on its own, placed in item ``index`` of ``file``."""
        return self._replace(location=self.location.item(index)._replace(file=file, **where))


class _Absent:
    """Where a key was added (old) or removed (new): there is no value."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"  # the one ABSENT of this module, also after a trip between processes


ABSENT: Any = _Absent()


class Change(NamedTuple):
    """One value changed by a fix: at ``pointer``, ``old`` became ``new``; ``ABSENT`` where a
    key was added or removed (null in JSON). An empty pointer: the file as a whole."""

    file: str
    pointer: str
    old: Any
    new: Any
    code: str

    def to_json(self) -> dict[str, Any]:
        op = "add" if self.old is ABSENT else "remove" if self.new is ABSENT else "replace"
        return {"file": self.file, "pointer": self.pointer, "op": op,
                "old": None if self.old is ABSENT else self.old,
                "new": None if self.new is ABSENT else self.new, "code": self.code}


@dataclass
class Conversion:
    """What a conversion did with the rows of its export: rows read = items + rejected +
    skipped (lines the platform says were not sold, by reason); blank rows are counted apart."""

    rows: int = 0
    rejected: int = 0
    blank: int = 0
    written: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def skipped_rows(self) -> int:
        return sum(self.skipped.values())


@dataclass
class Summary:
    """Counts over one run. ``fixable`` counts problems that ``oimtool fix`` repairs unasked,
    ``unsafe_fixable`` those it repairs with ``--unsafe``. ``conversion`` is set for a
    conversion, ``changes`` for a fix."""

    files: int = 0
    items: int = 0
    errors: int = 0
    warnings: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0
    conversion: Conversion | None = None
    changes: int | None = None
    #: the files the run wrote its items to (a conversion's items or parts, the fixed files),
    #: and a conversion's rejected rows (``rejects``), as shown to the user
    outputs: list[str] = field(default_factory=list)
    rejects: str | None = None
    #: errors and warnings found but not reported (--select/--ignore)
    hidden: int = 0

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
        """Whether the run fails: errors, or with ``strict`` warnings too."""
        return self.errors > 0 or (strict and self.warnings > 0)

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, Any] = {"files": self.files, "items": self.items,
                                  "errors": self.errors, "warnings": self.warnings,
                                  "fixable": self.fixable}
        if self.conversion is not None:
            conversion = self.conversion
            counts.update(rows=conversion.rows, rejected=conversion.rejected,
                          blank=conversion.blank, written=conversion.written,
                          skipped=dict(conversion.skipped))
        if self.changes is not None:
            counts["changes"] = self.changes
        if self.outputs:
            counts["outputs"] = list(self.outputs)
        if self.rejects is not None:
            counts["rejects"] = self.rejects
        if self.hidden:
            counts["hidden"] = self.hidden
        return counts


class PlanField(NamedTuple):
    """Where one field of the items comes from, in a conversion's plan: the field, how it is
    made (``how``: "'Lineitem price' − 'Lineitem discount'"), and the columns (letters)."""

    field: str
    how: str
    columns: tuple[str, ...] = ()


class Plan(NamedTuple):
    """How a conversion reads its export, said before its problems: the profile (None: the
    headers were matched by name), what it says it is, and each field's source."""

    profile: str | None
    title: str | None
    fields: tuple[PlanField, ...]
    price: str  # what the price is: "paid" (after the line's discounts) or "list"
    chosen: str = "recognised"  # how the profile was chosen: recognised, --profile, settings

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "title": self.title, "chosen": self.chosen,
                "price": self.price,
                "fields": {s.field: {"from": s.how, "columns": list(s.columns)}
                           for s in self.fields}}


class Sink(Protocol):
    """What a run reports to, as it goes (the reporters): a file begins, the plan of a
    conversion, each problem, each change ``oimtool fix`` made, and the summary at the end."""

    def begin(self, file: str, output: str | None = None) -> None: ...

    def plan(self, plan: Plan) -> None: ...

    def add(self, problem: Problem) -> None: ...

    def change(self, change: Change) -> None: ...

    def close(self, summary: Summary) -> None: ...
