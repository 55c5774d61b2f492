"""The order migration file that ``--orders`` reads: the set of order numbers items refer to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from .errors import InputError
from .jsonstream import ArrayReader, Batch
from .problems import Problem, pointer
from .validate import show

_INVALID_SHOWN = 5


@dataclass
class OrderIndex:
    """Order numbers of one orders file, which of them items refer to, and near matches."""

    path: str
    numbers: dict[str, int]  # number -> index of its first order in the file
    line: int = 1  # where the array starts, to place file-level problems
    column: int = 1
    problems: list[Problem] = field(default_factory=list)  # duplicates, encoding warnings
    referenced: bytearray = field(default_factory=bytearray)
    _near: dict[str, list[str]] | None = None

    def __post_init__(self) -> None:
        self.referenced = bytearray(len(self.numbers))

    def near_matches(self, number: str) -> list[str]:
        """Order numbers that differ from ``number`` only by case, whitespace, leading zeros
        or a trailing ``.0``."""
        if self._near is None:
            self._near = {}
            for known in self.numbers:
                self._near.setdefault(_loose(known), []).append(known)
        return self._near.get(_loose(number), [])

    def unreferenced(self) -> tuple[int, list[str]]:
        """How many orders no item referred to, and the first few of them."""
        count = self.referenced.count(0)
        examples = []
        if count:
            for number, index in self.numbers.items():
                if not self.referenced[index]:
                    examples.append(number)
                    if len(examples) == 3:
                        break
        return count, examples


_DOT_ZERO = re.compile(r"\.0+$")
_SPACE = re.compile(r"\s+")


def _loose(number: str) -> str:
    text = _SPACE.sub("", number).casefold()
    text = _DOT_ZERO.sub("", text)
    return text.lstrip("0") or text


def load_orders(path: str | Path) -> OrderIndex:
    """Read the order numbers of an order migration file, streaming.

    Raises InputError when the file cannot be used: unreadable, not JSON, not an array, or an
    order without a non-empty text ``number``.
    """
    shown = str(path)
    numbers: dict[str, int] = {}
    problems: list[Problem] = []
    invalid: list[str] = []
    invalid_count = 0
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, errors become InputError
    except OSError as exc:
        raise InputError(f"cannot read the orders file {shown}: {exc.strerror}") from exc
    with handle:
        reader = ArrayReader(handle)
        try:
            for part in reader:
                if isinstance(part, Batch):
                    invalid_count += _take(part, numbers, problems, invalid, shown)
                elif part.code == "OIM005":
                    problems.append(Problem(part.code, part.message, shown, line=part.line,
                                            column=part.column))
                elif part.code != "OIM003":
                    where = f":{part.line}:{part.column}" if part.line else ""
                    raise InputError(
                        f"cannot use the orders file {shown}{where}: {part.message}"
                    )
        except OSError as exc:
            raise InputError(f"cannot read the orders file {shown}: {exc}") from exc
    if invalid_count:
        more = f" (and {invalid_count - len(invalid)} more)" if invalid_count > len(invalid) else ""
        raise InputError(
            f"cannot use the orders file {shown}: every order needs a non-empty text "
            f"\"number\"; {'; '.join(invalid)}{more}"
        )
    line, column = reader.array_position or (1, 1)
    return OrderIndex(shown, numbers, line, column, problems)


_get_number = itemgetter("number")


def _take(batch: Batch, numbers: dict[str, int], problems: list[Problem], invalid: list[str],
          shown: str) -> int:
    """Add a batch's order numbers; returns how many orders have no usable number."""
    index = batch.start
    try:  # the usual batch, at C speed: text numbers, none seen before
        found = list(map(_get_number, batch.items))
    except (KeyError, TypeError):
        pass
    else:
        if set(map(type, found)) == {str} and all(map(str.strip, found)):
            n = len(found)
            chunk = dict(zip(found, range(index, index + n), strict=True))
            if len(chunk) == n and numbers.keys().isdisjoint(chunk):
                numbers.update(chunk)
                return 0
    bad = 0
    for k, order in enumerate(batch.items):
        number = order.get("number") if type(order) is dict else None
        if type(number) is not str or not number.strip():
            bad += 1
            if len(invalid) < _INVALID_SHOWN:
                line, column = batch.locate(k, "number")
                what = "no \"number\"" if number is None else f"\"number\" {number!r}"
                invalid.append(f"order {index + k} (line {line}) has {what}")
            continue
        first = numbers.setdefault(number, index + k)
        if first != index + k:
            line, column = batch.locate(k, "number")
            problems.append(Problem(
                "OIM902",
                f"order number {show(number)} appears again (first as order {first}); items "
                "refer to orders by number, so one of them is a mistake",
                shown, index + k, pointer(index + k, "number"), "number", number,
                line=line, column=column,
            ))
    return bad


def iter_unreferenced(indexes: list[OrderIndex]) -> Iterator[Problem]:
    """One warning per orders file whose orders no item refers to."""
    for index in indexes:
        count, examples = index.unreferenced()
        if count:
            listed = ", ".join(show(e) for e in examples)
            more = ", …" if count > len(examples) else ""
            yield Problem(
                "OIM901",
                f"{count} of {len(index.numbers)} orders have no items in the files checked "
                f"({listed}{more}); expected when only some item files were checked",
                index.path, None, "", None, count, line=index.line, column=index.column,
            )
