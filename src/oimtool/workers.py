"""Forked worker processes, and the shared memory their large results come back through.

``Workers`` is a context manager around a pool of forked processes that inherit a context
object (the converter, the orders); ``ordered`` runs tasks in them and gives the results back
in task order. Leaving the block stops the workers: after their queued work when it ends
normally or on an error (which never hangs), at once (killed) when interrupted (Ctrl-C,
SIGTERM). Workers die with this process however it ends: on Linux the kernel kills them when it
goes (``PR_SET_PDEATHSIG``), and everywhere each watches a pipe that only this process holds
open, which ends when it does.

Workers are forked: they share this process's string hashes (item fingerprints rely on them)
and see whatever it had loaded. Where ``fork`` is not available everything runs here.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import mmap
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from .errors import STOPS, signals_held
from .tuning import DEFAULT, Tuning

_context: Any = None  # what workers inherit: set before forking
_shuttle: Shuttle | None = None  # likewise
_libc: Any = None  # Linux's C library, loaded before forking: for prctl in the workers


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

    def __init__(self, jobs: int, size: int, smallest: int) -> None:
        self.size = size
        self.smallest = smallest
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


def context() -> Any:
    """In a worker: the context its pool was started with."""
    return _context


class Workers:
    """Forked worker processes that inherit ``context`` (read by the work functions with
    ``workers.context()``). Use as a context manager, or call ``close``."""

    def __init__(self, jobs: int, context: Any = None, tuning: Tuning = DEFAULT) -> None:
        global _context, _shuttle
        _context = context
        self.jobs = jobs
        self.tuning = tuning
        self.shuttle = _shuttle = Shuttle(jobs, tuning.shuttle_bytes, tuning.shuttle_smallest)
        self.pool: Any = None
        self.closed = False
        _load_libc()
        # Only this process keeps the writing end open: the workers see the pipe end with it.
        self._alive = os.pipe()
        try:
            # Forked with Ctrl-C and SIGTERM held back: a stop while the pool starts comes once
            # it is whole (and is then stopped here), never between a fork and its record.
            # The pool's threads, started here, keep them held back for good.
            with signals_held():
                self.pool = multiprocessing.get_context("fork").Pool(
                    jobs, _started, (os.getpid(), threading.get_ident(), *self._alive))
                atexit.register(self._at_exit)
        except BaseException:
            self.close(interrupted=True)
            raise

    @classmethod
    def start(cls, jobs: int, context: Any = None, tuning: Tuning = DEFAULT) -> Workers | None:
        """Workers, or None when there is no point (one job) or no ``fork``."""
        if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(jobs, context, tuning)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        # Stop at once only when interrupted: after an error the queued work is small, and a
        # graceful stop never hangs (a terminated pool can, in CPython's multiprocessing).
        self.close(interrupted=kind is not None and not issubclass(kind, Exception))

    def close(self, *, interrupted: bool = False) -> None:
        """Stop the workers: after their queued work, or at once when ``interrupted``."""
        global _shuttle
        if self.closed:
            return
        if self.pool is not None:
            if interrupted:
                self._kill()
            else:
                self.pool.close()
                self.pool.join()
        self.closed = True
        atexit.unregister(self._at_exit)
        for end in self._alive:
            with contextlib.suppress(OSError):
                os.close(end)
        if _shuttle is self.shuttle:
            _shuttle = None
        self.shuttle.close()

    def _kill(self) -> None:
        """Kill the workers (SIGKILL) and let the pool go without waiting for its threads.

        Not ``Pool.terminate``: it stops the workers with SIGTERM, then waits for its threads,
        and a worker stopped while it held one of the pool's queue locks (reading a task,
        sending a result) leaves a thread waiting for that lock forever, and this process with
        it (Ctrl-C as the pool starts, 2 runs in 120). The threads are daemons: they end with
        the process."""
        from multiprocessing.pool import TERMINATE

        pool = self.pool
        with signals_held():  # a second Ctrl-C must not cut this short
            handler = getattr(pool, "_worker_handler", None)
            pool._state = TERMINATE
            if handler is not None:  # start no worker in place of one killed
                handler._state = TERMINATE
                with contextlib.suppress(Exception):
                    pool._change_notifier.put(None)
                if handler.is_alive() and handler is not threading.current_thread():
                    handler.join(timeout=5)
            processes = list(getattr(pool, "_pool", ()))
            for process in processes:
                with contextlib.suppress(Exception):
                    process.kill()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(timeout=5)
            finalizer = getattr(pool, "_terminate", None)
            if finalizer is not None:  # at exit it would wait for the threads: see above
                finalizer.cancel()

    def _at_exit(self) -> None:
        """The process ends with the pool still running (a stop between its start and its
        ``with`` block): kill it, before multiprocessing's own exit handler waits for it."""
        self.close(interrupted=True)

    def submit(self, work: Callable[..., Any], *args: Any) -> Any:
        """Run ``work(*args)`` in a worker (``work`` must be a module-level function, found by
        name); returns the pool's AsyncResult."""
        return self.pool.apply_async(work, args)

    def ordered(self, tasks: Iterable[Any], work: Callable[..., Any],
                local: Callable[[Any], Any], *args: Any,
                send: Callable[[Any], Any] = lambda task: task) -> Iterator[tuple[Any, Any]]:
        """Each task with its result, in order: ``work(send(task), *args)`` in the workers, and
        ``local(task)`` here for a task whose ``work`` returned None ("do this one here").
        ``args`` are read at each submission, so what ``local`` learns reaches the tasks
        submitted after it. An error of the task iterator (the source broke off) is raised
        after the results of the tasks before it."""
        pending: deque[tuple[Any, Any]] = deque()
        limit = self.tuning.ahead * self.jobs

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
            except Exception as exc:  # what was read before still counts
                broken = exc
                break
            snapshot = tuple(dict(a) if isinstance(a, dict) else a for a in args)
            pending.append((task, self.submit(work, send(task), *snapshot)))
            while len(pending) > limit:
                yield settle()
        while pending:
            yield settle()
        if broken is not None:
            raise broken


def _load_libc() -> None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)


_PR_SET_PDEATHSIG = 1


def _started(parent: int, forker: int, alive: int, alive_writer: int) -> None:
    """In a new worker: collect garbage less often (its work makes few cycles), leave Ctrl-C
    to the main process, which stops the pool, and let the pool's SIGTERM end the worker
    (the main process's own SIGTERM handler, inherited by the fork, must not). Then tie the
    worker's life to the main process's (``parent``), and take the signals it was forked
    holding back.

    On Linux the kernel sends SIGKILL when the thread that forked the worker ends: asked only
    when that is the main process's main thread (``forker``), not a pool thread that starts a
    worker in place of one that ended. Everywhere, a thread waits on the pipe ``alive``, whose
    writing end only the main process holds: when it ends, the pipe ends, and so does the
    worker."""
    gc.set_threshold(100_000, 20, 20)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.close(alive_writer)
    if _libc is not None and threading.get_ident() == forker:
        with contextlib.suppress(Exception):
            _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    threading.Thread(target=_watch, args=(alive,), daemon=True).start()
    if os.getppid() != parent:  # it ended before the worker could watch it
        os._exit(1)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)


def _watch(alive: int) -> None:
    """In a worker: end it when the main process ends (the pipe ``alive`` reaches its end)."""
    with contextlib.suppress(OSError):
        while os.read(alive, 512):
            pass
    os._exit(1)
