"""The ledger: what was posted where, and what became of it, so that nothing goes to Omnitron
twice.

A JSON Lines file of events, appended and flushed to disk (``fsync``) before and after each
request: a crash or Ctrl-C at any moment leaves a true record. Each post is one *attempt* (an
id), and its events say what is known of it:

- ``posting``: the part is about to be sent (where to, which file, which items, the sha256 of
  the exact bytes). An attempt with nothing after it was cut off mid-request: its outcome is
  unknown.
- ``accepted``: Omnitron answered with a ``migration_id``.
- ``refused``: Omnitron answered 4xx: nothing was stored.
- ``unknown``: the request was sent but no answer came (a timeout, a lost connection, a 5xx).
- ``progress`` and ``finished``: the counts of Omnitron's progress endpoint.
- ``settled``: the user said what became of an unknown attempt (``--again``: resend it;
  ``--skip``: it went in).

The file is locked while a run uses it (``flock``), so two runs cannot post the same part.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import InputError, OutputError

LEDGER_NAME = Path(".oimtool") / "uploads.jsonl"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_path(first_input: Path | None) -> Path:
    """``.oimtool/uploads.jsonl`` beside the first input (in the current folder without one)."""
    folder = first_input.resolve().parent if first_input is not None else Path.cwd()
    return folder / LEDGER_NAME


@dataclass
class Attempt:
    """One post of one part, as the ledger tells it."""

    id: str
    url: str
    channel: str
    file: str
    file_sha256: str
    part: int
    parts: int
    first: int
    items: int
    sha256: str
    started: str
    state: str = "unknown"  # accepted, refused, unknown (until an answer), settled-sent, resend
    migration_id: str | None = None
    detail: str = ""
    finished: str | None = None
    total: int | None = None
    processed: int | None = None
    errors: int | None = None

    @property
    def last(self) -> int:
        return self.first + self.items - 1

    @property
    def went_in(self) -> bool:
        """Omnitron has (or may have) stored the part's lines."""
        return self.state in ("accepted", "unknown", "settled-sent")

    @property
    def done(self) -> bool:
        return self.finished is not None


class Ledger:
    """The ledger at ``path``, opened for a run: locked, read, appended to."""

    def __init__(self, path: Path, *, write: bool = True) -> None:
        """Open the ledger to append to it (created if need be, and locked), or only to read it
        (``write`` False: a missing ledger is an empty one)."""
        self.path = path
        self.attempts: dict[str, Attempt] = {}
        self._out: IO[bytes] | None = None
        if not write:
            try:
                with open(path, "rb") as text:
                    self._read(text)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise InputError(f"cannot read the upload ledger {path}: "
                                 f"{exc.strerror}") from exc
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._out = open(path, "ab+")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise OutputError(f"cannot open the upload ledger {path}: {exc.strerror}") from exc
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            pass
        else:
            try:
                fcntl.flock(self._out, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                self._out.close()
                raise OutputError(f"the upload ledger {path} is in use by another oimtool "
                                  "upload: wait for it to end") from exc
        self._out.seek(0)
        try:
            self._read(self._out)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._out is not None:
            self._out.close()  # the lock goes with it
            self._out = None

    def _read(self, text: IO[bytes]) -> None:
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                event = orjson.loads(line)
                self._apply(event)
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                if not line.endswith(b"\n"):  # a last line cut off by a crash: a post unknown
                    continue
                raise InputError(f"{self.path}:{number}: not a ledger record ({exc}); the "
                                 "ledger was edited by hand?") from exc

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "posting":
            self.attempts[event["id"]] = Attempt(
                id=event["id"], url=event["url"], channel=event["channel"], file=event["file"],
                file_sha256=event["file_sha256"], part=event["part"], parts=event["parts"],
                first=event["first"], items=event["items"], sha256=event["sha256"],
                started=event["at"], detail="no answer recorded: the run was cut off")
            return
        attempt = self.attempts[event["id"]]
        if kind == "accepted":
            attempt.state = "accepted"
            attempt.migration_id = event["migration_id"]
            attempt.detail = ""
        elif kind in ("refused", "unknown"):
            attempt.state = kind
            attempt.detail = event.get("detail", "")
        elif kind in ("progress", "finished"):
            attempt.total = event["total"]
            attempt.processed = event["processed"]
            attempt.errors = event["errors"]
            if kind == "finished":
                attempt.finished = event["at"]
        elif kind == "settled":
            attempt.state = "settled-sent" if event["as"] == "sent" else "resend"

    def record(self, event: dict[str, Any]) -> None:
        """Append an event, flushed to the disk before returning."""
        assert self._out is not None
        event.setdefault("at", now())
        line = orjson.dumps(event) + b"\n"
        try:
            self._out.write(line)
            self._out.flush()
            os.fsync(self._out.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write the upload ledger {self.path}: {exc.strerror}; "
                              "stopped before anything more was sent") from exc
        self._apply(event)

    def posting(self, **fields: Any) -> Attempt:
        attempt_id = uuid.uuid4().hex
        self.record({"event": "posting", "id": attempt_id, **fields})
        return self.attempts[attempt_id]

    def for_target(self, url: str, channel: str) -> Iterator[Attempt]:
        for attempt in self.attempts.values():
            if attempt.url == url and attempt.channel == channel:
                yield attempt

    def latest(self, attempts: Iterable[Attempt]) -> list[Attempt]:
        """The last attempt of each part (by file, part bytes): what a status shows."""
        last: dict[tuple[str, str, str, str], Attempt] = {}
        for attempt in attempts:
            last[attempt.url, attempt.channel, attempt.file, attempt.sha256] = attempt
        return list(last.values())


