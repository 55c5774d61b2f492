"""``oimtool check``: stream order-item files, validate every item, cross-check the orders.

Problems come out in file order, each placed at its line and column, while the file is read;
nothing but the order numbers and one fingerprint per item is kept in memory.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from .dedup import Seen, fingerprint, six
from .errors import InputError, open_input
from .fields import nesting_message
from .format import show, shown_path
from .jsonstream import (
    ArrayReader,
    Batch,
    EmptyArray,
    Placed,
    UnreadableItem,
    rebase,
    stream,
    value_at,
    worth_parallel,
)
from .orders import OrderIndex, iter_unreferenced, load_all, order_lookup
from .problems import Fix, Location, Problem, Set, Summary, pointer
from .tuning import DEFAULT, Tuning
from .validate import explain, is_clean, too_deep
from .workers import Workers, context

_get_number = itemgetter("order_number")
_get_extra = itemgetter("extra_field")


class Analysis(NamedTuple):
    """What a batch's items say, computed where the batch was parsed (here, or in a worker
    process); small, so that it travels between processes cheaply. Its problems are placed in
    the batch: ``index`` is the item's position in it, line and column relative to the piece
    a worker read (or absolute, here)."""

    size: int  # items
    fingerprints: bytes | list[int | None]  # array('q') bytes when every item is an object
    referenced: list[bytes]  # per orders file: array('I') of the orders the items refer to
    problems: list[Problem]


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
    found: list[Problem] = []
    if clean:
        # At C speed: see dedup.fingerprint(). Items with extra data are done apart.
        keys = array("q", map(hash, map(six, items)))
        for k in compress(range(len(items)), map(_get_extra, items)):
            keys[k] = fingerprint(items[k])
        if len(orders) == 1:
            numbers = list(map(_get_number, items))
            known = list(map(orders[0].numbers.get, numbers))
            if None in known:
                for k, j in enumerate(known):
                    if j is None:
                        _cross_check(numbers[k], orders, referenced, k, batch, found, located)
            referenced[0] = array("I", (j for j in known if j is not None))
        elif orders:
            for k, item in enumerate(items):
                _cross_check(item["order_number"], orders, referenced, k, batch, found, located)
        return Analysis(len(items), keys.tobytes(), [r.tobytes() for r in referenced],
                        _in_item_order(found, repeated))
    fingerprints: list[int | None] = []
    for k, item in enumerate(items):
        if is_clean(item):
            fingerprints.append(fingerprint(item))
        elif too_deep(item):  # one problem, and nothing else looks into it
            fingerprints.append(None)
            found.append(_placed(Problem("OIM007", nesting_message("the item")), k, batch,
                                 located))
            continue
        else:
            fingerprints.append(fingerprint(item) if type(item) is dict else None)
            for problem in explain(item):
                key = problem.location.field
                present = key is not None and type(item) is dict and key in item
                found.append(_placed(problem, k, batch, located, key if present else None))
        if orders and type(item) is dict:
            _cross_check(item.get("order_number"), orders, referenced, k, batch, found, located)
    return Analysis(len(items), fingerprints, [r.tobytes() for r in referenced],
                    _in_item_order(found, repeated))


def _placed(problem: Problem, k: int, batch: Batch, located: bool, key: str | None = None
            ) -> Problem:
    """A problem of item ``k`` of the batch, at its place in the batch's text."""
    if not located:
        return problem.at(index=k)
    line, column = batch.locate(k, key, at_key=problem.rule.at_key)
    return problem.at(index=k, line=line, column=column)


def _in_item_order(found: list[Problem], repeated: list[Problem]) -> list[Problem]:
    if not repeated:
        return found
    # stable: each item's problems keep their order
    return sorted(found + repeated, key=lambda problem: problem.location.index or 0)


def _repeated(batch: Batch, *, usual: bool = False) -> list[Problem]:
    """OIM008 for each key written twice in an item, placed at the key a parser keeps."""
    found = []
    for k, repeats in batch.repeated_keys(usual=usual).items():
        item = batch.items[k]
        for key, dropped, kept_at, path in repeats:
            if path:  # in an object inside the field: the field's value is what is fixed
                kept = value_at(item[key], path)
                line, column = batch.locate(k, key)
                found.append(Problem(
                    "OIM008", f"key {show(path[-1])} is written twice in one object of {key} "
                    f"(at {pointer(key, *path)}): Omnitron keeps the last value ({show(kept)}) "
                    f"and drops {show(dropped)}; remove the one that is wrong",
                    Location(index=k, field=key, line=line, column=column), item[key],
                    Fix.of(Set(key, item[key]), safe=True),
                ))
                continue
            kept = item.get(key)
            line, column = batch.position(kept_at)
            found.append(Problem(
                "OIM008", f"key {show(key)} is written twice in the item: Omnitron keeps the "
                f"last value ({show(kept)}) and drops {show(dropped)}; remove the one that is "
                "wrong", Location(index=k, field=key, line=line, column=column), kept,
                Fix.of(Set(key, kept), safe=True),
            ))
    return found


def analyse_in_worker(batch: Batch) -> Analysis:
    """``analyse`` in a worker process, with the orders it inherited."""
    return analyse(batch, context())


def _cross_check(value: Any, orders: Sequence[OrderIndex], referenced: list[array[int]],
                 k: int, batch: Batch, found: list[Problem], located: bool) -> None:
    looked_up = order_lookup(value, orders)
    if isinstance(looked_up, Problem):
        found.append(_placed(looked_up, k, batch, located, "order_number"))
    elif looked_up is not None:
        referenced[looked_up[0]].append(looked_up[1])


def _duplicate(index: int, first: int, where: Location) -> Problem:
    return Problem(
        "OIM803", f"item {index} is identical to item {first} (all seven fields); a double "
        "export? Remove one unless the order really has two such lines", where,
    )


class Checker:
    """Checks order-item files one after the other against the same orders files.

    ``check_file`` yields the problems of one file; ``finish`` the cross-file ones. ``summary``
    counts everything yielded so far. Large files are spread over ``jobs`` worker processes;
    use the checker as a context manager (or call ``close``) to stop them.
    """

    def __init__(self, orders: Sequence[OrderIndex] = (), *, jobs: int = 1,
                 tuning: Tuning = DEFAULT) -> None:
        self.orders = orders
        self.summary = Summary()
        self.jobs = jobs
        self.tuning = tuning
        self._workers: Workers | None = None
        #: told how far the run is (fraction of ``total_bytes``, items so far): a progress bar
        self.progress: Callable[[float, int], None] | None = None
        self.total_bytes = 0  # of every file the run checks (0: each file's own size)
        self._done_bytes = 0

    @classmethod
    def with_orders(cls, paths: Iterable[str | Path], *, jobs: int = 1,
                    tuning: Tuning = DEFAULT) -> Checker:
        """A checker that cross-checks against the given order migration files."""
        return cls(load_all(list(paths), jobs=jobs, tuning=tuning), jobs=jobs,
                   tuning=tuning)

    def _workers_for(self, handle: BinaryIO) -> Workers | None:
        # Started after the orders are loaded, so that the workers inherit them.
        if self.jobs < 2 or not worth_parallel(handle, self.tuning):
            return None
        if self._workers is None:
            self._workers = Workers.start(self.jobs, self.orders, self.tuning)
        return self._workers

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: Any) -> None:
        if self._workers is not None:
            self._workers.__exit__(kind, *exc)
            self._workers = None

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        self.__exit__(None)

    def _emit(self, problem: Problem) -> Problem:
        self.summary.add(problem)
        return problem

    def check_file(self, path: str | Path, *, name: str | None = None) -> Iterator[Problem]:
        """Every problem of one order-item file, in file order (placed in ``name`` when given:
        the name standard input's items are shown under)."""
        shown = name or shown_path(path)
        handle = open_input(path)
        self.summary.files += 1
        with handle, contextlib.closing(Seen(self.tuning.seen_in_memory)) as seen:
            try:
                reader = ArrayReader(handle, file=shown, tuning=self.tuning)
                parts = stream(reader, handle, str(path), workers=self._workers_for(handle),
                               work=analyse_in_worker,
                               local=lambda batch: analyse(batch, self.orders))
                size = os.fstat(handle.fileno()).st_size
                for part in parts:
                    if self.progress is not None:
                        self._tell(handle.tell(), size)
                    if isinstance(part, Placed):
                        self.summary.items += part.result.size
                        yield from self._conclude(part, shown, seen)
                    elif isinstance(part, UnreadableItem):
                        self.summary.items += 1
                        yield self._emit(part.problem)
                    else:
                        yield self._emit(part.problem if isinstance(part, EmptyArray) else part)
                for index, _, first in seen.finish():  # repeats found on disk: no position
                    yield self._emit(_duplicate(index, first,
                                                Location(shown, index, pointer(index))))
            except OSError as exc:
                raise InputError(f"cannot read {shown}: {exc}") from exc
        self._done_bytes += size

    def _tell(self, position: int, size: int) -> None:
        """The bar moves by the bytes read, and says 100% only when the run ends: the items
        read ahead (by worker processes) are not checked yet."""
        assert self.progress is not None
        total = self.total_bytes or size
        done = (self._done_bytes if self.total_bytes else 0) + min(position, size)
        self.progress(min(done / total, 0.99) if total else 0.0, self.summary.items)

    def check_items(self, items: Iterable[Any], *, file: str = "<items>") -> Iterator[Problem]:
        """Problems of items already in memory (no line numbers): for library use."""
        batch = Batch(0, list(items), b"", 0, 0, 0)
        self.summary.files += 1
        self.summary.items += len(batch.items)
        if not batch.items:
            yield self._emit(Problem(
                "OIM003", "the array is empty: there are no order items to migrate",
                Location(file, pointer=""),
            ))
        analysis = analyse(batch, self.orders, located=False)
        yield from self._conclude(Placed(analysis, 0, None, batch), file, Seen(len(batch.items)),
                                  located=False)

    def _conclude(self, placed: Placed, shown: str, seen: Seen, *,
                  located: bool = True) -> Iterator[Problem]:
        """Add what needs the whole file (duplicates, orders referred to) to a batch's
        problems, and yield them all, placed in the file, in item order."""
        analysis: Analysis = placed.result
        start = placed.start
        for orders, marks in zip(self.orders, analysis.referenced, strict=True):
            orders.mark(marks)
        problems = analysis.problems
        if placed.base is not None:
            line, column = placed.base
            problems = [_rebased(p, line, column) for p in problems]
        keys = analysis.fingerprints
        if isinstance(keys, bytes):
            repeats = seen.add(array("q", keys), range(start, start + analysis.size))
        else:  # some items are not objects: they have no fingerprint
            present = [k for k, key in enumerate(keys) if key is not None]
            repeats = [(present[j], first) for j, first in seen.add(
                [key for key in keys if key is not None], [start + k for k in present])]
        if repeats:
            problems = list(problems)
            for k, first in repeats:
                line_, column_ = placed.view.locate(k) if located else (None, None)
                problems.append(_duplicate(start + k, first,
                                           Location(index=k, line=line_, column=column_)))
            # stable: each item's problems keep their order
            problems.sort(key=lambda problem: problem.location.index or 0)
        for problem in problems:
            k = problem.location.index or 0
            yield self._emit(problem.in_item(shown, start + k))

    def finish(self) -> Iterator[Problem]:
        """The problems of the orders files: duplicates, and orders that no item refers to."""
        for orders in self.orders:
            for problem in orders.problems:
                yield self._emit(problem)
        for problem in iter_unreferenced(list(self.orders)):
            yield self._emit(problem)


def _rebased(problem: Problem, line: int, column: int) -> Problem:
    where = problem.location
    new_line, new_column = rebase((where.line, where.column), line, column)
    return problem.at(line=new_line, column=new_column)
