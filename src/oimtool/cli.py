"""The command line: options in, exit code out. All the work happens in importable modules.

Exit codes: 0 no errors (warnings allowed unless --strict), 1 the data has errors, 2 oimtool
could not run as asked, 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any, Optional

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
    """The report formats (oimtool.reporters.FORMATS: a test keeps the two alike)."""

    text = "text"
    json = "json"
    csv = "csv"
    sarif = "sarif"
    github = "github"
    junit = "junit"


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
def _report_stream(output: Path | None, default: IO[bytes] | None = None
                   ) -> Iterator[IO[bytes]]:
    if output is None:
        yield default or sys.stdout.buffer
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
    from .output import refuse_inputs
    from .reporters import make_reporter

    refuse_inputs([*files, *(orders or ())], [("--output", output)])
    color = output is None and fmt is ReportFormat.text and _use_color(sys.stdout)
    with Checker.with_orders(orders or (), jobs=_jobs(jobs)) as checker, \
            _report_stream(output) as stream:
        reporter = make_reporter(fmt.value, stream, color=color)
        for path in files:
            reporter.begin(str(path))
            for problem in checker.check_file(path):
                reporter.add(problem)
        for problem in checker.finish():
            reporter.add(problem)
        reporter.close(checker.summary)
    raise typer.Exit(EXIT_PROBLEMS if checker.summary.failed(strict=strict) else EXIT_OK)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True, show_default=False, metavar="SOURCE",
        help="The export: .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .xlsb or .ods.",
    )],
    out: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--out", "-o", metavar="PATH",
        help="Where the items go ('-': standard output). Default: SOURCE with .json.",
    )] = None,
    sheet: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--sheet", metavar="NAME", help="The sheet to read (default: the first visible one).",
    )] = None,
    mapping: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--map", metavar="FIELD=HEADER",
        help="The column that holds a field, when its header is not recognised. Repeatable.",
    )] = None,
    extra: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--extra/--no-extra", show_default=False,
        help="Keep unmatched columns in extra_field, keyed by their header (default: no, "
        "or the settings file's).",
    )] = None,
    encoding: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--encoding", metavar="NAME", help="The text file's encoding (default: detected).",
    )] = None,
    delimiter: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--delimiter", metavar="CHAR", help="The text file's delimiter: , ; tab | (detected).",
    )] = None,
    decimal: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--decimal", metavar="SEP",
        help="How numbers write decimals (, or .), when a column cannot tell: 1,234.",
    )] = None,
    orders: OrdersOption = None,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Write the valid rows even when some are rejected (exit 1).",
    )] = False,
    rejects: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--rejects", dir_okay=False, metavar="PATH",
        help="Write rejected rows here (.csv, or .xlsx), with a problems column.",
    )] = None,
    split: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--split", min=1, metavar="N", help="Write parts of at most N items: NAME.part001.json …",
    )] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    annotate: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--annotate", dir_okay=False, metavar="PATH",
        help="Write a copy of the export as a workbook (.xlsx) with every bad cell marked "
        "and commented, and a Problems sheet: for whoever corrects the export.",
    )] = None,
    fmt: FormatOption = ReportFormat.text,
    output: OutputOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 1) on warnings too.",
    )] = False,
    jobs: JobsOption = 0,
) -> None:
    """Convert a CSV/TSV/Excel export to the order-item JSON, checking every row.

    Columns are matched to the fields by their headers (English and Turkish names, see
    docs/convert.md); numbers in either decimal convention and Excel's number mangling are
    read back. Every problem names its row and column in the source. Nothing is written when a
    row is rejected, unless --skip-invalid.

    Example:

        oimtool convert satislar.csv -o items.json --orders orders.json
    """
    from .config import find_config
    from .convert import Conversion, ConvertError, ConvertOptions, default_output
    from .errors import OutputError
    from .orders import load_orders
    from .output import probe_folder, refuse_inputs
    from .readers import SHEET_SUFFIXES, ContentError, SourceError
    from .reporters import make_reporter

    config = find_config()
    for warning in config.warnings:
        print(f"oimtool: warning: {warning}", file=sys.stderr)
    settings = config.convert
    columns: dict[str, str] = {}
    for entry in mapping or ():
        name, sep, header = entry.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise typer.BadParameter(f"{entry!r}: write FIELD=HEADER, e.g. "
                                     'order_number="Belge No"', param_hint="--map")
        columns[name.strip()] = header.strip()
    if decimal not in (None, ",", "."):
        raise typer.BadParameter("give , or .", param_hint="--decimal")
    to_stdout = out == "-"
    if to_stdout and split:
        raise typer.BadParameter("parts cannot all go to standard output: give -o PATH",
                                 param_hint="--split")
    workbook = source.suffix.lower() in SHEET_SUFFIXES
    options = ConvertOptions(
        sheet=sheet or (settings.get("sheet") if workbook else None),
        encoding=encoding or (None if workbook else settings.get("encoding")),
        delimiter=delimiter or (None if workbook else settings.get("delimiter")),
        mapping=columns, settings_mapping=dict(settings.get("map", {})),
        extra=settings.get("extra", False) if extra is None else extra,
        decimal=decimal or settings.get("decimal"),
    )
    if annotate is not None:
        from .annotate import check_target

        problem = check_target(source, annotate)
        if problem:
            raise typer.BadParameter(problem, param_hint="--annotate")
    for path in (rejects, annotate):
        if path is not None and path.exists() and not force:
            raise OutputError(f"{path} exists; use --force to replace it")
        if path is not None:
            probe_folder(path)
    target = None if to_stdout else (Path(out) if out else default_output(source))
    refuse_inputs([source, *(orders or ())], [("--out", target), ("--output", output),
                                              ("--rejects", rejects), ("--annotate", annotate)])
    order_indexes = [load_orders(p, jobs=_jobs(jobs)) for p in orders or ()]
    try:
        conversion = Conversion(source, output=target, options=options, orders=order_indexes,
                                skip_invalid=skip_invalid, split=split, rejects=rejects,
                                force=force, jobs=_jobs(jobs))
    except (ConvertError, SourceError) as exc:
        raise _usage(str(exc)) from exc
    except ContentError as exc:
        conversion = None
        broken = exc
    report_to = sys.stderr.buffer if to_stdout and output is None else None
    color = output is None and fmt is ReportFormat.text and _use_color(
        sys.stderr if report_to else sys.stdout)
    progress = _Progress.start(source.name)
    with _report_stream(output, report_to) as stream:
        reporter = make_reporter(fmt.value, progress.around(stream), color=color,
                                 command="convert")
        reporter.begin(str(source))
        if conversion is not None:
            conversion.progress = progress.update
        if conversion is None:
            summary = _unreadable(reporter, source, broken)
        else:
            kept: list[Any] = []
            try:
                for problem in conversion.problems():
                    reporter.add(problem)
                    if annotate is not None:
                        kept.append(problem)
                progress.clear()
                written = conversion.finish(sys.stdout.buffer if to_stdout else None)
                if not written and target is not None and target.exists():
                    print(f"oimtool: note: {target} is from an earlier run, not this one",
                          file=sys.stderr)
                if annotate is not None:
                    from .annotate import annotate as write_annotated

                    write_annotated(conversion.converter.source, kept, annotate,
                                    columns=len(conversion.converter.columns))
            except BaseException:
                progress.clear()
                conversion.abort()
                raise
            summary = conversion.summary
        reporter.close(summary)
    raise typer.Exit(EXIT_PROBLEMS if summary.failed(strict=strict) else EXIT_OK)


class _Progress:
    """A one-line progress bar on standard error, for long conversions at a terminal only
    (never when piped, never in CI). The report, when it goes to the same terminal, clears it
    before each line."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled
        self.shown = False
        self.started = time.monotonic()
        self.last = 0.0

    @classmethod
    def start(cls, name: str) -> _Progress:
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
        progress = self

        class _Clearing:
            def write(self, data: bytes) -> int:
                progress.clear()
                return stream.write(data)

            def flush(self) -> None:
                stream.flush()

        return _Clearing()  # type: ignore[return-value]


def _unreadable(reporter: Any, source: Path, error: Exception) -> Any:
    from .problems import Problem, Source, Summary

    summary = Summary(files=1)
    summary.extra.update(rows=0, rejected=0, blank=0, written=0)
    problem = Problem("OIM017", str(error), str(source),
                      source=Source(str(source), None, getattr(error, "row", None), None))
    summary.add(problem)
    reporter.add(problem)
    return summary


def _usage(message: str) -> Exception:
    from .errors import InputError

    return InputError(message)


@app.command()
def fix(
    files: Annotated[list[Path], typer.Argument(
        exists=True, dir_okay=False, readable=True, show_default=False, metavar="ITEMS...",
        help="The order-item files to fix.",
    )],
    out: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--out", "-o", dir_okay=False, metavar="PATH",
        help="Where the fixed items go. Default: ITEMS with .fixed.json, beside it.",
    )] = None,
    in_place: Annotated[bool, typer.Option(
        "--in-place", help="Rewrite ITEMS itself (only when something changes).",
    )] = False,
    unsafe: Annotated[bool, typer.Option(
        "--unsafe", help="Apply the unsafe fixes too: rounding 123.905, near-match order "
        "numbers, moving unknown keys into extra_field...",
    )] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write nothing: show the changes as a diff.",
    )] = False,
    orders: OrdersOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    fmt: FormatOption = ReportFormat.text,
    output: OutputOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 1) on warnings that remain too.",
    )] = False,
) -> None:
    """Apply the safe fixes (and with --unsafe the unsafe ones), list every change, and check
    the result: exit 0 when no error remains, 1 when some do.

    The input is never touched unless --in-place. The output is written like convert's:
    documented field order, 2-space indent, UTF-8; fixing it again changes nothing.

    Example:

        oimtool fix items.json --orders orders.json
    """
    from .check import Checker
    from .errors import OutputError
    from .fix import Diff, default_output, fix_file
    from .output import refuse_inputs
    from .reporters import make_reporter

    if in_place and out is not None:
        raise typer.BadParameter("give --out or --in-place, not both", param_hint="--in-place")
    if out is not None and len(files) > 1:
        raise typer.BadParameter("--out names one output: give one file, or use --in-place",
                                 param_hint="--out")
    targets = []
    for items in files:
        target = items if in_place else (out or default_output(items))
        if not in_place and target.resolve() == items.resolve():
            raise OutputError(f"{target} is the input: use --in-place to rewrite it")
        if not (in_place or dry_run or force) and target.exists():
            raise OutputError(f"{target} exists; use --force to replace it")
        targets.append(target)
    written = [] if in_place else [("--out", target) for target in targets]
    refuse_inputs([*files, *(orders or ())], [*written, ("--output", output)])
    color = output is None and fmt is ReportFormat.text and _use_color(sys.stdout)
    changes = 0
    with Checker.with_orders(orders or ()) as checker, _report_stream(output) as stream:
        reporter = make_reporter(fmt.value, stream, color=color, command="fix")
        for items, target in zip(files, targets, strict=True):
            reporter.begin(str(items), str(target))
            diff = Diff(str(items), str(target)) if dry_run and fmt is ReportFormat.text else (
                None)
            result = fix_file(items, target=target, in_place=in_place, dry_run=dry_run,
                              force=force, unsafe=unsafe, checker=checker,
                              on_change=reporter.change if diff is None else _ignore,
                              on_problem=reporter.add, diff=diff)
            if diff is not None:
                stream.write(diff.text().encode("utf-8"))
            changes += result.changes
        for problem in checker.finish():
            reporter.add(problem)
        summary = checker.summary
        summary.extra["changes"] = changes
        reporter.close(summary)
    raise typer.Exit(EXIT_PROBLEMS if summary.failed(strict=strict) else EXIT_OK)


def _ignore(_: Any) -> None:
    pass


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
    from .errors import Interrupted, OimtoolError

    # Conversions and checks allocate millions of short-lived objects and few cycles: collect
    # less often (a tenth of the run time, measured), as the workers do (parallel.Workers).
    gc.set_threshold(100_000, 20, 20)
    _handle_signals()
    try:
        result = app(args=argv, prog_name="oimtool", standalone_mode=False)
    except OimtoolError as exc:
        print(f"oimtool: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        what = "interrupted" if exc.signum == signal.SIGINT else "terminated"
        print(f"oimtool: {what}; nothing was written", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # before the handler was in place
        print("oimtool: interrupted; nothing was written", file=sys.stderr)
        return 130
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


def _handle_signals() -> None:
    """Ctrl-C and SIGTERM unwind (removing temporary files) to one line and exit code 130 or
    143; a file size limit (SIGXFSZ) makes a write fail, which is reported, instead of killing
    the process. A SIGINT ignored by the parent (a background job) stays ignored."""
    from .errors import Interrupted

    def stop(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    with contextlib.suppress(ValueError):  # not the main thread (a test runner): leave them
        signal.signal(signal.SIGTERM, stop)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, stop)
        if hasattr(signal, "SIGXFSZ"):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


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
