"""``oimtool check``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EPILOG, app
from .options import (
    TEXT,
    Color,
    ColorOption,
    ConfigOption,
    FormatOption,
    IgnoreOption,
    JobsOption,
    NoConfigOption,
    OrdersOption,
    OutputOption,
    QuietOption,
    SelectOption,
    StrictOption,
    chosen_rules,
    exit_code,
    report_stream,
    reporter,
    selected,
    settings,
    tuning,
)


@app.command(epilog=EPILOG)
def check(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        exists=True, readable=True, allow_dash=True, show_default=False,
        metavar="FILE|FOLDER...",
        help="Order-item migration files (JSON arrays of order items), or folders: their item "
        "files are taken, by the pre-commit hooks' pattern (docs/cli.md#folders). '-': the "
        "items on standard input.",
    )],
    orders: OrdersOption = None,
    fmt: FormatOption = TEXT,
    output: OutputOption = None,
    strict: StrictOption = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    quiet: QuietOption = False,
    color: ColorOption = Color.AUTO,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
    jobs: JobsOption = 0,
    stdin_filename: Annotated[Optional[str], typer.Option(  # noqa: UP045 - typer needs Optional
        "--stdin-filename", metavar="NAME", show_default=False,
        help="The name the items on standard input ('-') are reported under (default: "
        "<stdin>).",
    )] = None,
) -> None:
    """Validate order-item files and report every problem of every item.

    Checks each item against the bundled schema and the rules it cannot express, finds
    identical items and unknown keys, and with --orders checks that every order_number exists
    in the order migration file. A folder gives the item files under it.

    Example:

        oimtool check items.json --orders orders.json
    """
    from ..api import CheckOptions, run_check, spooled
    from .files import item_files
    from .progress import Progress

    codes = chosen_rules(select, ignore, settings(config_file, no_config, quiet=quiet))
    dash = Path("-")
    if files.count(dash) > 1:
        raise typer.BadParameter("'-' (standard input) can be given once", param_hint="FILE")
    if stdin_filename is not None and dash not in files:
        raise typer.BadParameter("it names the items on standard input: give '-' as a FILE",
                                 param_hint="--stdin-filename")
    with contextlib.ExitStack() as stack:
        names = {}
        if dash in files:
            copy = stack.enter_context(spooled(sys.stdin.buffer))
            names[copy] = stdin_filename or "<stdin>"
            files = [copy if path == dash else path for path in files]
        files = item_files(files, leave_out=orders or ())
        options = CheckOptions(files, orders or (), output, jobs, tuning(ctx), names)
        shown = (names.get(files[0]) or files[0].name) if len(files) == 1 else (
            f"{len(files)} files")
        progress = Progress.start(shown, "checking", "items", quiet=quiet)
        with report_stream(output, quiet=quiet) as stream:
            sink = reporter(fmt, progress.around(stream), output, "check", color=color,
                            quiet=quiet)
            summary = run_check(options, selected(sink, codes), progress=progress)
    raise exit_code(summary.failed(strict=strict), summary, strict)
