"""Fuzzing: no document, no byte string, no export makes check, fix or convert fail with
anything but their documented exit codes — and convert loses no row.

The default run is short (60 examples each: about 20 s). A long run, outside the default test
run, about 55 minutes on a 2-core machine (53 measured, 15 to 20 for each fuzz test; the time
grows in proportion to the number of examples):

  OIMTOOL_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/cli/test_fuzz.py -p no:cacheprovider

Each test runs far longer than pytest's ``faulthandler_timeout``: see the ``run`` fixture.
"""

from __future__ import annotations

import codecs
import csv
import faulthandler
import io
import json
import os
import select
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from oimtool.cli import main
from oimtool.fields import SYNONYMS

from conftest import GOOD_ITEM

EXAMPLES = int(os.environ.get("OIMTOOL_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="OIMTOOL_FUZZ_EXAMPLES" not in
                os.environ, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.function_scoped_fixture,
                                                   HealthCheck.data_too_large])
FIELDS = ("order_number", "product", "sku", "quantity", "price", "image_url", "extra_field")


class Run:
    """oimtool in this process, in a scratch folder; stdout and stderr captured. A call that
    runs longer than ``timeout`` seconds (a hang) has every thread's traceback written to the
    file descriptor ``dump``, as pytest's ``faulthandler_timeout`` does for a whole test."""

    def __init__(self, capfd: pytest.CaptureFixture[str], timeout: float = 0.0,
                 dump: int = 2) -> None:
        self.capfd = capfd
        self.timeout = timeout
        self.dump = dump

    def __call__(self, *args: str | Path) -> tuple[int, str, str]:
        self.capfd.readouterr()
        if self.timeout > 0:
            faulthandler.dump_traceback_later(self.timeout, file=self.dump)
        try:
            code = main([str(a) for a in args])
        finally:
            if self.timeout > 0:
                faulthandler.cancel_dump_traceback_later()
        out, err = self.capfd.readouterr()
        assert "Traceback" not in err and "internal error" not in err, err
        return code, out, err


@pytest.fixture
def run(capfd: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> Run:
    """Runs oimtool, each call watched for a hang; the test as a whole is not.

    pytest's ``faulthandler_timeout`` (600 s) dumps every thread's traceback once a test has run
    that long, from faulthandler's own thread, without the interpreter's lock, while the test
    goes on. On CPython 3.11 that walk through frames being pushed and popped can read freed
    memory and crash the interpreter (SIGSEGV, exit 139, the dump cut off: 3 dumps in 67 while
    these tests ran; upstream: python/cpython#140815). A long fuzz run outlasts 600 s by
    design, so it got the dump, and sometimes the crash. The timer is armed around each oimtool
    call instead, which only a hang outlasts."""
    faulthandler.cancel_dump_traceback_later()  # pytest's, armed for the whole test
    return Run(capfd, *_watch(request.config))


def _watch(config: pytest.Config) -> tuple[float, int]:
    """pytest's ``faulthandler_timeout`` and the descriptor it writes its dumps to; no timeout
    without its faulthandler plugin (``-p no:faulthandler``)."""
    try:
        from _pytest.faulthandler import fault_handler_stderr_fd_key, get_timeout_config_value

        return get_timeout_config_value(config), config.stash[fault_handler_stderr_fd_key]
    except (ImportError, KeyError, ValueError):
        return 0.0, 2


def test_the_run_fixture_stops_the_dump_armed_for_the_whole_test(request):
    """What pytest arms for a test (here 0.05 s, not 600) never fires in a fuzz test."""
    reading, writing = os.pipe()
    try:
        faulthandler.dump_traceback_later(0.05, file=writing)  # as pytest does, before setup
        request.getfixturevalue("run")
        time.sleep(0.5)  # ten times the timeout: the dump would be written by now
        os.set_blocking(reading, False)
        with pytest.raises(BlockingIOError):  # nothing written
            os.read(reading, 100)
    finally:
        faulthandler.cancel_dump_traceback_later()
        os.close(reading)
        os.close(writing)


def test_a_call_that_hangs_has_its_traceback_dumped(capfd, monkeypatch):
    reading, writing = os.pipe()

    def hang(argv: list[str]) -> int:  # until the dump begins (its first byte), 60 s at most
        if not select.select([reading], [], [], 60)[0]:
            return 1
        os.read(reading, 1)
        faulthandler.cancel_dump_traceback_later()  # waits for the dump's end, frames still
        return 0

    monkeypatch.setitem(globals(), "main", hang)
    try:
        assert Run(capfd, timeout=0.05, dump=writing)("check", "items.json") == (0, "", "")
        os.set_blocking(reading, False)
        dump = "T" + os.read(reading, 1 << 16).decode()
    finally:
        os.close(reading)
        os.close(writing)
    lines = dump.splitlines()
    assert lines[0] == "Timeout (0:00:00.050000)!"
    this = lines.index(f"Thread 0x{threading.get_ident():016x} (most recent call first):")
    assert lines[this + 1].endswith(" in hang") and lines[this + 2].endswith(" in __call__"), dump


# -- JSON documents ----------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
           | st.sampled_from(["12,5", " A1 ", "1e3", "19.990000000000002", "TL 49,90", "",
                              "https://cdn.example.com/a b.jpg", "\x00", "ı", "-0"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)
items = st.builds(
    lambda fields, extra: {**fields, **extra},
    st.fixed_dictionaries({}, optional={key: json_values for key in FIELDS}),
    st.dictionaries(st.sampled_from(["qty", "Price", "order_no", "x"]), scalars, max_size=2))
near_good = st.builds(lambda key, value: {**GOOD_ITEM, key: value}, st.sampled_from(FIELDS),
                      json_values)  # a good item with one field changed
documents = st.one_of(json_values, st.lists(items | near_good, max_size=6),
                      st.lists(json_values, max_size=3))


def serialize(doc: Any, layout: int) -> bytes:
    text = json.dumps(doc, indent=2 if layout % 2 else None, ensure_ascii=layout % 3 == 0)
    if layout == 4:
        return codecs.BOM_UTF8 + text.encode()
    if layout == 5:
        return text.encode("utf-16")
    return text.encode("utf-8", "surrogatepass")


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    return data


edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.binary(max_size=3)),
                 max_size=3)


@given(doc=documents, layout=st.integers(0, 5), broken=edits)
@FUZZ
def test_check_and_fix_never_fail_on_any_document(run, doc, layout, broken):
    data = mutate(serialize(doc, layout), broken)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.json"
        path.write_bytes(data)
        code, out, _ = run("check", path, "-f", "json")
        event(f"check exit {code}")
        assert code in (0, 1)
        report = json.loads(out)
        assert (code == 1) == (report["summary"]["errors"] > 0)

        fixed = Path(folder) / "fixed.json"
        code, out, _ = run("fix", path, "-o", fixed, "-f", "json")
        assert code in (0, 1)
        assert path.read_bytes() == data  # the input is never touched
        if fixed.exists():  # what fix reports as remaining is what check finds in its output
            again, out_again, _ = run("check", fixed, "-f", "json")
            assert again == code
            remaining = json.loads(out)["problems"]
            found = json.loads(out_again)["problems"]
            assert [(p["code"], p["index"]) for p in remaining] == [
                (p["code"], p["index"]) for p in found]
            if not broken and isinstance(doc, list) and doc:  # and no item went missing
                assert json.loads(out)["summary"]["items"] == len(doc)


@given(data=st.binary(max_size=300))
@example(data=b"PK\x03\x04")  # a workbook's first bytes: check and fix say to convert it
@FUZZ
def test_check_fix_and_convert_never_fail_on_any_bytes(run, data):
    with tempfile.TemporaryDirectory() as folder:
        for name, command in [("items.json", "check"), ("items.json", "fix"),
                              ("export.csv", "convert")]:
            path = Path(folder) / name
            path.write_bytes(data)
            code, _, err = run(command, path, "-o" if command != "check" else "-f",
                               Path(folder) / "out.json" if command != "check" else "text",
                               *(["--force"] if command != "check" else []))
            assert code in (0, 1, 2)
            if code == 2:
                assert err.startswith("oimtool: error: ") and err.count("\n") <= 12, err
                if command != "convert":  # refused only when plainly not an item file
                    assert "not an order-item file" in err, err


# -- exports ---------------------------------------------------------------------------------

cells = st.one_of(
    st.sampled_from(["", " ", "1", "2,0", "1.234,56", "1,234.56", "1,234", "49,90 TL", "TL 49,90",
                     "₺250,00", "$12.50", "1.00023E+15", "0", "-1", "abc", "ORD-1", "100024.0",
                     "https://cdn.example.com/p.jpg", "ftp://x", "\u00a0 7 \u00a0"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10),
    st.text(alphabet='ab,;|\t"\n\r ', max_size=6),
)
good_cells = {
    "order_number": st.from_regex(r"[A-Z]{2,3}-?[0-9]{1,6}", fullmatch=True),
    "product": st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    "sku": st.from_regex(r"[A-Z0-9-]{1,12}", fullmatch=True),
    "quantity": st.integers(1, 999).map(str),
    "price": st.one_of(st.integers(0, 10**6).map(str),
                       st.tuples(st.integers(0, 99_999), st.integers(0, 99)).map(
                           lambda p: st.sampled_from([f"{p[0]}.{p[1]:02d}", f"{p[0]},{p[1]:02d}",
                                                      f"{p[0]},{p[1]:02d} TL"])).flatmap(
                           lambda s: s)),
    "image_url": st.integers(1, 10**6).map(lambda n: f"https://cdn.example.com/{n}.jpg"),
}


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header naming the required columns (and some others), rows mostly of good values."""
    optional = draw(st.lists(st.sampled_from(["product", "sku", "image_url"]), unique=True))
    fields = ["order_number", "quantity", "price", *optional]
    header = [draw(st.sampled_from(SYNONYMS[f][:4])) for f in fields]
    extra = draw(st.lists(st.sampled_from(["Notes", "Renk", ""]), max_size=2))
    order = draw(st.permutations(range(len(header) + len(extra))))
    header = [(header + extra)[k] for k in order]
    columns = [(fields + [None] * len(extra))[k] for k in order]
    width = len(header)

    rows = []
    for kind in draw(st.lists(st.sampled_from(["good", "good", "blank", "ragged"]),
                              max_size=12)):
        if kind == "blank":
            rows.append([""] * width)
        elif kind == "ragged":  # short or long
            rows.append(draw(st.lists(cells, min_size=1, max_size=width + 2)))
        else:  # mostly good values, some anything
            rows.append([draw(good_cells[f] if f and draw(st.integers(0, 4)) else cells)
                         for f in columns])
    return header, rows


@given(export=exports(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1254"]),
       newline=st.sampled_from(["\r\n", "\n"]))
@FUZZ
def test_convert_loses_no_row(run, export, delimiter, encoding, newline):
    """Rows read = items written + rows rejected, blank rows counted apart; and the items
    written pass check, as convert said they would."""
    header, rows = export
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    data = text.encode(encoding, "replace")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.csv"
        source.write_bytes(data)
        output = Path(folder) / "items.json"
        code, out, err = run("convert", source, "-o", output, "-f", "json", "--skip-invalid",
                             "--delimiter", delimiter, "--encoding", encoding)
        event(f"convert exit {code}" + (" " + err.split(": ", 3)[-1][:50] if code == 2 else ""))
        if code == 2:  # could not run as asked: only a header that does not say enough
            assert err.startswith("oimtool: error: "), err
            return
        assert code in (0, 1)
        summary = json.loads(out)["summary"]
        records = list(csv.reader(io.StringIO(data.decode(encoding), newline=""),
                                  delimiter=delimiter))[1:]
        broken = any(p["code"] == "OIM017" for p in json.loads(out)["problems"])
        if not broken:
            assert summary["rows"] + summary["blank"] == len(records)
        assert summary["rows"] == summary["items"] + summary["rejected"]
        event("items written" if output.exists() else "nothing written")
        if output.exists():
            written = json.loads(output.read_text(encoding="utf-8"))
            assert len(written) == summary["items"] == summary["written"]
            again, out_again, _ = run("check", output, "-f", "json")
            assert again == 0, out_again
        else:
            assert summary["items"] == 0 or broken
