"""``convert``: an export to order items, every row checked."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from ..errors import InputError, OptionError, OutputError
from ..format import shown_here, shown_path
from ..problems import Location, Problem, Sink, Summary
from ..tuning import DEFAULT, Tuning
from .common import Collector, Notify, Progress, Report, _jobs, _load_orders, _quiet

if TYPE_CHECKING:  # the commands are imported by the runs that need them: a check is quick
    from ..config import Config  # to start, and never loads the converter
    from ..convert import Conversion, ReadOptions


class ConvertOptions(NamedTuple):
    """What ``convert`` reads and writes. ``output`` None: beside the source, with .json;
    "-": standard output. ``annotate``: a copy of the export with its problems marked."""

    source: Path
    read: ReadOptions | None = None  # None: the defaults
    output: str | None = None
    orders: Sequence[Path] = ()
    skip_invalid: bool = False
    rejects: Path | None = None
    split: int | None = None
    force: bool = False
    annotate: Path | None = None
    report: Path | None = None
    jobs: int = 0
    tuning: Tuning = DEFAULT
    #: the name the export is shown under, when not its path (standard input's copy)
    name: str | None = None

    @classmethod
    def resolve(cls, source: Path, *, config: Config | None = None, mapping: Iterable[str] = (),
                sheet: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, extra: bool | Sequence[str] | None = None,
                decimal: str | None = None, profile: str | None = None,
                price: str | None = None, price_details: bool | None = None,
                order_numbers: Path | None = None, notify: Notify = _quiet,
                **given: Any) -> ConvertOptions:
        """The options of a conversion: what was given (``--map FIELD=HEADER`` entries in
        ``mapping``) over what the settings file says (``config``: found from the current
        folder when None; its warnings go to ``notify``). Raises OptionError for a value that
        cannot be used."""
        from ..convert import ReadOptions
        from ..convert.lines import read_order_numbers

        if config is None:  # found here: said here (the command line says its own)
            from ..config import find_config

            config = find_config()
            if config.path is not None:
                notify(f"settings from {shown_here(config.path)}")
            for warning in config.warnings:
                notify(f"warning: {warning}")
        settings = config.convert
        if decimal not in (None, ",", "."):
            raise OptionError("--decimal", "give , or .")
        if given.get("output") == "-" and given.get("split"):
            raise OptionError("--split", "parts cannot all go to standard output: give -o PATH")
        from ..sources import SHEET_SUFFIXES

        text = source.suffix.lower() not in SHEET_SUFFIXES
        _reading_options(source, text, sheet=sheet, encoding=encoding, delimiter=delimiter)
        price = price or settings.get("price", "paid")
        if price not in ("paid", "list"):
            raise OptionError("--price", f"{price!r}: give paid (what the customer paid for a "
                              "unit, after the line's discounts) or list")
        kept = settings.get("extra", False) if extra is None else extra
        if not isinstance(kept, bool):
            names = tuple(str(name) for name in kept)
            kept = True if any(n.strip().lower() == "all" for n in names) else names
        read = ReadOptions(
            sheet=sheet or (None if text else settings.get("sheet")),
            encoding=encoding or (settings.get("encoding") if text else None),
            delimiter=delimiter or (settings.get("delimiter") if text else None),
            mapping=_mapping(mapping), settings_mapping=dict(settings.get("map", {})),
            extra=kept,
            decimal=decimal or settings.get("decimal"),
            profile=profile or settings.get("profile"),
            profile_from="--profile" if profile else "settings",
            settings_profile=config.profile,
            price=price,
            price_details=settings.get("price_details", True) if price_details is None
            else price_details,
            order_numbers=None if order_numbers is None else read_order_numbers(order_numbers),
            order_numbers_file=None if order_numbers is None else str(order_numbers),
        )
        return cls(source, read, **given)

    @property
    def target(self) -> Path | None:
        """Where the items go: None for standard output; by default the source's name with
        .json, beside it."""
        if self.output == "-":
            return None
        return Path(self.output) if self.output else self.source.with_suffix(".json")


def _reading_options(source: Path, text: bool, *, sheet: str | None, encoding: str | None,
                     delimiter: str | None) -> None:
    """Judge the reading options before anything is looked at (the output that exists, the
    export): a second run with a mistyped option hears of the option first."""
    if sheet is not None and text:
        raise OptionError("--sheet", f"it is for workbooks; {source.name} is a text file")
    if encoding is not None:
        from ..sources.text import text_encoding

        if not text_encoding(encoding):
            raise OptionError("--encoding", f"{encoding!r} is an unknown encoding, or not one of "
                              "text (as cp1254, utf-8, utf-16)")
    if delimiter is not None and delimiter not in ("tab", "\\t") and len(delimiter) != 1:
        raise OptionError("--delimiter", f"{delimiter!r}: give one character (or 'tab')")


def _mapping(entries: Iterable[str]) -> dict[str, str]:
    from ..fields import FIELDS, did_you_mean, field_called

    columns = {}
    for entry in entries:
        name, sep, header = entry.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise OptionError("--map", f"{entry!r}: write FIELD=HEADER, e.g. "
                              'order_number="Belge No"')
        field = field_called(name.strip())
        if field is None:
            raise OptionError("--map", f"{name.strip()!r} is not an order-item field"
                              f"{did_you_mean(name)}; the fields are {', '.join(FIELDS)}")
        columns[field] = header.strip()
    return columns


def run_convert(options: ConvertOptions, sink: Sink, *, stdout: IO[bytes] | None = None,
                progress: Progress | None = None, notify: Notify = _quiet) -> Summary:
    """Convert an export, reporting every problem to ``sink``; the summary. With
    ``options.output`` "-" the items go to ``stdout``."""
    from ..convert import Conversion, ConvertError, ReadOptions
    from ..sources import ContentError, SourceError

    _not_json(options.source)
    _guard_convert(options)
    orders = _load_orders(options.orders, options.jobs, options.tuning)
    read = options.read or ReadOptions()

    def conversion_of(sheet: str | None) -> Conversion:
        return Conversion(
            options.source, output=options.target,
            options=read if sheet is None else dataclasses.replace(read, sheet=sheet),
            orders=orders,
            skip_invalid=options.skip_invalid, split=options.split, rejects=options.rejects,
            force=options.force, jobs=_jobs(options.jobs), tuning=options.tuning,
            inputs=list(options.orders), name=options.name)

    try:
        conversion = conversion_of(None)
    except (ConvertError, SourceError, ContentError) as exc:
        found = None if read.sheet is not None or isinstance(exc, SourceError) else (
            _on_another_sheet(options.source, exc, conversion_of, notify))
        if found is not None:
            conversion = found
        elif isinstance(exc, ContentError):
            return _unreadable(options.name or shown_path(options.source), exc, sink)
        else:
            raise InputError(str(exc)) from exc
    try:  # whatever stops the run, conversion.abort() removes what is not in place
        with _annotated(options, conversion, sink) as sink:
            sink.begin(options.name or shown_path(options.source))
            conversion.sink_plan = sink.plan
            if progress is not None:
                conversion.progress = progress.update
            for problem in conversion.problems():
                sink.add(problem)
            if progress is not None:
                progress.clear()
            written = conversion.finish(stdout)
            conversion.summary.outputs = [shown_path(path) for path in written]
            if options.rejects is not None:
                conversion.summary.rejects = shown_path(options.rejects)
            for stale in conversion.writer.removed:
                notify(f"note: removed {stale}, a part of an earlier run beyond the last part "
                       "written now")
            target = options.target
            if not written and target is not None and target.exists():
                notify(f"note: {target} is from an earlier run, not this one")
            sink.close(conversion.summary)
    except BaseException:
        if progress is not None:
            progress.clear()
        conversion.abort()
        raise
    if options.annotate is not None:
        notify(f"note: the export with its problems marked is in {shown_path(options.annotate)}")
    return conversion.summary


def _on_another_sheet(source: Path, error: Exception, conversion_of: Callable[[str], Any],
                      notify: Notify) -> Any:
    """When the first sheet of a workbook has no order lines (no header with the columns, or no
    row at all): the conversion of the one other sheet that has them, said in a note. Several
    such sheets: InputError naming them (--sheet chooses). None when no other sheet has them.
    """
    from ..convert import ConvertError
    from ..sources import SHEET_SUFFIXES, ContentError, SourceError
    from ..sources.workbook import visible_sheets

    if source.suffix.lower() not in SHEET_SUFFIXES:
        return None
    names = visible_sheets(source)
    if len(names) < 2:
        return None
    found: list[tuple[str, Any]] = []
    for name in names[1:]:
        try:
            found.append((name, conversion_of(name)))
        except (ConvertError, SourceError, ContentError):
            continue
        if len(found) > 1:
            break
    why = "it is empty" if isinstance(error, ContentError) else "no header row with the columns"
    if len(found) == 1:
        name, conversion = found[0]
        notify(f"note: the first sheet, {names[0]!r}, has no order lines ({why}); they were "
               f"read from sheet {name!r}, the only other sheet that has them (--sheet "
               "chooses)")
        return conversion
    for _, conversion in found:
        conversion.abort()
    if found:
        listed = " and ".join(repr(name) for name, _ in found)
        raise InputError(f"{shown_path(source)}: the first sheet, {names[0]!r}, has no order "
                         f"lines ({why}); the order lines look like they are on sheets "
                         f"{listed}: choose one with --sheet {found[0][0]!r}")
    return None


def _not_json(source: Path) -> None:
    """Refuse a JSON file given to convert: it is checked or fixed, not converted."""
    from ..kinds import ITEMS, ORDERS, kind_of

    kind = kind_of(source)
    shown = shown_path(source)
    if kind == ITEMS or (kind is None and source.suffix.lower() == ".json"):
        raise InputError(f"{shown} is a JSON file{' of order items' if kind else ''}, not an "
                         "export: convert reads CSV, TSV and Excel/ODS exports. Check it with "
                         f"`oimtool check {shown}`, or repair it with `oimtool fix {shown}`")
    if kind == ORDERS:
        raise InputError(f"{shown} is an order migration file, not an export: give it with "
                         "--orders, to cross-check the order numbers of the export")


def _guard_convert(options: ConvertOptions) -> None:
    """Refuse, before any work, outputs that cannot be written or would replace an input."""
    from ..output import exists_not_ours, probe_folder, refuse_inputs, stream_target

    if options.annotate is not None:
        from ..reporters.xlsx import check_target

        problem = check_target(options.source, options.annotate)
        if problem:
            raise OptionError("--annotate", problem)
    for path in (options.rejects, options.annotate):
        if path is None or stream_target(path):  # a device or FIFO is written into
            continue
        if not options.force and exists_not_ours(path):
            raise OutputError(f"{path} exists; use --force to replace it")
        probe_folder(path)
    refuse_inputs([options.source, *options.orders],
                  [("--out", options.target), ("--output", options.report),
                   ("--rejects", options.rejects), ("--annotate", options.annotate)])


@contextlib.contextmanager
def _annotated(options: ConvertOptions, conversion: Conversion, sink: Sink) -> Iterator[Sink]:
    """``sink``, and with ``--annotate`` the annotated workbook beside it (written last)."""
    if options.annotate is None:
        yield sink
        return
    from ..output import atomic_output
    from ..reporters import Tee
    from ..reporters.xlsx import XlsxReporter
    from ..sources import ContentError, reopen

    source = conversion.source

    def rows() -> Iterator[tuple[int, list[Any]]]:
        """The export's rows again, to the end or to where it breaks off (the report says
        where, OIM017: the rows before are annotated)."""
        again = reopen(source)
        try:
            yield from again
        except ContentError:
            return
        finally:
            again.close()

    with atomic_output(options.annotate) as handle:
        annotated = XlsxReporter(handle, export=options.source, sheet=source.sheet,
                                 columns=len(conversion.header.columns), rows=rows,
                                 macros=options.annotate.suffix.lower() == ".xlsm")
        yield Tee(annotated, sink)


def _unreadable(shown: str, error: Any, sink: Sink) -> Summary:
    """The summary of an export that cannot be read from its first row (OIM017)."""
    from ..problems import Cell
    from ..problems import Conversion as Counts

    summary = Summary(files=1, conversion=Counts())
    problem = Problem("OIM017", str(error), Location(shown, cell=Cell(row=error.row)))
    summary.add(problem)
    sink.begin(shown)
    sink.add(problem)
    sink.close(summary)
    return summary


def convert(source: str | Path, *, output: str | Path | None = None,
            orders: Iterable[str | Path] = (), read: ReadOptions | None = None,
            **options: Any) -> Report:
    """Convert an export to order items (``output``: beside it, with .json, by default;
    ``read``: how to read it; ``options``: as ``ConvertOptions``)."""
    given = ConvertOptions(Path(source), read, None if output is None else str(output),
                           [Path(p) for p in orders])
    collector = Collector()
    run_convert(given._replace(**options), collector)
    return collector.report()
