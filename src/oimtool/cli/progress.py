"""A one-line progress bar on standard error, for long runs at a terminal only (never when
piped, never in CI, never with NO_PROGRESS). It shows after ``OIMTOOL_PROGRESS_DELAY`` seconds
(1 by default: a short run shows none), then moves at most five times a second."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import IO

INTERVAL = 0.2  # seconds between two drawings of the bar


class Progress:
    """The bar for a run on ``name``, drawn on ``out`` once ``delay`` seconds have passed (by
    ``clock``). The report, when it goes to the same terminal, clears it before each line
    (``around``)."""

    def __init__(self, name: str, enabled: bool, *, delay: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, out: IO[str] | None = None,
                 doing: str = "converting", unit: str = "rows") -> None:
        self.name = name
        self.doing = doing
        self.unit = unit
        self.enabled = enabled
        self.delay = delay
        self.clock = clock
        self.out = out or sys.stderr
        self.shown = False
        self.started = clock()
        self.last: float | None = None

    @classmethod
    def start(cls, name: str, doing: str = "converting", unit: str = "rows", *,
              quiet: bool = False) -> Progress:
        """The bar on standard error, when it is a terminal and neither CI nor NO_PROGRESS is
        set."""
        env = os.environ
        enabled = (not quiet and sys.stderr.isatty() and not env.get("CI")
                   and not env.get("NO_PROGRESS"))
        try:
            delay = float(env.get("OIMTOOL_PROGRESS_DELAY", "1"))
        except ValueError:
            delay = 1.0
        return cls(name, enabled, delay=delay, doing=doing, unit=unit)

    def update(self, fraction: float, rows: int) -> None:
        """Draw the bar: ``fraction`` of the work done, ``rows`` so far."""
        if self.enabled:
            self.show(f"{self.doing} {self.name} {bar(fraction)} {rows:,} {self.unit}")

    def show(self, line: str) -> None:
        """Draw ``line`` in place of the bar, when it is time (after the delay, at most five
        times a second)."""
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay or (
                self.last is not None and now - self.last < INTERVAL):
            return
        self.last = now
        self.out.write(f"\r\033[K{line}")
        self.out.flush()
        self.shown = True

    def clear(self) -> None:
        """Take the bar off the screen (before a report line, and at the end)."""
        if self.shown:
            self.out.write("\r\033[K")
            self.out.flush()
            self.shown = False

    def around(self, stream: IO[bytes]) -> IO[bytes]:
        """``stream``, clearing the bar before each write when both share the terminal."""
        if not self.enabled:
            return stream
        return _Clearing(self, stream)  # type: ignore[return-value]


def bar(fraction: float) -> str:
    """``[#########                     ]  30%``"""
    fraction = min(max(fraction, 0.0), 1.0)
    return f"[{'#' * int(fraction * 30):<30}] {fraction:4.0%}"


class _Clearing:
    def __init__(self, progress: Progress, stream: IO[bytes]) -> None:
        self.progress = progress
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.progress.clear()
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()
