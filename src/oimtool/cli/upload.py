"""``oimtool upload``: the checked files to Omnitron, each part once; ``--status`` follows them."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TextIO

import typer

from ..format import shown_here
from .app import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, app
from .options import (
    TEXT,
    FormatOption,
    JobsOption,
    OrdersOption,
    StrictOption,
    reporter,
    tuning,
)
from .progress import Progress, bar

if TYPE_CHECKING:
    from ..upload import Attempt, Counts, Credentials, Decision, Part, Result

_OMNITRON = "Omnitron"


@app.command()
def upload(
    ctx: typer.Context,
    files: Annotated[Optional[list[Path]], typer.Argument(  # noqa: UP045 - typer needs Optional
        exists=True, dir_okay=False, readable=True, show_default=False, metavar="ITEMS...",
        help="Order-item files to upload (checked first; a file with errors is never sent).",
    )] = None,
    url: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--url", envvar="OIMTOOL_URL", rich_help_panel=_OMNITRON, metavar="URL",
        help="Omnitron's address, e.g. https://omnitron.example.com.",
    )] = None,
    channel: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--channel", envvar="OIMTOOL_CHANNEL", rich_help_panel=_OMNITRON, metavar="ID",
        help="The sales channel's id in Omnitron.",
    )] = None,
    orders: OrdersOption = None,
    part_size: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--part-size", metavar="N", show_default=False,
        help="Post the items in parts of at most N items (default: each file as one part). "
        "An order's lines stay in one part when they are together in the file.",
    )] = None,
    wait: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--wait/--no-wait", show_default=False,
        help="Follow each part's progress to its end before the next (default at a terminal); "
        "--no-wait posts them all and leaves the following to --status.",
    )] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check and cut into parts, show what would be posted; send nothing.",
    )] = False,
    ledger: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--ledger", dir_okay=False, metavar="PATH", show_default=False,
        help="The record of what was sent (default: .oimtool/uploads.jsonl beside the first "
        "file, or in the current folder for --status).",
    )] = None,
    show_status: Annotated[bool, typer.Option(
        "--status", help="Read again the progress of the unfinished parts in the ledger and "
        "show every part; with --wait, until they end.",
    )] = False,
    again: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--again", metavar="PART", show_default=False,
        help="Send part PART (a number, or 'all') even though the ledger says it went, or may "
        "have gone, in. Repeat for more parts.",
    )] = None,
    skip: Annotated[Optional[list[int]], typer.Option(  # noqa: UP045
        "--skip", metavar="PART", show_default=False,
        help="Do not send part PART; a part whose earlier post got no answer is then recorded "
        "as sent. Repeat for more parts.",
    )] = None,
    keep_going: Annotated[bool, typer.Option(
        "--keep-going", help="Send the next parts even after a part finished with errors.",
    )] = False,
    strict: StrictOption = False,
    token_file: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--token-file", dir_okay=False, metavar="PATH", rich_help_panel=_OMNITRON,
        show_default=False, help="Read the API token from PATH (else OIMTOOL_TOKEN).",
    )] = None,
    username: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--username", metavar="NAME", rich_help_panel=_OMNITRON, show_default=False,
        help="Log in as NAME for a token; the password from OIMTOOL_PASSWORD, or asked.",
    )] = None,
    ca_bundle: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--ca-bundle", dir_okay=False, metavar="PATH", rich_help_panel=_OMNITRON,
        show_default=False, help="Trust these certificates (PEM) instead of the system's.",
    )] = None,
    allow_http: Annotated[bool, typer.Option(
        "--allow-http", rich_help_panel=_OMNITRON,
        help="Allow a plain http:// address that is not this machine (unencrypted).",
    )] = False,
    fmt: FormatOption = TEXT,
    jobs: JobsOption = 0,
) -> None:
    """Upload order-item files to Omnitron: checked first, in parts, each part once.

    Every file is checked as `oimtool check` does (with --orders when given); a file with errors
    is never sent. The parts are posted to Omnitron's old order item migration one after the
    other and followed on its progress endpoint. The ledger records each post before and after
    it is made: a part that went in is never sent again (--again to insist), and a post that got
    no answer stops the next run until you say what became of it (--again or --skip).

    Exit codes: 0 every part went in without errors; 1 the files have errors (nothing sent) or
    Omnitron counted errors; 2 the upload could not run or was stopped (login, network, a refused
    or unanswered post).

    Examples (the token in OIMTOOL_TOKEN, or --token-file, or --username):

    \b
        oimtool upload items.json --orders orders.json --url https://o.example.com --channel 3
        oimtool upload items.json --url ... --channel 3 --part-size 50000 --dry-run
        oimtool upload --status
    """
    from ..upload import ALL

    credentials = _credentials(token_file, username)
    follow = sys.stderr.isatty() if wait is None else wait
    events = Events()
    if show_status:
        if files:
            raise typer.BadParameter("--status reads the ledger: give no files",
                                     param_hint="--status")
        _status(ledger, credentials, events, wait=bool(wait), ca_bundle=ca_bundle, ctx=ctx)
        return
    if not files:
        raise typer.BadParameter("give the order-item files to upload", param_hint="ITEMS")
    for name, value in (("--url", url), ("--channel", channel)):
        if not value:
            raise typer.BadParameter(f"give {name} (or set OIMTOOL_{name[2:].upper()})",
                                     param_hint=name)
    numbers: set[int] = set()
    for value in again or ():
        if value.strip().lower() == "all":
            numbers.add(ALL)
        elif value.strip().isdigit():
            numbers.add(int(value))
        else:
            raise typer.BadParameter(f"{value!r}: give a part number or 'all'",
                                     param_hint="--again")
    if not dry_run and credentials.username and credentials.password is None:
        raise typer.BadParameter(f"no password for {credentials.username!r}: set "
                                 "OIMTOOL_PASSWORD, or run at a terminal to be asked",
                                 param_hint="--username")
    if not dry_run and not credentials.given:
        raise typer.BadParameter("no token: set OIMTOOL_TOKEN, or give --token-file PATH or "
                                 "--username NAME", param_hint="--token-file")
    from ..api import UploadOptions, run_upload
    from ..upload import UploadStop

    assert url is not None and channel is not None
    options = UploadOptions(
        files, url, channel, orders or (), part_size, follow, dry_run, strict,
        frozenset(numbers), frozenset(skip or ()), keep_going, ledger, ca_bundle, allow_http,
        jobs, tuning(ctx))
    out = sys.stdout.buffer
    try:
        outcome = run_upload(options, reporter(fmt, out, None, "check"), credentials, events)
    except UploadStop as exc:
        events.clear()
        print(f"oimtool: upload stopped: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        events.clear()
        out.flush()
    if not outcome.decisions:
        print("oimtool: nothing was sent: the files have problems that block the upload "
              f"({_blocking(outcome.checked, strict)}); repair them, e.g. with `oimtool fix`",
              file=sys.stderr)
        raise typer.Exit(EXIT_PROBLEMS)
    if dry_run:
        _plan(outcome.decisions)
        raise typer.Exit(EXIT_OK)
    _results(outcome.results, outcome.ledger)
    if outcome.errors:
        print(f"oimtool: Omnitron counted {outcome.errors:,} lines with errors. It says nothing "
              "about which lines failed; the parts with errors are in the ledger "
              f"({outcome.ledger}). Look at them in Omnitron's migration panel.", file=sys.stderr)
        raise typer.Exit(EXIT_PROBLEMS)
    if not follow and any(r.action == "posted" for r in outcome.results):
        print("oimtool: posted; follow the parts with `oimtool upload --status"
              + (f" --ledger {outcome.ledger}" if ledger else "") + "`", file=sys.stderr)
    raise typer.Exit(EXIT_OK)


def _credentials(token_file: Path | None, username: str | None) -> Credentials:
    from ..upload import Credentials

    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {token_file}: {exc}",
                                     param_hint="--token-file") from None
        return Credentials(token=token)
    if username:
        password = os.environ.get("OIMTOOL_PASSWORD")
        if password is not None:
            return Credentials(username=username, password=lambda: password)
        if sys.stdin.isatty():
            import getpass

            return Credentials(username=username,
                               password=lambda: getpass.getpass(f"password for {username}: "))
        return Credentials(username=username)
    token = os.environ.get("OIMTOOL_TOKEN", "").strip()
    return Credentials(token=token or None)


def _blocking(summary: object, strict: bool) -> str:
    errors = getattr(summary, "errors", 0)
    warnings = getattr(summary, "warnings", 0)
    if errors:
        return f"{errors:,} error{'s' if errors != 1 else ''}"
    return f"{warnings:,} warning{'s' if warnings != 1 else ''}, and --strict makes warnings block"


class Events:
    """Lines on standard error; the progress bar there when it is a terminal (the bar of
    ``progress.Progress``: not in CI, not with NO_PROGRESS)."""

    def __init__(self, out: TextIO | None = None, *, bar: bool | None = None) -> None:
        self.out = out or sys.stderr
        self.bar = Progress.start("upload", "uploading", "items")
        self.bar.out = self.out
        self.bar.delay = 0.0
        if bar is not None:
            self.bar.enabled = bar

    def say(self, text: str) -> None:
        self.clear()
        self.out.write(f"oimtool: {text}\n")  # one write: a stop cannot split the line
        self.out.flush()

    def progress(self, part: Part, counts: Counts, done: int, total: int) -> None:
        self.bar.show(bar_line(part, counts, done, total))

    def clear(self) -> None:
        self.bar.clear()


def bar_line(part: Part, counts: Counts, done: int, total: int) -> str:
    """``part 2 [#####     ]  45% 450 of 1,000 items, 0 errors; all parts 1,450 of 5,000``"""
    fraction = counts.processed / counts.total if counts.total else 0.0
    line = (f"part {part.number} {bar(fraction)} {counts.processed:,} of {counts.total:,} "
            f"items, {counts.errors:,} errors")
    if total > part.items:
        line += f"; all parts {done:,} of {total:,}"
    return line


def _plan(decisions: list[Decision]) -> None:
    rows = [("part", "file", "items", "bytes", "sha256", "to do")]
    for decision in decisions:
        part = decision.part
        action = {"send": "send", "sent": "skip: sent before", "skip": "skip (--skip)",
                  "stop": "STOP"}[decision.action]
        if decision.why and decision.action == "send":
            action += f" ({decision.why})"
        rows.append((str(part.number), shown_here(part.source), _range(part.first, part.items),
                     f"{part.size:,}", part.sha256[:12], action))
    _table(rows)
    for decision in decisions:
        if decision.action in ("stop", "sent"):
            print(f"part {decision.part.number}: {decision.why}")
        if decision.part.split_order is not None:
            print(f"part {decision.part.number}: order {decision.part.split_order!r} has more "
                  "lines than --part-size: they go on in the next part")
    print("dry run: nothing was sent")


def _results(results: list[Result], ledger: Path) -> None:
    rows = [("part", "file", "items", "sha256", "migration", "state", "processed", "errors")]
    for result in results:
        part = result.part
        attempt = result.attempt
        action = result.action
        state = {"posted": _state(attempt), "sent": "sent before", "skip": "skipped",
                 "held": "not sent"}.get(action, action)
        rows.append((str(part.number), shown_here(part.source), _range(part.first, part.items),
                     part.sha256[:12], (attempt.migration_id or "-") if attempt else "-",
                     state, _count(attempt, "processed"), _count(attempt, "errors")))
    _table(rows)
    for result in results:
        if result.action == "held":
            print(f"part {result.part.number}: {result.note}")


def _status(ledger: Path | None, credentials: Credentials, events: Events, *, wait: bool,
            ca_bundle: Path | None, ctx: typer.Context) -> None:
    from ..upload import Ledger, UploadStop, status
    from ..upload.ledger import default_path

    path = ledger or default_path(None)
    if not path.exists():
        print(f"oimtool: no upload ledger at {path}: nothing was uploaded from here (give "
              "--ledger PATH if it is elsewhere)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    try:
        with Ledger(path) as book:
            attempts, note = status(book, credentials, events, wait=wait,
                                    verify=ca_bundle or True, tuning=tuning(ctx))
    except UploadStop as exc:
        events.clear()
        print(f"oimtool: cannot read the progress: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    events.clear()
    rows = [("part", "file", "items", "sha256", "migration", "started", "finished", "state",
             "total", "processed", "errors")]
    for a in attempts:
        rows.append((f"{a.part}/{a.parts}", shown_here(Path(a.file)), _range(a.first, a.items),
                     a.sha256[:12], a.migration_id or "-", a.started, a.finished or "-",
                     _state(a), _count(a, "total"), _count(a, "processed"),
                     _count(a, "errors")))
    _table(rows)
    if note:
        print(f"oimtool: {note}", file=sys.stderr)
    unknown = [a for a in attempts if a.state == "unknown"]
    for a in unknown:
        print(f"part {a.part} of {shown_here(Path(a.file))}: posted on {a.started}, no answer: "
              f"{a.detail}")
    if any(a.errors for a in attempts):
        raise typer.Exit(EXIT_PROBLEMS)


def _state(attempt: Attempt | None) -> str:
    if attempt is None:
        return "-"
    if attempt.state == "accepted":
        if attempt.done:
            return "finished" if not attempt.errors else "finished with errors"
        return "processing"
    return {"unknown": "no answer", "refused": "refused", "settled-sent": "taken as sent",
            "resend": "sent again later"}.get(attempt.state, attempt.state)


def _count(attempt: Attempt | None, name: str) -> str:
    value = getattr(attempt, name, None) if attempt is not None else None
    return "-" if value is None else f"{value:,}"


def _range(first: int, items: int) -> str:
    return f"{first + 1:,}–{first + items:,}"


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
