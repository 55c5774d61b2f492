"""Spread the parsing and checking of a large file over worker processes, keeping file order.

This process cuts the file into pieces at item boundaries, looking only at a small window
around each cut; forked workers read their piece themselves, parse it and analyse it, with line
and column numbers counted from the start of the piece. Results come back in file order, and
this process rebases their positions and does what needs the whole file (duplicates). Where the
cut does not apply (an item larger than the window), or a worker finds that a piece does not
parse (a syntax error, or a cut the text fooled), the rest of the file is read here, one batch
after the other, exactly as without workers.

Workers are forked: they share this process's string hashes (item fingerprints rely on them)
and see whatever it had loaded (the order numbers). Where ``fork`` is not available everything
runs here.
"""

from __future__ import annotations

import gc
import mmap
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple

from .jsonstream import ArrayReader, Batch, Issue, RawBatch, Resume, _chars, detect_encoding
from .jsonstream import last_boundary as _last_boundary

#: Files smaller than this are read in this process: forking would cost more than it saves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
#: The size of a piece, and of the window searched for a cut near its end.
PIECE_BYTES = 512 * 1024
WINDOW_BYTES = 64 * 1024
#: Pieces in flight per worker: enough to keep them busy, few enough to keep memory flat.
_AHEAD = 4
#: Each worker's ring of shared memory for its large results, and the smallest result that
#: goes that way (see ``Shuttle``).
SHUTTLE_BYTES = 16 << 20
SHUTTLE_SMALLEST = 64 << 10

_context: Any = None  # what workers inherit: set before forking
_shuttle: Shuttle | None = None  # likewise
_files: dict[str, int] = {}  # a worker's open files


def default_jobs() -> int:
    """Worker processes to use: one per CPU this process may run on, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class Parcel(NamedTuple):
    """Bytes a worker left in shared memory: its slot, where, how many, and their number among
    the parcels of that slot."""

    slot: int
    start: int
    length: int
    number: int


class Shuttle:
    """Large results (a converted batch's JSON) from the workers to this process through shared
    memory rather than the pool's pipe, which copies them four times and wakes both sides for
    every 64 KiB: about 1 s of CPU time for the 250 MB of a million converted rows, against
    0.2 s this way.

    Each worker claims a slot: a ring of ``size`` bytes of anonymous shared memory, mapped
    before the fork. It writes a result where no parcel this process has not yet taken lies,
    and sends the small ``Parcel`` instead; this process copies the bytes out (``take``) and
    counts the slot's parcels taken, in order, which frees their space. A result that finds no
    room (or a worker without a slot: one the pool started again) travels the usual way."""

    def __init__(self, jobs: int, size: int | None = None, smallest: int | None = None
                 ) -> None:
        self.size = SHUTTLE_BYTES if size is None else size
        self.smallest = SHUTTLE_SMALLEST if smallest is None else smallest
        self.rings = [mmap.mmap(-1, self.size) for _ in range(jobs)]
        self.taken = multiprocessing.RawArray("q", jobs)  # per slot: parcels 0..n-1 taken
        self._claimed = multiprocessing.RawValue("i", 0)
        self._lock = multiprocessing.get_context("fork").Lock()
        # in a worker: its slot, the parcels it sent and where they lie, how many it sent
        self._slot: int | None = None
        self._sent: deque[tuple[int, int, int]] = deque()  # (number, start, end)
        self._count = 0
        # here: per slot, the numbers taken ahead of an earlier one still out
        self._ahead: list[set[int]] = [set() for _ in range(jobs)]

    def send(self, data: bytes) -> bytes | Parcel:
        """In a worker: ``data``, or a Parcel for it left in shared memory."""
        length = len(data)
        if length < self.smallest or length > self.size:
            return data
        if self._slot is None:
            with self._lock:
                self._slot = self._claimed.value
                self._claimed.value += 1
        slot = self._slot
        if slot >= len(self.rings):
            return data
        sent = self._sent
        with self._lock:  # a barrier too: the bytes were copied out before the count moved
            taken = self.taken[slot]
        while sent and sent[0][0] < taken:
            sent.popleft()
        for start in ((sent[-1][2] if sent else 0), 0):
            end = start + length
            if end <= self.size and all(e <= start or s >= end for _, s, e in sent):
                self.rings[slot][start:end] = data
                number = self._count
                self._count += 1
                sent.append((number, start, end))
                return Parcel(slot, start, length, number)
        return data

    def take(self, data: bytes | Parcel) -> bytes:
        """Here: the bytes a worker sent, copied out of shared memory, whose space is freed."""
        if not isinstance(data, Parcel):
            return data
        slot, start, length, number = data
        out = self.rings[slot][start: start + length]
        taken = self.taken[slot]
        if number != taken:  # taken out of order: the slot's space is freed in order
            self._ahead[slot].add(number)
            return out
        taken += 1
        ahead = self._ahead[slot]
        while taken in ahead:
            ahead.remove(taken)
            taken += 1
        with self._lock:
            self.taken[slot] = taken
        return out

    def close(self) -> None:
        for ring in self.rings:
            ring.close()


def ship(data: bytes) -> bytes | Parcel:
    """In a worker: ``data`` for the main process, through shared memory when it is large."""
    return data if _shuttle is None else _shuttle.send(data)


class Workers:
    """Forked worker processes that inherit ``context`` (read by the work functions)."""

    def __init__(self, jobs: int, context: Any) -> None:
        global _context, _shuttle
        _context = context
        self.jobs = jobs
        self.shuttle = _shuttle = Shuttle(jobs)
        self.pool = multiprocessing.get_context("fork").Pool(jobs, _started)

    @classmethod
    def start(cls, jobs: int, context: Any = None) -> Workers | None:
        """Workers, or None when there is no point (one job) or no ``fork``."""
        if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(jobs, context)

    def close(self, *, failed: bool = False) -> None:
        """Stop the workers: after their queued work when all went well (which never hangs),
        at once when something failed (Ctrl-C, an error)."""
        global _shuttle
        if failed:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()
        if _shuttle is self.shuttle:
            _shuttle = None
        self.shuttle.close()


def _started() -> None:
    """In a new worker: collect garbage less often (its work makes few cycles), leave Ctrl-C
    to the main process, which stops the pool, and let the pool's SIGTERM end the worker
    (the main process's own SIGTERM handler, inherited by the fork, must not)."""
    gc.set_threshold(100_000, 20, 20)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def context() -> Any:
    """In a worker: the context its pool was started with."""
    return _context


def worth_parallel(handle: BinaryIO) -> bool:
    """A regular UTF-8 file big enough to be worth spreading over workers."""
    try:
        size = os.fstat(handle.fileno()).st_size
        seekable = handle.seekable()
    except (OSError, AttributeError, ValueError):
        return False
    if size < PARALLEL_MIN_BYTES or not seekable:
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


def _read(path: str, offset: int, length: int) -> bytes:
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


def _run(work: Callable[[Batch], Any], piece: Piece) -> Done | None:
    """In a worker: read, parse and analyse a piece; None when it does not parse."""
    data = _read(piece.path, piece.offset, piece.after - piece.offset)
    raw = RawBatch(data[: piece.end - piece.offset], piece.offset, 1, 1, piece.final)
    items = raw.parse()
    if items is None:
        return None
    newlines = data.count(b"\n")
    tail = _chars(data[data.rfind(b"\n") + 1:])
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


def stream(path: str, handle: BinaryIO, *, workers: Workers | None,
           work: Callable[[Batch], Any], local: Callable[[Batch], Any],
           ) -> Iterator[Issue | Placed]:
    """Issues and analysed batches of a JSON array file, in file order.

    ``work`` (a module-level function: workers find it by name) and ``local`` take a parsed
    batch and return a result with a ``count`` of items; ``work`` runs in the workers, on
    batches whose positions count from (1, 1), ``local`` here.
    """
    reader = ArrayReader(handle)
    if workers is None:
        for part in reader:
            yield part if isinstance(part, Issue) else Placed(local(part), part.start, None, part)
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
    size = os.fstat(handle.fileno()).st_size
    index, line, column = 0, first.line, first.column
    pending: deque[tuple[Piece, Any]] = deque()
    resume: Resume | None = None
    cuts = _pieces(path, handle.fileno(), first.offset + bom, size)
    while True:
        while len(pending) < _AHEAD * workers.jobs and resume is None:
            piece = next(cuts, None)
            if piece is None:
                break
            if isinstance(piece, int):  # no cut found: read on here from that offset
                resume = Resume(piece - bom, 0, 0)
                break
            pending.append((piece, workers.pool.apply_async(_run, (work, piece))))
        if not pending:
            break
        piece, future = pending.popleft()
        done = future.get()
        if done is None:  # not what the cut assumed: read on here from this piece
            pending.clear()
            resume = Resume(piece.offset - bom, 0, 0)
            break
        count = done.result.count
        yield Placed(done.result, index, (line, column),
                     View(piece, index, count, line, column))
        index += count
        line, column = (line + done.newlines, 1 + done.tail) if done.newlines else (
            line, column + done.tail)
    if resume is None:
        return
    # Every piece before the resume point is placed: line and column are where it starts.
    resume = Resume(resume.offset, line, column)
    handle.seek(resume.offset + bom)
    for part in ArrayReader(handle, resume=resume, start_index=index):
        yield part if isinstance(part, Issue) else Placed(local(part), part.start, None, part)


def _pieces(path: str, fd: int, offset: int, size: int) -> Iterator[Piece | int]:
    """Cut the file from ``offset`` (an item's start) into pieces; an int is the offset where
    no cut was found."""
    while True:
        nominal = offset + PIECE_BYTES
        if nominal + WINDOW_BYTES >= size:
            yield Piece(path, offset, size, size, True)
            return
        low = max(offset, nominal - WINDOW_BYTES)
        cut = _last_boundary(os.pread(fd, nominal - low, low), 0)
        if cut is None or low + cut[0] <= offset:
            yield offset
            return
        yield Piece(path, offset, low + cut[0], low + cut[1], False)
        offset = low + cut[1]


def spread(tasks: Iterator[Any], workers: Workers | None, work: Callable[..., Any],
           local: Callable[[Any], Any], *args: Any,
           send: Callable[[Any], Any] = lambda task: task) -> Iterator[tuple[Any, Any]]:
    """Each task with its result, in order: ``work(send(task), *args)`` in the workers (None
    from it means "do this one here"), or ``local(task)`` here. ``args`` are read at each
    submission, so what ``local`` learns reaches the tasks submitted after it."""
    if workers is None:
        for task in tasks:
            yield task, local(task)
        return
    pending: deque[tuple[Any, Any]] = deque()

    def settle() -> tuple[Any, Any]:
        task, future = pending.popleft()
        result = future.get()
        return task, (local(task) if result is None else result)

    iterator = iter(tasks)
    broken: Exception | None = None
    while True:
        try:
            task = next(iterator)
        except StopIteration:
            break
        except Exception as exc:  # the source broke off: what was read before still counts
            broken = exc
            break
        snapshot = tuple(dict(a) if isinstance(a, dict) else a for a in args)
        pending.append((task, workers.pool.apply_async(work, (send(task), *snapshot))))
        while len(pending) > _AHEAD * workers.jobs:
            yield settle()
    while pending:
        yield settle()
    if broken is not None:
        raise broken
