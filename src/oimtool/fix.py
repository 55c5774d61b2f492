"""``oimtool fix``: apply the catalogue's fixes to an order-item file and list every change.

Safe fixes lose nothing and keep the meaning (``"123.90"`` → ``123.9``); unsafe ones are
judgement calls, applied only when asked (rounding ``123.905``, a near-match order number).
The output is written like ``convert``'s: the documented field order first, 2-space indent,
UTF-8, a trailing newline. Fixing a fixed file changes nothing, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diff import Diff
from .errors import InputError, Interrupted, open_input
from .fields import FIELD_SET, ordered
from .format import shown_path
from .jsonstream import ArrayReader, Batch, EmptyArray, UnreadableItem, value_at
from .orders import OrderIndex, order_lookup
from .problems import ABSENT, Change, Fix, Move, Problem, Rename, Set, pointer
from .tuning import DEFAULT, Tuning
from .validate import explain, is_clean, too_deep

_ROUNDS = 8  # fixes that reveal other fixable problems: a few rounds settle any item


def _applicable(fix: Fix | None, unsafe: bool) -> bool:
    return fix is not None and (fix.safe or unsafe) and not fix.rewrites_file


def fix_item(item: Any, index: int, *, file: str, unsafe: bool = False,
             orders: Sequence[OrderIndex] = ()) -> tuple[Any, list[Change]]:
    """An item with every applicable fix applied (a new object; ``item`` is left as it is),
    and the changes, in the order they were made."""
    if type(item) is not dict or (is_clean(item) and not orders):
        return item, []
    fixed = dict(item)
    changes: list[Change] = []
    for _ in range(_ROUNDS):
        problems = explain(fixed)
        if orders:
            found = order_lookup(fixed.get("order_number"), orders)
            if isinstance(found, Problem):
                problems.append(found)
        todo = [p for p in problems if _applicable(p.fix, unsafe)]
        if not todo:
            break
        for problem in todo:
            assert problem.fix is not None
            for edit in problem.fix.edits:
                _apply(fixed, edit, index, file, problem.code, changes)
    return fixed, changes


def _apply(item: dict[str, Any], edit: Set | Rename | Move | Any, index: int, file: str,
           code: str, changes: list[Change]) -> None:
    if isinstance(edit, Set):
        key, value = edit.key, edit.value
        if key in item and item[key] == value and type(item[key]) is type(value):
            return  # an earlier fix of this round did it
        changes.append(Change(file, pointer(index, key), item.get(key, ABSENT), value, code))
        item[key] = value
    elif isinstance(edit, Rename) and edit.key in item:
        value = item.pop(edit.key)
        changes.append(Change(file, pointer(index, edit.key), value, ABSENT, code))
        changes.append(Change(file, pointer(index, edit.target), item.get(edit.target, ABSENT),
                              value, code))
        item[edit.target] = value
    elif isinstance(edit, Move):
        # The new extra_field holds every key that moves: move them all at once (nothing when
        # an earlier fix of this round did it).
        extra = edit.extra_field
        if edit.key is not None and edit.key not in item:
            return  # moved by the first move fix of the item, with every other key
        moved = [k for k in extra if k not in FIELD_SET and k in item and item[k] == extra[k]]
        if not moved:
            return
        old_extra = item.get("extra_field", ABSENT)
        for name in moved:
            changes.append(Change(file, pointer(index, name), item.pop(name), ABSENT, code))
        changes.append(Change(file, pointer(index, "extra_field"), old_extra, extra, code))
        item["extra_field"] = extra


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
                 diff: Diff | None = None, tuning: Tuning = DEFAULT) -> None:
        self.unsafe = unsafe
        self.orders = orders
        self.diff = diff
        self.tuning = tuning
        #: told how far the reading is (fraction of the file, items so far): a progress bar
        self.progress: Callable[[float, int], None] | None = None

    def run(self, path: Path, writer: Any, result: FixResult) -> Iterator[Change]:
        """Stream ``path`` through the fixes into ``writer`` (``write(item)``)."""
        shown = shown_path(path)
        with open_input(path) as handle:
            reader = ArrayReader(handle, file=shown, tuning=self.tuning)
            size = os.fstat(handle.fileno()).st_size
            try:
                for part in reader:
                    if self.progress is not None and size:
                        self.progress(min(handle.tell() / size, 1.0), result.items)
                    if isinstance(part, Batch):
                        yield from self._batch(part, shown, writer, result)
                        continue
                    change = self._other(part, shown, writer, result)
                    if change is not None:
                        yield change
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}") from exc

    def _other(self, part: Problem | UnreadableItem | EmptyArray, shown: str, writer: Any,
               result: FixResult) -> Change | None:
        if isinstance(part, UnreadableItem):  # kept byte for byte, and reported again when
            writer.write_json(b"  " + part.text, 1)  # the output is checked
            if self.diff is not None:
                self.diff.skip(part.text.count(b"\n") + 1)
            result.items += 1
            return None
        problem = part.problem if isinstance(part, EmptyArray) else part
        if problem.fix is not None and problem.fix.rewrites_file:
            # the output is UTF-8 without a BOM whatever the input
            result.changes += 1
            return Change(shown, "", problem.message.split("; ")[0].removeprefix("the file "),
                          "UTF-8 without a byte order mark", problem.code)
        if problem.location.index is None:  # the file cannot be read to the end
            result.unreadable = result.unreadable or problem
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


def default_output(path: Path) -> Path:
    """Where fixed items go by default: items.json → items.fixed.json, beside it."""
    return path.with_name(f"{path.stem}.fixed{path.suffix or '.json'}")


def fix_file(items: Path, *, target: Path, in_place: bool = False, dry_run: bool = False,
             force: bool = False, unsafe: bool = False, checker: Any,
             on_change: Any, on_problem: Any, diff: Diff | None = None,
             progress: Callable[[float, int], None] | None = None) -> FixResult:
    """Fix one file into ``target`` (or, for a dry run, into a scratch file), then check the
    result: changes go to ``on_change`` as they are made, the problems that remain to
    ``on_problem`` (located in ``target``). Updates ``checker.summary``; the cross-file
    problems (``checker.finish()``) are the caller's, after the last file."""
    import tempfile

    from .output import ItemsWriter

    scratch = None
    written = target
    if dry_run:
        handle, scratch = tempfile.mkstemp(suffix=".json")
        os.close(handle)
        written = Path(scratch)
    writer = ItemsWriter(written, overwrite=force or in_place or dry_run, record=not dry_run,
                         mark=not in_place)
    result = FixResult()
    fixer = Fixer(unsafe=unsafe, orders=checker.orders, diff=diff, tuning=checker.tuning)
    if progress is not None:  # the fixing is the first half of the bar, the check the second
        fixer.progress = lambda fraction, items: progress(fraction / 2, items)
        checker.progress = lambda fraction, items: progress(min(0.5 + fraction / 2, 0.99),
                                                            items)
        checker.total_bytes = 0
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
        try:
            for problem in checker.check_file(items if untouched else written):
                on_problem(problem.at(file=str(target)) if dry_run else problem)
        except Interrupted as stop:  # the output is in place: the message must say so
            if not (untouched or dry_run):
                stop.written.append(shown_path(target))
            raise
        return result
    except BaseException:
        writer.abort()
        raise
    finally:
        if scratch is not None:
            Path(scratch).unlink(missing_ok=True)
