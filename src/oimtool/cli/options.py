"""The options several commands share, defined once; and what they open (the report)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any, Optional

import typer

from ..errors import OptionError
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
    output."""
    if output is None:
        yield default or sys.stdout.buffer
        return
    from ..output import atomic_output

    with atomic_output(output) as handle:
        yield handle


def reporter(fmt: Any, out: IO[bytes], output: Path | None, command: str,
             terminal: IO[str] | None = None) -> Reporter:
    """The reporter of ``fmt``, in colour when the text report goes to a terminal."""
    color = output is None and fmt.value == "text" and use_color(terminal or sys.stdout)
    return make_reporter(fmt.value, out, color=color, command=command)


def exit_code(failed: bool) -> typer.Exit:
    from .app import EXIT_OK, EXIT_PROBLEMS

    return typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)
