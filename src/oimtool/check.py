"""``oimtool check``: stream order-item files, validate every item, cross-check the orders.

Problems come out in file order, each placed at its line and column, while the file is read;
nothing but the order numbers and one fingerprint per item is kept in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from .errors import InputError
from .jsonstream import ArrayReader, Batch, Issue
from .orders import OrderIndex, iter_unreferenced, load_orders
from .problems import Fix, Problem, Summary, pointer
from .validate import Finding, _number_as_text, explain, is_clean, show

_SORT_KEYS = orjson.OPT_SORT_KEYS


_MISSING = object()
_SIX = ("order_number", "product", "sku", "quantity", "price", "image_url")
_six = itemgetter(*_SIX)
_get_number = itemgetter("order_number")
_get_extra = itemgetter("extra_field")


def _freeze(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        try:
            return orjson.dumps(value, option=_SORT_KEYS)
        except TypeError:  # not JSON data (library callers): compare by repr
            return repr(value)
    return value


def fingerprint(item: dict[str, Any]) -> int:
    """A hash of the seven fields, equal for identical items.

    For the usual item (hashable values, ``extra_field`` empty) it is ``hash`` of the six other
    values, which lets whole batches be fingerprinted without a Python-level loop.
    """
    six = tuple(_freeze(item.get(key, _MISSING)) for key in _SIX)
    extra = item.get("extra_field", _MISSING)
    if type(extra) is dict and not extra:
        return hash(six)
    return hash((six, _freeze(extra)))


@dataclass
class Checker:
    """Checks order-item files one after the other against the same orders files.

    ``check_file`` yields the problems of one file; ``finish`` the cross-file ones. ``summary``
    counts everything yielded so far.
    """

    orders: Sequence[OrderIndex] = ()
    summary: Summary = field(default_factory=Summary)

    @classmethod
    def with_orders(cls, paths: Iterable[str | Path]) -> Checker:
        """A checker that cross-checks against the given order migration files."""
        return cls([load_orders(p) for p in paths])

    def _emit(self, problem: Problem) -> Problem:
        self.summary.add(problem)
        return problem

    def check_file(self, path: str | Path) -> Iterator[Problem]:
        """Every problem of one order-item file, in file order."""
        shown = str(path)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below; errors become InputError
        except OSError as exc:
            raise InputError(f"cannot read {shown}: {exc.strerror}") from exc
        self.summary.files += 1
        with handle:
            reader = ArrayReader(handle)
            seen: dict[int, int] = {}  # fingerprint -> first item index
            try:
                for part in reader:
                    if isinstance(part, Issue):
                        yield self._emit(_issue_problem(part, shown))
                    else:
                        yield from self._check_batch(part, shown, seen)
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}") from exc
            finally:
                self.summary.items += reader.count

    def check_items(self, items: Iterable[Any], *, file: str = "<items>") -> Iterator[Problem]:
        """Problems of items already in memory (no line numbers): for library use."""
        batch = Batch(0, list(items), b"", 0, 0, 0)
        self.summary.files += 1
        self.summary.items += len(batch.items)
        if not batch.items:
            yield self._emit(Problem(
                "OIM003", "the array is empty: there are no order items to migrate", file,
                pointer="",
            ))
        yield from self._check_batch(batch, file, {}, located=False)

    def _check_batch(self, batch: Batch, shown: str, seen: dict[int, int], *,
                     located: bool = True) -> Iterator[Problem]:
        items = batch.items
        if all(map(is_clean, items)) and (yield from self._clean_batch(batch, shown, seen,
                                                                       located)):
            return
        start = batch.start
        for k, item in enumerate(items):
            index = start + k
            if is_clean(item):
                found: list[Finding] = []
            else:
                found = explain(item)
                if type(item) is not dict:
                    yield from self._place(found, batch, k, shown, located)
                    continue
            if self.orders:
                self._cross_check(item, found)
            if found:
                yield from self._place(found, batch, k, shown, located)
            first = seen.setdefault(fingerprint(item), index)
            if first != index:
                yield from self._place([_duplicate(index, first)], batch, k, shown, located)

    def _clean_batch(self, batch: Batch, shown: str, seen: dict[int, int], located: bool
                     ) -> Iterator[Problem]:
        """A batch of clean items, with C-speed lookups; False to fall back to the item loop.

        (A generator returning a value: ``yield from`` hands back the verdict.)
        """
        items = batch.items
        n = len(items)
        start = batch.start
        if self.orders:
            numbers = list(map(_get_number, items))
            if len(self.orders) == 1:
                found = list(map(self.orders[0].numbers.get, numbers))
                if None in found:
                    return False
                referenced = self.orders[0].referenced
                for j in found:
                    referenced[j] = 1
            else:
                for k, item in enumerate(items):
                    unknown: list[Finding] = []
                    self._cross_check(item, unknown)
                    yield from self._place(unknown, batch, k, shown, located)
        if any(map(_get_extra, items)):
            keys = list(map(fingerprint, items))
        else:
            keys = list(map(hash, map(_six, items)))
        chunk = dict(zip(keys, range(start, start + n), strict=True))
        if len(chunk) == n and seen.keys().isdisjoint(chunk):
            seen.update(chunk)
            return True
        for k, key in enumerate(keys):
            first = seen.setdefault(key, start + k)
            if first != start + k:
                yield from self._place([_duplicate(start + k, first)], batch, k, shown, located)
        return True

    def _cross_check(self, item: dict[str, Any], out: list[Finding]) -> None:
        """OIM105 when the item's order number, as its safe fixes leave it, is in no orders file."""
        value = item.get("order_number")
        if isinstance(value, str):
            number = value.strip()
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            number, certain = _number_as_text(value)
            if not certain:
                return
        else:
            return
        if not number:
            return
        for orders in self.orders:
            j = orders.numbers.get(number)
            if j is not None:
                orders.referenced[j] = 1
                return
        near = sorted({m for orders in self.orders for m in orders.near_matches(number)})
        files = " or ".join(o.path for o in self.orders)
        message = f"order_number {show(number)} is not in {files}"
        fix = None
        if len(near) == 1:
            message += f"; did you mean {show(near[0])}?"
            fix = Fix(near[0], safe=False)
        elif near:
            message += "; near matches: " + ", ".join(show(n) for n in near[:5])
        else:
            message += ": upload its order first, or correct the number"
        out.append(Finding("OIM105", "order_number", value, message, fix))

    def _place(self, found: list[Finding], batch: Batch, k: int, shown: str, located: bool
               ) -> Iterator[Problem]:
        index = batch.start + k
        item = batch.items[k]
        for f in found:
            line = column = None
            if located:
                present = f.key is not None and isinstance(item, dict) and f.key in item
                line, column = batch.locate(k, f.key if present else None,
                                            at_key=f.code == "OIM801")
            yield self._emit(Problem(
                f.code, f.message, shown, index,
                pointer(index, f.key) if f.key is not None else pointer(index),
                f.key, f.value, f.fix, line, column,
            ))

    def finish(self) -> Iterator[Problem]:
        """The problems of the orders files: duplicates, and orders that no item refers to."""
        for orders in self.orders:
            for problem in orders.problems:
                yield self._emit(problem)
        for problem in iter_unreferenced(list(self.orders)):
            yield self._emit(problem)


def _duplicate(index: int, first: int) -> Finding:
    return Finding(
        "OIM803", None, None,
        f"item {index} is identical to item {first} (all seven fields); a double export? "
        "Remove one unless the order really has two such lines",
    )


def _issue_problem(issue: Issue, shown: str) -> Problem:
    fix = Fix("utf-8", safe=True, action="encoding") if issue.code == "OIM005" else None
    return Problem(issue.code, issue.message, shown, issue.index, issue.pointer, None, None, fix,
                   issue.line, issue.column)


@dataclass
class Report:
    """The outcome of a run: every problem, and the counts."""

    problems: list[Problem]
    summary: Summary

    @property
    def ok(self) -> bool:
        return self.summary.errors == 0


def check(paths: Iterable[str | Path], *, orders: Iterable[str | Path] = ()) -> Report:
    """Check order-item files (and cross-check them against order migration files)."""
    checker = Checker.with_orders(orders)
    problems = [p for path in paths for p in checker.check_file(path)]
    problems.extend(checker.finish())
    return Report(problems, checker.summary)
