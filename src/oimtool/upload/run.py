"""An upload run: the parts decided against the ledger, posted one after the other, followed to
the end; and ``status``, which follows again what the ledger lists as unfinished.

Nothing here checks the files: the caller (``api.run_upload``) checks them first, and cuts them
only when they passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

from ..errors import Interrupted
from ..tuning import DEFAULT, Tuning
from .ledger import Attempt, Ledger
from .omnitron import (
    AuthFailed,
    Counts,
    NotSent,
    Omnitron,
    OutcomeUnknown,
    Refused,
    UploadStop,
)
from .parts import Part

ALL = -1  # ``--again all``


class Credentials:
    """How to get a token: the token itself, or a user name and a way to ask the password
    (called only when a request must be made). Shown as ``Credentials(…)``: never printed."""

    def __init__(self, token: str | None = None, username: str | None = None,
                 password: Callable[[], str] | None = None) -> None:
        self.token = token
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return "Credentials(…)"

    @property
    def given(self) -> bool:
        return bool(self.token or self.username)

    def apply(self, omnitron: Omnitron) -> None:
        if self.token:
            omnitron.use_token(self.token)
        elif self.username:
            if self.password is None:
                raise AuthFailed(f"no password for {self.username!r}: set OIMTOOL_PASSWORD or "
                                 "run at a terminal to be asked")
            omnitron.login(self.username, self.password())
        else:
            raise AuthFailed("no token: set OIMTOOL_TOKEN, or give --token-file PATH or "
                             "--username NAME")


class Target(NamedTuple):
    """Where parts go: the Omnitron address (checked, ``omnitron.base_url``) and the channel."""

    url: str
    channel: str
    verify: bool | Path = True


class Events(Protocol):
    """What the command line shows while an upload runs."""

    def say(self, text: str) -> None: ...

    def progress(self, part: Part, counts: Counts, done: int, total: int) -> None:
        """``counts`` of ``part``; ``done`` of the ``total`` items this run sends processed."""


class Decision(NamedTuple):
    """What this run does with a part: ``send``; ``sent`` (the same bytes went in before:
    skipped); ``skip`` (``--skip``); ``stop`` (it cannot be sent without the user's word)."""

    part: Part
    action: str
    why: str = ""
    earlier: Attempt | None = None


class Result(NamedTuple):
    """A part at the end of the run: what was done, and the attempt that tells its state."""

    part: Part
    action: str
    attempt: Attempt | None
    note: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def decide(parts: Sequence[Part], ledger: Ledger, target: Target, *, again: frozenset[int],
           skip: frozenset[int], file_hashes: dict[Path, str]) -> list[Decision]:
    """Each part's fate, from what the ledger says went to the same Omnitron and channel."""
    attempts = list(ledger.for_target(target.url, target.channel))
    decisions = []
    first_of: dict[str, Part] = {}  # a part's bytes → the first part of this run with them
    for part in parts:
        number = part.number
        twin = first_of.setdefault(part.sha256, part)
        if twin is not part:
            decisions.append(Decision(part, "stop", (
                f"it holds exactly the items of part {twin.number} ({twin.shown()}): they would "
                "be stored twice; give each file once")))
            continue
        if number in skip:
            decisions.append(Decision(part, "skip", "--skip"))
            continue
        forced = ALL in again or number in again
        same = [a for a in attempts if a.sha256 == part.sha256]
        sent = [a for a in same if a.state in ("accepted", "settled-sent")]
        unknown = [a for a in same if a.state == "unknown"]
        source = str(part.source.resolve())
        overlapping = [a for a in attempts if a.file == source and a.went_in
                       and a.sha256 != part.sha256 and a.first <= part.last
                       and part.first <= a.last]
        if forced:
            earlier = (sent or unknown)[-1] if sent or unknown else None
            decisions.append(Decision(part, "send", "--again", earlier))
        elif sent:
            earlier = sent[-1]
            decisions.append(Decision(part, "sent", f"the same {part.items:,} items were sent "
                                      f"on {earlier.started}"
                                      + (f" (migration {earlier.migration_id})"
                                         if earlier.migration_id else ""), earlier))
        elif unknown:
            earlier = unknown[-1]
            decisions.append(Decision(part, "stop", _unknown(number, earlier), earlier))
        elif overlapping:
            earlier = overlapping[-1]
            changed = ("the file changed since" if file_hashes.get(part.source) !=
                       earlier.file_sha256 else "--part-size changed since")
            first = max(part.first, min(a.first for a in overlapping))
            last = min(part.last, max(a.last for a in overlapping))
            numbers = sorted({a.part for a in overlapping})
            decisions.append(Decision(part, "stop", (
                f"{items_shown(first, last - first + 1)} of this file went to Omnitron "
                f"earlier (part{'s' if len(numbers) > 1 else ''} "
                f"{', '.join(map(str, numbers))}, last on {earlier.started}), and {changed}: "
                f"sending part {number} would store those lines a second time. Send only the "
                f"lines that did not go in, or if you know they did not, use --again {number}"
            ), earlier))
        else:
            decisions.append(Decision(part, "send"))
    return decisions


def items_shown(first: int, count: int) -> str:
    """``items 4–6``, ``item 3`` (1-based, as a person counts)."""
    if count == 1:
        return f"item {first + 1:,}"
    return f"items {first + 1:,}–{first + count:,}"


def _unknown(number: int, earlier: Attempt) -> str:
    return (f"part {number} was posted on {earlier.started} and no clear answer came "
            f"({earlier.detail or 'cut off'}): Omnitron may have stored it. Look in Omnitron's "
            "migration panel (or ask your Akinon contact) whether a migration of "
            f"{earlier.items:,} items started then. If it did: --skip {number}; if not: "
            f"--again {number}")


def send(decisions: Sequence[Decision], ledger: Ledger, target: Target,
         credentials: Credentials, events: Events, *, wait: bool, keep_going: bool = False,
         file_hashes: dict[Path, str], tuning: Tuning = DEFAULT) -> list[Result]:
    """Post the parts decided ``send``, in order; with ``wait``, each followed to its end
    before the next. Raises UploadStop (after recording it) for what stops the run."""
    stops = [d for d in decisions if d.action == "stop"]
    if stops:
        raise UploadStop("nothing was sent:\n" + "\n".join(f"  part {d.part.number} "
                                                           f"({d.part.shown()}): {d.why}"
                                                           for d in stops))
    results: list[Result] = []
    todo = [d for d in decisions if d.action == "send"]
    for decision in decisions:
        if decision.action == "skip":  # the user's word: what went out unanswered went in
            _settle_unknown(ledger, target, decision.part, "sent")
    if not todo:
        for decision in decisions:
            events.say(f"part {decision.part.number} ({decision.part.shown()}): skipped: "
                       f"{decision.why}")
        return [Result(d.part, d.action, d.earlier, d.why) for d in decisions]
    sending = sum(d.part.items for d in todo)
    done = 0
    with Omnitron(target.url, target.channel, verify=target.verify, tuning=tuning) as omnitron:
        credentials.apply(omnitron)
        halted = ""
        for decision in decisions:
            part = decision.part
            if decision.action != "send":
                events.say(f"part {part.number} ({part.shown()}): skipped: {decision.why}")
                results.append(Result(part, decision.action, decision.earlier, decision.why))
                continue
            if halted:
                results.append(Result(part, "held", None, halted))
                continue
            if decision.why == "--again":
                _settle_unknown(ledger, target, part, "resend")
            attempt = _post(omnitron, ledger, target, part, len(decisions), file_hashes, events)
            if wait:
                try:
                    counts = follow(omnitron, ledger, attempt, part, events, tuning,
                                    (done, sending))
                    done += part.items
                except Interrupted as exc:
                    exc.note = (f"part {part.number} went in (migration "
                                f"{attempt.migration_id}) and the ledger says so; the parts "
                                "after it were not sent. Follow it with `oimtool upload "
                                "--status`; the same command sends the rest")
                    raise
                if counts.errors and not keep_going:
                    halted = (f"not sent: part {part.number} finished with {counts.errors:,} "
                              "errors (--keep-going sends the rest anyway)")
            results.append(Result(part, "posted", attempt))
    return results


def _settle_unknown(ledger: Ledger, target: Target, part: Part, how: str) -> None:
    for attempt in list(ledger.for_target(target.url, target.channel)):
        if attempt.sha256 == part.sha256 and attempt.state == "unknown":
            ledger.record({"event": "settled", "id": attempt.id, "as": how})


def _post(omnitron: Omnitron, ledger: Ledger, target: Target, part: Part, parts: int,
          file_hashes: dict[Path, str], events: Events) -> Attempt:
    attempt = ledger.posting(
        url=target.url, channel=target.channel, file=str(part.source.resolve()),
        file_sha256=file_hashes[part.source], part=part.number, parts=parts, first=part.first,
        items=part.items, sha256=part.sha256, bytes=part.size)
    events.say(f"part {part.number} of {parts} ({part.shown()}): posting {part.size:,} bytes")
    if part.split_order is not None:
        events.say(f"part {part.number}: order {part.split_order!r} has more lines than "
                   "--part-size: they go on in the next part")
    name = f"{part.source.stem}.part{part.number:03d}.json"
    try:
        migration = omnitron.start(part.path, name)
    except (Refused, NotSent, AuthFailed) as exc:
        ledger.record({"event": "refused", "id": attempt.id, "detail": str(exc)})
        raise UploadStop(f"part {part.number} ({part.shown()}): {exc}") from None
    except OutcomeUnknown as exc:
        ledger.record({"event": "unknown", "id": attempt.id, "detail": str(exc)})
        raise UploadStop(f"part {part.number} ({part.shown()}): {exc}.\n"
                         + _unknown(part.number, ledger.attempts[attempt.id])) from None
    except Interrupted as exc:
        ledger.record({"event": "unknown", "id": attempt.id,
                       "detail": "interrupted while posting"})
        exc.note = (f"part {part.number} was being posted: whether Omnitron stored it is "
                    f"unknown, and the ledger says so. The next run stops on it: --skip "
                    f"{part.number} if it went in, --again {part.number} if not")
        raise
    ledger.record({"event": "accepted", "id": attempt.id, "migration_id": migration})
    events.say(f"part {part.number}: accepted, migration {migration}")
    return attempt


def follow(omnitron: Omnitron, ledger: Ledger, attempt: Attempt, part: Part, events: Events,
           tuning: Tuning = DEFAULT, overall: tuple[int, int] | None = None) -> Counts:
    """Read a migration's progress until it is done, waiting longer each time (from
    ``tuning.poll_first``, doubling up to ``tuning.poll_max``: 1, 2, 4 … 30 s); each change
    recorded in the ledger."""
    assert attempt.migration_id is not None
    pause = tuning.poll_first
    last: Counts | None = None
    while True:
        omnitron.sleep(pause)
        counts = omnitron.progress(attempt.migration_id)
        before, total = overall or (0, part.items)
        events.progress(part, counts, before + min(counts.processed, part.items), total)
        if counts.finished:
            ledger.record({"event": "finished", "id": attempt.id, **counts._asdict()})
            if counts.total != part.items:
                events.say(f"part {part.number}: Omnitron counted {counts.total:,} lines; "
                           f"{part.items:,} were sent")
            return counts
        if counts != last:
            ledger.record({"event": "progress", "id": attempt.id, **counts._asdict()})
            last = counts
        pause = min(tuning.poll_max, pause * 2)


def status(ledger: Ledger, credentials: Credentials, events: Events, *, wait: bool,
           verify: bool | Path = True, tuning: Tuning = DEFAULT) -> tuple[list[Attempt], str]:
    """Read again the progress of every accepted, unfinished migration in the ledger (to the
    end with ``wait``); every part's last attempt, and a note when progress could not be read."""
    latest = ledger.latest(ledger.attempts.values())
    open_ = [a for a in latest if a.state == "accepted" and not a.done and a.migration_id]
    note = ""
    if open_ and not credentials.given:
        note = (f"{len(open_)} migrations are not finished in the ledger: set OIMTOOL_TOKEN (or "
                "give --token-file or --username) to read their progress")
        return latest, note
    targets = sorted({(a.url, a.channel) for a in open_})
    for url, channel in targets:
        with Omnitron(url, channel, verify=verify, tuning=tuning) as omnitron:
            credentials.apply(omnitron)
            for attempt in open_:
                if (attempt.url, attempt.channel) != (url, channel):
                    continue
                part = _as_part(attempt)
                if wait:
                    follow(omnitron, ledger, attempt, part, events, tuning)
                    continue
                assert attempt.migration_id is not None
                counts = omnitron.progress(attempt.migration_id)
                kind = "finished" if counts.finished else "progress"
                ledger.record({"event": kind, "id": attempt.id, **counts._asdict()})
    return latest, note


def _as_part(attempt: Attempt) -> Part:
    source = Path(attempt.file)
    return Part(attempt.part, source, attempt.first, attempt.items, source, attempt.sha256, 0)

