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
    """Reads UTF-16/UTF-32 text as UTF-8 bytes; what does not decode becomes U+FFFD."""

    def __init__(self, raw: BinaryIO, codec: str, head: bytes) -> None:
        self._raw = raw
        self._codec = codec
        self._pending = head
        self.bad_bytes = 0

    def read(self, size: int) -> bytes:
        new = self._raw.read(size)
        data, self._pending = self._pending + new, b""
        out = []
        while data:
            try:
                out.append(data.decode(self._codec))
                break
            except UnicodeDecodeError as exc:
                out.append(data[: exc.start].decode(self._codec))
                truncated = "end of data" in exc.reason or "truncated" in exc.reason
                if new and exc.end == len(data) and truncated:
                    self._pending = data[exc.start :]  # a character cut by the chunk boundary
                    break
                self.bad_bytes += exc.end - exc.start
                out.append("\ufffd")
                data = data[exc.end :]
        text = "".join(out)
        if not text and self._pending:
            return self.read(size)
        return text.encode("utf-8")
