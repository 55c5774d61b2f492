"""Items on standard input: ``oimtool check -``, reported under ``--stdin-filename``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES, item


def run(*args: str, data: bytes, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oimtool", *args], input=data.decode(
        "latin-1"), capture_output=True, text=True, encoding="latin-1", cwd=cwd, timeout=120)


def test_check_reads_standard_input(tmp_path: Path) -> None:
    good = json.dumps([item()]).encode()
    result = run("check", "-", data=good, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "OK: 1 item in 1 file, no problems.\n")
    bad = json.dumps([item(), item(quantity="2")], indent=1).encode()
    named = run("check", "-", "--stdin-filename", "data/items.json", "-f", "json",
                data=bad, cwd=tmp_path)
    assert named.returncode == 1
    [problem] = json.loads(named.stdout)["problems"]
    assert (problem["file"], problem["line"], problem["code"]) == ("data/items.json", 15,
                                                                   "OIM402")
    plain = run("check", "-", data=bad, cwd=tmp_path)
    assert plain.stdout.startswith("<stdin>:15:")
    assert list(tmp_path.iterdir()) == []  # the copy of standard input is gone


def test_standard_input_with_files_and_orders(tmp_path: Path) -> None:
    (tmp_path / "more.json").write_text(json.dumps([item(order_number="NOPE")]))
    result = run("check", "more.json", "-", "--orders", str(SAMPLES / "orders.json"),
                 data=(SAMPLES / "items.json").read_bytes(), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("more.json:1:")
    assert "OIM105" in result.stdout
    assert "<stdin>" not in result.stdout  # the sample's items are all in the orders


def test_standard_input_mistakes(tmp_path: Path) -> None:
    twice = run("check", "-", "-", data=b"[]", cwd=tmp_path)
    assert twice.returncode == 2 and "'-' (standard input) can be given once" in twice.stderr
    name = run("check", "x.json", "--stdin-filename", "a.json", data=b"", cwd=tmp_path)
    assert name.returncode == 2
    export = run("check", "-", data=(SAMPLES / "sales-2019.xlsx").read_bytes(), cwd=tmp_path)
    assert export.returncode == 2
    assert "<stdin> is an Excel or ODS workbook, not an order-item file" in export.stderr
    empty = run("check", "-", data=b"", cwd=tmp_path)
    assert empty.returncode == 1
    assert empty.stdout.startswith("<stdin>:1:1: OIM001 the file is empty")


def test_convert_reads_an_export_on_standard_input(tmp_path: Path) -> None:
    csv_bytes = (SAMPLES / "satislar-2019.csv").read_bytes()  # cp1254, as the shop wrote it
    result = run("convert", "-", "--stdin-filename", "satislar.csv", data=csv_bytes,
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout.encode("latin-1"))
    assert len(items) == 7 and items[0]["order_number"] == "ORD-2019-000101"
    assert result.stderr.splitlines()[-1] == ("7 rows read: 7 items, 0 rejected, 1 blank row "
                                              "skipped. 7 items written to standard output.")
    assert "satislar.csv: OIM015 not UTF-8" in result.stderr
    book = run("convert", "-", "--stdin-filename", "sales.xlsx", "-o", "items.json",
               data=(SAMPLES / "sales-2019.xlsx").read_bytes(), cwd=tmp_path)
    assert book.returncode == 0, book.stderr
    assert "sales.xlsx:'Orders 2019'!" in book.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.json"]
    unnamed = run("convert", "-", data=csv_bytes, cwd=tmp_path)
    assert unnamed.returncode == 2
    assert "give --stdin-filename NAME" in unnamed.stderr
