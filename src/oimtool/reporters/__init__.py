"""Reporters: each renders the same stream of problems (and, for ``fix``, changes) in one
format.

A reporter receives problems one at a time (``add``), in order, then the summary (``close``),
so a report of millions of problems never sits in memory whole.
"""

from __future__ import annotations

import contextlib
import importlib
import tempfile
from typing import IO

from ..errors import OutputError
from ..problems import Change, Plan, Problem, Sink, Summary
from ..rules import Severity

#: The report formats: format name -> (module, class).
REPORTERS = {
    "text": ("text", "TextReporter"),
    "json": ("json_", "JsonReporter"),
    "csv": ("csv_", "CsvReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
    "junit": ("junit", "JunitReporter"),
}
FORMATS = tuple(REPORTERS)


class Reporter:
    """The interface (``problems.Sink``): ``add`` each problem, ``change`` each fix made,
    ``close`` at the end. ``quiet``: the problems only, for the formats for people (the text
    report: no plan, no notes, no changes, no summary)."""

    def __init__(self, out: IO[bytes], *, color: bool = False, command: str = "check",
                 quiet: bool = False) -> None:
        self.out = out
        self.color = color
        self.command = command
        self.quiet = quiet

    def begin(self, file: str, output: str | None = None) -> None:
        """A file is about to be read (for formats that list every file); ``output``: where
        ``oimtool fix`` writes it, the file its remaining problems are placed in."""

    def plan(self, plan: Plan) -> None:
        """How a conversion reads its export (the formats for people and scripts show it)."""

    def add(self, problem: Problem) -> None:
        raise NotImplementedError

    def change(self, change: Change) -> None:
        """A change ``oimtool fix`` made (most formats list only what remains)."""

    def close(self, summary: Summary) -> None:
        self.out.flush()


class Spool:
    """Bytes a report keeps for its end (its problems, after a summary that comes first): in
    memory up to ``limit``, then in a temporary file in TMPDIR. A write that fails there (a
    full disk, a file-size limit) is OutputError, and leaves nothing that fails again, with a
    traceback, when the file is collected."""

    def __init__(self, limit: int) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=limit)  # noqa: SIM115

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self._failed(exc)

    def copy_to(self, out: IO[bytes]) -> None:
        """Write what was kept to ``out``, and let it go."""
        try:
            try:
                self._file.seek(0)  # (writes what is still buffered first)
            except OSError as exc:
                self._failed(exc)
            while True:
                try:
                    chunk = self._file.read(1 << 20)
                except OSError as exc:
                    self._failed(exc)
                if not chunk:
                    return
                out.write(chunk)
        finally:
            self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()

    def _failed(self, exc: OSError) -> None:
        self.close()
        raise OutputError(f"cannot write the report: its temporary file in "
                          f"{tempfile.gettempdir()} cannot grow ({exc.strerror or exc})") from exc


def make_reporter(fmt: str, out: IO[bytes], *, color: bool = False, command: str = "check",
                  quiet: bool = False) -> Reporter:
    """The reporter for ``fmt`` (one of ``FORMATS``), writing UTF-8 to ``out``."""
    try:
        module, name = REPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}") from None
    cls = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return cls(out, color=color, command=command, quiet=quiet)  # type: ignore[no-any-return]


class Tee:
    """Several sinks as one: each gets everything, in order."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    def begin(self, file: str, output: str | None = None) -> None:
        for sink in self.sinks:
            sink.begin(file, output)

    def plan(self, plan: Plan) -> None:
        for sink in self.sinks:
            sink.plan(plan)

    def add(self, problem: Problem) -> None:
        for sink in self.sinks:
            sink.add(problem)

    def change(self, change: Change) -> None:
        for sink in self.sinks:
            sink.change(change)

    def close(self, summary: Summary) -> None:
        for sink in self.sinks:
            sink.close(summary)


class Selected:
    """A sink that passes on the problems of the rule ``codes`` only (and always those that
    say a file could not be read, ``rules.UNREAD``), and counts only those in the summary it
    passes on: what is shown, what is counted and the exit code agree. The summary object is
    changed in place, so the caller's copy agrees too. Changes (``oimtool fix``) all pass: they
    were made."""

    def __init__(self, sink: Sink, codes: frozenset[str]) -> None:
        from ..rules import UNREAD

        self.sink = sink
        self.codes = codes | UNREAD
        self.shown = Summary()
        self.hidden = 0

    def begin(self, file: str, output: str | None = None) -> None:
        self.sink.begin(file, output)

    def plan(self, plan: Plan) -> None:
        self.sink.plan(plan)

    def add(self, problem: Problem) -> None:
        if problem.code in self.codes:
            self.shown.add(problem)
            self.sink.add(problem)
        elif problem.severity is not Severity.NOTE:
            self.hidden += 1

    def change(self, change: Change) -> None:
        self.sink.change(change)

    def close(self, summary: Summary) -> None:
        shown = self.shown
        summary.errors, summary.warnings = shown.errors, shown.warnings
        summary.fixable, summary.unsafe_fixable = shown.fixable, shown.unsafe_fixable
        summary.hidden = self.hidden
        self.sink.close(summary)
