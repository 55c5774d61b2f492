"""``oimtool fix``: apply the catalogue's fixes to an order-item file and list every change.

Safe fixes lose nothing and keep the meaning (``"123.90"`` → ``123.9``); unsafe ones are
judgement calls, applied only when asked (rounding ``123.905``, a near-match order number).
The output is written like ``convert``'s: the documented field order first, 2-space indent,
UTF-8, a trailing newline. Fixing a fixed file changes nothing, byte for byte.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .check import order_lookup, value_at
from .errors import InputError, open_input
from .fields import FIELD_SET, FIELDS
from .jsonstream import ArrayReader, Batch, Issue
from .orders import OrderIndex
from .problems import Fix, Problem, pointer
from .validate import Finding, explain, is_clean, too_deep

_ROUNDS = 8  # fixes that reveal other fixable problems: a few rounds settle any item


class _Absent:
    """Where a key was added (old) or removed (new): there is no value."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Change:
    """One value changed by a fix: at ``pointer``, ``old`` became ``new``; ``ABSENT`` where a
    key was added or removed (null in JSON)."""

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


def _applicable(fix: Fix | None, unsafe: bool) -> bool:
    return fix is not None and (fix.safe or unsafe) and fix.action != "encoding"


def fix_item(item: Any, index: int, *, file: str, unsafe: bool = False,
             orders: Sequence[OrderIndex] = ()) -> tuple[Any, list[Change]]:
    """An item with every applicable fix applied (a new object; ``item`` is left as it is),
    and the changes, in the order they were made."""
    if type(item) is not dict or (is_clean(item) and not orders):
        return item, []
    fixed = dict(item)
    changes: list[Change] = []
    for _ in range(_ROUNDS):
        findings = explain(fixed)
        if orders:
            found = order_lookup(fixed.get("order_number"), orders)
            if isinstance(found, Finding):
                findings.append(found)
        todo = [f for f in findings if _applicable(f.fix, unsafe)]
        if not todo:
            break
        for finding in todo:
            _apply(fixed, finding, index, file, changes)
    return fixed, changes


def _apply(item: dict[str, Any], finding: Finding, index: int, file: str,
           changes: list[Change]) -> None:
    fix = finding.fix
    assert fix is not None and finding.key is not None
    key = finding.key
    if fix.action == "set":
        if key in item and item[key] == fix.value and type(item[key]) is type(fix.value):
            return  # an earlier fix of this round did it
        changes.append(Change(file, pointer(index, key), item.get(key, ABSENT), fix.value,
                              finding.code))
        item[key] = fix.value
    elif fix.action == "rename" and key in item:
        assert fix.target is not None
        value = item.pop(key)
        changes.append(Change(file, pointer(index, key), value, ABSENT, finding.code))
        changes.append(Change(file, pointer(index, fix.target), item.get(fix.target, ABSENT),
                              value, finding.code))
        item[fix.target] = value
    elif fix.action == "move" and key in item:
        # The fix's extra_field holds every key that moves: move them all at once.
        moved = [k for k in fix.value if k not in FIELD_SET and k in item
                 and item[k] == fix.value[k]]
        old_extra = item.get("extra_field", ABSENT)
        for name in moved:
            changes.append(Change(file, pointer(index, name), item.pop(name), ABSENT,
                                  finding.code))
        changes.append(Change(file, pointer(index, "extra_field"), old_extra, fix.value,
                              finding.code))
        item["extra_field"] = fix.value


def ordered(item: Any) -> Any:
    """An item with the documented fields first, in the documented order, then any other."""
    if type(item) is not dict:
        return item
    result = {key: item[key] for key in FIELDS if key in item}
    if len(result) != len(item):
        result.update((k, v) for k, v in item.items() if k not in FIELD_SET)
    return result


@dataclass
class FixResult:
    """What fixing one file did."""

    items: int = 0
    changes: int = 0
    unreadable: Problem | None = None  # the file could not be read to the end: nothing written


class Fixer:
    """Fixes order-item files: ``run`` writes the fixed items to a writer and yields the
    changes; a file that cannot be read to the end gets no output. With a ``diff``, each item
    goes to it too, before and after."""

    def __init__(self, *, unsafe: bool = False, orders: Sequence[OrderIndex] = (),
                 diff: Diff | None = None) -> None:
        self.unsafe = unsafe
        self.orders = orders
        self.diff = diff

    def run(self, path: Path, writer: Any, result: FixResult) -> Iterator[Change]:
        """Stream ``path`` through the fixes into ``writer`` (``write(item)``)."""
        shown = str(path)
        with open_input(path) as handle:
            reader = ArrayReader(handle)
            try:
                for part in reader:
                    if isinstance(part, Issue):
                        change = self._issue(part, shown, writer, result)
                        if change is not None:
                            yield change
                        continue
                    yield from self._batch(part, shown, writer, result)
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}") from exc

    def _issue(self, issue: Issue, shown: str, writer: Any, result: FixResult
               ) -> Change | None:
        if issue.code == "OIM005":  # the output is UTF-8 without a BOM whatever the input
            result.changes += 1
            return Change(shown, "", issue.message.split("; ")[0].removeprefix("the file "),
                          "UTF-8 without a byte order mark", "OIM005")
        if issue.text is not None:  # an item no parser reads: kept byte for byte, reported
            writer.write_json(b"  " + issue.text, 1)  # again when the output is checked
            if self.diff is not None:
                self.diff.skip(issue.text.count(b"\n") + 1)
            result.items += 1
            return None
        if issue.code in ("OIM001", "OIM002", "OIM003") or issue.index is None:
            result.unreadable = result.unreadable or Problem(
                issue.code, issue.message, shown, issue.index, issue.pointer, line=issue.line,
                column=issue.column)
        return None

    def _batch(self, batch: Batch, shown: str, writer: Any, result: FixResult
               ) -> Iterator[Change]:
        unsafe, orders, diff = self.unsafe, self.orders, self.diff
        exact = batch.exact_items()  # integers beyond 64 bits: written back exact
        repeated = batch.repeated_keys()
        for k, parsed in enumerate(batch.items):
            item = exact.get(k, parsed)
            index = batch.start + k
            if too_deep(item):  # nothing to fix that a person should not see: kept as it is
                text = batch.item_text(k)
                writer.write_json(b"  " + text, 1)
                if diff is not None:
                    diff.skip(text.count(b"\n") + 1)
                result.items += 1
                continue
            for key, dropped, _, path in repeated.get(k, ()):
                # the dict already holds the last value only: say what was dropped
                kept = value_at(item[key], path) if path else item.get(key)
                yield Change(shown, pointer(index, key, *path), dropped, kept, "OIM008")
                result.changes += 1
            fixed, changes = fix_item(item, index, file=shown, unsafe=unsafe, orders=orders)
            writer.write(ordered(fixed))
            if diff is not None:
                diff.item(item, fixed)
            result.items += 1
            if changes:
                result.changes += len(changes)
                yield from changes


def serialized(item: Any) -> list[str]:
    """An item's lines in the output, as the JSON array writer lays them out."""
    text = orjson.dumps(ordered(item), option=orjson.OPT_INDENT_2).decode()
    return ["  " + line for line in text.split("\n")]


class Diff:
    """A unified diff of the changed items, built item by item (never the whole file): from
    the items as the output lays them out before their fixes to the output, so that ``patch``
    applies it to a file in that layout (a file that oimtool wrote, say)."""

    def __init__(self, before: str, after: str, *, context: int = 3) -> None:
        self.header = [f"--- {before}", f"+++ {after}"]
        self.context = context
        self.old_line = self.new_line = 2  # the first item starts on line 2, after "["
        self.hunks: list[str] = []
        self._pending: tuple[list[str], list[str]] | int | None = None

    def item(self, old: Any, new: Any) -> None:
        """Add an item."""
        self._settle(last=False)
        self._pending = (serialized(old), serialized(new))

    def skip(self, lines: int) -> None:
        """Add an item kept as it was, ``lines`` long."""
        self._settle(last=False)
        self._pending = lines

    def _settle(self, *, last: bool) -> None:
        """Diff the item before: now that it is known whether another follows (a ",")."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if isinstance(pending, int):
            self.old_line += pending
            self.new_line += pending
            return
        a, b = pending
        if not last:
            a[-1] += ","
            b[-1] += ","
        if a != b:
            for hunk in _hunks(a, b, self.old_line, self.new_line, self.context):
                self.hunks.extend(hunk)
        self.old_line += len(a)
        self.new_line += len(b)

    def text(self) -> str:
        self._settle(last=True)
        return "\n".join(self.header + self.hunks) + "\n" if self.hunks else ""


def _hunks(a: list[str], b: list[str], old: int, new: int, context: int
           ) -> Iterator[list[str]]:
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        lines = [f"@@ -{old + a1},{a2 - a1} +{new + b1},{b2 - b1} @@"]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + line for line in a[i1:i2])
                continue
            lines.extend("-" + line for line in a[i1:i2])
            lines.extend("+" + line for line in b[j1:j2])
        yield lines


def default_output(path: Path) -> Path:
    """Where fixed items go by default: items.json → items.fixed.json, beside it."""
    return path.with_name(f"{path.stem}.fixed{path.suffix or '.json'}")


def fix_file(items: Path, *, target: Path, in_place: bool = False, dry_run: bool = False,
             force: bool = False, unsafe: bool = False, checker: Any,
             on_change: Any, on_problem: Any, diff: Diff | None = None) -> FixResult:
    """Fix one file into ``target`` (or, for a dry run, into a scratch file), then check the
    result: changes go to ``on_change`` as they are made, the problems that remain to
    ``on_problem`` (located in ``target``). Updates ``checker.summary``; the cross-file
    problems (``checker.finish()``) are the caller's, after the last file."""
    import tempfile
    from dataclasses import replace

    from .output import ItemsWriter

    scratch = None
    written = target
    if dry_run:
        handle, scratch = tempfile.mkstemp(suffix=".json")
        os.close(handle)
        written = Path(scratch)
    writer = ItemsWriter(written, overwrite=force or in_place or dry_run)
    result = FixResult()
    fixer = Fixer(unsafe=unsafe, orders=checker.orders, diff=diff)
    try:
        for change in fixer.run(items, writer, result):
            on_change(change)
        summary = checker.summary
        if result.unreadable is not None:
            writer.abort()
            summary.files += 1
            summary.items += result.items
            summary.add(result.unreadable)
            on_problem(result.unreadable)
            return result
        untouched = in_place and not result.changes
        if untouched:  # the input stays as it is, formatting and all
            writer.abort()
        else:
            writer.commit()
        for problem in checker.check_file(items if untouched else written):
            on_problem(replace(problem, file=str(target)) if dry_run else problem)
        return result
    except BaseException:
        writer.abort()
        raise
    finally:
        if scratch is not None:
            Path(scratch).unlink(missing_ok=True)
