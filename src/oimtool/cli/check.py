"""``oimtool check``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .options import (
    TEXT,
    FormatOption,
    JobsOption,
    OrdersOption,
    OutputOption,
    StrictOption,
    exit_code,
    report_stream,
    reporter,
    tuning,
)


@app.command()
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

    files = item_files(files, leave_out=orders or ())
    options = CheckOptions(files, orders or (), output, jobs, tuning(ctx))
    with report_stream(output) as stream:
        summary = run_check(options, reporter(fmt, stream, output, "check"))
    raise exit_code(summary.failed(strict=strict))
