"""The options several commands share, defined once; and what they open (the report)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any, NoReturn, Optional, cast

import typer

from ..errors import OptionError, OutputError
from ..reporters import FORMATS, Reporter, make_reporter
from ..tuning import DEFAULT, Tuning

#: The report formats, from the reporters' registry.
ReportFormat = Enum("ReportFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
TEXT = ReportFormat("text")  # the default

FormatOption = Annotated[ReportFormat, typer.Option(
    "--format", "-f",
    help="Report format: text (path:line:col: CODE message), json, csv (for Excel), sarif, "
    "github (workflow annotations) or junit.",
)]
OutputOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045 - typer needs Optional
    "--output", dir_okay=False, metavar="PATH",
    help="Write the report to this file instead of standard output.",
)]
OrdersOption = Annotated[Optional[list[Path]], typer.Option(  # noqa: UP045
    "--orders", exists=True, dir_okay=False, readable=True, metavar="ORDERS",
    help="The order migration file (JSON array of orders): every order_number must be the "
    "number of one of its orders. Repeat for orders split over several files.",
)]
JobsOption = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, metavar="N",
    help="Worker processes for large files (16 MB and more; sheets of 50,000 rows and more); "
    "0: one per CPU, 1: none.",
)]
StrictOption = Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing output.")]


def tuning(ctx: typer.Context) -> Tuning:
    """The tuning the command line was run with (``main(tuning=...)``: tests)."""
    return ctx.obj if isinstance(ctx.obj, Tuning) else DEFAULT


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """An option the library cannot use, reported as click reports a bad option."""
    try:
        yield
    except OptionError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.option) from exc


def use_color(stream: IO[str]) -> bool:
    """Colour the text report: only on a terminal, never with NO_COLOR."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def report_stream(output: Path | None, default: IO[bytes] | None = None
                  ) -> Iterator[IO[bytes]]:
    """Where the report goes: ``output`` (written in one step), else ``default`` or standard
    output (a write that fails there is OutputError: exit code 2)."""
    if output is None:
        stream = default or sys.stdout.buffer
        name = "standard error" if stream is getattr(sys.stderr, "buffer", None) else (
            "standard output")
        yield cast(IO[bytes], Stream(stream, name))
        return
    from ..output import atomic_output

    with atomic_output(output) as handle:
        yield handle


class Stream(io.BufferedIOBase):
    """Standard output or error, as a report writes to it: a write that fails (a full disk,
    a file-size limit) is OutputError naming it, and what the stream still held is dropped, so
    that nothing fails again, with a traceback, as the process ends. A reader gone (``| head``,
    BrokenPipeError) is left to click, which exits quietly."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        super().__init__()
        self.stream = stream
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        try:
            while view:  # a full disk or a size limit: a buffered write may write fewer
                done = self.stream.write(view)
                if not done:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                view = view[done:]
        except OSError as exc:
            self._failed(exc)
        return total

    def flush(self) -> None:
        if self.closed:  # (a TextIOWrapper over this one closes it when it goes)
            return
        try:
            self.stream.flush()
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> NoReturn:
        if isinstance(exc, BrokenPipeError):
            raise exc
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        raise OutputError(f"cannot write the report to {self.name}: {exc.strerror or exc}"
                          ) from exc


def reporter(fmt: Any, out: IO[bytes], output: Path | None, command: str,
             terminal: IO[str] | None = None) -> Reporter:
    """The reporter of ``fmt``, in colour when the text report goes to a terminal."""
    color = output is None and fmt.value == "text" and use_color(terminal or sys.stdout)
    return make_reporter(fmt.value, out, color=color, command=command)


def exit_code(failed: bool) -> typer.Exit:
    from .app import EXIT_OK, EXIT_PROBLEMS

    return typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)
