"""The library's entry points: ``check``, ``convert`` and ``fix``, as the command line runs them.

Each takes an options object (resolved from the settings file and what the caller asked, by
``*Options.resolve``) and a ``Sink`` that receives the problems as they are found (a reporter);
``check()``, ``convert()`` and ``fix()`` are the same collecting everything into a ``Report``::

    from oimtool import check, convert, fix

    report = check(["items.json"], orders=["orders.json"])
    for problem in report.problems:
        print(problem.location.line, problem.code, problem.message)

Nothing here prints: what the user should hear besides the report goes to ``notify``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol

from .errors import InputError, OptionError, OutputError
from .format import shown_here, shown_path
from .problems import Change, Location, Plan, Problem, Sink, Summary
from .tuning import DEFAULT, Tuning

if TYPE_CHECKING:  # the commands are imported by the runs that need them: a check is quick
    from .config import Config  # to start, and never loads the converter
    from .convert import Conversion, ReadOptions
    from .upload import Credentials, Decision, Events, Part, Result

Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class Progress(Protocol):
    """Where a long run reports how far it is (a progress bar)."""

    def update(self, fraction: float, rows: int) -> None: ...

    def clear(self) -> None: ...


class Report(NamedTuple):
    """The outcome of a run: every problem, the counts, every change (``fix``), and how a
    conversion read its export (``plan``)."""

    problems: list[Problem]
    summary: Summary
    changes: list[Change]
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        return self.summary.errors == 0


class Collector:
    """A sink that keeps everything, for ``Report``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        self.summary = Summary()
        self.converted: Plan | None = None

    def begin(self, file: str, output: str | None = None) -> None:
        pass

    def plan(self, plan: Plan) -> None:
        self.converted = plan

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def change(self, change: Change) -> None:
        self.changes.append(change)

    def close(self, summary: Summary) -> None:
        self.summary = summary

    def report(self) -> Report:
        return Report(self.problems, self.summary, self.changes, self.converted)


def _jobs(jobs: int) -> int:
    if jobs:
        return jobs
    from .workers import default_jobs

    return default_jobs()


def _load_orders(paths: Sequence[Path], jobs: int, tuning: Tuning) -> list[Any]:
    from .orders import load_all

    return load_all(paths, jobs=_jobs(jobs), tuning=tuning)


def _item_files(paths: Sequence[Path], orders: Sequence[Path],
                names: Mapping[Path, str] = MappingProxyType({})) -> None:
    """Refuse, before any work, a file given as order items that is plainly something else: an
    export (convert it), an orders file (give it with --orders)."""
    from .kinds import ORDERS, TEXT_EXPORT, WORKBOOK, as_export, kind_of

    for path in paths:
        kind = kind_of(path)
        shown = names.get(path) or shown_path(path)
        if kind in (WORKBOOK, TEXT_EXPORT):
            raise InputError(as_export(shown, kind))
        if kind == ORDERS:
            given = " (it is given with --orders too)" if path in orders else (
                f": give it with --orders {shown}")
            raise InputError(f"{shown} is an order migration file (its entries have "
                             f"\"number\", user, amount…, not \"order_number\"), not an "
                             f"order-item file{given}")


# -- check --------------------------------------------------------------------------------


class CheckOptions(NamedTuple):
    """What ``check`` reads: the item files, the orders files; ``report`` is where the caller
    writes the report (guarded: it must not replace an input). ``jobs`` 0: one per CPU."""

    files: Sequence[Path]
    orders: Sequence[Path] = ()
    report: Path | None = None
    jobs: int = 0
    tuning: Tuning = DEFAULT
    #: the name a file is shown under, when not its path (standard input's copy: ``spooled``)
    names: Mapping[Path, str] = MappingProxyType({})


@contextlib.contextmanager
def spooled(stream: IO[bytes], suffix: str = ".json") -> Iterator[Path]:
    """What ``stream`` (standard input) holds, copied into a temporary file, removed after: the
    readers read a file, in pieces and more than once."""
    import shutil
    import tempfile

    handle, name = tempfile.mkstemp(prefix="oimtool-stdin-", suffix=suffix)
    path = Path(name)
    try:
        with open(handle, "wb") as copy:
            shutil.copyfileobj(stream, copy, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def run_check(options: CheckOptions, sink: Sink, *, progress: Progress | None = None
              ) -> Summary:
    """Check order-item files, reporting every problem to ``sink``; the summary. ``progress``
    hears how far the run is, by the bytes read."""
    from .check import Checker
    from .output import refuse_inputs

    refuse_inputs([*options.files, *options.orders], [("--output", options.report)])
    _item_files(options.files, options.orders, options.names)
    orders = _load_orders(options.orders, options.jobs, options.tuning)
    with Checker(orders, jobs=_jobs(options.jobs), tuning=options.tuning) as checker:
        if progress is not None:
            checker.progress = progress.update
            checker.total_bytes = sum(_size(path) for path in options.files)
        for path in options.files:
            name = options.names.get(path)
            sink.begin(name or shown_path(path))
            for problem in checker.check_file(path, name=name):
                sink.add(problem)
        if progress is not None:
            progress.clear()
        for problem in checker.finish():
            sink.add(problem)
        sink.close(checker.summary)
    return checker.summary


def _size(path: Path) -> int:
    import os

    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # the reading says what is wrong


def check(paths: Iterable[str | Path], *, orders: Iterable[str | Path] = (), jobs: int = 1,
          tuning: Tuning = DEFAULT) -> Report:
    """Check order-item files (and cross-check them against order migration files)."""
    collector = Collector()
    run_check(CheckOptions([Path(p) for p in paths], [Path(p) for p in orders], jobs=jobs,
                           tuning=tuning), collector)
    return collector.report()


# -- convert ------------------------------------------------------------------------------


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
        from .convert import ReadOptions
        from .convert.lines import read_order_numbers

        if config is None:  # found here: said here (the command line says its own)
            from .config import find_config

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
        from .sources import SHEET_SUFFIXES

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
        from .sources.text import text_encoding

        if not text_encoding(encoding):
            raise OptionError("--encoding", f"{encoding!r} is an unknown encoding, or not one of "
                              "text (as cp1254, utf-8, utf-16)")
    if delimiter is not None and delimiter not in ("tab", "\\t") and len(delimiter) != 1:
        raise OptionError("--delimiter", f"{delimiter!r}: give one character (or 'tab')")


def _mapping(entries: Iterable[str]) -> dict[str, str]:
    from .fields import FIELDS, did_you_mean, field_called

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
    from .convert import Conversion, ConvertError, ReadOptions
    from .sources import ContentError, SourceError

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
    from .convert import ConvertError
    from .sources import SHEET_SUFFIXES, ContentError, SourceError
    from .sources.workbook import visible_sheets

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
    from .kinds import ITEMS, ORDERS, kind_of

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
    from .output import exists_not_ours, probe_folder, refuse_inputs, stream_target

    if options.annotate is not None:
        from .reporters.xlsx import check_target

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
    from .output import atomic_output
    from .reporters import Tee
    from .reporters.xlsx import XlsxReporter
    from .sources import ContentError, reopen

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
    from .problems import Cell
    from .problems import Conversion as Counts

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


# -- fix ----------------------------------------------------------------------------------


class FixOptions(NamedTuple):
    """What ``fix`` reads and writes: ``out`` for one file, or ``in_place``; else each file's
    ``.fixed.json`` beside it. ``dry_run`` writes nothing."""

    files: Sequence[Path]
    out: Path | None = None
    in_place: bool = False
    unsafe: bool = False
    dry_run: bool = False
    orders: Sequence[Path] = ()
    force: bool = False
    report: Path | None = None
    tuning: Tuning = DEFAULT

    def targets(self) -> list[Path]:
        """Where each file's fixed items go; raises OptionError or OutputError when that
        cannot be as asked."""
        from .fix import default_output
        from .output import exists_not_ours

        if self.in_place and self.out is not None:
            raise OptionError("--in-place", "give --out or --in-place, not both")
        if self.out is not None and len(self.files) > 1:
            raise OptionError("--out", "--out names one output: give one file, or use "
                              "--in-place")
        targets = []
        for items in self.files:
            target = items if self.in_place else (self.out or default_output(items))
            if self.in_place:
                target = _in_place(items)
            if not self.in_place and target.resolve() == items.resolve():
                raise OutputError(f"{target} is the input: use --in-place to rewrite it")
            if not (self.in_place or self.dry_run or self.force) and exists_not_ours(target):
                raise OutputError(f"{target} exists; use --force to replace it")
            targets.append(target)
        return targets


def _in_place(items: Path) -> Path:
    """The file ``fix --in-place`` rewrites for ``items``: a symbolic link's target (the link
    stays a link); OutputError for a file with other names (hard links), which a new file
    would leave with the old items."""
    import os

    try:
        links = os.stat(items).st_nlink
    except OSError:
        return items  # the reading says what is wrong with it
    if links > 1:
        raise OutputError(f"--in-place: {items} has {links - 1} other name"
                          f"{'s' if links > 2 else ''} (hard links), which would keep the "
                          "old items: fix into another file (-o) and copy it over the links, or "
                          "remove them first")
    return items.resolve() if items.is_symlink() else items


def run_fix(options: FixOptions, sink: Sink, *, diff_to: IO[bytes] | None = None,
            progress: Progress | None = None) -> Summary:
    """Fix order-item files, reporting every change and every problem that remains to
    ``sink``; the summary. With ``diff_to`` (and ``dry_run``) the changes are written there
    as a unified diff instead."""
    from .check import Checker
    from .diff import Diff
    from .fix import fix_file
    from .output import refuse_inputs

    targets = options.targets()
    written = [] if options.in_place else [("--out", target) for target in targets]
    refuse_inputs([*options.files, *options.orders], [*written, ("--output", options.report)])
    _item_files(options.files, options.orders)
    changes = 0
    outputs: list[str] = []
    orders = _load_orders(options.orders, 1, options.tuning)
    with Checker(orders, tuning=options.tuning) as checker:
        for items, target in zip(options.files, targets, strict=True):
            sink.begin(shown_path(items), shown_path(target))
            diff = Diff(str(items), str(target)) if diff_to is not None else None
            result = fix_file(items, target=target, in_place=options.in_place,
                              dry_run=options.dry_run, force=options.force,
                              unsafe=options.unsafe, checker=checker,
                              on_change=sink.change if diff is None else _quiet,
                              on_problem=sink.add, diff=diff,
                              progress=None if progress is None else progress.update)
            if progress is not None:
                progress.clear()
            if diff is not None and diff_to is not None:
                diff_to.write(diff.text().encode("utf-8"))
            changes += result.changes
            if not options.dry_run and result.unreadable is None and (
                    result.changes or not options.in_place):
                outputs.append(shown_path(target))
        for problem in checker.finish():
            sink.add(problem)
        summary = checker.summary
        summary.changes = changes
        summary.outputs = outputs
        sink.close(summary)
    return summary


def fix(paths: Iterable[str | Path], **options: Any) -> Report:
    """Fix order-item files (``options``: as ``FixOptions``), collecting the changes and the
    problems that remain."""
    collector = Collector()
    run_fix(FixOptions([Path(p) for p in paths], **options), collector)
    return collector.report()


# -- upload -------------------------------------------------------------------------------


class UploadOptions(NamedTuple):
    """What ``upload`` sends, and where. ``part_size`` None: each file as one part. ``again``:
    the part numbers to send even though the ledger says they went (or may have gone) in
    (``upload.ALL``: every one); ``skip``: parts not to send (a part whose earlier post got no
    answer is then taken as sent). ``ledger`` None: ``.oimtool/uploads.jsonl`` beside the first
    file. ``ca_bundle``: the certificates to trust instead of the system's."""

    files: Sequence[Path]
    url: str
    channel: str
    orders: Sequence[Path] = ()
    part_size: int | None = None
    wait: bool = True
    dry_run: bool = False
    strict: bool = False
    again: frozenset[int] = frozenset()
    skip: frozenset[int] = frozenset()
    keep_going: bool = False
    ledger: Path | None = None
    ca_bundle: Path | None = None
    allow_http: bool = False
    jobs: int = 0
    tuning: Tuning = DEFAULT


class UploadOutcome(NamedTuple):
    """How an upload ended: the check's summary; what was decided for each part (empty when the
    check failed); what became of each (empty for a dry run); the ledger used."""

    checked: Summary
    decisions: list[Decision]
    results: list[Result]
    ledger: Path

    @property
    def errors(self) -> int:
        """Lines Omnitron counted as errors, over the parts followed to their end."""
        return sum(r.attempt.errors or 0 for r in self.results if r.attempt is not None
                   and r.action == "posted")


def run_upload(options: UploadOptions, sink: Sink, credentials: Credentials,
               events: Events) -> UploadOutcome:
    """Check the files (problems to ``sink``), and when they pass, cut them into parts and post
    the parts to Omnitron that the ledger does not list as sent; ``credentials``
    (``upload.Credentials``) give the token, ``events`` (``upload.Events``) hear how it goes.
    Raises UploadStop for what stops the upload (recorded in the ledger first)."""
    import tempfile

    from .upload import Target, base_url, cut, decide, file_sha256, remove, send
    from .upload.ledger import Ledger, default_path

    target = Target(base_url(options.url, allow_http=options.allow_http),
                    _channel(options.channel), options.ca_bundle or True)
    if options.part_size is not None and options.part_size < 1:
        raise OptionError("--part-size", "give a number of items of at least 1")
    if options.ca_bundle is not None and not options.ca_bundle.is_file():
        raise OptionError("--ca-bundle", f"{options.ca_bundle} is not a file of certificates")
    seen: dict[Path, Path] = {}
    for path in options.files:
        earlier = seen.setdefault(path.resolve(), path)
        if earlier is not path:
            raise OptionError("ITEMS", f"{shown_path(path)} is given twice: its items would be "
                              "sent twice")
    ledger_path = options.ledger or default_path(options.files[0] if options.files else None)
    before = {path: _stamp(path) for path in options.files}
    checked = run_check(CheckOptions(options.files, options.orders, jobs=options.jobs,
                                     tuning=options.tuning), sink)
    if checked.failed(strict=options.strict):
        return UploadOutcome(checked, [], [], ledger_path)
    folder = Path(tempfile.mkdtemp(prefix="oimtool-upload-"))
    try:
        parts: list[Part] = []
        for path in options.files:
            parts.extend(cut(path, options.part_size, folder, number=len(parts) + 1,
                             tuning=options.tuning))
        hashes = {}
        for path in options.files:
            if _stamp(path) != before[path]:
                raise InputError(f"{shown_path(path)} changed while it was checked: run the "
                                 "upload again")
            hashes[path] = file_sha256(path)
        with Ledger(ledger_path, write=not options.dry_run) as ledger:
            decisions = decide(parts, ledger, target, again=options.again, skip=options.skip,
                               file_hashes=hashes)
            if options.dry_run:
                return UploadOutcome(checked, decisions, [], ledger_path)
            results = send(decisions, ledger, target, credentials, events, wait=options.wait,
                           keep_going=options.keep_going, file_hashes=hashes,
                           tuning=options.tuning)
        return UploadOutcome(checked, decisions, results, ledger_path)
    finally:
        remove(folder)


def _stamp(path: Path) -> tuple[int, int, int]:
    import os

    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino


def _channel(channel: str) -> str:
    channel = str(channel).strip()
    if not channel or not all(c.isalnum() or c in "-_" for c in channel):
        raise OptionError("--channel", f"{channel!r}: give the sales channel's id in Omnitron "
                          "(a number such as 3)")
    return channel


__all__ = ["CheckOptions", "ConvertOptions", "FixOptions", "Report", "UploadOptions",
           "UploadOutcome", "check", "convert", "fix", "run_check", "run_convert", "run_fix",
           "run_upload"]
