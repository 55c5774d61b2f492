"""``fix``: the safe (or unsafe) repairs, then a check of the result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..errors import OptionError, OutputError
from ..format import shown_path
from ..problems import Sink, Summary
from ..tuning import DEFAULT, Tuning
from .common import Collector, Progress, Report, _item_files, _load_orders, _quiet


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
        from ..fix import default_output
        from ..output import exists_not_ours

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
    from ..check import Checker
    from ..diff import Diff
    from ..fix import fix_file
    from ..output import refuse_inputs

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
