"""The command line: options in, exit code out. All the work happens in importable modules.

Exit codes: 0 no errors (warnings allowed unless --strict), 1 the data has errors, 2 oimtool
could not run as asked, 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Optional

import typer

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="oimtool",
    help="Make Akinon Omnitron order-item migration files right before upload.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"oimtool {version('oimtool')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and exit.",
    )] = False,
) -> None:
    """Make Akinon Omnitron order-item migration files right before upload."""


FormatOption = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="Report format: text (path:line:col: CODE message) or json.",
)]
OutputOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045 - typer needs Optional
    "--output", "-o", dir_okay=False, metavar="PATH",
    help="Write the report to this file instead of stdout.",
)]
OrdersOption = Annotated[Optional[list[Path]], typer.Option(  # noqa: UP045
    "--orders", exists=True, dir_okay=False, readable=True, metavar="ORDERS",
    help="The order migration file (JSON array of orders): every order_number must be the "
    "number of one of its orders. Repeat for orders split over several files.",
)]


JobsOption = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, metavar="N",
    help="Worker processes for large files (16 MB and more); 0: one per CPU, 1: none.",
)]


def _jobs(jobs: int) -> int:
    if jobs:
        return jobs
    from .parallel import default_jobs

    return default_jobs()


def _use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _report_stream(output: Path | None) -> Iterator[IO[bytes]]:
    if output is None:
        yield sys.stdout.buffer
        return
    from .output import atomic_output

    with atomic_output(output) as handle:
        yield handle


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(
        exists=True, dir_okay=False, readable=True, show_default=False, metavar="FILE...",
        help="Order-item migration files (JSON arrays of order items).",
    )],
    orders: OrdersOption = None,
    fmt: FormatOption = ReportFormat.text,
    output: OutputOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 1) on warnings too.",
    )] = False,
    jobs: JobsOption = 0,
) -> None:
    """Validate order-item files and report every problem of every item.

    Checks each item against the bundled schema and the rules it cannot express, finds
    identical items and unknown keys, and with --orders checks that every order_number exists
    in the order migration file.

    Example:

        oimtool check items.json --orders orders.json
    """
    from .check import Checker
    from .reporters import make_reporter

    color = output is None and fmt is ReportFormat.text and _use_color(sys.stdout)
    with Checker.with_orders(orders or (), jobs=_jobs(jobs)) as checker, \
            _report_stream(output) as stream:
        reporter = make_reporter(fmt.value, stream, color=color)
        for path in files:
            for problem in checker.check_file(path):
                reporter.add(problem)
        for problem in checker.finish():
            reporter.add(problem)
        reporter.close(checker.summary)
    raise typer.Exit(EXIT_PROBLEMS if checker.summary.failed(strict=strict) else EXIT_OK)


@app.command()
def schema() -> None:
    """Print the bundled JSON Schema of the order-item file (for editors and other tools).

    Example:

        oimtool schema > order-item.schema.json
    """
    from .schema import schema_bytes

    sys.stdout.buffer.write(schema_bytes())
    sys.stdout.buffer.flush()


@app.command()
def rules() -> None:
    """List the rule codes oimtool reports (see docs/rules.md for each with examples)."""
    from .rules import RULES

    for rule in RULES.values():
        typer.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.fix.value:<6}  "
                   f"{rule.slug:<26}  {rule.title}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit code (the console script exits with it)."""
    from .errors import OimtoolError

    try:
        result = app(args=argv, prog_name="oimtool", standalone_mode=False)
    except OimtoolError as exc:
        print(f"oimtool: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("oimtool: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`oimtool check … | head`): stop quietly.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a broken pipe
    except Exception as exc:
        code = _click_exit(exc)
        if code is not None:
            return code
        if os.environ.get("OIMTOOL_TRACEBACK"):
            raise
        print(f"oimtool: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug: please report it (set OIMTOOL_TRACEBACK=1 to see the details).",
              file=sys.stderr)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def _click_exit(exc: Exception) -> int | None:
    """The exit code for click's own exceptions (typer may vendor click, so duck-typed)."""
    if type(exc).__name__ == "Abort":  # click turns Ctrl-C into Abort
        print("oimtool: interrupted", file=sys.stderr)
        return 130
    show = getattr(exc, "show", None)
    exit_code = getattr(exc, "exit_code", None)
    if callable(show) and isinstance(exit_code, int):  # ClickException: usage errors
        show()
        return exit_code
    return None
