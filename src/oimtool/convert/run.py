"""One conversion: the loop over an export's rows, here or in worker processes, and the outputs.

Each row becomes an item, which is then checked by exactly the code ``oimtool check`` uses;
every problem names the row and the column of the source it came from. Rows are streamed in
batches, converted here or, for a large source, in forked worker processes that read pieces of
it themselves: only the order numbers, one fingerprint per row and the batches in flight are
held.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..dedup import Seen
from ..format import shown_path
from ..orders import OrderIndex, iter_unreferenced
from ..output import ItemsWriter, RejectsWriter
from ..problems import Conversion as Counts
from ..problems import Location, Plan, Problem, Summary, pointer
from ..sources import ContentError, Piece, Source, open_source
from ..tuning import DEFAULT, Tuning
from ..workers import Workers
from .cells import Undecided
from .header import ReadOptions, read_header
from .rows import Converted, RowBatch, RowConverter, convert_in_worker, rebase


class Conversion:
    """One ``oimtool convert`` run: problems in source order while items are written to
    temporary files, then ``finish`` puts the output in place, or removes it.

    By default nothing is written when a row is rejected: no half file to upload by mistake.
    With ``skip_invalid`` the valid rows are written all the same. A large source is converted
    by ``jobs`` worker processes.
    """

    def __init__(self, source: str | Path, *, output: Path | None, options: ReadOptions,
                 orders: Sequence[OrderIndex] = (), skip_invalid: bool = False,
                 split: int | None = None, rejects: Path | None = None, force: bool = False,
                 jobs: int = 1, tuning: Tuning = DEFAULT, inputs: Sequence[Path] = (),
                 name: str | None = None) -> None:
        self.orders = orders
        self.skip_invalid = skip_invalid
        self.jobs = jobs
        self.tuning = tuning
        self.shown = name or shown_path(source)
        self.writer = ItemsWriter(output, split=split, overwrite=force,
                                  protected=[source, *inputs])
        self.source: Source = open_source(source, sheet=options.sheet,
                                          encoding=options.encoding,
                                          delimiter=options.delimiter)
        try:
            self.header = read_header(self.source, options, self.shown)
            self._as_profile_says(options)
        except BaseException:
            self.source.close()
            raise
        self.rows = RowConverter(self.source, self.header, options, self.shown, orders=orders,
                                 keep_rejected=rejects is not None)
        self.rows_read = self.source.last
        self.summary = Summary(files=1, conversion=Counts())
        self._rejects = None if rejects is None else RejectsWriter(
            rejects, [c.header for c in self.header.columns],
            delimiter=self.source.delimiter or ",")
        self._seen = Seen(tuning.seen_in_memory)
        self._broken = False
        self.outputs: list[Path] = []
        #: Called now and then with (fraction of the source read, rows so far).
        self.progress: Callable[[float, int], None] | None = None
        self._done: float | None = None  # with workers: the source up to the piece converted
        #: Called with the plan, before the first problem.
        self.sink_plan: Callable[[Plan], None] | None = None

    def _as_profile_says(self, options: ReadOptions) -> None:
        """Read a text export again as its profile says its platform writes it: quote
        characters as text, or the encoding where oimtool guessed Turkish cp1254."""
        profile = self.header.layout.profile
        source = self.source
        if profile is None or source.encoding is None:
            return
        quoting = False if not profile.quoting and source.quoting else None
        encoding = None
        if (profile.encoding and options.encoding is None and source.encoding == "cp1254"
                and profile.encoding != "cp1254"):
            encoding = profile.encoding
            guessed = [p for p in self.header.notes if p.code == "OIM015"
                       and "cp1254" in p.message]
            for note in guessed:
                self.header.notes[self.header.notes.index(note)] = note._replace(message=(
                    f"not UTF-8: read as {encoding}, as the profile {profile.name} says its "
                    "platform writes it; use --encoding to choose"))
        if quoting is None and encoding is None:
            return
        again = source.again(encoding=encoding, quoting=quoting)
        source.close()
        self.source = again
        while again.last < self.header.row:
            rows, error = again.take(self.header.row - again.last)
            if error is not None:
                raise error
            if not rows:
                break

    @property
    def counts(self) -> Counts:
        assert self.summary.conversion is not None
        return self.summary.conversion

    def problems(self) -> Iterator[Problem]:
        """Every problem, in source order; items and rejected rows are kept as they come."""
        if self.sink_plan is not None and self.header.plan is not None:
            self.sink_plan(self.header.plan)
        yield from self._counted(self.header.notes)
        try:
            for converted in self._converted():
                yield from self._conclude(converted)
                if self.progress is not None:
                    done = self._done if self._done is not None else (
                        self.source.done(self.rows_read))
                    # 100% is said by the end of the run (which clears the bar), not before
                    self.progress(min(done, 0.99), self.counts.rows)
        except ContentError as exc:
            self._broken = True
            yield from self._counted([Problem("OIM017", str(exc), self._where(
                exc.row or self.header.row))])
        else:
            yield from self._counted(  # repeats found on disk, in a very long export
                self._repeat(index, number, first_row)
                for number, index, first_row in self._seen.finish())
            yield from self._counted([Problem("OIM015", note, self._where(None))
                                      for note in self.source.late_notes()])
            if self.counts.rows == 0:
                self._broken = True
                yield from self._counted([Problem(
                    "OIM003", "there are no data rows below the header: nothing to migrate",
                    self._where(self.header.row))])
        for orders in self.orders:
            yield from self._counted(orders.problems)
        yield from self._counted(iter_unreferenced(list(self.orders)))

    def _where(self, row: int | None) -> Location:
        return self.header.where(self.shown, self.source.sheet, row, None)

    def _batches(self, source: Source, first: int = 0) -> Iterator[RowBatch]:
        """The data rows in batches, blank rows counted and left out. Raises ContentError
        when the source breaks off (a quote never closed, bytes not in its encoding), after
        the rows before."""
        size = self.tuning.batch_rows
        while True:
            rows, error = source.take(size)
            self.rows_read += len(rows)
            if rows:
                batch = self.rows.batch(rows, first)
                yield batch
                first += len(batch.rows)
            if error is not None:
                raise error
            if len(rows) < size:
                return

    def _converted(self) -> Iterator[Converted]:
        """Each batch converted, in order: by workers reading pieces when the source is large,
        here otherwise, and here from where a piece could not be done on its own."""
        layout = self.header.layout
        in_order = bool(layout.carry) or (layout.profile is not None
                                          and not layout.profile.quoting)
        pieces = self.source.pieces(self.header.row, self.jobs, self.tuning) if (
            self.jobs > 1 and not in_order) else None
        workers = Workers.start(self.jobs, self.rows, self.tuning) if pieces else None
        if workers is None or pieces is None:
            for batch in self._batches(self.source):
                yield self._convert_here(batch)
            return
        index = 0  # data rows so far
        row = self.header.row  # rows so far
        with workers:
            work = workers.ordered(pieces, convert_in_worker, self._piece_here,
                                   self.tuning.batch_rows, self.rows.decimals.separators)
            for piece, done in work:
                if done is None:  # read on here, from this piece
                    self._done = None
                    source = self.source.reopen_at(piece, row)
                    try:
                        for batch in self._batches(source, index):
                            yield self._convert_here(batch)
                    finally:
                        source.close()
                    return
                span, batches = done
                self._done = self.source.done_at(piece)
                offset, rows, gap = span.place(row)
                if batches and gap:
                    batches[0] = batches[0]._replace(blank=batches[0].blank + gap)
                for converted in batches:
                    converted = converted._replace(items=workers.shuttle.take(converted.items))
                    yield rebase(converted, index, offset)
                index += sum(c.rows for c in batches)
                row += rows
                self.rows_read += rows

    def _piece_here(self, piece: Piece) -> Any:
        try:
            return self.rows.convert_piece(piece, self.tuning.batch_rows)
        except Undecided:
            self.rows.scan()
            return self.rows.convert_piece(piece, self.tuning.batch_rows)

    def _convert_here(self, batch: RowBatch) -> Converted:
        try:
            return self.rows.convert(batch)
        except Undecided:
            self.rows.scan()
            return self.rows.convert(batch)

    def _conclude(self, converted: Converted) -> Iterator[Problem]:
        counts = self.counts
        counts.rows += converted.rows
        counts.blank += converted.blank
        counts.rejected += converted.rows - converted.valid - sum(converted.skipped.values())
        for reason, n in converted.skipped.items():
            counts.skipped[reason] = counts.skipped.get(reason, 0) + n
        self.summary.items += converted.valid
        for orders, marks in zip(self.orders, converted.referenced, strict=True):
            orders.mark(marks)
        if converted.valid:
            self.writer.write_json(converted.items, converted.valid)
        if self._rejects is not None and converted.rejected:
            for rejected in converted.rejected:
                self._rejects.add(rejected.cells, rejected.errors)
        if self._rejects is not None and converted.skipped_rows:
            for skipped in converted.skipped_rows:
                self._rejects.add(skipped.cells, [], skipped.reason)
        first = converted.first
        indexes = range(first, first + converted.rows)
        numbers = array("I", converted.numbers)
        found = self._seen.add(array("q", converted.fingerprints), numbers, indexes)
        problems = converted.problems
        if found:
            problems = list(problems)
            problems.extend(self._repeat(indexes[k], numbers[k], first_row)
                            for k, first_row in found)
            # stable: each row's problems keep their order
            problems.sort(key=lambda p: p.location.index or 0)
        yield from self._counted(problems)

    def _repeat(self, index: int, number: int, first_row: int) -> Problem:
        where = self._where(number)
        return Problem(
            "OIM803", f"row {number} repeats row {first_row}: a double export? "
            "Remove one unless the order really has two such lines",
            Location(self.shown, index, pointer(index), cell=where.cell))

    def _counted(self, problems: Any) -> Iterator[Problem]:
        for problem in problems:
            self.summary.add(problem)
            yield problem

    @property
    def complete(self) -> bool:
        """Every row could be read, and none was rejected (or rejections are skipped)."""
        return not self._broken and (self.skip_invalid or self.counts.rejected == 0)

    def finish(self, stdout: Any = None) -> list[Path]:
        """Write the output (and the rejected rows) if the run allows it; remove it if not."""
        self.source.close()
        self._seen.close()
        if self._rejects is not None:
            self._rejects.commit()
        if not self.complete or self.writer.total == 0:
            self.writer.abort()
            return []
        self.outputs = self.writer.commit(stdout)
        self.counts.written = self.writer.total
        return self.outputs

    def abort(self) -> None:
        """Remove what was written; nothing is kept."""
        self.source.close()
        self._seen.close()
        if self._rejects is not None:
            self._rejects.abort()
        self.writer.abort()
