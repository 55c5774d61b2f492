"""``oimtool convert``."""

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
    ForceOption,
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
    usage_errors,
)
from .progress import Progress

Text = Optional[str]  # noqa: UP045 - typer needs Optional
SourceArgument = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, readable=True, allow_dash=True, show_default=False,
    metavar="SOURCE",
    help="The export: .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .xlsb or .ods; '-': standard "
    "input, named by --stdin-filename.")]
StdinNameOption = Annotated[Text, typer.Option(
    "--stdin-filename", metavar="NAME",
    help="The name of the export on standard input (SOURCE '-'): its suffix says its format "
    "(sales.csv, sales.xlsx); it is reported under that name.")]
OutOption = Annotated[Text, typer.Option(
    "--out", "-o", metavar="PATH",
    help="Where the items go ('-': standard output). Default: SOURCE with .json.")]
SheetOption = Annotated[Text, typer.Option(
    "--sheet", metavar="NAME", help="The sheet to read (default: the first visible one).")]
MapOption = Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
    "--map", metavar="FIELD=HEADER",
    help="The column that holds a field, when its header is not recognised. Repeatable.")]
ExtraOption = Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
    "--extra", metavar="NAME",
    help="Keep this column in extra_field, keyed by its header. Repeatable; 'all' (or --extra "
    "alone) keeps every column that fills no field.")]
NoExtraOption = Annotated[bool, typer.Option(
    "--no-extra", help="Keep no column in extra_field (over the settings file).")]
ProfileOption = Annotated[Text, typer.Option(
    "--profile", metavar="NAME|FILE",
    help="The export's platform profile: a built-in one (oimtool profiles), a profile file "
    "(.toml), or none to match columns by their names. Default: recognised by the header.")]
PriceOption = Annotated[Text, typer.Option(
    "--price", metavar="paid|list",
    help="The price written: paid (what the customer paid for a unit, after the line's "
    "discounts; the default) or list (before them).")]
NoPriceDetailsOption = Annotated[bool, typer.Option(
    "--no-price-details",
    help="Leave retail_price and discount_amount out of extra_field.")]
OrderNumbersOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--order-numbers", exists=True, dir_okay=False, readable=True, metavar="CSV",
    help="The order numbers of an export that holds only the platform's internal order ids: "
    "a CSV of internal id, order number (e.g. Magento's entity_id, increment_id).")]
EncodingOption = Annotated[Text, typer.Option(
    "--encoding", metavar="NAME", help="The text file's encoding (default: detected).")]
DelimiterOption = Annotated[Text, typer.Option(
    "--delimiter", metavar="CHAR", help="The text file's delimiter: , ; tab | (detected).")]
DecimalOption = Annotated[Text, typer.Option(
    "--decimal", metavar="SEP",
    help="How numbers write decimals (, or .), when a column cannot tell: 1,234.")]
SkipOption = Annotated[bool, typer.Option(
    "--skip-invalid", help="Write the valid rows even when some are rejected (exit 1).")]
RejectsOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--rejects", dir_okay=False, metavar="PATH",
    help="Write rejected rows here (.csv, or .xlsx), with a problems column.")]
SplitOption = Annotated[Optional[int], typer.Option(  # noqa: UP045
    "--split", min=1, metavar="N", help="Write parts of at most N items: NAME.part001.json …")]
AnnotateOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--annotate", dir_okay=False, metavar="PATH",
    help="Write a copy of the export as a workbook (.xlsx) with every bad cell marked and "
    "commented, and a Problems sheet: for whoever corrects the export.")]


@app.command(epilog=EPILOG)
def convert(ctx: typer.Context, source: SourceArgument, out: OutOption = None,
            sheet: SheetOption = None, mapping: MapOption = None, extra: ExtraOption = None,
            no_extra: NoExtraOption = False, profile: ProfileOption = None,
            price: PriceOption = None, no_price_details: NoPriceDetailsOption = False,
            order_numbers: OrderNumbersOption = None,
            encoding: EncodingOption = None, delimiter: DelimiterOption = None,
            decimal: DecimalOption = None, orders: OrdersOption = None,
            skip_invalid: SkipOption = False, rejects: RejectsOption = None,
            split: SplitOption = None, force: ForceOption = False,
            annotate: AnnotateOption = None, fmt: FormatOption = TEXT,
            output: OutputOption = None, strict: StrictOption = False,
            select: SelectOption = None, ignore: IgnoreOption = None,
            quiet: QuietOption = False, color: ColorOption = Color.AUTO, jobs: JobsOption = 0,
            config_file: ConfigOption = None, no_config: NoConfigOption = False,
            stdin_filename: StdinNameOption = None,
            ) -> None:
    """Convert a CSV/TSV/Excel export to the order-item JSON, checking every row.

    An export of a known platform (Shopify, WooCommerce, Magento, Trendyol, Hepsiburada,
    Amazon, Etsy, …: oimtool profiles) is recognised by its header and read as its profile
    says: the unit price the customer paid, lines not sold skipped and counted. Other exports'
    columns are matched to the fields by their headers (English and Turkish names, see
    docs/convert.md); numbers in either decimal convention and Excel's number mangling are
    read back. The report starts with the plan (which column gives each field); every problem
    names its row and column in the source. Nothing is written when a row is rejected, unless
    --skip-invalid; a rejected row fails the run (exit 1) even when --select or --ignore leave
    its problems out of the report.

    Example:

        oimtool convert satislar.csv -o items.json --orders orders.json
    """
    from ..api import ConvertOptions, run_convert

    config = settings(config_file, no_config, quiet=quiet)
    codes = chosen_rules(select, ignore, config)
    say = _say_quietly if quiet else _say
    from_stdin = str(source) == "-"
    if from_stdin and not stdin_filename:
        raise typer.BadParameter("give --stdin-filename NAME (sales.csv, sales.xlsx …): its "
                                 "suffix says what the export on standard input is",
                                 param_hint="SOURCE")
    if stdin_filename and not from_stdin:
        raise typer.BadParameter("it names the export on standard input: give '-' as SOURCE",
                                 param_hint="--stdin-filename")
    with contextlib.ExitStack() as stack:
        name = None
        if from_stdin:
            from ..api import spooled

            assert stdin_filename is not None
            source = stack.enter_context(spooled(sys.stdin.buffer,
                                                 Path(stdin_filename).suffix or ".csv"))
            name = stdin_filename
            out = out or "-"  # nowhere beside it to write: the items to standard output
        with usage_errors():
            options = ConvertOptions.resolve(
                source, config=config, mapping=mapping or (), sheet=sheet, encoding=encoding,
                delimiter=delimiter, extra=False if no_extra else (extra or None),
                decimal=decimal, profile=profile, price=price,
                price_details=False if no_price_details else None,
                order_numbers=order_numbers, notify=say, output=out, orders=orders or (),
                skip_invalid=skip_invalid, rejects=rejects, split=split, force=force,
                annotate=annotate, report=output, jobs=jobs, tuning=tuning(ctx), name=name)
            to_stdout = options.target is None
            # the items on standard output: the report on standard error
            report_to = sys.stderr.buffer if to_stdout and output is None else None
            shown = name or source.name
            progress = Progress(shown, False) if quiet else Progress.start(shown)
            with report_stream(output, report_to, quiet=quiet) as stream:
                sink = reporter(fmt, progress.around(stream), output, "convert",
                                sys.stderr if report_to else None, color=color, quiet=quiet)
                summary = run_convert(options, selected(sink, codes), progress=progress,
                                      notify=say,
                                      stdout=sys.stdout.buffer if to_stdout else None)
    rejected = summary.conversion is not None and summary.conversion.rejected > 0
    raise exit_code(summary.failed(strict=strict) or rejected, summary, strict)


def _say(message: str) -> None:
    # one write, the line break with it: a stop that comes between the two writes of a
    # print() would glue the next line (the interruption's own) to this one
    sys.stderr.write(f"oimtool: {message}\n")
    sys.stderr.flush()


def _say_quietly(message: str) -> None:
    """--quiet: warnings, but no notes."""
    if not message.startswith("note:"):
        _say(message)
