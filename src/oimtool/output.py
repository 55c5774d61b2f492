"""Writing outputs safely: to a temporary file beside the target, renamed into place at the end.

A reader of the target sees the old file or the whole new one, never half of one. The items
(``ItemsWriter``), the rejected rows of a conversion (``RejectsWriter``), and any other file
(``atomic_output``) are written this way.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .errors import OutputError
from .format import cell_text, cell_value
from .problems import Problem


@contextlib.contextmanager
def atomic_output(path: str | Path, *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` when the block ends without an exception."""
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} exists; use --force to replace it")
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                    dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        publish(temp, target, overwrite=overwrite)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def probe_folder(target: Path) -> None:
    """Raise OutputError now, not after an hour of work, when ``target`` cannot be written:
    its folder is missing or refuses a new file (read-only, not ours, /proc)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: there is no folder {folder}")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
    os.close(fd)
    os.unlink(temp)


def refuse_inputs(inputs: Iterable[str | Path],
                  outputs: Iterable[tuple[str, str | Path | None]]) -> None:
    """Raise OutputError when an output of a run would replace one of its inputs, or another
    of its outputs (each named by its option: ("--output", path)). Only fix --in-place may
    rewrite an input, and it does not ask here."""
    taken = {_identity(path): f"the input {path}" for path in inputs}
    for option, path in outputs:
        if path is None or str(path) == "-":
            continue
        key = _identity(path)
        if key in taken:
            raise OutputError(f"{option} {path} would replace {taken[key]}: give another path")
        taken[key] = f"the output of {option}"


def _identity(path: str | Path) -> tuple[object, ...]:
    try:
        found = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return ("file", found.st_dev, found.st_ino)


def part_path(target: Path, number: int) -> Path:
    """The file of part ``number`` of a split output: sales.json → sales.part001.json."""
    return target.with_name(f"{target.stem}.part{number:03d}{target.suffix or '.json'}")


class ItemsWriter:
    """Writes order items as JSON arrays (2-space indent, UTF-8, trailing newline) into
    temporary files beside the target; ``commit`` renames them into place, ``abort`` removes
    them. With ``split``, parts of at most that many items: the parts an earlier run left are
    replaced, and those beyond the last part written removed, only with ``overwrite``, and
    never one of the run's inputs (``protected``). ``target`` None: standard output, written
    at ``commit``."""

    _BATCH = 1000

    def __init__(self, target: Path | None, *, split: int | None = None,
                 overwrite: bool = False, protected: Iterable[str | Path] = ()) -> None:
        self.target = target
        self.split = split
        self.count = 0
        self.paths: list[Path] = []
        self.removed: list[Path] = []  # parts of an earlier run beyond the last one written
        self._overwrite = overwrite
        self._protected = {_identity(path): str(path) for path in protected}
        self._earlier: list[tuple[int, Path]] = []
        self._pending: list[Any] = []
        self._parts: list[tuple[Path, Any, str]] = []  # (final path, handle, temporary path)
        self._in_part = 0
        if target is not None:
            first = target if split is None else part_path(target, 1)
            if not overwrite and first.exists():
                raise OutputError(f"{first} exists; use --force to replace it")
            if target.is_dir():
                raise OutputError(f"{target} is a folder; give a file name")
            probe_folder(target)
            if split is not None:
                self._earlier = self._guard_parts(overwrite)

    @property
    def total(self) -> int:
        """Items received so far, written or not yet."""
        return self.count + len(self._pending)

    def write(self, item: Any) -> None:
        """Add one item."""
        self._pending.append(item)
        if len(self._pending) >= self._BATCH:
            self._flush()

    def write_json(self, body: bytes, count: int) -> None:
        """Add ``count`` items already serialized as the body of a JSON array, as orjson's
        OPT_INDENT_2 writes it without its brackets."""
        self._flush()
        while count:
            handle = self._part()
            room = self.split - self._in_part if self.split else count
            if room < count:
                starts = _item_starts(body)
                cut = starts[room]
                piece, body = body[: cut - 2], body[cut:]  # the ",\n" between items goes
                taken = room
            else:
                piece, taken = body, count
            try:
                handle.write((b",\n" if self._in_part else b"") + piece)
            except OSError as exc:
                raise OutputError(f"cannot write {self._parts[-1][0]}: {exc.strerror}") from exc
            self._in_part += taken
            self.count += taken
            count -= taken

    def _flush(self) -> None:
        if self._pending:
            items, self._pending = self._pending, []
            self.write_json(dump_items(items), len(items))

    def _part(self) -> Any:
        """The file being written, a new one when a split part is full."""
        if not self._parts or (self.split and self._in_part >= self.split):
            if self._parts:
                self._close_part()
            if self.target is None:
                path = Path("-")
                handle: Any = tempfile.SpooledTemporaryFile(max_size=64 << 20)  # noqa: SIM115
                temp = ""
            else:
                path = part_path(self.target, len(self._parts) + 1) if self.split else self.target
                try:
                    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                dir=str(path.parent) or ".")
                except OSError as exc:
                    raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
                handle = os.fdopen(fd, "wb")
            handle.write(b"[\n")
            self._parts.append((path, handle, temp))
            self._in_part = 0
        return self._parts[-1][1]

    def _close_part(self) -> None:
        path, handle, _ = self._parts[-1]
        try:
            handle.write(b"\n]\n")
            handle.flush()
            if self.target is not None:
                os.fsync(handle.fileno())
                handle.close()
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc

    def commit(self, out: IO[bytes] | None = None) -> list[Path]:
        """Put the outputs in place (or copy the output to ``out``); returns their paths."""
        self._flush()
        if not self._parts:
            return []
        self._close_part()
        for path, handle, temp in self._parts:
            if self.target is None:
                handle.seek(0)
                assert out is not None
                while chunk := handle.read(1 << 20):
                    out.write(chunk)
                out.flush()
                handle.close()
            else:
                publish(temp, path, overwrite=self._overwrite)
            self.paths.append(path)
        self._parts = []
        for number, stale in self._earlier:  # parts an earlier, longer run left
            if number > len(self.paths):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
                self.removed.append(stale)
        return self.paths

    def _guard_parts(self, overwrite: bool) -> list[tuple[int, Path]]:
        """The parts an earlier run left (number, path); OutputError when one is an input of
        this run, or when there are some and ``overwrite`` is not given."""
        assert self.target is not None
        target = self.target
        shape = re.compile(rf"{re.escape(target.stem)}\.part(\d{{3,}})"
                           rf"{re.escape(target.suffix or '.json')}")
        earlier = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(target.parent if str(target.parent) else "."):
                match = shape.fullmatch(entry.name)
                if match is not None:
                    earlier.append((int(match[1]), target.with_name(entry.name)))
        earlier.sort()
        for _, path in earlier:
            taken = self._protected.get(_identity(path))
            if taken is not None:
                raise OutputError(f"--split: {path} looks like a part of this output, and is an "
                                  f"input of this run ({taken}): it would be replaced or "
                                  "removed. Write the parts under another name (-o)")
        if earlier and not overwrite:
            raise OutputError(f"{earlier[0][1]} exists ({len(earlier)} part"
                              f"{'s' if len(earlier) > 1 else ''} of an earlier run); use "
                              "--force to replace them")
        return earlier

    def abort(self) -> None:
        """Remove what was written."""
        for _, handle, temp in self._parts:
            with contextlib.suppress(OSError):
                handle.close()
            if temp:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        self._parts = []
        self._pending = []


def dump_items(items: list[Any]) -> bytes:
    """Items as the body of a JSON array, as orjson's OPT_INDENT_2 lays it out; an item
    orjson cannot write (an integer beyond 64 bits) is written by Python's json module."""
    try:
        return orjson.dumps(items, option=orjson.OPT_INDENT_2)[2:-2]
    except TypeError:
        parts = []
        for item in items:
            try:
                text = orjson.dumps(item, option=orjson.OPT_INDENT_2)
            except TypeError:
                text = json.dumps(item, indent=2, ensure_ascii=False).encode()
            parts.append(b"  " + text.replace(b"\n", b"\n  "))
        return b",\n".join(parts)


def _item_starts(body: bytes) -> list[int]:
    """Where each item of an OPT_INDENT_2 array body starts: only items open at two spaces."""
    return [0, *(m.start() + 2 for m in _ITEM_START.finditer(body))]


_ITEM_START = re.compile(rb",\n  \{")


def publish(temp: str, path: Path, *, overwrite: bool = True) -> None:
    """Rename the temporary file ``temp`` to ``path`` (the mode of what it replaces kept, a new
    file's following the umask); on failure, remove it and raise OutputError. Without
    ``overwrite``, a ``path`` that another run made meanwhile is not replaced: the file is
    linked in place, which fails when the name is taken (where the file system has no hard
    links, it is renamed)."""
    try:
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        if overwrite or not _linked(temp, path):
            os.replace(temp, path)
    except FileExistsError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(f"{path} exists (written meanwhile by another run); use --force to "
                          "replace it") from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc


def _linked(temp: str, path: Path) -> bool:
    """Give ``temp`` the name ``path`` unless the name is taken (FileExistsError); False when
    the file system cannot link."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:
        return False
    os.unlink(temp)
    return True


class RejectsWriter:
    """The rejected rows, in the source's own columns plus ``problems``: to correct and convert
    again. A .xlsx path gets a workbook; anything else a CSV with the source's delimiter (UTF-8
    with a BOM, which Excel needs to see UTF-8). Rows are written as they come, to a temporary
    file beside ``path`` (memory stays flat), which ``commit`` renames into place."""

    def __init__(self, path: Path, header: list[str], *, delimiter: str = ",") -> None:
        self.path = path
        self.header = [*header, "problems"]
        self.workbook = path.suffix.lower() == ".xlsx"
        try:
            fd, self.temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=str(path.parent) or ".")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
        self.handle = os.fdopen(fd, "wb")
        if self.workbook:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)  # rows go to a temporary file as they come
            self.sheet = self.book.create_sheet("Rejected rows")
            self.sheet.append(self.header)
        else:
            self.text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.text, delimiter=delimiter)
            self.writer.writerow(self.header)

    def add(self, cells: list[Any], errors: list[Problem], skipped: str | None = None) -> None:
        """A rejected row: its cells, and the errors that rejected it (or a row skipped as no
        sale: why)."""
        width = len(self.header) - 1
        # A workbook keeps numbers as numbers (read back, 10.125 must not become text).
        values = [cell_value(c) if self.workbook else cell_text(c) for c in cells]
        values.extend([""] * (width - len(values)))
        values.append(f"skipped: {skipped}" if skipped is not None else
                      "; ".join(f"{p.code} {p.message}" for p in errors))
        if self.workbook:
            from openpyxl.cell import WriteOnlyCell

            row = []
            for value in values:
                cell = WriteOnlyCell(self.sheet, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # data, not a formula
                row.append(cell)
            self.sheet.append(row)
        else:
            self.writer.writerow(values)

    def commit(self) -> None:
        """Put the file in place."""
        try:
            if self.workbook:
                self.book.save(self.handle)
            else:
                self.text.flush()
                self.text.detach()
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        publish(self.temp, self.path)

    def abort(self) -> None:
        """Remove what was written."""
        with contextlib.suppress(OSError, ValueError):
            self.handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)
