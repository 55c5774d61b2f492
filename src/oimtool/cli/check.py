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
        exists=True, dir_okay=False, readable=True, show_default=False, metavar="FILE...",
        help="Order-item migration files (JSON arrays of order items).",
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
    in the order migration file.

    Example:

        oimtool check items.json --orders orders.json
    """
    from ..api import CheckOptions, run_check
    from .progress import Progress

    options = CheckOptions(files, orders or (), output, jobs, tuning(ctx))
    progress = Progress.start(files[0].name if len(files) == 1 else f"{len(files)} files",
                              "checking", "items")
    with report_stream(output) as stream:
        summary = run_check(options, reporter(fmt, progress.around(stream), output, "check"),
                            progress=progress)
    raise exit_code(summary.failed(strict=strict))
