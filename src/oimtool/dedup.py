"""Repeated items (OIM803) in files of any size, in memory that stays flat.

Each item is reduced to a 64-bit fingerprint (``check.fingerprint``). The first
``SEEN_IN_MEMORY`` fingerprints live in a dict, which finds a repeat at once; after that, a
fingerprint not in the dict goes to disk, into one of ``PARTS`` temporary files chosen by its
value, and repeats among those are found at the end, one file at a time. So memory holds at
most the dict and one part, whatever the size of the input; the price is that a repeat whose
earlier copy came after the first million items is reported after the file's other problems.

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
from typing import IO

#: Fingerprints kept in memory (about 100 bytes each) before the rest go to disk.
SEEN_IN_MEMORY = 1_000_000
#: Files the rest are spread over: one of them is in memory at a time, at the end.
PARTS = 64
#: Where each part's fingerprints start: PARTS equal slices of the signed 64-bit range.
_BOUNDS = [-(1 << 63) + p * ((1 << 64) // PARTS) for p in range(1, PARTS)]
_BLOCK = struct.Struct("<q")


class Seen:
    """The fingerprints met so far, each with the mark (an item index, a row number) of its
    first item. Marks must grow through the file."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = SEEN_IN_MEMORY if limit is None else limit
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
                earlier = get(key)
                if earlier is None:
                    rest.append(k)
                else:
                    found.append((k, earlier))
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
                part.write(_BLOCK.pack(end - start))
                part.write(sorted_keys[start:end].tobytes())
                part.write(sorted_marks[start:end].tobytes())
                part.write(sorted_others[start:end].tobytes())
        self.spilled += len(order)

    def finish(self) -> Iterator[tuple[int, int, int]]:
        """The repeats among the fingerprints sent to disk, in file order: (mark, other,
        first item's mark). Removes the files."""
        found: list[tuple[int, int, int]] = []
        try:
            for part in self._parts:
                keys, marks, others = _load(part)
                first = dict(zip(reversed(keys), reversed(marks), strict=True))  # earliest wins
                if len(first) == len(keys):
                    continue
                found.extend((mark, other, first[key])
                             for key, mark, other in zip(keys, marks, others, strict=True)
                             if first[key] != mark)
        finally:
            self.close()
        found.sort()
        return iter(found)

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []


def _load(part: IO[bytes]) -> tuple[array, array, array]:
    part.seek(0)
    data = part.read()
    keys, marks, others = array("q"), array("q"), array("q")
    at = 0
    while at < len(data):
        (count,) = _BLOCK.unpack_from(data, at)
        at += _BLOCK.size
        size = count * 8
        keys.frombytes(data[at : at + size])
        marks.frombytes(data[at + size : at + 2 * size])
        others.frombytes(data[at + 2 * size : at + 3 * size])
        at += 3 * size
    return keys, marks, others
