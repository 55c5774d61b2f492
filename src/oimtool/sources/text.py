"""CSV, TSV and other delimited text exports: the encoding and the delimiter found out, rows read
with Python's csv module, and large files cut into byte ranges for worker processes."""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

from ..errors import InputError, open_input
from ..fields import known_count
from ..tuning import Tuning
from .base import ContentError, Piece, Row, RowSource, SourceError, Span, blank_text

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 256 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that are Turkish letters in cp1254 (ğ Ğ ı İ ş Ş) and rare Icelandic ones in cp1252.
_CP1254_LETTERS = frozenset(b"\xf0\xd0\xfd\xdd\xfe\xde")
# Bytes cp1254 leaves undefined that cp1252 uses (Ž ž): a sign the text is not Turkish.
_CP1252_ONLY = frozenset(b"\x8e\x9e")
#: The longest cell a text export may have (Python's csv stops at 128 KiB by default).
MAX_CELL = 16 << 20


def detect_encoding(sample: bytes) -> tuple[str, str | None]:
    """The encoding of a text export from its first bytes, and a note when it was a guess.

    A BOM decides. Else UTF-8 if the sample decodes as UTF-8. Else a Windows code page: Turkish
    cp1254 unless the bytes say otherwise (general detectors misjudge short Turkish samples as
    cp1250 or cp1252; the six bytes that differ are Turkish letters in cp1254).
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, None
    if len(sample) >= 4 and sample[1] == sample[3] == 0 and sample[0] and sample[2]:
        return "utf-16-le", "UTF-16 without a byte order mark: read as UTF-16 (little endian)"
    if len(sample) >= 4 and sample[0] == sample[2] == 0 and sample[1] and sample[3]:
        return "utf-16-be", "UTF-16 without a byte order mark: read as UTF-16 (big endian)"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", None
    present = set(sample)
    if present & _CP1252_ONLY and not present & _CP1254_LETTERS:
        return "cp1252", "not UTF-8: read as Windows-1252 (cp1252); use --encoding to choose"
    return "cp1254", "not UTF-8: read as Turkish Windows-1254 (cp1254); use --encoding to choose"


def _first_non_utf8(handle: Any) -> int | None:
    """The offset of the first byte that is not UTF-8, reading the whole file (at C speed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    finally:
        handle.seek(0)
    return None


def text_encoding(name: str) -> bool:
    """Whether ``name`` is an encoding of text Python knows (not base64 or rot13, which are
    codecs of bytes or of text to text)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return bool(getattr(info, "_is_text_encoding", True))


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the first lines into rows of one width, preferring one that
    splits a line into known header names. Each line is split on its own, so that one stray
    quote cannot mislead it."""
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample cut the last line
    best, best_score = ",", (False, -1, -1)
    for candidate in DELIMITERS:
        rows = []
        for line in lines:
            try:
                rows.append(next(csv.reader([line], delimiter=candidate), []))
            except csv.Error:
                rows.append(line.split(candidate))
        widths = [len(row) for row in rows]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        header = any(known_count(row) >= 2 for row in rows)
        score = (header, sum(1 for w in widths if w == common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = candidate, score
    return best


class TextSource(RowSource):
    """A delimited text file, read record by record; ``start`` is the byte offset where
    reading starts (a record's start), numbering rows from ``row``."""

    blank = staticmethod(blank_text)

    def __init__(self, path: Path, encoding: str, delimiter: str, *, notes: list[str] | None = None,
                 start: int = 0, row: int = 1, quoting: bool = True) -> None:
        handle = open(path, "rb")  # noqa: SIM115 - closed with the source
        self.lines_before = 0  # lines before where reading started, for messages
        if start:
            while handle.tell() + (1 << 20) <= start:
                self.lines_before += handle.read(1 << 20).count(b"\n")
            self.lines_before += handle.read(start - handle.tell()).count(b"\n")
        self.size = os.fstat(handle.fileno()).st_size
        csv.field_size_limit(MAX_CELL)
        self.handle = io.TextIOWrapper(handle, encoding=_codec(encoding) if start else encoding,
                                       newline="")
        self.reader = csv.reader(self.handle, delimiter=delimiter, strict=True,
                                 quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
        self.quoting = quoting
        super().__init__(path, zip(count(row), self.reader), notes=notes, last=row - 1)
        self.encoding = encoding
        self.delimiter = delimiter
        self._raw = handle

    @classmethod
    def open(cls, path: Path, encoding: str | None, delimiter: str | None) -> TextSource:
        """Open a text export, finding out its encoding and delimiter unless given."""
        try:
            handle = open_input(path)
        except InputError as exc:
            raise SourceError(str(exc)) from exc
        with handle:
            size = os.fstat(handle.fileno()).st_size
            sample = handle.read(_SAMPLE)
            handle.seek(0)
            notes = []
            if encoding is None:
                encoding, note = detect_encoding(sample)
                if encoding == "utf-8" and size > len(sample):
                    bad = _first_non_utf8(handle)  # the sample may be ASCII and the rest not
                    if bad is not None:
                        handle.seek(max(0, bad - _SAMPLE // 2))
                        window = handle.read(_SAMPLE)
                        encoding, note = detect_encoding(b"\xff" + window)  # not UTF-8, sure
                        note = f"{note} (the first byte that is not UTF-8 is at offset {bad:,})"
                if note:
                    notes.append(note)
            else:
                if not text_encoding(encoding):
                    raise SourceError(f"--encoding {encoding}: unknown encoding, or not one of "
                                      "text (as cp1254, utf-8, utf-16)")
        if delimiter is None:
            delimiter = sniff_delimiter(sample.decode(encoding, "replace"), path.suffix.lower())
        elif delimiter in ("tab", "\\t"):
            delimiter = "\t"
        if len(delimiter) != 1:
            raise SourceError(f"--delimiter {delimiter!r}: give one character (or 'tab')")
        return cls(path, encoding, delimiter, notes=notes)

    def broken(self, exc: Exception, rows: list[Row]) -> ContentError | None:
        if isinstance(exc, csv.Error):
            line = self.lines_before + self.reader.line_num
            return ContentError(_csv_error(str(exc), line), (rows[-1][0] if rows else self.last)
                                + 1)
        if isinstance(exc, UnicodeError):  # not decodable; or, for UTF-16, no byte order mark
            return ContentError(_undecodable(self.path, self.encoding or "utf-8"))
        return None

    def done(self, rows: int = 0) -> float:
        try:
            return min(1.0, self._raw.tell() / self.size) if self.size else 0.0
        except (OSError, ValueError):
            return 0.0

    def done_at(self, piece: Piece) -> float:
        return min(1.0, piece.stop / self.size) if self.size else 0.0

    def pieces(self, after: int, jobs: int, tuning: Tuning) -> Iterator[Piece] | None:
        # Pieces are cut after a "\n" byte: a line break only in an ASCII-based encoding.
        assert self.encoding is not None
        if self.encoding.startswith(("utf-16", "utf-32")) or self.size < (
                tuning.parallel_min_bytes):
            return None
        return self._cut(after, tuning.piece_bytes)

    def _cut(self, after: int, piece_bytes: int) -> Iterator[Piece]:
        """Cut after a line break near every ``piece_bytes``; a cut inside a quoted cell is
        caught by the piece before it not ending between records."""
        assert self.encoding is not None and self.delimiter is not None
        start = text_offset_after(self.path, self.encoding, self.delimiter, after)
        size = self.size
        with open(self.path, "rb") as handle:
            while start < size:
                nominal = start + piece_bytes
                if nominal >= size:
                    yield Piece(start, size, True)
                    return
                handle.seek(nominal)
                tail = handle.read(64 * 1024)
                cut = tail.find(b"\n")
                if cut < 0:  # no line break near: the rest as one piece
                    yield Piece(start, size, True)
                    return
                yield Piece(start, nominal + cut + 1)
                start = nominal + cut + 1

    def read_piece(self, piece: Piece) -> tuple[list[Row], Span] | None:
        """The CSV records of a byte range, numbered from 1; None when the piece does not end
        between records (a quote still open) or does not decode."""
        assert self.encoding is not None and self.delimiter is not None
        with open(self.path, "rb") as handle:
            handle.seek(piece.start)
            data = handle.read(piece.stop - piece.start)
        csv.field_size_limit(MAX_CELL)
        try:
            text = data.decode(_codec(self.encoding))
            rows = list(zip(count(1), csv.reader(io.StringIO(text, newline=""),
                                                 delimiter=self.delimiter, strict=True)))
        except (UnicodeError, csv.Error):
            return None
        return rows, Span(len(rows))

    def reopen_at(self, piece: Piece, row: int) -> TextSource:
        assert self.encoding is not None and self.delimiter is not None
        return TextSource(self.path, self.encoding, self.delimiter, start=piece.start,
                          row=row + 1, quoting=self.quoting)

    def again(self, *, encoding: str | None = None, quoting: bool | None = None
              ) -> TextSource:
        assert self.encoding is not None and self.delimiter is not None
        return TextSource(self.path, encoding or self.encoding, self.delimiter,
                          notes=self.notes, quoting=self.quoting if quoting is None else quoting)

    def close(self) -> None:
        self.handle.close()


def _undecodable(path: Path, encoding: str) -> str:
    """Where a text file first fails to decode, for the message (the reader decodes ahead, in
    chunks, so its own error cannot say)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start]
                line += chunk.count(b"\n", 0, exc.start)
                return (f"byte 0x{bad:02x} on line {line} is not {encoding} text: give the "
                        "file's encoding with --encoding (cp1254 for Turkish Windows)")
            except UnicodeError as exc:  # UTF-16 without a byte order mark
                return (f"the file is not {encoding} text ({exc}): give its encoding with "
                        "--encoding, or leave it out to have it detected")
            offset += len(chunk)
            line += chunk.count(b"\n")
    return f"the file is not {encoding} text: give its encoding with --encoding"


def _codec(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def text_offset_after(path: Path, encoding: str, delimiter: str, records: int) -> int:
    """The byte offset just after the first ``records`` CSV records of a file: where the rows
    after the header start, for cutting the rest into pieces."""
    with open(path, "rb") as handle:
        offset = 0
        if encoding == "utf-8-sig" and handle.read(3) == codecs.BOM_UTF8:
            offset = 3
        else:
            handle.seek(0)

        def lines() -> Iterator[str]:
            nonlocal offset
            for line in handle:
                offset += len(line)
                yield line.decode(_codec(encoding))

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        for _ in range(records):
            next(reader)
        return offset


MAX_CELL = 16 << 20


def _csv_error(reason: str, line: int) -> str:
    if "field larger than field limit" in reason:
        return (f"a cell ending on line {line} is longer than {MAX_CELL:,} characters: that "
                "is not an export column (a quote opened and never closed?)")
    if "unexpected end of data" in reason:
        return (f"a quote opened in this row is never closed: everything after it, to the end "
                f"of the file (line {line}), would be one cell. Close the quote, or double the "
                'quote characters inside the cell ("")')
    return f"the CSV cannot be read at line {line}: {reason}"
