"""``oimtool check``: stream order-item files, validate every item, cross-check the orders.

Problems come out in file order, each placed at its line and column, while the file is read;
nothing but the order numbers and one fingerprint per item is kept in memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from .dedup import Seen
from .errors import InputError, open_input
from .fields import nesting_message
from .jsonstream import Batch, Issue
from .orders import OrderIndex, iter_unreferenced, load_orders
from .parallel import Placed, Workers, context, rebase, stream, worth_parallel
from .problems import Fix, Problem, Summary, pointer
from .validate import Finding, _number_as_text, explain, is_clean, show, too_deep

_SORT_KEYS = orjson.OPT_SORT_KEYS


_MISSING = object()
_SIX = ("order_number", "product", "sku", "quantity", "price", "image_url")
_six = itemgetter(*_SIX)
_get_number = itemgetter("order_number")
_get_extra = itemgetter("extra_field")


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a field value, whose hash tells different values apart.

    Python hashes -1 like -2, True like 1 and integers modulo 2^61 - 1: such values get a tag.
    The values of a clean item (text, None, quantities from 1, prices from 0) stay themselves,
    so ``hash(_six(item))`` is the same fingerprint for them.
    """
    kind = type(value)
    if kind is dict or kind is list:
        try:
            return ("json", orjson.dumps(value, option=_SORT_KEYS))
        except TypeError:  # not JSON data (library callers): compare by repr
            return ("repr", repr(value))
    if kind is bool:
        return ("bool", value)
    if (kind is int or kind is float) and not 0 <= value < 2**60:
        return ("number", repr(value))
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


class Analysis(NamedTuple):
    """What a batch's items say, computed where the batch was parsed (here, or in a worker
    process); small, so that it travels between processes cheaply."""

    count: int
    fingerprints: bytes | list[int | None]  # array('q') bytes when every item is an object
    referenced: list[bytes]  # per orders file: array('I') of the orders the items refer to
    findings: list[tuple[int, Finding, int | None, int | None]]  # (k, finding, line, column)


def analyse(batch: Batch, orders: Sequence[OrderIndex], *, located: bool = True) -> Analysis:
    """Validate a batch's items and look up their order numbers: all of checking that needs
    no other batch."""
    items = batch.items
    exact = batch.exact_items() if located else {}
    if exact:  # integers beyond 64 bits, exact
        items = [exact.get(k, item) for k, item in enumerate(items)]
    referenced = [array("I") for _ in orders]
    clean = all(map(is_clean, items))
    repeated = _repeated(batch, usual=clean) if located else []
    if clean:
        # At C speed: see fingerprint(). Items with extra data are done apart.
        keys = array("q", map(hash, map(_six, items)))
        for k in compress(range(len(items)), map(_get_extra, items)):
            keys[k] = fingerprint(items[k])
        findings: list[tuple[int, Finding, int | None, int | None]] = []
        if len(orders) == 1:
            numbers = list(map(_get_number, items))
            found = list(map(orders[0].numbers.get, numbers))
            if None in found:
                for k, j in enumerate(found):
                    if j is None:
                        _cross_check(numbers[k], orders, referenced, k, batch, findings, located)
                found = [j for j in found if j is not None]
            referenced[0] = array("I", found)
        elif orders:
            for k, item in enumerate(items):
                _cross_check(item["order_number"], orders, referenced, k, batch, findings,
                             located)
        if repeated:
            findings = sorted(findings + repeated, key=lambda entry: entry[0])
        return Analysis(len(items), keys.tobytes(), [r.tobytes() for r in referenced], findings)
    fingerprints: list[int | None] = []
    findings = []
    for k, item in enumerate(items):
        if is_clean(item):
            fingerprints.append(fingerprint(item))
        elif too_deep(item):  # one problem, and nothing else looks into it
            fingerprints.append(None)
            line, column = batch.locate(k) if located else (None, None)
            findings.append((k, Finding("OIM007", None, None, nesting_message("the item")),
                             line, column))
            continue
        else:
            fingerprints.append(fingerprint(item) if type(item) is dict else None)
            for found_one in explain(item):
                line = column = None
                if located:
                    key = found_one.key
                    present = key is not None and type(item) is dict and key in item
                    line, column = batch.locate(k, key if present else None,
                                                at_key=found_one.code == "OIM801")
                findings.append((k, found_one, line, column))
        if orders and type(item) is dict:
            _cross_check(item.get("order_number"), orders, referenced, k, batch, findings,
                         located)
    if repeated:
        findings = sorted(findings + repeated, key=lambda entry: entry[0])
    return Analysis(len(items), fingerprints, [r.tobytes() for r in referenced], findings)


def _repeated(batch: Batch, *, usual: bool = False
              ) -> list[tuple[int, Finding, int | None, int | None]]:
    """OIM008 for each key written twice in an item, placed at the key a parser keeps."""
    found = []
    for k, repeats in batch.repeated_keys(usual=usual).items():
        item = batch.items[k]
        for key, dropped, kept_at, path in repeats:
            if path:  # in an object inside the field: the field's value is what is fixed
                kept = value_at(item[key], path)
                finding = Finding(
                    "OIM008", key, item[key],
                    f"key {show(path[-1])} is written twice in one object of {key} (at "
                    f"{pointer(key, *path)}): Omnitron keeps the last value ({show(kept)}) and "
                    f"drops {show(dropped)}; remove the one that is wrong",
                    Fix(item[key], safe=True),
                )
                found.append((k, finding, *batch.locate(k, key)))
                continue
            kept = item.get(key)
            finding = Finding(
                "OIM008", key, kept,
                f"key {show(key)} is written twice in the item: Omnitron keeps the last value "
                f"({show(kept)}) and drops {show(dropped)}; remove the one that is wrong",
                Fix(kept, safe=True),
            )
            found.append((k, finding, *batch.position(kept_at)))
    return found


def value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` (reference tokens) inside ``value``."""
    for token in path:
        value = value[token]
    return value


def analyse_in_worker(batch: Batch) -> Analysis:
    """``analyse`` in a worker process, with the orders it inherited."""
    return analyse(batch, context())


def order_lookup(value: Any, orders: Sequence[OrderIndex]) -> tuple[int, int] | Finding | None:
    """The order an order_number refers to, as its safe fixes leave it: (orders file, order
    index); a Finding (OIM105) when no orders file has it; None when it is no usable number."""
    if isinstance(value, str):
        number = value.strip()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number, certain = _number_as_text(value)
        if not certain:
            return None
    else:
        return None
    if not number:
        return None
    for i, index in enumerate(orders):
        j = index.numbers.get(number)
        if j is not None:
            return i, j
    near = sorted({m for index in orders for m in index.near_matches(number)})
    files = " or ".join(index.path for index in orders)
    message = f"order_number {show(number)} is not in {files}"
    fix = None
    if len(near) == 1:
        message += f"; did you mean {show(near[0])}?"
        fix = Fix(near[0], safe=False)
    elif near:
        message += "; near matches: " + ", ".join(show(n) for n in near[:5])
    else:
        message += ": upload its order first, or correct the number"
    return Finding("OIM105", "order_number", value, message, fix)


def _cross_check(value: Any, orders: Sequence[OrderIndex], referenced: list[array[int]],
                 k: int, batch: Batch, findings: list[Any], located: bool) -> None:
    found = order_lookup(value, orders)
    if isinstance(found, tuple):
        referenced[found[0]].append(found[1])
    elif found is not None:
        line, column = batch.locate(k, "order_number") if located else (None, None)
        findings.append((k, found, line, column))


@dataclass
class Checker:
    """Checks order-item files one after the other against the same orders files.

    ``check_file`` yields the problems of one file; ``finish`` the cross-file ones. ``summary``
    counts everything yielded so far. Large files are spread over ``jobs`` worker processes;
    use the checker as a context manager (or call ``close``) to stop them.
    """

    orders: Sequence[OrderIndex] = ()
    summary: Summary = field(default_factory=Summary)
    jobs: int = 1
    _workers: Workers | None = field(default=None, repr=False)

    @classmethod
    def with_orders(cls, paths: Iterable[str | Path], *, jobs: int = 1) -> Checker:
        """A checker that cross-checks against the given order migration files."""
        return cls([load_orders(p, jobs=jobs) for p in paths], jobs=jobs)

    def _workers_for(self, handle: BinaryIO) -> Workers | None:
        # Started after the orders are loaded, so that the workers inherit them.
        if self.jobs < 2 or not worth_parallel(handle):
            return None
        if self._workers is None:
            self._workers = Workers.start(self.jobs, self.orders)
        return self._workers

    def close(self, *, failed: bool = False) -> None:
        """Stop the worker processes, if any were started."""
        if self._workers is not None:
            self._workers.close(failed=failed)
            self._workers = None

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # Stop at once only when interrupted: after an error the queued work is small, and a
        # graceful stop never hangs (a terminated pool can, in CPython's multiprocessing).
        self.close(failed=kind is not None and not issubclass(kind, Exception))

    def _emit(self, problem: Problem) -> Problem:
        self.summary.add(problem)
        return problem

    def check_file(self, path: str | Path) -> Iterator[Problem]:
        """Every problem of one order-item file, in file order."""
        shown = str(path)
        handle = open_input(path)
        self.summary.files += 1
        with handle:
            seen = Seen()
            try:
                parts = stream(str(path), handle, workers=self._workers_for(handle),
                               work=analyse_in_worker,
                               local=lambda batch: analyse(batch, self.orders))
                for part in parts:
                    if isinstance(part, Issue):
                        if part.index is not None:
                            self.summary.items += 1
                        yield self._emit(_issue_problem(part, shown))
                    else:
                        self.summary.items += part.result.count
                        yield from self._conclude(part, shown, seen)
                for index, _, first in seen.finish():  # repeats found on disk: no position
                    yield self._emit(Problem("OIM803", _duplicate(index, first).message, shown,
                                             index, pointer(index)))
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}") from exc
            finally:
                seen.close()

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
        analysis = analyse(batch, self.orders, located=False)
        yield from self._conclude(Placed(analysis, 0, None, batch), file, Seen(len(batch.items)),
                                  located=False)

    def _conclude(self, placed: Placed, shown: str, seen: Seen, *,
                  located: bool = True) -> Iterator[Problem]:
        """Add what needs the whole file (duplicates, orders referred to) to a batch's
        findings, and yield them all as problems, in item order."""
        analysis: Analysis = placed.result
        start = placed.start
        for orders, marks in zip(self.orders, analysis.referenced, strict=True):
            referenced = orders.referenced
            for j in array("I", marks):
                referenced[j] = 1
        findings = analysis.findings
        if placed.base is not None:
            line, column = placed.base
            findings = [(k, f, *rebase((l_, c_), line, column)) for k, f, l_, c_ in findings]
        keys = analysis.fingerprints
        if isinstance(keys, bytes):
            found = seen.add(array("q", keys), range(start, start + analysis.count))
        else:  # some items are not objects: they have no fingerprint
            present = [k for k, key in enumerate(keys) if key is not None]
            found = [(present[j], first) for j, first in seen.add(
                [keys[k] for k in present], [start + k for k in present])]
        for k, first in found:
            line, column = placed.view.locate(k) if located else (None, None)
            findings.append((k, _duplicate(start + k, first), line, column))
        if not findings:
            return
        findings.sort(key=lambda entry: entry[0])  # stable: each item's findings keep order
        for k, found, line, column in findings:
            index = start + k
            yield self._emit(Problem(
                found.code, found.message, shown, index,
                pointer(index, found.key) if found.key is not None else pointer(index),
                found.key, found.value, found.fix, line, column,
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


def check(paths: Iterable[str | Path], *, orders: Iterable[str | Path] = (), jobs: int = 1,
          ) -> Report:
    """Check order-item files (and cross-check them against order migration files)."""
    with Checker.with_orders(orders, jobs=jobs) as checker:
        problems = [p for path in paths for p in checker.check_file(path)]
        problems.extend(checker.finish())
    return Report(problems, checker.summary)
