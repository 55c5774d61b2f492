"""Ctrl-C and SIGTERM at any moment, sent to a real oimtool process: the folder holds what
held before or the whole new output, never a mix and never a temporary file; the message says
which; no worker process outlives the run.

The moments are found by watching the process (a temporary part appears, an earlier part is
linked aside, a worker is forked), then the signal is sent after a few delays: where exactly it
lands varies from run to run, what is asserted does not.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from oimtool.errors import OutputError

from conftest import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def oimtool(*args: str | Path, cwd: Path) -> subprocess.Popen[bytes]:
    """oimtool in a process group of its own (its number is the process's), which its
    workers share."""
    return subprocess.Popen([sys.executable, "-m", "oimtool", *map(str, args)], cwd=cwd,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def stop_when(process: subprocess.Popen[bytes], moment: Callable[[], bool], delay: float,
              signum: int = signal.SIGINT) -> tuple[int, str]:
    """Send ``signum`` ``delay`` seconds after ``moment()`` is first true (or at once when the
    process ended before); (exit code, standard error). Reading its output must end: a
    process that keeps it open (a worker left behind) fails the test, it does not hang it."""
    try:
        while process.poll() is None and not moment():
            pass
        if delay:
            time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the output's pipes were still open 60 s after the signal: a process "
                    "keeps them (a worker left behind?)")
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
        process.wait()
    return process.returncode, err.decode("utf-8", "replace")


# -- a split output is put in place as one ---------------------------------------------------


def export(path: Path, prefix: str, rows: int) -> Path:
    path.write_text("Order No,SKU,Qty,Price\n" + "".join(
        f"{prefix}{i},S{i},1,2\n" for i in range(rows)), encoding="utf-8")
    return path


def parts(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("items.part*.json"))}


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The parts of an earlier run (40 parts, orders O…) and of the run interrupted (30
    parts, orders N…: 10 earlier parts are removed)."""
    folder = tmp_path_factory.mktemp("sets")
    sets = []
    for prefix, rows in (("O", 400), ("N", 300)):
        export(folder / f"{prefix}.csv", prefix, rows)
        done = subprocess.run([sys.executable, "-m", "oimtool", "convert", f"{prefix}.csv",
                               "-o", "items.json", "--split", "10", "--force"], cwd=folder,
                              env=ENV, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
        sets.append(parts(folder))
    assert len(sets[0]) == 40 and len(sets[1]) == 30
    return sets[0], sets[1]


def temporary(folder: Path, suffix: str) -> Callable[[], bool]:
    def seen() -> bool:
        return any(n.startswith(".") and n.endswith(suffix) for n in os.listdir(folder))

    return seen


def replaced(path: Path) -> Callable[[], bool]:
    """The file ``path`` is no longer the one it is now."""
    before = path.stat().st_ino

    def seen() -> bool:
        try:
            return path.stat().st_ino != before
        except FileNotFoundError:
            return True

    return seen


MOMENTS = {
    "a part is being written": lambda folder: temporary(folder, ".tmp"),
    "the earlier parts are being linked aside": lambda folder: temporary(folder, ".old"),
    "the first part is in place": lambda folder: replaced(folder / "items.part001.json"),
}


@pytest.mark.parametrize("delay", [0, 0.0005, 0.002, 0.01])
@pytest.mark.parametrize("moment", MOMENTS)
def test_an_interrupted_split_leaves_the_earlier_parts_or_the_new_ones(
        tmp_path, two_sets, moment, delay):
    earlier, new = two_sets
    for name, data in earlier.items():
        (tmp_path / name).write_bytes(data)
    export(tmp_path / "N.csv", "N", 300)
    process = oimtool("convert", "N.csv", "-o", "items.json", "--split", "10", "--force",
                      cwd=tmp_path)
    code, err = stop_when(process, MOMENTS[moment](tmp_path), delay)
    left = sorted(os.listdir(tmp_path))
    assert [n for n in left if n.startswith(".")] == []  # no temporary part, no part aside
    found = parts(tmp_path)
    assert found in (earlier, new), "a mix: {} new parts, {} earlier ones, {} others".format(
        *(sum(found[n] == s.get(n) for n in found) for s in (new, earlier)),
        sum(found[n] not in (new.get(n), earlier.get(n)) for n in found))
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    if code in (0, -signal.SIGINT):  # the run had ended; the signal came after, or never
        assert found == new
    elif found == earlier:
        assert (code, last) == (130, "oimtool: interrupted; nothing was written")
    else:  # in place before the signal came: the message names them
        assert (code, last) == (130, "oimtool: interrupted; already written: " + ", ".join(
            f"items.part{n:03d}.json" for n in range(1, 11)) + " and 20 more")


# -- worker processes end with the main process ----------------------------------------------


def forked(pid: int) -> bool:
    """``pid``'s main thread has forked a process (Linux)."""
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False


def running(group: int) -> list[int]:
    """The processes of process group ``group`` still running (not zombies waiting for their
    new parent to reap them)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def big_orders(tmp_path_factory) -> Path:
    """An orders file past the 16 MB from which orders are read by worker processes."""
    folder = tmp_path_factory.mktemp("orders")
    with (folder / "orders.json").open("w", encoding="utf-8") as handle:
        handle.write("[\n" + ",\n".join(json.dumps(
            {"number": f"ORD{i:09d}", "status": "delivered",
             "customer": {"email": f"customer{i}@example.com"}}) for i in range(230_000))
            + "\n]\n")
    assert (folder / "orders.json").stat().st_size >= 16 << 20
    (folder / "items.json").write_text(json.dumps([{
        "order_number": "ORD000000001", "product": "P", "sku": "S", "quantity": 1,
        "price": 1, "image_url": None, "extra_field": {}}]), encoding="utf-8")
    return folder


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
                    reason="finds the workers through /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_workers_end_with_the_main_process_when_it_is_stopped_as_they_start(
        big_orders, signum):
    """The signal lands while the pool of workers starts, at 10 delays after the first fork:
    every time, the output's pipes reach their end (no worker keeps them open), the exit
    code is the signal's, and no process of the run's process group is left running."""
    for delay in (0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.02, 0.05):
        process = oimtool("check", "items.json", "--orders", "orders.json", "-j", "4",
                          cwd=big_orders)
        try:
            code, err = stop_when(process, lambda p=process.pid: forked(p), delay, signum)
            for _ in range(600):  # they are gone already; a zombie waits for its new parent
                if not running(process.pid):
                    break
                time.sleep(0.1)
            left = running(process.pid)
        finally:
            with contextlib.suppress(ProcessLookupError):  # (no leftover for the next tries)
                os.killpg(process.pid, signal.SIGKILL)
        assert left == []
        assert "Traceback" not in err
        assert code in (0, 128 + signum), err
        if code:
            assert err == (f"oimtool: {'interrupted' if signum == signal.SIGINT else 'terminated'}"
                           "; nothing was written\n")


# -- what a run cut short after some outputs were put in place says --------------------------


@pytest.mark.parametrize("stop", ["error", "interrupt"])
def test_a_run_cut_short_after_outputs_were_put_in_place_names_them(cli, tmp_path, monkeypatch,
                                                                   stop):
    """--rejects and the items are in place when writing the annotated workbook fails or is
    interrupted: the message names them, not "nothing was written"."""
    from oimtool.errors import Interrupted
    from oimtool.reporters.xlsx import XlsxReporter

    def cut_short(self, summary):
        if stop == "error":
            raise OutputError(f"cannot write {tmp_path / 'marked.xlsx'}: No space left on device")
        raise Interrupted(signal.SIGINT)

    monkeypatch.setattr(XlsxReporter, "close", cut_short)
    source = export(tmp_path / "s.csv", "A", 3)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("B,S,0,2\n")  # rejected: quantity 0
    result = cli("convert", source, "--skip-invalid", "--rejects", tmp_path / "rejects.csv",
                 "--annotate", tmp_path / "marked.xlsx")
    written = f"already written: {tmp_path / 'rejects.csv'}, {tmp_path / 's.json'}"
    if stop == "error":
        assert (result.code, result.err) == (2, (
            f"oimtool: error: cannot write {tmp_path / 'marked.xlsx'}: No space left on device\n"
            f"oimtool: {written}\n"))
    else:
        assert (result.code, result.err) == (130, f"oimtool: interrupted; {written}\n")
    assert sorted(os.listdir(tmp_path)) == ["rejects.csv", "s.csv", "s.json"]


# -- a stop while the command loads, or once it has ended --------------------------------------

STOP_AT = """
import builtins, os, signal, sys
sys.argv = ["oimtool", "check", "items.json"]
import oimtool.__main__ as entry

def stop():
    os.kill(os.getpid(), signal.SIGINT)

when = WHEN
if when == "loading":
    real = builtins.__import__
    def importing(name, *args, **kwargs):
        if name == "orjson":  # a C extension, loaded as the command line loads
            stop()
        return real(name, *args, **kwargs)
    builtins.__import__ = importing
else:  # as main has returned: before the signals' defaults are back, or after
    ended = entry._ended
    def ending(stops, calls=[]):
        if when == "ended, defaults back":
            ended(stops)
        if not calls:
            calls.append(1)
            stop()
        ended(stops)
    entry._ended = ending
entry.run()
"""


@pytest.mark.parametrize(("when", "code", "err"), [
    ("loading", 130, "oimtool: interrupted; nothing was written\n"),
    ("ended", 1, ""),  # the run's own code: its output is complete
    ("ended, defaults back", -signal.SIGINT, ""),  # the signal ends the process, as it does
])
def test_a_stop_while_the_command_loads_or_once_it_has_ended(tmp_path, when, code, err):
    """Ctrl-C as the command line loads (orjson, a C extension, crashed with SIGSEGV when
    interrupted as it loaded, and Python printed a traceback) waits until oimtool can answer
    it; once the run has ended, it prints nothing: its outputs are complete."""
    (tmp_path / "items.json").write_text(json.dumps([{
        "order_number": "A", "product": "P", "sku": "S", "quantity": 0, "price": 1,
        "image_url": None, "extra_field": {}}]), encoding="utf-8")
    script = STOP_AT.replace("WHEN", repr(when))
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=ENV,
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (code, err)
    assert done.stdout.endswith("" if when == "loading" else "1 error in 1 item in 1 file.\n")
