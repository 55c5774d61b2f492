"""``oimtool fix``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EPILOG, app
from .options import (
    TEXT,
    Color,
    ColorOption,
    ConfigOption,
    ForceOption,
    FormatOption,
    IgnoreOption,
    NoConfigOption,
    OrdersOption,
    OutputOption,
    QuietOption,
    SelectOption,
    chosen_rules,
    exit_code,
    report_stream,
    reporter,
    selected,
    settings,
    tuning,
    usage_errors,
)


@app.command(epilog=EPILOG)
def fix(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        exists=True, readable=True, show_default=False, metavar="ITEMS...",
        help="The order-item files to fix, or folders: their item files are taken, by the "
        "pre-commit hooks' pattern, but the .fixed.json files (docs/cli.md#folders).",
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
    force: ForceOption = False,
    fmt: FormatOption = TEXT,
    output: OutputOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 1) on warnings that remain too.",
    )] = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    quiet: QuietOption = False,
    color: ColorOption = Color.AUTO,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """Apply the safe fixes (and with --unsafe the unsafe ones), list every change, and check
    the result: exit 0 when no error remains, 1 when some do.

    The input is never touched unless --in-place. The output is written like convert's:
    documented field order, 2-space indent, UTF-8; fixing it again changes nothing. A folder
    gives the item files under it. --select and --ignore choose the problems reported, not
    the fixes applied.

    Example:

        oimtool fix items.json --orders orders.json
    """
    from ..api import FixOptions, run_fix
    from .files import item_files

    codes = chosen_rules(select, ignore, settings(config_file, no_config, quiet=quiet))
    files = item_files(files, leave_out=orders or (), fixed=True)
    options = FixOptions(files, out, in_place, unsafe, dry_run, orders or (), force, output,
                         tuning(ctx))
    from .progress import Progress

    progress = Progress.start(files[0].name if len(files) == 1 else f"{len(files)} files",
                              "fixing", "items", quiet=quiet)
    with usage_errors(), report_stream(output, quiet=quiet) as stream:
        stream = progress.around(stream)
        diff = stream if dry_run and fmt.value == "text" else None
        sink = reporter(fmt, stream, output, "fix", color=color, quiet=quiet)
        summary = run_fix(options, selected(sink, codes), diff_to=diff, progress=progress)
    raise exit_code(summary.failed(strict=strict), summary, strict)
