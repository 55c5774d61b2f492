"""``oimtool upload`` against a real HTTP server (tests/fakeomnitron.py): checked first, cut into
parts, each part once (the ledger), followed to its end; every way a post or a read can fail."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oimtool.tuning import Tuning

from conftest import item, write_json
from fakeomnitron import FakeOmnitron, State

TOKEN = State().token
QUICK = Tuning(poll_first=0.01, poll_max=0.02, http_timeout=1.0, http_retries=3,
               retry_after_max=0.05)

ORDERS = ["A1", "A1", "B2", "C3", "C3"]


@pytest.fixture
def omnitron() -> Iterator[FakeOmnitron]:
    with FakeOmnitron() as server:
        yield server


@pytest.fixture
def items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OIMTOOL_TOKEN", TOKEN)
    monkeypatch.delenv("OIMTOOL_URL", raising=False)
    monkeypatch.delenv("OIMTOOL_CHANNEL", raising=False)
    write_json(tmp_path / "items.json",
               [item(order_number=o, sku=f"S{i}") for i, o in enumerate(ORDERS)])
    return Path("items.json")  # as a user in the folder names it


@pytest.fixture
def up(cli: Any, omnitron: FakeOmnitron) -> Any:
    def run(*args: str | Path, tuning: Tuning = QUICK) -> Any:
        return cli("upload", *args, "--url", omnitron.url, "--channel", "3", tuning=tuning)
    return run


def ledger(folder: Path) -> list[dict[str, Any]]:
    path = folder / ".oimtool" / "uploads.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def skus(received: Any) -> list[str]:
    return [line["sku"] for line in received.items]


def test_parts_are_posted_in_order_with_each_order_in_one_part(up: Any, items: Path,
                                                               omnitron: FakeOmnitron) -> None:
    result = up(items, "--part-size", "2", "--wait")
    assert result.code == 0, result.err
    got = omnitron.state.received
    # A1 A1 | B2 | C3 C3: B2 and the first C3 would fit two to a part, but C3's lines stay together
    assert [skus(r) for r in got] == [["S0", "S1"], ["S2"], ["S3", "S4"]]
    assert {r.channel for r in got} == {"3"}
    assert [r.filename for r in got] == ["items.part001.json", "items.part002.json",
                                         "items.part003.json"]
    # the exact text of the checked file, one item a line, in a JSON array
    original = items.read_text()
    assert json.loads(original)[:2] == got[0].items
    starts = [method for method, path, auth in omnitron.state.log]
    assert starts == ["POST", "GET", "POST", "GET", "POST", "GET"]  # each followed to its end
    assert {auth for _, _, auth in omnitron.state.log} == {f"Token {TOKEN}"}
    lines = result.out.splitlines()
    assert lines[0] == "OK: 5 items in 1 file, no problems."
    assert lines[1].split() == ["part", "file", "items", "sha256", "migration", "state",
                                "processed", "errors"]
    assert [line.split()[5] for line in lines[2:]] == ["finished"] * 3
    assert [line.split()[4] for line in lines[2:]] == [r.migration_id for r in got]
    events = [(e["event"], e.get("part")) for e in ledger(items.parent)]
    assert events == [("posting", 1), ("accepted", None), ("finished", None),
                      ("posting", 2), ("accepted", None), ("finished", None),
                      ("posting", 3), ("accepted", None), ("finished", None)]
    first = ledger(items.parent)[0]
    assert first["sha256"] == got[0].sha256  # the hash of the exact bytes posted
    assert first["file_sha256"] == hashlib.sha256(items.read_bytes()).hexdigest()
    assert (first["first"], first["items"], first["file"]) == (0, 2, str(items.resolve()))
    assert TOKEN not in (items.parent / ".oimtool" / "uploads.jsonl").read_text()
    assert TOKEN not in result.out + result.err


def test_a_second_run_sends_nothing_again(up: Any, items: Path, omnitron: FakeOmnitron) -> None:
    assert up(items, "--part-size", "2", "--wait").code == 0
    again = up(items, "--part-size", "2", "--wait")
    assert again.code == 0, again.err
    assert omnitron.posts == 3
    assert [line.split()[5:7] for line in again.out.splitlines()[2:]] == [["sent", "before"]] * 3
    assert "part 1 (items.json, items 1–2): skipped: the same 2 items were sent on" in again.err


def test_another_part_size_over_sent_items_stops_before_sending(up: Any, items: Path,
                                                                 omnitron: FakeOmnitron) -> None:
    assert up(items, "--part-size", "2", "--wait").code == 0
    result = up(items, "--part-size", "3", "--wait")
    assert result.code == 2
    assert omnitron.posts == 3
    assert "upload stopped: nothing was sent:" in result.err
    assert ("part 1 (items.json, items 1–3): items 1–3 of this file went to Omnitron earlier "
            "(parts 1, 2, last on ") in result.err
    assert "--part-size changed since" in result.err
    assert "use --again 1" in result.err
    # part 2 of the new cut (C3 C3) is byte for byte the old part 3: not a stop
    assert "part 2 (" not in result.err
    forced = up(items, "--part-size", "3", "--wait", "--again", "1")
    assert forced.code == 0, forced.err
    assert omnitron.posts == 4
    assert skus(omnitron.state.received[-1]) == ["S0", "S1", "S2"]


def test_a_changed_file_over_sent_items_stops(up: Any, items: Path,
                                              omnitron: FakeOmnitron) -> None:
    assert up(items, "--wait").code == 0
    data = json.loads(items.read_text())
    data[0]["product"] = "corrected"
    write_json(items, data)
    result = up(items, "--wait")
    assert result.code == 2
    assert "items 1–5 of this file went to Omnitron earlier (part 1, last on" in result.err
    assert "the file changed since" in result.err
    assert omnitron.posts == 1


def test_a_file_with_errors_is_never_sent(up: Any, items: Path, omnitron: FakeOmnitron,
                                          tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", [item(price="12,50")])
    result = up(items, bad, "--wait")
    assert result.code == 1
    assert "bad.json:" in result.out and "OIM" in result.out
    assert ("nothing was sent: the files have problems that block the upload (1 error); "
            "repair them, e.g. with `oimtool fix`") in result.err
    assert omnitron.state.log == []
    assert not (tmp_path / ".oimtool").exists()


def test_warnings_block_only_with_strict(up: Any, tmp_path: Path, items: Path,
                                         omnitron: FakeOmnitron) -> None:
    twice = write_json(tmp_path / "twice.json", [item(), item()])  # identical items: a warning
    result = up(twice, "--strict")
    assert result.code == 1
    assert "(1 warning, and --strict makes warnings block)" in result.err
    assert omnitron.posts == 0
    assert up(twice, "--wait").code == 0
    assert omnitron.posts == 1


def test_orders_are_cross_checked_before_anything_is_sent(up: Any, items: Path, tmp_path: Path,
                                                          omnitron: FakeOmnitron) -> None:
    orders = write_json(tmp_path / "orders.json", [{"number": "A1"}, {"number": "B2"}])
    result = up(items, "--orders", orders)
    assert result.code == 1
    assert "C3" in result.out
    assert omnitron.posts == 0


def test_dry_run_shows_the_parts_and_sends_nothing(up: Any, items: Path,
                                                   omnitron: FakeOmnitron) -> None:
    result = up(items, "--part-size", "2", "--dry-run")
    assert result.code == 0, result.err
    assert omnitron.state.log == []
    assert not (items.parent / ".oimtool").exists()
    rows = [line.split() for line in result.out.splitlines()[1:]]
    assert rows[0] == ["part", "file", "items", "bytes", "sha256", "to", "do"]
    assert [row[:3] + row[5:] for row in rows[1:4]] == [
        ["1", "items.json", "1–2", "send"], ["2", "items.json", "3–3", "send"],
        ["3", "items.json", "4–5", "send"]]
    assert result.out.splitlines()[-1] == "dry run: nothing was sent"
    assert up(items, "--part-size", "2", "--wait").code == 0
    assert [r.sha256[:12] for r in omnitron.state.received] == [row[4] for row in rows[1:4]]
    after = up(items, "--part-size", "2", "--dry-run")
    assert [line.split()[5:] for line in after.out.splitlines()[2:5]] == [
        ["skip:", "sent", "before"]] * 3


def test_an_order_larger_than_a_part_goes_on_in_the_next(up: Any, tmp_path: Path, items: Path,
                                                        omnitron: FakeOmnitron) -> None:
    big = write_json(tmp_path / "big.json",
                     [item(order_number="BIG", sku=f"B{i}") for i in range(5)]
                     + [item(order_number="Z9", sku="Z")])
    result = up(big, "--part-size", "2", "--wait")
    assert result.code == 0, result.err
    assert [skus(r) for r in omnitron.state.received] == [["B0", "B1"], ["B2", "B3"], ["B4", "Z"]]
    assert result.err.count("order 'BIG' has more lines than --part-size") == 2


def test_errors_counted_by_omnitron_stop_the_next_parts(up: Any, items: Path,
                                                        omnitron: FakeOmnitron) -> None:
    omnitron.state.error_orders = {"A1"}
    omnitron.state.reads_to_finish = 3
    result = up(items, "--part-size", "2", "--wait")
    assert result.code == 1
    assert omnitron.posts == 1
    rows = [line.split() for line in result.out.splitlines()[2:]]
    assert rows[0][5:] == ["finished", "with", "errors", "2", "2"]
    assert rows[1][5:] == ["not", "sent", "-", "-"]
    assert ("part 2: not sent: part 1 finished with 2 errors (--keep-going sends the rest "
            "anyway)") in result.out
    assert "Omnitron counted 2 lines with errors. It says nothing about which lines failed" in (
        result.err)
    progress = [e for e in ledger(items.parent) if e["event"] in ("progress", "finished")]
    assert [(e["event"], e["processed"]) for e in progress] == [("progress", 0), ("progress", 1),
                                                                ("finished", 2)]
    rest = up(items, "--part-size", "2", "--wait", "--keep-going")
    assert rest.code == 0, rest.err  # part 1 is not sent again; 2 and 3 have no errors
    assert omnitron.posts == 3
    status = _ran(up_status(items))
    assert status.code == 1
    assert "finished with errors" in status.out


def up_status(items: Path, *args: str) -> Any:
    return subprocess.run([sys.executable, "-m", "oimtool", "upload", "--status", *args],
                          cwd=items.resolve().parent, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OIMTOOL_TOKEN": TOKEN})


def _ran(process: subprocess.CompletedProcess[str]) -> Any:
    class Out:
        code = process.returncode
        out = process.stdout
        err = process.stderr
    return Out


def test_no_wait_posts_everything_and_status_follows(up: Any, items: Path,
                                                     omnitron: FakeOmnitron) -> None:
    result = up(items, "--part-size", "2", "--no-wait")
    assert result.code == 0, result.err
    assert [m for m, _, _ in omnitron.state.log] == ["POST"] * 3
    assert "follow the parts with `oimtool upload --status`" in result.err
    assert [line.split()[5] for line in result.out.splitlines()[2:]] == ["processing"] * 3
    status = _ran(up_status(items))
    assert status.code == 0, status.err
    rows = [line.split() for line in status.out.splitlines()]
    assert rows[0] == ["part", "file", "items", "sha256", "migration", "started", "finished",
                       "state", "total", "processed", "errors"]
    assert [(row[0], row[7], row[8:]) for row in rows[1:]] == [
        ("1/3", "finished", ["2", "2", "0"]), ("2/3", "finished", ["1", "1", "0"]),
        ("3/3", "finished", ["2", "2", "0"])]
    assert [m for m, _, _ in omnitron.state.log].count("GET") == 3


def test_status_without_a_token_shows_the_ledger(up: Any, items: Path,
                                                 omnitron: FakeOmnitron) -> None:
    assert up(items, "--no-wait").code == 0
    env = {k: v for k, v in os.environ.items() if k != "OIMTOOL_TOKEN"}
    process = subprocess.run([sys.executable, "-m", "oimtool", "upload", "--status"],
                             cwd=items.resolve().parent, capture_output=True, text=True,
                             timeout=120, env=env)
    assert process.returncode == 0
    assert "processing" in process.stdout
    assert "1 migrations are not finished in the ledger: set OIMTOOL_TOKEN" in process.stderr


def test_status_without_a_ledger(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                 ) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("upload", "--status")
    assert result.code == 2
    assert f"no upload ledger at {tmp_path}/.oimtool/uploads.jsonl" in result.err


def test_a_post_without_answer_is_never_repeated_on_its_own(up: Any, items: Path,
                                                            omnitron: FakeOmnitron) -> None:
    omnitron.state.posts = [("late", 3.0)]  # stored, answered after the client's 1 s timeout
    result = up(items, "--wait")
    assert result.code == 2
    assert "upload stopped: part 1 (items.json, items 1–5): the post was sent, but no answer " \
           "came in time" in result.err
    assert "If it did: --skip 1; if not: --again 1" in result.err
    assert [e["event"] for e in ledger(items.parent)] == ["posting", "unknown"]
    assert len(omnitron.state.received) == 1
    second = up(items, "--wait")
    assert second.code == 2
    assert "nothing was sent:\n  part 1 (items.json, items 1–5): part 1 was posted on" in second.err
    status = _ran(up_status(items))
    assert status.code == 0
    assert status.out.splitlines()[1].split()[7:10] == ["no", "answer", "-"]
    assert "part 1 of items.json: posted on " in status.out
    assert ", no answer: the post was sent, but no answer came in time" in status.out
    assert omnitron.posts == 1
    skipped = up(items, "--wait", "--skip", "1")
    assert skipped.code == 0, skipped.err
    assert ledger(items.parent)[-1]["event"] == "settled"
    assert omnitron.posts == 1
    later = up(items, "--wait")
    assert later.code == 0
    assert "sent before" in later.out
    assert omnitron.posts == 1
    assert "taken as sent" in _ran(up_status(items)).out


def test_again_resends_a_post_without_answer(up: Any, items: Path,
                                             omnitron: FakeOmnitron) -> None:
    omnitron.state.posts = ["drop"]  # the connection closed after the file was sent
    result = up(items, "--wait")
    assert result.code == 2
    assert "the connection was closed before an answer" in result.err
    resent = up(items, "--wait", "--again", "1")
    assert resent.code == 0, resent.err
    assert omnitron.posts == 2
    events = [e["event"] for e in ledger(items.parent)]
    assert events == ["posting", "unknown", "settled", "posting", "accepted", "finished"]


@pytest.mark.parametrize(("answer", "state", "message"), [
    ((500, {"detail": "boom"}), "unknown", "Omnitron answered 500 Internal Server Error: it may "
     "have stored the file before failing"),
    ((400, {"file": ["Invalid JSON"]}), "refused", "Omnitron refused the file (400 Bad Request): "
     '{"file": ["Invalid JSON"]}'),
    ((302, b"", {"Location": "https://login.example.com/"}), "refused",
     "(302 Found), redirecting to https://login.example.com/: check --url"),
])
def test_answers_to_a_post(up: Any, items: Path, omnitron: FakeOmnitron, answer: Any,
                           state: str, message: str) -> None:
    omnitron.state.posts = [answer]
    result = up(items, "--wait")
    assert result.code == 2
    assert message in result.err
    assert ledger(items.parent)[-1]["event"] == state
    retry = up(items, "--wait")
    if state == "refused":  # nothing was stored: the next run sends it
        assert retry.code == 0, retry.err
        assert len(omnitron.state.received) == 1
    else:
        assert retry.code == 2
        assert "--again 1" in retry.err


def test_rate_limited_posts_wait_and_are_sent_once(up: Any, items: Path,
                                                   omnitron: FakeOmnitron) -> None:
    omnitron.state.posts = [(429, {"detail": "slow down"}, {"Retry-After": "0"})] * 2
    result = up(items, "--wait")
    assert result.code == 0, result.err
    assert omnitron.posts == 3
    assert len(omnitron.state.received) == 1


def test_progress_reads_are_retried(up: Any, items: Path, omnitron: FakeOmnitron) -> None:
    omnitron.state.reads = [(503,), (429, {"Retry-After": "0"}), (502,)]
    result = up(items, "--wait")
    assert result.code == 0, result.err
    assert [m for m, _, _ in omnitron.state.log] == ["POST", "GET", "GET", "GET", "GET"]


def test_progress_that_cannot_be_read_is_followed_later(up: Any, items: Path,
                                                        omnitron: FakeOmnitron) -> None:
    omnitron.state.reads = [(500,)] * 4  # QUICK retries 3 times
    result = up(items, "--wait")
    assert result.code == 2
    assert "cannot read the progress of migration" in result.err
    assert "500 Internal Server Error (4 tries)" in result.err
    assert [e["event"] for e in ledger(items.parent)] == ["posting", "accepted"]
    status = _ran(up_status(items, "--wait"))
    assert status.code == 0, status.err
    assert "finished" in status.out
    assert ledger(items.parent)[-1]["event"] == "finished"
    assert omnitron.posts == 1


def test_a_refused_token(up: Any, items: Path, omnitron: FakeOmnitron,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIMTOOL_TOKEN", "wrong-token")
    result = up(items, "--wait")
    assert result.code == 2
    assert "Omnitron refused the token (401)" in result.err
    assert "wrong-token" not in result.err + result.out
    assert "wrong-token" not in (items.parent / ".oimtool" / "uploads.jsonl").read_text()
    assert omnitron.state.received == []


def test_no_token_at_all(up: Any, items: Path, monkeypatch: pytest.MonkeyPatch,
                         omnitron: FakeOmnitron) -> None:
    monkeypatch.delenv("OIMTOOL_TOKEN")
    result = up(items)
    assert result.code == 2
    assert "no token: set OIMTOOL_TOKEN, or give --token-file PATH or --username NAME" in (
        result.err)
    assert up(items, "--dry-run").code == 0  # a dry run needs none
    assert omnitron.state.log == []


def test_token_file(up: Any, items: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    omnitron: FakeOmnitron) -> None:
    monkeypatch.delenv("OIMTOOL_TOKEN")
    (tmp_path / "token").write_text(TOKEN + "\n")
    assert up(items, "--token-file", tmp_path / "token", "--wait").code == 0
    assert omnitron.state.log[0][2] == f"Token {TOKEN}"


def test_login_with_a_user_name(up: Any, items: Path, monkeypatch: pytest.MonkeyPatch,
                                omnitron: FakeOmnitron) -> None:
    monkeypatch.delenv("OIMTOOL_TOKEN")
    monkeypatch.setenv("OIMTOOL_PASSWORD", "correct horse")
    result = up(items, "--username", "ops", "--wait")
    assert result.code == 0, result.err
    assert omnitron.state.log[0][1] == "/api/i1/auth/login/"
    monkeypatch.setenv("OIMTOOL_PASSWORD", "wrong")
    items.write_text(items.read_text().replace("S0", "S9"))
    wrong = up(items, "--username", "ops", "--wait", "--again", "all")
    assert wrong.code == 2
    assert "Omnitron refused the login of 'ops' (400): check the user name and password" in (
        wrong.err)
    assert "wrong" not in ledger(items.parent)[-1].values()


def test_plain_http_only_to_this_machine(cli: Any, items: Path) -> None:
    result = cli("upload", items, "--url", "http://omnitron.example.com", "--channel", "3")
    assert result.code == 2
    assert "is plain http: the token and the order data would cross the network unencrypted" in (
        result.err)
    for url, message in (("ftp://x", "is not an Omnitron address"),
                         ("https://x.example.com/?a=1", "without ?query")):
        bad = cli("upload", items, "--url", url, "--channel", "3")
        assert bad.code == 2 and message in bad.err
    channel = cli("upload", items, "--url", "https://x.example.com", "--channel", "3/../4")
    assert channel.code == 2 and "give the sales channel's id" in channel.err


def test_nothing_listens(cli: Any, items: Path) -> None:
    server = FakeOmnitron()
    url = server.url
    server.close()
    result = cli("upload", items, "--url", url, "--channel", "3", "--wait", tuning=QUICK)
    assert result.code == 2
    assert "cannot reach http://127.0.0.1" in result.err
    assert "nothing was sent" in result.err
    assert ledger(items.parent)[-1]["event"] == "refused"


def test_a_file_given_twice_or_two_equal_files(up: Any, items: Path, tmp_path: Path,
                                               omnitron: FakeOmnitron) -> None:
    twice = up(items, items)
    assert twice.code == 2 and "items.json is given twice" in twice.err
    shutil.copy(items, tmp_path / "copy.json")
    equal = up(items, "copy.json", "--wait")
    assert equal.code == 2
    assert "part 2 (copy.json, items 1–5): it holds exactly the items of part 1" in equal.err
    assert omnitron.state.log == []


def test_a_ledger_in_use_stops_a_second_upload(up: Any, items: Path) -> None:
    import fcntl

    path = items.parent / ".oimtool" / "uploads.jsonl"
    path.parent.mkdir()
    with open(path, "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = up(items, "--wait")
    assert result.code == 2
    assert "is in use by another oimtool upload" in result.err


def test_a_ledger_cut_off_mid_line_still_reads(up: Any, items: Path,
                                               omnitron: FakeOmnitron) -> None:
    assert up(items, "--part-size", "2", "--wait").code == 0
    path = items.parent / ".oimtool" / "uploads.jsonl"
    with open(path, "ab") as text:
        text.write(b'{"event": "posting", "id": "x')  # a crash while a line was written
    again = up(items, "--part-size", "2", "--wait")
    assert again.code == 0, again.err
    assert omnitron.posts == 3
    path.write_text("not json\n")
    broken = up(items, "--wait")
    assert broken.code == 2
    assert "uploads.jsonl:1: not a ledger record" in broken.err


def test_ctrl_c_while_posting_leaves_the_post_unknown(items: Path, omnitron: FakeOmnitron
                                                      ) -> None:
    omnitron.state.posts = [("late", 30.0)]
    process = subprocess.Popen(
        [sys.executable, "-m", "oimtool", "upload", str(items), "--url", omnitron.url,
         "--channel", "3", "--wait"], cwd=items.resolve().parent, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # until the post has reached the server
        if omnitron.state.received:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert [e["event"] for e in ledger(items.parent)] == ["posting", "unknown"]
    assert ledger(items.parent)[-1]["detail"] == "interrupted while posting"
    assert "nothing was written" not in err


def test_https_with_a_company_ca(items: Path, tmp_path: Path, cli: Any) -> None:
    import ssl

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True,
                   capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeOmnitron(ssl_context=context) as server:
        untrusted = cli("upload", items, "--url", server.url, "--channel", "3", "--wait",
                        tuning=QUICK)
        assert untrusted.code == 2
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.err
        assert server.state.received == []
        trusted = cli("upload", items, "--url", server.url, "--channel", "3", "--wait",
                      "--ca-bundle", cert, tuning=QUICK)
        assert trusted.code == 0, trusted.err
        assert len(server.state.received) == 1


def test_usage_errors(cli: Any, items: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    url = ["--url", "https://omnitron.example.com", "--channel", "3"]
    cases = [
        (["upload", items, "--status"], "--status reads the ledger: give no files"),
        (["upload", *url], "give the order-item files to upload"),
        (["upload", items, "--channel", "3"], "give --url (or set OIMTOOL_URL)"),
        (["upload", items, *url, "--again", "two"], "'two': give a part number or 'all'"),
        (["upload", items, *url, "--part-size", "0"], "give a number of items of at least 1"),
        (["upload", items, *url, "--token-file", tmp_path / "missing"], "cannot read"),
        (["upload", items, *url, "--ca-bundle", tmp_path / "none.pem"],
         "none.pem is not a file of certificates"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.code == 2, args
        assert message in result.err, (args, result.err)
    monkeypatch.delenv("OIMTOOL_TOKEN")
    monkeypatch.delenv("OIMTOOL_PASSWORD", raising=False)
    result = cli("upload", items, *url, "--username", "ops")  # stdin is not a terminal here
    assert result.code == 2
    assert "no password for 'ops': set OIMTOOL_PASSWORD, or run at a terminal to be asked" in (
        result.err)
    monkeypatch.setenv("OIMTOOL_URL", "https://omnitron.example.com")
    monkeypatch.setenv("OIMTOOL_CHANNEL", "3")
    assert cli("upload", items, "--dry-run").code == 0  # the address from the environment
