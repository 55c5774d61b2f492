"""``oimtool check``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import EPILOG, app
from .options import (
    TEXT,
    Color,
    ColorOption,
    FormatOption,
    IgnoreOption,
    JobsOption,
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
        exists=True, readable=True, show_default=False, metavar="FILE|FOLDER...",
        help="Order-item migration files (JSON arrays of order items), or folders: their item "
        "files are taken, by the pre-commit hooks' pattern (docs/cli.md#folders).",
    )],
    orders: OrdersOption = None,
    fmt: FormatOption = TEXT,
    output: OutputOption = None,
    strict: StrictOption = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    quiet: QuietOption = False,
    color: ColorOption = Color.AUTO,
    jobs: JobsOption = 0,
) -> None:
    """Validate order-item files and report every problem of every item.

    Checks each item against the bundled schema and the rules it cannot express, finds
    identical items and unknown keys, and with --orders checks that every order_number exists
    in the order migration file. A folder gives the item files under it.

    Example:

        oimtool check items.json --orders orders.json
    """
    from ..api import CheckOptions, run_check
    from .files import item_files

    codes = chosen_rules(select, ignore, settings())
    files = item_files(files, leave_out=orders or ())
    options = CheckOptions(files, orders or (), output, jobs, tuning(ctx))
    with report_stream(output) as stream:
        sink = reporter(fmt, stream, output, "check", color=color, quiet=quiet)
        summary = run_check(options, selected(sink, codes))
    raise exit_code(summary.failed(strict=strict))
