"""Repeated items (OIM803) in files of any size, in memory that stays flat.

Each item is reduced to a 64-bit fingerprint (``fingerprint``). The first
``SEEN_IN_MEMORY`` fingerprints live in a dict, which finds a repeat at once; after that, a
fingerprint not in the dict goes to disk, into one of ``PARTS`` temporary files chosen by its
value, and repeats among those are found at the end, one file at a time (a big one split
first). So memory holds at most the dict and one part, whatever the size of the input; the
price is that a repeat whose earlier copy came after the first million items is reported
after the file's other problems.

Everything per item runs at C speed (dict building, sorting, array slicing): Python loops
only where a repeat was found.
"""

from __future__ import annotations

import bisect
import struct
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from itertools import pairwise
from operator import itemgetter
from typing import IO, Any

import orjson

_MISSING = object()
_SIX = ("order_number", "product", "sku", "quantity", "price", "image_url")
#: The six fields of an item but extra_field: ``hash(six(item))`` is the fingerprint of the
#: usual item (see ``fingerprint``), taken at C speed for a whole batch.
six = itemgetter(*_SIX)


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a field value, whose hash tells different values apart.

    Python hashes -1 like -2, True like 1 and integers modulo 2^61 - 1: such values get a tag.
    The values of a clean item (text, None, quantities from 1, prices from 0) stay themselves,
    so ``hash(six(item))`` is the same fingerprint for them.
    """
    kind = type(value)
    if kind is dict or kind is list:
        try:
            return ("json", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
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
    values = tuple(_freeze(item.get(key, _MISSING)) for key in _SIX)
    extra = item.get("extra_field", _MISSING)
    if type(extra) is dict and not extra:
        return hash(values)
    return hash((values, _freeze(extra)))


#: Files the rest are spread over: one of them is in memory at a time, at the end.
PARTS = 64
#: Where each part's fingerprints start: PARTS equal slices of the signed 64-bit range.
_BOUNDS = [-(1 << 63) + p * ((1 << 64) // PARTS) for p in range(1, PARTS)]
_BLOCK = struct.Struct("<q")


class Seen:
    """The fingerprints met so far, each with the mark (an item index, a row number) of its
    first item. Marks must grow through the file."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.limit = limit  # fingerprints kept in memory (about 100 bytes each)
        self._first: dict[int, int] = {}
        self._parts: list[IO[bytes]] = []
        self.spilled = 0

    def add(self, keys: Sequence[int], marks: Sequence[int],
            others: Sequence[int] | None = None) -> list[tuple[int, int]]:
        """Add a batch: ``keys`` its fingerprints, ``marks`` their items' marks, ``others`` a
        second number per item that ``finish`` gives back (convert's item index beside the
        row number). Returns (position in the batch, first item's mark) for every repeat
        found now; repeats among fingerprints sent to disk come from ``finish``."""
        first = self._first
        if len(first) < self.limit:
            chunk = dict(zip(keys, marks, strict=True))
            if len(chunk) == len(keys) and first.keys().isdisjoint(chunk):
                first.update(chunk)  # no repeat: the usual batch
                return []
            found = []
            for k, (key, mark) in enumerate(zip(keys, marks, strict=True)):
                earlier = first.setdefault(key, mark)
                if earlier != mark:
                    found.append((k, earlier))
            return found
        found = []
        rest: Sequence[int] = range(len(keys))
        if not first.keys().isdisjoint(keys):
            get = first.get
            rest = []
            for k, key in enumerate(keys):
                known = get(key)
                if known is None:
                    rest.append(k)
                else:
                    found.append((k, known))
        if rest:
            self._spill(keys, marks, marks if others is None else others, rest)
        return found

    def _spill(self, keys: Sequence[int], marks: Sequence[int], others: Sequence[int],
               rest: Sequence[int]) -> None:
        if not self._parts:
            self._parts = [tempfile.TemporaryFile(prefix="oimtool-seen-")  # noqa: SIM115
                           for _ in range(PARTS)]
        order = sorted(rest, key=keys.__getitem__)  # stable: a key's items keep file order
        sorted_keys = array("q", map(keys.__getitem__, order))
        sorted_marks = array("q", map(marks.__getitem__, order))
        sorted_others = array("q", map(others.__getitem__, order))
        cuts = [0, *(bisect.bisect_left(sorted_keys, b) for b in _BOUNDS), len(order)]
        for part, (start, end) in zip(self._parts, pairwise(cuts), strict=True):
            if start < end:
                _write(part, sorted_keys[start:end], sorted_marks[start:end],
                       sorted_others[start:end])
        self.spilled += len(order)

    def finish(self) -> Iterator[tuple[int, int, int]]:
        """The repeats among the fingerprints sent to disk, in file order: (mark, other,
        first item's mark). Removes the files."""
        found: list[tuple[int, int, int]] = []
        edges = [-(1 << 63), *_BOUNDS, 1 << 63]
        try:
            for part, (low, high) in zip(self._parts, pairwise(edges), strict=False):
                _compare(part, low, high, found)
        finally:
            self.close()
        found.sort()
        return iter(found)

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []


#: A part is compared in memory (about 300 bytes a fingerprint, for that moment) when it holds
#: at most this many; a bigger one is first split by value into SPLIT smaller ones, on disk,
#: twice at most (64 x 16 x 16 parts: memory stays flat to billions of items). A part of one
#: value repeated (a file of copies) does not shrink by splitting, but it takes little memory.
PART_LIMIT = 1 << 17
SPLIT = 16
_SPLITS = 2


def _compare(part: IO[bytes], low: int, high: int, found: list[tuple[int, int, int]],
             depth: int = 0) -> None:
    """Add the repeats among the fingerprints of ``part`` (all in [low, high)) to ``found``."""
    entries = part.seek(0, 2) // 24  # about: each fingerprint takes 24 bytes, and few headers
    if entries > PART_LIMIT and depth < _SPLITS:
        step = (high - low) // SPLIT
        cuts = [low + step * n for n in range(1, SPLIT)]
        smaller = [tempfile.TemporaryFile(prefix="oimtool-seen-")  # noqa: SIM115
                   for _ in range(SPLIT)]
        try:
            for keys, marks, others in _blocks(part):  # each block is sorted by value
                at = [0, *(bisect.bisect_left(keys, cut) for cut in cuts), len(keys)]
                for into, (start, end) in zip(smaller, pairwise(at), strict=True):
                    if start < end:
                        _write(into, keys[start:end], marks[start:end], others[start:end])
            part.truncate(0)
            for into, (start, end) in zip(smaller, pairwise([low, *cuts, high]), strict=True):
                _compare(into, start, end, found, depth + 1)
                into.close()
        finally:
            for into in smaller:
                into.close()
        return
    keys, marks, others = array("q"), array("q"), array("q")
    for block in _blocks(part):
        keys.extend(block[0])
        marks.extend(block[1])
        others.extend(block[2])
    first = dict(zip(reversed(keys), reversed(marks), strict=True))  # the earliest wins
    if len(first) != len(keys):
        found.extend((mark, other, first[key])
                     for key, mark, other in zip(keys, marks, others, strict=True)
                     if first[key] != mark)


def _write(part: IO[bytes], keys: array[int], marks: array[int], others: array[int]) -> None:
    part.write(_BLOCK.pack(len(keys)))
    part.write(keys.tobytes())
    part.write(marks.tobytes())
    part.write(others.tobytes())


def _blocks(part: IO[bytes]) -> Iterator[tuple[array[int], array[int], array[int]]]:
    """A part's blocks, one at a time, as they were written."""
    part.seek(0)
    while header := part.read(_BLOCK.size):
        (count,) = _BLOCK.unpack(header)
        data = part.read(24 * count)
        size = 8 * count
        yield (array("q", data[:size]), array("q", data[size : 2 * size]),
               array("q", data[2 * size :]))
