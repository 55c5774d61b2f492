"""Writing outputs safely: to a temporary file beside the target, renamed into place at the end.

A reader of the target sees the old file or the whole new one, never half of one; the parts of
a split output are put in place together, or not at all. The items (``ItemsWriter``), the
rejected rows of a conversion (``RejectsWriter``), and any other file (``atomic_output``) are
written this way. A temporary file is made and recorded for removal with Ctrl-C and SIGTERM held
back (``errors.signals_held``), so that no stop can leave one behind; ``written`` lists what
this process has put in place, for the message of a run cut short.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .errors import OutputError, signals_held, stop_pending
from .format import cell_text, cell_value
from .problems import Problem

#: The outputs put in place (as shown to the user), in order: what a run cut short by an
#: interruption or an error leaves written. The command line empties it when a run starts.
written: list[str] = []


def _record(path: str | Path) -> None:
    from .format import shown_path

    written.append(shown_path(path))


def _temporary(target: Path) -> tuple[str, IO[bytes]]:
    """A new temporary file beside ``target`` (``.NAME.XXXXXX.tmp``), opened for writing:
    (its path, the file). Made with signals held: a stop that comes meanwhile removes it."""
    folder = str(target.parent) or "."
    made: list[Any] = []
    try:
        with signals_held():
            try:
                fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=folder)
            except OSError as exc:
                raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
            made = [temp, os.fdopen(fd, "wb")]
    except BaseException:
        if made:  # the stop came as the block ended: nobody else knows the file
            _discard(*made)
        raise
    return made[0], made[1]


def write_all(out: IO[bytes], data: bytes) -> None:
    """Write every byte of ``data`` to ``out``: standard output, redirected to a file that
    reaches a size limit, writes what fits and returns how much (a report was cut so)."""
    view = memoryview(data)
    while view:
        done = out.write(view)
        if not done:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[done:]


def _discard(temp: str, handle: IO[bytes] | None = None) -> None:
    if handle is not None:
        with contextlib.suppress(OSError, ValueError):
            handle.close()
    with contextlib.suppress(OSError):
        os.unlink(temp)


def stream_target(path: str | Path) -> bool:
    """Whether ``path`` is written into as it is, not replaced: a character device
    (``/dev/null``, a terminal, ``/dev/stdout`` where it is one) or a FIFO. A link is followed.
    OutputError for another special file (a socket, a block device)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # not there (yet): a new file
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise OutputError(f"{path} is neither a file nor a device or FIFO to write into: give "
                          "a file name")
    return False


def real_target(path: Path) -> Path:
    """The file a symbolic link names (replaced, the link kept); ``path`` itself otherwise."""
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def _into(path: Path) -> Iterator[IO[bytes]]:
    """``path`` (a device or a FIFO) opened for writing, as it is."""
    try:
        handle = open(path, "wb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with handle:
            yield handle
            handle.flush()
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def atomic_output(path: str | Path, *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` when the block ends without an exception. A device
    or a FIFO is written into as it is; a symbolic link's file is replaced, the link kept."""
    if stream_target(path):
        with _into(Path(path)) as handle:
            yield handle
        return
    target = real_target(Path(path))
    if not overwrite and target.exists():
        if not ours(target):
            raise OutputError(f"{target} exists; use --force to replace it")
        overwrite = True  # this command's own earlier output
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name")
    temp, handle = _temporary(target)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        publish(temp, target, overwrite=overwrite)
    except OSError as exc:
        _discard(temp, handle)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(temp, handle)
        raise


def probe_folder(target: Path) -> None:
    """Raise OutputError now, not after an hour of work, when ``target`` cannot be written:
    its folder is missing or refuses a new file (read-only, not ours, /proc)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: there is no folder {folder}")
    with signals_held():
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
    them. With ``split``, parts of at most that many items, put in place together: the parts
    an earlier run left are replaced, and those beyond the last part written removed, only
    with ``overwrite``, and never one of the run's inputs (``protected``); when any step fails
    or a stop comes meanwhile, the earlier parts are put back as they were. ``target`` None:
    standard output, written at ``commit``. ``record``: list what is put in place in
    ``written`` (not for a scratch file)."""

    _BATCH = 1000

    def __init__(self, target: Path | None, *, split: int | None = None,
                 overwrite: bool = False, protected: Iterable[str | Path] = (),
                 record: bool = True, mark: bool = True) -> None:
        self.target = target
        self.split = split
        self.count = 0
        self.paths: list[Path] = []
        self.removed: list[Path] = []  # parts of an earlier run beyond the last one written
        self._overwrite = overwrite
        self._record = record
        self._mark = mark  # not an input rewritten in place: it stays the user's file
        self._protected = {_identity(path): str(path) for path in protected}
        self._earlier: list[tuple[int, Path]] = []
        self._pending: list[Any] = []
        self._parts: list[tuple[Path, Any, str]] = []  # (final path, handle, temporary path)
        self._in_part = 0
        self._into: Path | None = None  # a device or FIFO written into at commit
        if target is not None and stream_target(target):
            if split is not None:
                raise OutputError(f"--split writes files: {target} is a device or FIFO")
            self._into, self.target = target, None
            target = None
        if target is not None:
            target = self.target = real_target(target)
            first = target if split is None else part_path(target, 1)
            if not overwrite and first.exists():
                if not ours(first):
                    raise OutputError(f"{first} exists; use --force to replace it")
                if split is None:  # (the parts: each earlier one is judged below)
                    overwrite = self._overwrite = True  # this command's own earlier output
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
                self._parts.append((path, handle, ""))
            else:
                path = part_path(self.target, len(self._parts) + 1) if self.split else self.target
                made: list[Any] = []
                try:
                    with signals_held():  # made and recorded, or neither
                        made = [*_temporary(path)]
                        self._parts.append((path, made[1], made[0]))
                except BaseException:
                    if made and (not self._parts or self._parts[-1][2] != made[0]):
                        _discard(*made)
                    raise
                handle = made[1]
            handle.write(b"[\n")
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
        if self.target is None and self._into is not None:
            with _into(self._into) as into:
                self._copy(into)
            self.paths[-1] = self._into
        elif self.target is None:
            self._copy(out)
        elif self.split is None:
            path, _, temp = self._parts[0]
            publish(temp, path, overwrite=self._overwrite, record=self._record,
                    mark=self._mark)
            self.paths.append(path)
        else:
            self._publish_parts()
        self._parts = []
        return self.paths

    def _copy(self, out: IO[bytes] | None) -> None:
        """The items to ``out`` (standard output)."""
        assert out is not None
        path, handle, _ = self._parts[0]
        handle.seek(0)
        started = False
        try:
            while chunk := handle.read(1 << 20):
                started = True
                write_all(out, chunk)
            out.flush()
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise  # the reader is gone (| head): as for the report, click's way
            raise OutputError(f"cannot write the items to standard output: "
                              f"{exc.strerror or exc}") from exc
        except BaseException:
            if started and self._record:
                written.append("standard output (the items, cut short)")
            raise
        finally:
            handle.close()
        if self._record:
            written.append("standard output (the items)")
        self.paths.append(path)

    def _publish_parts(self) -> None:
        """Put every part in place, and remove the earlier parts beyond the last one, as one
        step: each earlier part is first linked aside (``.NAME.XXXXXXXX.old``); when a step
        fails, or a stop (Ctrl-C, SIGTERM) comes meanwhile, the new parts are taken back and
        the earlier ones put back, and the stop ends the run with the earlier set in place."""
        parts = [(path, temp) for path, _, temp in self._parts]
        stale = [path for number, path in self._earlier if number > len(parts)]
        aside: dict[Path, str] = {}  # earlier part -> where it waits
        modes: dict[Path, int] = {}
        placed: list[Path] = []
        removed: list[Path] = []
        earlier = False
        with signals_held():
            try:
                for path in [*(p for p, _ in parts), *stale]:
                    if self._overwrite and os.path.lexists(path):
                        earlier = True
                        with contextlib.suppress(OSError):
                            modes[path] = os.stat(path).st_mode
                        aside[path] = _aside(path)
                for path, temp in parts:
                    _place(temp, path, overwrite=self._overwrite, mode=modes.get(path))
                    placed.append(path)
                for path in stale:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)  # (gone already when it was moved aside)
                    removed.append(path)
                if stop_pending():
                    raise _Stopped
            except BaseException as exc:
                kept = _put_back(placed, removed, aside)
                self.abort()
                if isinstance(exc, _Stopped):
                    return  # the stop is raised as the block ends, the earlier set in place
                if isinstance(exc, FileExistsError):
                    what = (f"{exc.filename2 or exc.filename} exists (written meanwhile by "
                            "another run); use --force to replace it")
                elif isinstance(exc, OSError):
                    what = f"cannot write the parts of {self.target}: {exc.strerror or exc}"
                else:
                    what = str(exc)
                if kept:
                    what += "; could not put back: " + ", ".join(
                        f"{path} (kept as {backup})" for path, backup in kept)
                else:
                    what += "; no part was put in place" + (
                        ", the earlier parts are as they were" if earlier else "")
                raise OutputError(what) from exc
            for backup in aside.values():
                with contextlib.suppress(OSError):
                    os.unlink(backup)
            self.paths = placed
            self.removed = [path for path in removed if path in aside]
            if self._record:
                for path in placed:
                    _record(path)

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
        if earlier and not overwrite and all(ours(path) for _, path in earlier):
            self._overwrite = True  # the parts an earlier run of this command wrote
            return earlier
        if earlier and not overwrite:
            raise OutputError(f"{earlier[0][1]} exists ({len(earlier)} part"
                              f"{'s' if len(earlier) > 1 else ''} of an earlier run); use "
                              "--force to replace them")
        return earlier

    def abort(self) -> None:
        """Remove what was written."""
        for _, handle, temp in self._parts:
            if temp:
                _discard(temp, handle)
            else:
                with contextlib.suppress(OSError, ValueError):
                    handle.close()
        self._parts = []
        self._pending = []


class _Stopped(Exception):
    """A stop came while a split output was put in place."""


def _aside(path: Path) -> str:
    """A second name for ``path`` (``.NAME.XXXXXXXX.old`` beside it), to put it back from:
    a hard link, or where the file system has none, ``path`` itself moved there."""
    while True:
        backup = str(path.with_name(f".{path.name}.{secrets.token_hex(4)}.old"))
        try:
            os.link(path, backup, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:
            if os.path.lexists(backup):
                continue
            os.rename(path, backup)
        return backup


def _put_back(placed: list[Path], removed: list[Path], aside: dict[Path, str]
              ) -> list[tuple[Path, str]]:
    """Undo a split output's publication: the new parts taken away, the earlier ones back
    under their names; those that could not be put back, with where they are."""
    kept = []
    for path in [*reversed(placed), *removed]:
        backup = aside.pop(path, None)
        try:
            if backup is not None:
                os.replace(backup, path)
            else:  # a new part where there was none
                os.unlink(path)
        except OSError:
            if backup is not None:
                kept.append((path, backup))
    for path, backup in aside.items():  # moved aside, not yet replaced: the link goes
        if os.path.lexists(path):
            with contextlib.suppress(OSError):
                os.unlink(backup)
        else:
            try:
                os.rename(backup, path)
            except OSError:
                kept.append((path, backup))
    return kept


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


def publish(temp: str, path: Path, *, overwrite: bool = True, record: bool = True,
            mark: bool = True) -> None:
    """Rename the temporary file ``temp`` to ``path`` (the mode of what it replaces kept, a new
    file's following the umask); on failure, remove it and raise OutputError. Without
    ``overwrite``, a ``path`` that another run made meanwhile is not replaced: the file is
    linked in place, which fails when the name is taken (where the file system has no hard
    links, it is renamed). With ``record``, ``path`` is listed in ``written``."""
    with signals_held():  # renamed and recorded, or neither
        try:
            _place(temp, path, overwrite=overwrite, mark=mark)
        except FileExistsError as exc:
            _discard(temp)
            raise OutputError(f"{path} exists (written meanwhile by another run); use --force "
                              "to replace it") from exc
        except OSError as exc:
            _discard(temp)
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
        if record:
            _record(path)


#: The extended attribute that marks a file oimtool wrote: its size and modification time
#: then. A file that still has both is oimtool's own output, unchanged since: a second run of
#: the same command replaces it without --force (``ours``).
STAMP = "user.oimtool.written"


def _stamp(path: str) -> None:
    try:
        info = os.stat(path)
        os.setxattr(path, STAMP, f"{info.st_size}:{info.st_mtime_ns}".encode())
    except (OSError, AttributeError):  # no extended attributes here: --force stays needed
        pass


def ours(path: str | Path) -> bool:
    """Whether ``path`` is a file oimtool wrote and that nobody changed since (an edit changes
    its size or time; an editor that saves a new file drops the mark)."""
    try:
        info = os.stat(path)
        return os.getxattr(path, STAMP) == f"{info.st_size}:{info.st_mtime_ns}".encode()
    except (OSError, AttributeError):
        return False


def exists_not_ours(path: Path) -> bool:
    """Whether writing ``path`` would replace something oimtool did not write (--force)."""
    return path.exists() and not ours(path)


def _place(temp: str, path: Path, *, overwrite: bool, mode: int | None = None,
           mark: bool = True) -> None:
    """Rename ``temp`` to ``path``, giving it the mode of the file it replaces (``mode``, when
    that file was moved aside) or a new file's; without ``overwrite``, FileExistsError when
    ``path`` exists."""
    if mode is not None or path.exists():
        with contextlib.suppress(OSError):
            os.chmod(temp, (path.stat().st_mode if mode is None else mode) & 0o7777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
    if mark:
        _stamp(temp)  # the mark goes with the file when it is renamed
    if overwrite or not _linked(temp, path):
        os.replace(temp, path)


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
    file beside ``path`` (memory stays flat) made with the first of them, which ``commit``
    renames into place."""

    def __init__(self, path: Path, header: list[str], *, delimiter: str = ",") -> None:
        self.into = stream_target(path)  # a device or FIFO: written into, not replaced
        self.path = path if self.into else real_target(path)
        self.header = [*header, "problems"]
        self.delimiter = delimiter
        self.workbook = path.suffix.lower() == ".xlsx"
        self.temp = ""
        self.handle: IO[bytes] | None = None
        if self.workbook:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)  # rows go to a temporary file as they come
            self.sheet = self.book.create_sheet("Rejected rows")
            self.sheet.append(self.header)

    def _open(self) -> IO[bytes]:
        """The temporary file, made (and recorded for ``abort``) on first use."""
        if self.handle is not None:
            return self.handle
        made: list[Any] = []
        try:
            with signals_held():
                if self.into:
                    try:
                        self.handle = open(self.path, "wb")  # noqa: SIM115 - commit closes it
                    except OSError as exc:
                        raise OutputError(f"cannot write {self.path}: "
                                          f"{exc.strerror or exc}") from exc
                else:
                    made = [*_temporary(self.path)]
                    self.temp, self.handle = made
        except BaseException:
            if made and self.handle is None:
                _discard(*made)
            raise
        if not self.workbook:
            self.text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.text, delimiter=self.delimiter)
            self.writer.writerow(self.header)
        return self.handle

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
            self._open()
            self.writer.writerow(values)

    def commit(self) -> None:
        """Put the file in place."""
        handle = self._open()
        try:
            if self.workbook:
                self.book.save(handle)
            else:
                self.text.flush()
                self.text.detach()
            handle.flush()
            if not self.into:
                os.fsync(handle.fileno())
            handle.close()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        if self.into:
            _record(self.path)
            return
        publish(self.temp, self.path)
        self.temp = ""  # in place: nothing for abort to remove

    def abort(self) -> None:
        """Remove what was written (what went into a device or FIFO is gone)."""
        if self.temp:
            _discard(self.temp, self.handle)
        elif self.into and self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
