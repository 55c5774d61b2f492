"""``check``: the item files against the schema, the rules and the orders files."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import IO, NamedTuple

from ..format import shown_path
from ..problems import Sink, Summary
from ..tuning import DEFAULT, Tuning
from .common import Collector, Progress, Report, _item_files, _jobs, _load_orders


class CheckOptions(NamedTuple):
    """What ``check`` reads: the item files, the orders files; ``report`` is where the caller
    writes the report (guarded: it must not replace an input). ``jobs`` 0: one per CPU."""

    files: Sequence[Path]
    orders: Sequence[Path] = ()
    report: Path | None = None
    jobs: int = 0
    tuning: Tuning = DEFAULT
    #: the name a file is shown under, when not its path (standard input's copy: ``spooled``)
    names: Mapping[Path, str] = MappingProxyType({})


@contextlib.contextmanager
def spooled(stream: IO[bytes], suffix: str = ".json") -> Iterator[Path]:
    """What ``stream`` (standard input) holds, copied into a temporary file, removed after: the
    readers read a file, in pieces and more than once."""
    import shutil
    import tempfile

    handle, name = tempfile.mkstemp(prefix="oimtool-stdin-", suffix=suffix)
    path = Path(name)
    try:
        with open(handle, "wb") as copy:
            shutil.copyfileobj(stream, copy, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def run_check(options: CheckOptions, sink: Sink, *, progress: Progress | None = None
              ) -> Summary:
    """Check order-item files, reporting every problem to ``sink``; the summary. ``progress``
    hears how far the run is, by the bytes read."""
    from ..check import Checker
    from ..output import refuse_inputs

    refuse_inputs([*options.files, *options.orders], [("--output", options.report)])
    _item_files(options.files, options.orders, options.names)
    orders = _load_orders(options.orders, options.jobs, options.tuning)
    with Checker(orders, jobs=_jobs(options.jobs), tuning=options.tuning) as checker:
        if progress is not None:
            checker.progress = progress.update
            checker.total_bytes = sum(_size(path) for path in options.files)
        for path in options.files:
            name = options.names.get(path)
            sink.begin(name or shown_path(path))
            for problem in checker.check_file(path, name=name):
                sink.add(problem)
        if progress is not None:
            progress.clear()
        for problem in checker.finish():
            sink.add(problem)
        sink.close(checker.summary)
    return checker.summary


def _size(path: Path) -> int:
    import os

    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # the reading says what is wrong


def check(paths: Iterable[str | Path], *, orders: Iterable[str | Path] = (), jobs: int = 1,
          tuning: Tuning = DEFAULT) -> Report:
    """Check order-item files (and cross-check them against order migration files)."""
    collector = Collector()
    run_check(CheckOptions([Path(p) for p in paths], [Path(p) for p in orders], jobs=jobs,
                           tuning=tuning), collector)
    return collector.report()
