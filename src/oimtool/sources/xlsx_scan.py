"""A worksheet's XML looked through before python-calamine may read it.

python-calamine builds the rectangle from the first used cell to the last, whatever the sheet's
``<dimension>`` says: one value in XFD1048576 asks for 550 GB and aborts the process; a row
numbered 20,000,000 fills gigabytes. It also reads broken sheets without a word where the stream
reader refuses them: a second ``<row r="2">`` merged into the first (a source row lost), a cell
pointing at shared string -1 given the first string. So a sheet goes to python-calamine only when
its XML shows neither, which takes two looks:

- ``bounded``, before python-calamine starts: every cell's reference lies within a rectangle of
  at most ``cells`` cells from A1. One search over the XML for a cell that does not (no
  reference of every cell is collected: the search stops at the first that is out of bounds).
  A number read from the file never decides an allocation here either: the bounds come from the
  budget, and the XML is read in pieces of ``CHUNK`` bytes.
- ``regular``, while python-calamine reads (it lets go of the interpreter, so this costs no
  time on a machine with two CPUs): every row is numbered, after the one before, within Excel's
  rows; every cell names its own row; shared-string and true/false cells hold what both readers
  read alike. Anything else (a form Excel does not write, too) sends the sheet to the stream
  reader, which reads it, or says what is broken and where.

No look can be skipped: a cell out of bounds costs 30 bytes anywhere in the XML, so neither the
``<dimension>``, nor the size of the XML, nor its last rows can vouch for the rest.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import IO

from .base import MAX_COLUMNS, MAX_ROWS
from .xlsx_book import column_index

#: The unpacked bytes looked at a time.
CHUNK = 1 << 20
#: A piece of XML with no row end in it beyond this is not a row an export writes.
LONGEST_ROW = 16 << 20

_FIRST_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[1-9]')
_ANY_CELL = re.compile(rb'<c[\s>/]')
_PREFIXED_CELL = re.compile(rb':c(?=[\s>/])')

# A row as Excel (and openpyxl, LibreOffice, ...) write it: numbered, and each cell naming it;
# a shared-string cell holding an index, a true/false cell 0 or 1. Group 1: the row's number.
_ATTRIBUTES = rb'(?:[^>/]++|/(?!>))*+'  # the rest of a start tag, to its end
_TAIL = rb'(?: (?:cm|vm)="\d{1,9}"| ph="[01]")*+\s*+'  # what Excel writes after a type
_CELL = (rb'<c r="[A-Z]{1,3}\1"(?: s="\d{1,9}")?(?:'
         rb' t="s"><v>\d{1,19}</v></c>| t="b"><v>[01]</v></c>'  # Excel's forms, first: faster
         rb'|(?: t="(?:n|e|str|inlineStr|d)")?' + _TAIL
         + rb'(?:/>|>[^<]*+(?:<(?!/c>)[^<]*+)*+</c>)'
         rb'| t="s"' + _TAIL + rb'(?:/>|>(?:<v>\d{1,19}</v>)?</c>)'
         rb'| t="b"' + _TAIL + rb'(?:/>|>(?:<v>[01]</v>)?</c>))')
_ROW = re.compile(rb'<row r="([1-9]\d{0,6})"' + _ATTRIBUTES
                  + rb'(?:/>|>(?:' + _CELL + rb')*+\s*+</row>)')


def _pieces(chunks: Iterator[bytes], end: bytes) -> Iterator[bytes]:
    """The XML in pieces that each stop after an ``end`` (the last piece: where the XML does).
    Raises OverflowError when no ``end`` comes for ``LONGEST_ROW`` bytes."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(end)
        if cut < 0:
            if len(data) > LONGEST_ROW:
                raise OverflowError
            carry = data
            continue
        cut += len(end)
        carry = data[cut:]
        yield data[:cut]
    if carry:
        yield carry


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _below(number: int) -> bytes:
    """A regular expression for decimal numbers up to at least ``number`` and at most twice it:
    to the next leading digit (250,000: up to 299,999), followed by a quote. Zeros before a
    number are let through (the number is no larger for them). Cheaper than an exact bound,
    which costs a third more of the look; twice is still a bound."""
    digits = str(number)
    lead = b"[1-%s]" % digits[0].encode()
    if len(digits) == 1:
        return lead + b'"'
    return lead + rb'?\d{1,%d}+"' % (len(digits) - 1)


def _columns_to(last: int) -> bytes:
    """A regular expression for the column letters A to the column numbered ``last`` (0: A)."""
    letters, index = "", last + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    if len(letters) == 1:
        return b"[A-%s]" % letters.encode()
    options = [b"[A-Z]" * width for width in range(1, len(letters))]
    for at, letter in enumerate(letters):
        if letter > "A":
            options.append(letters[:at].encode() + b"[A-%s]" % chr(ord(letter) - 1).encode()
                           + b"[A-Z]" * (len(letters) - at - 1))
    options.append(letters.encode())
    return b"(?:" + b"|".join(options) + b")"


def bounded(archive: zipfile.ZipFile, part: str, cells: int, columns: int = 0) -> int:
    """The sheet's width (its columns from A) when every cell lies within a rectangle from A1
    of at most about ``cells`` cells (twice at most: ``regular`` says whether the last row
    keeps within them), and within Excel's columns, each cell giving its reference as Excel
    writes it (``r="B7"`` first); else 0. The width is its cells' in the first piece of its XML
    or ``columns`` (its ``<dimension>``'s), whichever is wider. Raises what reading the
    archive raises."""
    pattern = None
    width = 0
    with archive.open(part) as handle:
        try:
            for piece in _pieces(_chunks(handle), b">"):
                if _PREFIXED_CELL.search(piece):
                    return 0  # cells written <x:c>: python-calamine reads them too
                if pattern is None:
                    found = _FIRST_COLUMNS.findall(piece)
                    if not found:
                        if _ANY_CELL.search(piece):
                            return 0  # cells, but not written as Excel writes them
                        continue
                    width = max([columns, *(column_index(c.decode()) + 1 for c in found)])
                    if not 0 < width <= MAX_COLUMNS or cells // width < 1:
                        return 0
                    pattern = re.compile(rb'<c(?=[\s>/])(?! r="' + _columns_to(width - 1)
                                         + _below(cells // width) + b")")
                if pattern.search(piece):
                    return 0
        except OverflowError:
            return 0
    return width or 1  # no cell at all: nothing to hold


def regular(archive: zipfile.ZipFile, part: str, rows: int = MAX_ROWS) -> bool:
    """Whether the sheet's rows are as Excel writes them, so that python-calamine reads what
    the stream reader reads: numbered in order, up to row ``rows`` at most, each cell naming
    its own row, shared-string and true/false cells holding an index, or 0 or 1. Never raises
    (a sheet that cannot be read is not regular: the stream reader says why)."""
    try:
        with archive.open(part) as handle:
            return _regular(_pieces(_chunks(handle), b"</row>"), min(rows, MAX_ROWS))
    except Exception:  # whatever it is, the stream reader reports it
        return False


def _regular(pieces: Iterator[bytes], rows: int) -> bool:
    last = 0
    started = ended = False
    for piece in pieces:
        at = 0
        if not started:
            start = piece.find(b"<sheetData")
            if start < 0:
                continue
            if piece.startswith(b"/>", start + 10):
                return True  # no row at all
            at = piece.find(b">", start) + 1
            if not at or piece[start + 10:at - 1].strip():
                return False
            started = True
        for match in _ROW.finditer(piece, at):
            if match.start() != at and piece[at:match.start()].strip():
                return False
            number = int(match[1])
            if number <= last or number > rows:
                return False
            last, at = number, match.end()
        rest = piece[at:].lstrip()
        if rest:
            if not rest.startswith(b"</sheetData>"):
                return False
            ended = True
            break
    return started and ended
