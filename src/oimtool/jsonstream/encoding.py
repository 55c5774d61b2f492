"""The encoding of a JSON file, and UTF-16/UTF-32 text read as UTF-8."""

from __future__ import annotations

import codecs
from typing import BinaryIO

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)



def detect_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a JSON file from its first four bytes, and the length of its BOM."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    # JSON starts with an ASCII character that can begin a document: where its zero bytes are
    # tells the encoding. Binary data that merely starts with a zero byte stays "UTF-8" and is
    # reported as not JSON.
    if len(head) == 4 and head[0] in _STARTS and not any(head[1:]):
        return "utf-32-le", 0
    if len(head) == 4 and not any(head[:3]) and head[3] in _STARTS:
        return "utf-32-be", 0
    if len(head) >= 2 and head[0] in _STARTS and not head[1]:
        return "utf-16-le", 0
    if len(head) >= 2 and not head[0] and head[1] in _STARTS:
        return "utf-16-be", 0
    return "utf-8", 0


_STARTS = frozenset(b' \t\r\n[{"-0123456789tfn')


class Transcoder:
    """Reads UTF-16/UTF-32 text as UTF-8 bytes; what does not decode becomes U+FFFD.

    An incremental decoder keeps a character cut by a chunk boundary for the next chunk; the
    bytes it replaces are counted as it goes (``bad_bytes``), each in constant time: a chunk of
    nothing but bad bytes costs what a good one does."""

    def __init__(self, raw: BinaryIO, codec: str, head: bytes) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(codec)(errors=_COUNTING)
        self._pending = head
        self.bad_bytes = 0

    def read(self, size: int) -> bytes:
        while True:
            new = self._raw.read(size)
            data, self._pending = self._pending + new, b""
            before = _replaced[0]
            text = self._decoder.decode(data, final=not new)
            self.bad_bytes += _replaced[0] - before
            if text or not new:
                return text.encode("utf-8")


#: Bytes replaced by U+FFFD so far, in this process, by the error handler below.
_replaced = [0]
_COUNTING = "oimtool-count-replace"


def _count_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - registered for decoding
        raise exc
    _replaced[0] += exc.end - exc.start
    return "\ufffd", exc.end


codecs.register_error(_COUNTING, _count_replace)
