"""Reporters: each renders the same stream of problems and the summary in one format.

A reporter receives problems one at a time (``add``), in order, then the summary (``close``),
so a report of millions of problems never sits in memory whole.
"""

from __future__ import annotations

from typing import IO, Protocol

from ..problems import Problem, Summary


class Reporter(Protocol):
    def add(self, problem: Problem) -> None: ...

    def close(self, summary: Summary) -> None: ...


def make_reporter(fmt: str, out: IO[bytes], *, color: bool = False, command: str = "check",
                  with_source: bool = False) -> Reporter:
    """The reporter for ``fmt`` (one of ``FORMATS``), writing UTF-8 to ``out``."""
    if fmt == "text":
        from .text import TextReporter

        return TextReporter(out, color=color, command=command)
    if fmt == "json":
        from .json_ import JsonReporter

        return JsonReporter(out, with_source=with_source)
    raise ValueError(f"unknown report format {fmt!r}")


#: The report formats, for the command line.
FORMATS = ("text", "json")
