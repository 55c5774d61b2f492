"""A full disk, played by a file-size limit (``ulimit -f``, RLIMIT_FSIZE: a write past it
fails with EFBIG) on a real oimtool process: the report cannot be written, which is exit code
2 and one line saying so, never an internal error (3), a traceback, or a cut report that looks
whole."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: Room for what the process writes besides its output (coverage's data file, in CI).
LIMIT = 1 << 20


def limited(size: int):
    def limit() -> None:  # in the child, before oimtool starts
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def run(args: list[str], folder: Path, size: int, stdout: Path) -> subprocess.CompletedProcess:
    with stdout.open("wb") as out:  # standard output redirected to a file, as in a CI job
        return subprocess.run([sys.executable, "-m", "oimtool", *args], cwd=folder, env=ENV,
                              stdout=out, stderr=subprocess.PIPE, text=True, timeout=300,
                              preexec_fn=limited(size), check=False)


def bad_items(path: Path, count: int) -> Path:
    """Items with five errors each."""
    path.write_text(json.dumps([{
        "order_number": f"ORD{i}", "product": "P", "sku": None, "quantity": 0, "price": -1,
        "image_url": "not a url", "extra_field": []} for i in range(count)], indent=2),
        encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "sarif", "github", "junit"])
def test_a_report_to_standard_output_on_a_full_disk(tmp_path, fmt):
    """Every format said "internal error" (exit 3), but JUnit's: written in one call at the
    end, of which standard output wrote what fit and returned how much, it was cut without
    a word (exit 1)."""
    bad_items(tmp_path / "items.json", 4000)  # 20,000 problems: 2 MB and more of report
    result = run(["check", "items.json", "--format", fmt], tmp_path, LIMIT, tmp_path / "report")
    assert (result.returncode, result.stderr) == (
        2, "oimtool: error: cannot write the report to standard output: File too large\n")


def test_items_to_standard_output_on_a_full_disk(tmp_path):
    (tmp_path / "s.csv").write_text("Order No,SKU,Qty,Price\n" + "".join(
        f"A{i},S{i},1,2\n" for i in range(15_000)), encoding="utf-8")  # 2 MB of items
    result = run(["convert", "s.csv", "-o", "-", "--output", "report.txt"], tmp_path, LIMIT,
                 tmp_path / "items")
    assert (result.returncode, result.stderr) == (
        2, "oimtool: error: cannot write the items to standard output: File too large\n")
    assert sorted(os.listdir(tmp_path)) == ["items", "s.csv"]  # the report is not written


@pytest.mark.parametrize("fmt", ["json", "sarif"])
@pytest.mark.parametrize("output", [False, True])
def test_a_large_report_whose_temporary_file_cannot_grow(tmp_path, fmt, output):
    """The JSON and SARIF reports keep their problems for the end: past 16 MiB, in a temporary
    file, which a limit of 18 MB stops as it grows. Exit 2 and one line, and nothing printed
    afterwards (the temporary file failed again as it was collected, with a traceback)."""
    bad_items(tmp_path / "items.json", 20_000)  # 100,000 problems: about 25 MB of report
    args = ["check", "items.json", "--format", fmt] + (["--output", "r.json"] if output else [])
    result = run(args, tmp_path, 18_000_000, tmp_path / "report")
    assert (result.returncode, result.stderr) == (
        2, "oimtool: error: cannot write the report: its temporary file in "
           f"{tempfile.gettempdir()} cannot grow (File too large)\n")
    assert sorted(os.listdir(tmp_path)) == ["items.json", "report"]
