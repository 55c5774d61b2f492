"""A one-line progress bar on standard error, for long runs at a terminal only (never when
piped, never in CI, never with NO_PROGRESS)."""

from __future__ import annotations

import os
import sys
import time
from typing import IO


class Progress:
    """The bar for a run on ``name``. The report, when it goes to the same terminal, clears it
    before each line (``around``)."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled
        self.shown = False
        self.started = time.monotonic()
        self.last = 0.0

    @classmethod
    def start(cls, name: str) -> Progress:
        enabled = sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get(
            "NO_PROGRESS")
        return cls(name, enabled)

    def update(self, fraction: float, rows: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.started < 1.0 or now - self.last < 0.2:
            return
        self.last = now
        bar = "#" * int(fraction * 30)
        sys.stderr.write(f"\r\033[Kconverting {self.name} [{bar:<30}] {fraction:4.0%} "
                         f"{rows:,} rows")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False

    def around(self, stream: IO[bytes]) -> IO[bytes]:
        """``stream``, clearing the bar before each write when both share the terminal."""
        if not self.enabled:
            return stream
        return _Clearing(self, stream)  # type: ignore[return-value]


class _Clearing:
    def __init__(self, progress: Progress, stream: IO[bytes]) -> None:
        self.progress = progress
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.progress.clear()
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()
