"""An items file cut into the parts that are posted: each part a JSON array file of at most
``size`` items, in the order of the file, with the lines of one order in one part whenever they
are next to each other in the file and fit in a part.

The items are copied as they are written in the file (the exact text that was checked); the
parts are written to disk, and memory holds one batch of the file at a time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..errors import InputError, open_input
from ..format import shown_path
from ..jsonstream import ArrayReader, Batch, UnreadableItem
from ..jsonstream.tokens import WS
from ..tuning import DEFAULT, Tuning


class Part(NamedTuple):
    """One file to post: the ``number``-th of the run, items ``first`` to ``first + items - 1``
    (0-based) of ``source``, written at ``path``. ``split_order``: an order too large for one
    part whose lines go on in the next part."""

    number: int
    source: Path
    first: int
    items: int
    path: Path
    sha256: str
    size: int
    split_order: str | None = None

    @property
    def last(self) -> int:
        return self.first + self.items - 1

    def shown(self) -> str:
        """``items.json, items 1–1,000`` (1-based, as a person counts)."""
        count = self.items
        span = (f"item {self.first + 1:,}" if count == 1 else
                f"items {self.first + 1:,}–{self.last + 1:,}")
        return f"{shown_path(self.source)}, {span}"


class _PartFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.out: IO[bytes] = open(path, "xb")  # noqa: SIM115 - closed by close()
        self.digest = hashlib.sha256()
        self.size = 0
        self.pieces = 0
        self._put(b"[\n")

    def _put(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.size += len(data)

    def add(self, text: bytes) -> None:
        """Items as written in the file, with what separates them."""
        if self.pieces:
            self._put(b",\n")
        self._put(text)
        self.pieces += 1

    def close(self) -> tuple[str, int]:
        self._put(b"\n]\n")
        self.out.close()
        return self.digest.hexdigest(), self.size


def cut(source: Path, size: int | None, folder: Path, *, number: int = 1,
        tuning: Tuning = DEFAULT) -> Iterator[Part]:
    """The parts of ``source`` (a file that passed the check), written into ``folder`` and
    numbered from ``number``. ``size`` None: one part, the whole file.

    Two readings: the first finds where parts begin from the order numbers alone, the second
    copies the text between those places, so that no item's text is held or cut out one by
    one."""
    starts, splits, count = _starts((order for _, order in _batches(source, tuning, True)),
                                    size or -1)
    if count == 0:
        raise InputError(f"{shown_path(source)} holds no items to upload")
    bounds = [*starts, count]  # the first item of each part, then the end
    k = 0  # the part being written
    current = _PartFile(folder / f"part{number:05d}.json")
    for batch, _ in _batches(source, tuning, False):
        at = batch.start
        end = at + len(batch.items)
        while at < end:
            stop = min(bounds[k + 1], end)
            current.add(_text(batch, at - batch.start, stop - batch.start))
            at = stop
            if at == bounds[k + 1]:
                sha, length = current.close()
                yield Part(number + k, source, bounds[k], bounds[k + 1] - bounds[k],
                           current.path, sha, length, splits.get(bounds[k + 1]))
                k += 1
                if k + 1 < len(bounds):
                    current = _PartFile(folder / f"part{number + k:05d}.json")


def _starts(orders: Iterator[Any], limit: int) -> tuple[list[int], dict[int, str], int]:
    """Where parts begin (item indexes, the first 0), for parts of at most ``limit`` items
    (-1: no limit) keeping each run of one order's lines in one part when it fits; the orders
    cut in two, by the index where their next part begins; the number of items."""
    starts = [0]
    splits: dict[int, str] = {}
    written = 0  # items of the current part before the current run
    run_start = run = 0
    run_order: object = None
    index = -1
    for index, order in enumerate(orders):
        if run and order == run_order:
            if limit < 0 or written + run < limit:
                run += 1
            elif written:  # the order goes to the next part, whole
                starts.append(run_start)
                written = 0
                run += 1
            else:  # one order larger than a part: its lines go on in the next part
                starts.append(index)
                splits[index] = order if isinstance(order, str) else str(order)
                run_start, run = index, 1
        else:
            written += run
            if 0 < limit <= written:
                starts.append(index)
                written = 0
            run_start, run, run_order = index, 1, order
    return starts, splits, index + 1


def _batches(source: Path, tuning: Tuning, orders: bool) -> Iterator[tuple[Batch, Any]]:
    """The batches of items of ``source``; with ``orders``, each item's order number instead
    (with its batch)."""
    with open_input(source) as raw:
        for piece in ArrayReader(raw, file=shown_path(source), tuning=tuning):
            if isinstance(piece, Batch):
                if not orders:
                    yield piece, None
                    continue
                for item in piece.items:
                    yield piece, (item.get("order_number") if isinstance(item, dict) else None)
            elif isinstance(piece, UnreadableItem):
                raise InputError(f"{shown_path(source)} changed after its check: run again")


def _text(batch: Batch, first: int, stop: int) -> bytes:
    """The text of items ``first`` to ``stop - 1`` of ``batch``, separators between them
    included, blanks and commas around them not."""
    data = batch.data
    start = batch.item_start(first) if first else _lead(data)
    if stop < len(batch.items):
        end = batch.item_start(stop)
        return data[start:end].rstrip(WS).removesuffix(b",").rstrip(WS)
    return data[start:].rstrip(WS)


def _lead(data: bytes) -> int:
    """Where the first item of a batch begins: after blanks, and a comma if one is there."""
    rest = data.lstrip(WS)
    if rest.startswith(b","):
        rest = rest[1:].lstrip(WS)
    return len(data) - len(rest)


def remove(folder: Path) -> None:
    """Remove the parts' folder and what is in it."""
    with os.scandir(folder) as entries:
        for entry in entries:
            os.unlink(entry.path)
    os.rmdir(folder)
