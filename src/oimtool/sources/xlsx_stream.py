"""A worksheet of an .xlsx/.xlsm workbook read as a stream of rows, never whole.

A workbook is a zip archive of XML parts. The sheet's part is unpacked and parsed (expat, in
C) as rows are asked for, so memory does not grow with the rows: a reader that builds the
whole sheet first takes about 600 bytes a row, and 32 bytes for every cell of the rectangle
from A1 to the last used cell, however empty (one stray value in XFD1048576 asks for 550 GB).
For worker processes, the XML after the header is cut between rows into pieces that travel
with the work (a worker cannot seek in a compressed part).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..tuning import Tuning
from .base import ContentError, Piece, Row, RowSource, Span
from .xlsx_book import CHUNK, Book, XlsxError
from .xlsx_rows import RowParser, expand, parse_piece, plain_inline


class StreamSource(RowSource):
    """A sheet read as a stream (``SheetStream``), from its first row or from byte ``start``
    of its XML after row ``last_used``."""

    def __init__(self, path: Path, sheet: str, stream: SheetStream, *,
                 archive: zipfile.ZipFile | None = None, notes: list[str] | None = None,
                 start: int = 0, last_used: int = 0) -> None:
        super().__init__(path, _rows(stream.rows(start, last_used), last_used), notes=notes)
        self.sheet = sheet
        self.stream = stream
        self.archive = archive

    def done(self, rows: int = 0) -> float:
        size = self.stream.size
        return min(1.0, self.stream.read / size) if size else 0.0

    def done_at(self, piece: Piece) -> float:
        size = self.stream.size
        return min(1.0, piece.stop / size) if size else 0.0

    def late_notes(self) -> list[str]:
        if self.stream.merged:  # known at the end of a stream
            return [f"sheet {self.sheet!r} has merged cells: only their first cell holds a "
                    "value"]
        return []

    def pieces(self, after: int, jobs: int, tuning: Tuning) -> Iterator[Piece] | None:
        start = self.stream.start_after(after)
        if start is None:
            return None
        return self.stream.pieces(start, tuning.xml_piece_bytes)

    def read_piece(self, piece: Piece) -> tuple[list[Row], Span] | None:
        parsed = parse_piece(self.stream.book, piece)
        if parsed is None:
            return None
        rows, first, last = parsed
        return rows, Span(len(rows), first, last, numbered=True)

    def reopen_at(self, piece: Piece, row: int) -> StreamSource:
        return StreamSource(self.path, self.sheet or "", self.stream, start=piece.start,
                            last_used=row)

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]  # a generator: the part is closed
        if self.archive is not None:
            self.archive.close()


def _rows(rows: Iterator[Row], last: int = 0) -> Iterator[Row]:
    """``rows``, after row ``last``; an error in the XML as ContentError, after the rows before
    it (read on from a piece, the rows before it count too)."""
    try:
        for row in rows:
            last = row[0]
            yield row
    except XlsxError as exc:
        raise ContentError(f"cannot read the sheet after row {last}: {exc}", last + 1) from exc


class SheetStream:
    """One worksheet's part, read from the archive as rows are asked for."""

    def __init__(self, book: Book, part: str) -> None:
        self.book = book
        self.part = part
        self.size = book.archive.getinfo(part).file_size  # unpacked bytes
        self.read = 0  # unpacked bytes parsed so far
        self.parser: RowParser | None = None  # the parser of the rows read in order
        self._merged = False

    def rows(self, start: int = 0, last_used: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """Every row, in order; or the rows from byte ``start`` of the XML (where a row
        starts), after a row ``last_used`` with a value. Raises XlsxError where the XML
        breaks, after the rows before."""
        parser = RowParser(self.book, last_used=last_used)
        if start:
            head = self.head()
            assert self.parser is not None
            parser.row_name = self.parser.row_name
        else:
            self.parser = parser
            parser.record_starts = True
        found = parser.rows
        plain = True  # no comment or CDATA so far (where "<is><t>" may be text)
        aligned = bool(start)  # what was fed ends where a row does
        carry = bytearray()  # what follows the last whole row fed
        end = f"</{parser.row_name}>".encode()
        with self.book.archive.open(self.part) as handle:
            if start:
                _skip(handle, start)
                parser.feed(head)
            while True:
                try:
                    chunk = handle.read(CHUNK)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                    raise XlsxError(f"the workbook is damaged: {exc}") from exc
                self.read += len(chunk)
                plain = plain and b"<!" not in chunk
                try:
                    if chunk and plain and not parser.record_starts:
                        # Whole rows, rewritten (not while the offsets of rows in the XML as
                        # it is are noted).
                        if not aligned:
                            end = f"</{parser.row_name}>".encode()
                            first = chunk.find(end)
                            if first < 0:
                                parser.feed(chunk)
                                continue
                            first += len(end)
                            parser.feed(chunk[:first])
                            chunk = chunk[first:]
                            aligned = True
                        carry += chunk
                        cut = carry.rfind(end)
                        if cut >= 0:
                            cut += len(end)
                            parser.feed(plain_inline(bytes(carry[:cut])))
                            del carry[:cut]
                    else:
                        if carry:
                            parser.feed(bytes(carry))
                            carry.clear()
                        parser.feed(chunk, not chunk)
                except BaseException:
                    parser.close()
                    raise
                finally:  # the rows before an error come out first
                    yield from expand(found)
                    found.clear()
                if not chunk:
                    parser.close()
                    return

    @property
    def merged(self) -> bool:
        """Whether the sheet has merged cells: known once every row is read."""
        return self._merged or (self.parser is not None and self.parser.merged)

    def start_after(self, row: int) -> int | None:
        """Where, in the XML, the rows after row ``row`` start (as far as the rows read in
        order noted): None when not known."""
        starts = self.parser.row_starts if self.parser else []
        if not starts or any(number < 0 for number, _ in starts):
            return None  # rows without their number: only reading in order can count them
        for number, offset in starts:
            if number > row:
                return offset
        return None

    def head(self) -> bytes:
        """The XML before the first row: what makes a piece of rows parse as the sheet."""
        assert self.parser is not None and self.parser.row_starts
        with self.book.archive.open(self.part) as handle:
            return handle.read(self.parser.row_starts[0][1])

    def pieces(self, start: int, size: int) -> Iterator[Piece]:
        """The XML from byte ``start`` (where a row starts) to the last row's end, cut after
        a row's end near every ``size`` bytes."""
        assert self.parser is not None
        end = f"</{self.parser.row_name}>".encode()
        head = self.head()
        with self.book.archive.open(self.part) as handle:
            _skip(handle, start)
            buffer = bytearray()
            offset = start
            while True:
                try:
                    chunk = handle.read(size)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                    # read in order from here, the rows before the damage are read first
                    yield Piece(offset, offset + len(buffer), True, bytes(buffer), False, head)
                    return
                buffer += chunk
                self.read = max(self.read, offset + len(buffer))
                if chunk and len(buffer) < size:
                    continue
                cut = buffer.rfind(end)
                if cut < 0:
                    if chunk:
                        continue  # a row longer than a piece: read on
                    self._merged = self._merged or b"mergeCell" in buffer
                    return
                cut += len(end)
                data = bytes(buffer[:cut])
                del buffer[:cut]
                if not chunk:  # what follows the last row
                    self._merged = self._merged or b"mergeCell" in buffer
                yield Piece(offset, offset + len(data), not chunk, data,
                            b"<!" not in data and b"<?" not in data, head)
                offset += cut
                if not chunk:
                    return


def _skip(handle: Any, count: int) -> None:
    while count > 0:
        count -= len(handle.read(min(count, CHUNK))) or count
