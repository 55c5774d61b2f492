"""The order migration file that ``--orders`` reads, and the cross-check of items against it:
every order_number must be the number of one of its orders; orders no item refers to are
reported once per file."""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from .errors import InputError, open_input
from .format import number_as_text, show, shown_path
from .jsonstream import ArrayReader, Batch, EmptyArray, Placed, rebase, stream, worth_parallel
from .problems import Fix, Location, Problem, Set, pointer
from .tuning import DEFAULT, Tuning
from .workers import Workers

if TYPE_CHECKING:
    from .near import NearIndex

_INVALID_SHOWN = 5
_get_number = itemgetter("number")


class OrderIndex:
    """Order numbers of one orders file (``numbers``: number → index of its first order in the
    file; ``size``: how many orders the file holds, a repeated number counting each time),
    which of them items refer to, and near matches. ``line`` and ``column``: where the array
    starts, to place the file's own problems (``problems``: repeated numbers, the encoding, an
    empty file)."""

    def __init__(self, path: str, numbers: dict[str, int], line: int = 1, column: int = 1,
                 problems: list[Problem] | None = None, size: int | None = None) -> None:
        self.path = path
        self.numbers = numbers
        self.line = line
        self.column = column
        self.problems = problems or []
        self.size = len(numbers) if size is None else size
        self.referenced = bytearray(self.size)  # by the index of an order in the file
        self._near: NearIndex | None = None
        self._ids: dict[str, list[str]] | None = None

    def near_matches(self, number: str) -> list[str]:
        """Order numbers that a person would read as ``number``: differing only by case
        (Turkish dotted and dotless i too), white space and invisible characters, width
        (fullwidth letters and digits), the kind of hyphen, leading zeros, a leading ``#``
        or a trailing ``.0``."""
        if self._near is None:
            from .near import NearIndex  # built on the first unknown number only

            self._near = NearIndex(list(self.numbers))
        return self._near.matches(number)

    def internal_matches(self, number: str) -> list[str]:
        """Order numbers that end with ``number`` as a shop platform makes an order number of
        its internal id: a store digit, zeros, the id (Magento: order 41 is ``100000041``).
        Built on the first such question only."""
        if not (number.isascii() and number.isdigit()) or number.startswith("0"):
            return []
        if self._ids is None:
            from .near import internal_ids

            self._ids = internal_ids(self.numbers)
        return self._ids.get(number, [])[:5]

    def mark(self, referenced: bytes) -> None:
        """Note the orders items referred to: ``referenced`` is an array('I') of their indexes,
        as ``order_lookup`` found them."""
        marks = self.referenced
        for j in array("I", referenced):
            marks[j] = 1

    def unreferenced(self) -> tuple[int, list[str]]:
        """How many orders no item referred to, and the first few of them. A number repeated
        in the file counts once (items refer to its first order: the others are never marked,
        and OIM902 reports them)."""
        count = self.referenced.count(0) - (self.size - len(self.numbers))
        examples = []
        if count:
            for number, index in self.numbers.items():
                if not self.referenced[index]:
                    examples.append(number)
                    if len(examples) == 3:
                        break
        return count, examples


class OrderNumbers(NamedTuple):
    """The order numbers of a batch of orders (None where an order has no usable number), and
    the first unusable ones: (k, line, what is wrong)."""

    size: int  # orders
    numbers: list[str | None]
    invalid: list[tuple[int, int, str]]


def order_numbers(batch: Batch) -> OrderNumbers:
    """Take the numbers out of a batch of orders; the rest of each order is not judged."""
    try:  # the usual batch, at C speed: objects with text numbers
        found = list(map(_get_number, batch.items))
    except (KeyError, TypeError):
        pass
    else:
        if set(map(type, found)) == {str} and all(map(str.strip, found)):
            # Omnitron trims text it is given (Django REST framework's CharField), so " A1 "
            # in the orders file is the order an item's "A1" refers to.
            return OrderNumbers(len(found), list(map(str.strip, found)), [])
    numbers: list[str | None] = []
    invalid: list[tuple[int, int, str]] = []
    for k, order in enumerate(batch.items):
        number = order.get("number") if type(order) is dict else None
        if type(number) is str and number.strip():
            numbers.append(number.strip())
            continue
        numbers.append(None)
        if len(invalid) < _INVALID_SHOWN:
            line, _ = batch.locate(k, "number")
            what = 'no "number"' if number is None else f'"number" {show(number)}'
            invalid.append((k, line, what))
    return OrderNumbers(len(numbers), numbers, invalid)


def load_orders(path: str | Path, *, jobs: int = 1, tuning: Tuning = DEFAULT) -> OrderIndex:
    """Read the order numbers of an order migration file, streaming (over ``jobs`` worker
    processes when it is large).

    Raises InputError when the file cannot be used: unreadable, not JSON, not an array, or an
    order without a non-empty text ``number``.
    """
    shown = shown_path(path)
    numbers: dict[str, int] = {}
    problems: list[Problem] = []
    invalid: list[str] = []
    invalid_count = 0
    size = 0
    with open_input(path, "orders file") as handle:
        reader = ArrayReader(handle, file=shown, tuning=tuning, holds="orders")
        workers = Workers.start(jobs, tuning=tuning) if jobs > 1 and worth_parallel(
            handle, tuning) else None
        with workers or contextlib.nullcontext():
            try:
                for part in stream(reader, handle, shown, workers=workers, work=order_numbers,
                                   local=order_numbers):
                    if isinstance(part, Placed):
                        found: OrderNumbers = part.result
                        invalid.extend(_rebased(found.invalid, part)[: _INVALID_SHOWN
                                                                     - len(invalid)])
                        invalid_count += found.numbers.count(None)
                        size += found.size
                        _index(found.numbers, part, numbers, problems, shown)
                    elif isinstance(part, Problem) and not part.is_error:
                        problems.append(part)  # the encoding: the file is read all the same
                    elif isinstance(part, EmptyArray):  # said once, not once for each item
                        problems.append(part.problem._replace(message=(
                            "the orders file holds no orders: no order_number can be found in "
                            "it; give the order migration file with the orders")))
                    else:
                        problem = part if isinstance(part, Problem) else part.problem
                        where = problem.location
                        at = f":{where.line}:{where.column}" if where.line else ""
                        raise InputError(f"cannot use the orders file {shown}{at}: "
                                         f"{problem.message}")
            except OSError as exc:
                raise InputError(f"cannot read the orders file {shown}: {exc}") from exc
    if invalid_count:
        from .kinds import ITEMS, kind_of

        if kind_of(path) == ITEMS:
            raise InputError(f"{shown} is an order-item file (its entries have "
                             "\"order_number\"), not an order migration file: give it as a "
                             "file to check, and the orders file with --orders")
        more = f" (and {invalid_count - len(invalid)} more)" if invalid_count > len(invalid) else ""
        raise InputError(
            f"cannot use the orders file {shown}: every order needs a non-empty text "
            f"\"number\"; {'; '.join(invalid)}{more}"
        )
    line, column = _array_position(path)
    return OrderIndex(shown, numbers, line, column, problems, size)


def load_all(paths: Sequence[str | Path], *, jobs: int = 1, tuning: Tuning = DEFAULT
             ) -> list[OrderIndex]:
    """The orders files, each read once (a path given twice is read once), with a warning
    (OIM902) for each number that an earlier file holds too: one for the whole file when it
    repeats every order of an earlier one (a copy)."""
    indexes: list[OrderIndex] = []
    read: set[Path] = set()
    for path in paths:
        key = Path(path).resolve()
        if key not in read:
            read.add(key)
            indexes.append(load_orders(path, jobs=jobs, tuning=tuning))
    for k, index in enumerate(indexes):
        for earlier in indexes[:k]:
            _repeated_across(index, earlier)
    return indexes


def _repeated_across(index: OrderIndex, earlier: OrderIndex) -> None:
    numbers = index.numbers
    if numbers.keys().isdisjoint(earlier.numbers):
        return
    if numbers.keys() <= earlier.numbers.keys():
        index.problems.append(Problem(
            "OIM902", f"every order of {index.path} ({len(numbers):,}) is in {earlier.path} "
            "too: the same orders given twice? Give each orders file once",
            Location(index.path, None, "", None, index.line, index.column), len(numbers)))
        return
    for number, j in numbers.items():
        first = earlier.numbers.get(number)
        if first is not None:
            index.problems.append(Problem(
                "OIM902", f"order number {show(number)} is in {earlier.path} too (order "
                f"{first}); items refer to orders by number, so one of them is a mistake",
                Location(index.path, j, pointer(j, "number"), "number"), number))


def _array_position(path: str | Path) -> tuple[int, int]:
    """Where the array of a (readable, valid) orders file opens: its first non-blank character."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    from .jsonstream import detect_encoding

    encoding, bom = detect_encoding(head[:4])
    text = head[bom:].decode(encoding.replace("-sig", ""), "replace")
    before = text[: len(text) - len(text.lstrip())]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _rebased(invalid: list[tuple[int, int, str]], placed: Placed) -> list[str]:
    entries = []
    for k, line, what in invalid:
        if placed.base is not None:
            line = rebase((line, 1), *placed.base)[0] or line
        entries.append(f"order {placed.start + k} (line {line}) has {what}")
    return entries


def _index(found: list[str | None], placed: Placed, numbers: dict[str, int],
           problems: list[Problem], shown: str) -> None:
    """Add a batch's numbers to the index, warning about numbers seen before."""
    start = placed.start
    n = len(found)
    chunk = dict(zip(found, range(start, start + n), strict=True))
    if len(chunk) == n and None not in chunk and numbers.keys().isdisjoint(chunk):
        numbers.update(cast("dict[str, int]", chunk))  # the usual batch, at C speed
        return
    for k, number in enumerate(found):
        if number is None:
            continue
        first = numbers.setdefault(number, start + k)
        if first != start + k:
            line, column = placed.view.locate(k, "number")
            problems.append(Problem(
                "OIM902",
                f"order number {show(number)} appears again (first as order {first}); items "
                "refer to orders by number, so one of them is a mistake",
                Location(shown, start + k, pointer(start + k, "number"), "number", line, column),
                number,
            ))


def iter_unreferenced(indexes: list[OrderIndex]) -> Iterator[Problem]:
    """One warning per orders file whose orders no item refers to. An order whose number is in
    an earlier file too counts as referred to when that one is (items find the first)."""
    for k, index in enumerate(indexes):
        count, examples = index.unreferenced()
        if count and k:
            count, examples = _unreferenced_anywhere(index, indexes[:k])
        if count:
            listed = ", ".join(show(e) for e in examples)
            more = ", …" if count > len(examples) else ""
            yield Problem(
                "OIM901",
                f"{count} of {len(index.numbers)} orders have no items in the files checked "
                f"({listed}{more}); expected when only some item files were checked",
                Location(index.path, None, "", None, index.line, index.column), count,
            )


def _unreferenced_anywhere(index: OrderIndex, earlier: list[OrderIndex]) -> tuple[int, list[str]]:
    count = 0
    examples: list[str] = []
    for number, j in index.numbers.items():
        if index.referenced[j]:
            continue
        if any((i := other.numbers.get(number)) is not None and other.referenced[i]
               for other in earlier):
            continue
        count += 1
        if len(examples) < 3:
            examples.append(number)
    return count, examples


_ORDER_NUMBER = Location(field="order_number")


def order_lookup(value: Any, orders: Sequence[OrderIndex]
                 ) -> tuple[int, int] | Problem | None:
    """The order an order_number refers to, as its safe fixes leave it: (orders file, order
    index); a Problem (OIM105) when no orders file has it; None when it is no usable number."""
    if isinstance(value, str):
        number = value.strip()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number, certain = number_as_text(value)
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
    if not any(index.numbers for index in orders):
        return None  # no order at all: the orders file's own problem says so, once
    near = sorted({m for index in orders for m in index.near_matches(number)})
    files = " or ".join(index.path for index in orders)
    message = f"order_number {show(number)} is not in {files}"
    fix = None
    if len(near) == 1:
        message += f"; did you mean {show(near[0])}?"
        fix = Fix.of(Set("order_number", near[0]), safe=False)
    elif near:
        message += "; near matches: " + ", ".join(show(n) for n in near[:5])
    elif internal := sorted({m for index in orders for m in index.internal_matches(number)}):
        message += (f": it may be a platform's internal order id, not the order number: "
                    f"{', '.join(show(n) for n in internal)} end{'s' if len(internal) == 1 else ''}"
                    " with it (Magento's increment_id holds the number, order_id the internal "
                    "id); take the order number column of the export")
    else:
        message += ": upload its order first, or correct the number"
    return Problem("OIM105", message, _ORDER_NUMBER, value, fix)
