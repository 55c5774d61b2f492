"""Spread the parsing of a large JSON array file over worker processes, keeping file order.

This process cuts the file into pieces at item boundaries, looking only at a small window
around each cut; workers read their piece themselves, parse it and run a work function on it,
with line and column numbers counted from the start of the piece. Results come back in file
order, placed in the whole file. Where the cut does not apply (an item larger than the window),
or a worker finds that a piece does not parse (a syntax error, or a cut the text fooled), the
rest of the file is read here, one batch after the other, exactly as without workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple

from ..tuning import DEFAULT, Tuning
from ..workers import Workers
from .batch import Batch, RawBatch
from .encoding import detect_encoding
from .reader import ArrayReader, Resume
from .tokens import char_count, last_boundary

_files: dict[str, int] = {}  # a worker's open files


def worth_parallel(handle: BinaryIO, tuning: Tuning = DEFAULT) -> bool:
    """A regular UTF-8 file big enough to be worth spreading over workers."""
    try:
        size = os.fstat(handle.fileno()).st_size
        seekable = handle.seekable()
    except (OSError, AttributeError, ValueError):
        return False
    if size < tuning.parallel_min_bytes or not seekable:
        return False
    head = handle.read(4)
    handle.seek(0)
    return detect_encoding(head)[0] in ("utf-8", "utf-8-sig")


class Piece(NamedTuple):
    """Items' text from ``offset`` to ``end``, then separators up to ``after`` (the next piece);
    ``final``: the text runs to the end of the file, closing bracket included."""

    path: str
    offset: int
    end: int
    after: int
    final: bool


class Done(NamedTuple):
    """A worker's answer: the work function's result, and the lines and characters its piece
    spans (to place the next piece)."""

    result: Any
    newlines: int
    tail: int  # characters after the piece's last newline


def read_piece(path: str, offset: int, length: int) -> bytes:
    """In a worker: bytes of a file, which stays open for the next piece."""
    fd = _files.get(path)
    if fd is None:
        for old in _files.values():
            os.close(old)
        _files.clear()
        fd = _files[path] = os.open(path, os.O_RDONLY)
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError(f"{path} changed while it was read")
    return data


def run_piece(piece: Piece, work: Callable[[Batch], Any]) -> Done | None:
    """In a worker: read, parse and analyse a piece; None when it does not parse."""
    data = read_piece(piece.path, piece.offset, piece.after - piece.offset)
    raw = RawBatch(data[: piece.end - piece.offset], piece.offset, 1, 1, piece.final)
    items = raw.parse()
    if items is None:
        return None
    newlines = data.count(b"\n")
    tail = char_count(data[data.rfind(b"\n") + 1:])
    return Done(work(raw.batch(0, items)), newlines, tail)


class View:
    """A piece read again, on demand, to place the problems found in this process."""

    def __init__(self, piece: Piece, start: int, count: int, line: int, column: int) -> None:
        self.piece = piece
        self.start = start
        self.count = count
        self.line = line
        self.column = column
        self._batch: Batch | None = None

    def locate(self, k: int, key: str | None = None) -> tuple[int, int]:
        if self._batch is None:
            piece = self.piece
            with open(piece.path, "rb") as handle:
                handle.seek(piece.offset)
                data = handle.read(piece.end - piece.offset)
            raw = RawBatch(data, piece.offset, self.line, self.column, piece.final)
            self._batch = raw.batch(self.start, [None] * self.count)
        return self._batch.locate(k, key)


def rebase(position: tuple[int | None, int | None], line: int, column: int
           ) -> tuple[int | None, int | None]:
    """A position counted from a piece's start (1, 1), placed where the piece starts."""
    rel_line, rel_column = position
    if rel_line is None or rel_column is None:
        return position
    if rel_line == 1:
        return line, column + rel_column - 1
    return line + rel_line - 1, rel_column


class Placed(NamedTuple):
    """A batch's result, where its items start, and how to place what it found."""

    result: Any
    start: int  # index of its first item
    base: tuple[int, int] | None  # where its relative positions start; None: they are absolute
    view: Batch | View  # to locate problems found later


def stream(reader: ArrayReader, handle: BinaryIO, path: str, *, workers: Workers | None,
           work: Callable[[Batch], Any], local: Callable[[Batch], Any],
           ) -> Iterator[Any]:
    """What ``reader`` reads from ``handle`` (the JSON array file at ``path``), in file order,
    each batch as
    the ``Placed`` result of ``work`` or ``local``; the rest (problems, unreadable items, an
    empty array) as the reader gives it.

    ``work`` (a module-level function: workers find it by name) and ``local`` take a parsed
    batch and return a result with the ``size`` of the batch (its items); ``work`` runs in
    the workers, on batches whose positions count from (1, 1), ``local`` here.
    """
    if workers is None:
        yield from _placed(reader, local)
        return
    first: Resume | None = None
    for part in reader.start():
        if isinstance(part, Resume):
            first = part
        else:
            yield part
    if first is None:  # no item, or not an array: the reader has said why
        return
    bom = detect_encoding(reader.head)[1]
    index, line, column = 0, first.line, first.column
    cutter = _Cutter(path, handle.fileno(), first.offset + bom, workers.tuning)
    resume: int | None = None
    for piece, done in workers.ordered(cutter, run_piece, _here, work):
        if done is None:  # not what the cut assumed: read on here from this piece
            resume = piece.offset
            break
        count = done.result.size
        yield Placed(done.result, index, (line, column), View(piece, index, count, line, column))
        index += count
        line, column = (line + done.newlines, 1 + done.tail) if done.newlines else (
            line, column + done.tail)
    else:
        resume = cutter.rest
    if resume is None:
        return
    # Every piece before the resume point is placed: line and column are where it starts.
    handle.seek(resume)
    rest = ArrayReader(handle, file=reader.file, tuning=workers.tuning,
                       resume=Resume(resume - bom, line, column), start_index=index)
    yield from _placed(rest, local)


def _here(piece: Piece) -> None:
    """A piece a worker could not parse is not parsed here either: reading goes on in order."""
    return None


def _placed(reader: ArrayReader, local: Callable[[Batch], Any]) -> Iterator[Any]:
    for part in reader:
        yield Placed(local(part), part.start, None, part) if isinstance(part, Batch) else part


class _Cutter:
    """The file from ``offset`` (an item's start) cut into pieces; ``rest`` is the offset where
    no cut was found (None when the pieces reach the end)."""

    def __init__(self, path: str, fd: int, offset: int, tuning: Tuning) -> None:
        self.path = path
        self.fd = fd
        self.offset = offset
        self.size = os.fstat(fd).st_size
        self.tuning = tuning
        self.rest: int | None = None

    def __iter__(self) -> Iterator[Piece]:
        offset, size, path = self.offset, self.size, self.path
        window = self.tuning.window_bytes
        while True:
            nominal = offset + self.tuning.piece_bytes
            if nominal + window >= size:
                yield Piece(path, offset, size, size, True)
                return
            low = max(offset, nominal - window)
            cut = last_boundary(os.pread(self.fd, nominal - low, low), 0)
            if cut is None or low + cut[0] <= offset:
                self.rest = offset
                return
            yield Piece(path, offset, low + cut[0], low + cut[1], False)
            offset = low + cut[1]
