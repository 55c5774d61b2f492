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
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, Optional, cast

import typer

from ..errors import OptionError, OutputError
from ..format import shown_here, shown_path
from ..problems import Sink, Summary
from ..reporters import FORMATS, Reporter, make_reporter
from ..tuning import DEFAULT, Tuning

if TYPE_CHECKING:
    from ..config import Config

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
SelectOption = Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
    "--select", metavar="CODES",
    help="Report only these rules: codes, prefixes (OIM1: OIM1xx) or names, comma-separated "
    "or repeated. Replaces the settings file's select and ignore.")]
IgnoreOption = Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
    "--ignore", metavar="CODES",
    help="Do not report these rules (codes, prefixes or names), besides the settings file's "
    "ignore. The summary and the exit code count only what is reported.")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q",
    help="Text report: the errors and warnings only (no summary, plan, notes or change list); "
    "no progress bar, no notes on standard error.")]


class Color(str, Enum):
    """When the text report is coloured."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


ColorOption = Annotated[Color, typer.Option(
    "--color", metavar="auto|always|never",
    help="Colour the text report: auto (on a terminal, or with FORCE_COLOR; never with "
    "NO_COLOR), always (also into --output), never.")]


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


def use_color(stream: IO[str], choice: Color = Color.AUTO) -> bool:
    """Colour the text report on ``stream``: as ``choice`` says; for auto, never with NO_COLOR,
    else with FORCE_COLOR or on a terminal (both set to a non-empty value)."""
    if choice is not Color.AUTO:
        return choice is Color.ALWAYS
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def report_stream(output: Path | None, default: IO[bytes] | None = None, *,
                  quiet: bool = False) -> Iterator[IO[bytes]]:
    """Where the report goes: ``output`` (written in one step), else ``default`` or standard
    output (a write that fails there is OutputError: exit code 2)."""
    if output is None or str(output) == "-":  # --output -: standard output
        stream = default if output is None and default is not None else sys.stdout.buffer
        name = "standard error" if stream is getattr(sys.stderr, "buffer", None) else (
            "standard output")
        yield cast(IO[bytes], Stream(stream, name))
        return
    from ..output import atomic_output, stream_target

    with atomic_output(output) as handle:
        yield handle
    if not quiet and not stream_target(output):
        print(f"oimtool: the report is in {shown_path(output)}", file=sys.stderr)


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
             terminal: IO[str] | None = None, *, color: Color = Color.AUTO,
             quiet: bool = False) -> Reporter:
    """The reporter of ``fmt``: the text report in colour as ``color`` says (for auto: on a
    terminal, never into an --output file)."""
    painted = fmt.value == "text" and (color is Color.ALWAYS or (
        output is None and use_color(terminal or sys.stdout, color)))
    return make_reporter(fmt.value, out, color=painted, command=command, quiet=quiet)


ConfigOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--config", dir_okay=False, metavar="PATH",
    help="Read the settings from PATH (an oimtool.toml, or a pyproject.toml with "
    "[tool.oimtool]) instead of the nearest one.")]
NoConfigOption = Annotated[bool, typer.Option(
    "--no-config", help="Read no settings file.")]


def settings(path: Path | None = None, none: bool = False, *, quiet: bool = False) -> Config:
    """The settings file of the run: ``path`` (--config), none (--no-config), or the one that
    applies here. Which one is said on standard error (not with --quiet), and its warnings."""
    from ..config import Config, find_config, read_config

    if path is not None and none:
        raise typer.BadParameter("give --config PATH or --no-config, not both",
                                 param_hint="--no-config")
    config = Config() if none else read_config(path) if path is not None else find_config()
    if config.path is not None and not quiet:
        print(f"oimtool: settings from {shown_here(config.path)}", file=sys.stderr)
    for warning in config.warnings:
        print(f"oimtool: warning: {warning}", file=sys.stderr)
    return config


def _entries(values: list[str] | None) -> list[str] | None:
    """--select/--ignore values: each comma-separated, repeatable; None when not given."""
    if values is None:
        return None
    return [entry.strip() for value in values for entry in value.split(",") if entry.strip()]


def chosen_rules(select: list[str] | None, ignore: list[str] | None,
                 config: Config | None = None) -> frozenset[str] | None:
    """The rule codes to report, from --select/--ignore over the settings file's select and
    ignore: a --select starts again (the file's select and ignore are dropped), a --ignore adds
    to the file's ignore. None when nothing limits them. An unknown code is a usage error that
    names the option, or the file and its key."""
    from ..errors import InputError
    from ..rules import RULES, UnknownCode, chosen

    given, left_out = _entries(select), _entries(ignore) or []
    if given == []:
        raise typer.BadParameter("give rule codes, prefixes (OIM1) or names: an empty --select "
                                 "would report nothing", param_hint="--select")
    if config is not None and config.select == []:
        raise InputError(f"{config.path}: select is empty, which would report nothing: leave it "
                         "out to report every rule")
    settings = config is not None and (config.select is not None or bool(config.ignore))
    if given is None and not left_out and not settings:
        return None
    try:
        if given is not None:
            return chosen(given, left_out)
        codes = frozenset(RULES) - chosen(left_out) if left_out else frozenset(RULES)
    except UnknownCode as exc:
        option = "--select" if given and exc.entry in given else "--ignore"
        raise typer.BadParameter(str(exc), param_hint=option) from None
    if config is not None and settings:
        try:
            codes &= chosen(config.select, config.ignore)
        except UnknownCode as exc:
            key = "select" if config.select and exc.entry in config.select else "ignore"
            raise InputError(f"{config.path}: {key}: {exc}") from None
    return codes


def selected(sink: Sink, codes: frozenset[str] | None) -> Sink:
    """``sink``, passed only the problems of the rules ``codes`` (all when None)."""
    if codes is None:
        return sink
    from ..reporters import Selected

    return Selected(sink, codes)


def exit_code(failed: bool, summary: Summary | None = None, strict: bool = False
              ) -> typer.Exit:
    """The exit of a run that ``failed`` (or not). When it fails only because --strict makes
    its warnings fail, that is said on standard error: the report alone shows no error."""
    from .app import EXIT_OK, EXIT_PROBLEMS

    if failed and strict and summary is not None and not summary.errors and summary.warnings:
        count = summary.warnings
        print(f"oimtool: {count:,} warning{'s' if count != 1 else ''}, and --strict makes "
              "warnings fail", file=sys.stderr)
    return typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)
