"""``upload``: the checked files to Omnitron, in parts, each once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import InputError, OptionError
from ..format import shown_path
from ..problems import Sink, Summary
from ..tuning import DEFAULT, Tuning
from .checking import CheckOptions, run_check

if TYPE_CHECKING:  # the commands are imported by the runs that need them: a check is quick
    from ..upload import Credentials, Decision, Events, Part, Result


class UploadOptions(NamedTuple):
    """What ``upload`` sends, and where. ``part_size`` None: each file as one part. ``again``:
    the part numbers to send even though the ledger says they went (or may have gone) in
    (``upload.ALL``: every one); ``skip``: parts not to send (a part whose earlier post got no
    answer is then taken as sent). ``ledger`` None: ``.oimtool/uploads.jsonl`` beside the first
    file. ``ca_bundle``: the certificates to trust instead of the system's."""

    files: Sequence[Path]
    url: str
    channel: str
    orders: Sequence[Path] = ()
    part_size: int | None = None
    wait: bool = True
    dry_run: bool = False
    strict: bool = False
    again: frozenset[int] = frozenset()
    skip: frozenset[int] = frozenset()
    keep_going: bool = False
    ledger: Path | None = None
    ca_bundle: Path | None = None
    allow_http: bool = False
    jobs: int = 0
    tuning: Tuning = DEFAULT


class UploadOutcome(NamedTuple):
    """How an upload ended: the check's summary; what was decided for each part (empty when the
    check failed); what became of each (empty for a dry run); the ledger used."""

    checked: Summary
    decisions: list[Decision]
    results: list[Result]
    ledger: Path

    @property
    def errors(self) -> int:
        """Lines Omnitron counted as errors, over the parts followed to their end."""
        return sum(r.attempt.errors or 0 for r in self.results if r.attempt is not None
                   and r.action == "posted")


def run_upload(options: UploadOptions, sink: Sink, credentials: Credentials,
               events: Events) -> UploadOutcome:
    """Check the files (problems to ``sink``), and when they pass, cut them into parts and post
    the parts to Omnitron that the ledger does not list as sent; ``credentials``
    (``upload.Credentials``) give the token, ``events`` (``upload.Events``) hear how it goes.
    Raises UploadStop for what stops the upload (recorded in the ledger first)."""
    import tempfile

    from ..upload import Target, base_url, cut, decide, file_sha256, remove, send
    from ..upload.ledger import Ledger, default_path

    target = Target(base_url(options.url, allow_http=options.allow_http),
                    _channel(options.channel), options.ca_bundle or True)
    if options.part_size is not None and options.part_size < 1:
        raise OptionError("--part-size", "give a number of items of at least 1")
    if options.ca_bundle is not None and not options.ca_bundle.is_file():
        raise OptionError("--ca-bundle", f"{options.ca_bundle} is not a file of certificates")
    seen: dict[Path, Path] = {}
    for path in options.files:
        earlier = seen.setdefault(path.resolve(), path)
        if earlier is not path:
            raise OptionError("ITEMS", f"{shown_path(path)} is given twice: its items would be "
                              "sent twice")
    ledger_path = options.ledger or default_path(options.files[0] if options.files else None)
    before = {path: _stamp(path) for path in options.files}
    checked = run_check(CheckOptions(options.files, options.orders, jobs=options.jobs,
                                     tuning=options.tuning), sink)
    if checked.failed(strict=options.strict):
        return UploadOutcome(checked, [], [], ledger_path)
    folder = Path(tempfile.mkdtemp(prefix="oimtool-upload-"))
    try:
        parts: list[Part] = []
        for path in options.files:
            parts.extend(cut(path, options.part_size, folder, number=len(parts) + 1,
                             tuning=options.tuning))
        hashes = {}
        for path in options.files:
            if _stamp(path) != before[path]:
                raise InputError(f"{shown_path(path)} changed while it was checked: run the "
                                 "upload again")
            hashes[path] = file_sha256(path)
        with Ledger(ledger_path, write=not options.dry_run) as ledger:
            decisions = decide(parts, ledger, target, again=options.again, skip=options.skip,
                               file_hashes=hashes)
            if options.dry_run:
                return UploadOutcome(checked, decisions, [], ledger_path)
            results = send(decisions, ledger, target, credentials, events, wait=options.wait,
                           keep_going=options.keep_going, file_hashes=hashes,
                           tuning=options.tuning)
        return UploadOutcome(checked, decisions, results, ledger_path)
    finally:
        remove(folder)


def _stamp(path: Path) -> tuple[int, int, int]:
    import os

    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino


def _channel(channel: str) -> str:
    channel = str(channel).strip()
    if not channel or not all(c.isalnum() or c in "-_" for c in channel):
        raise OptionError("--channel", f"{channel!r}: give the sales channel's id in Omnitron "
                          "(a number such as 3)")
    return channel
