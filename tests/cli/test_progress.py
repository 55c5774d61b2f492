"""The progress bar of a long conversion: on a terminal only, never when piped or in CI."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")

ROWS = 20_000  # ten batches of rows: the bar is drawn at once (OIMTOOL_PROGRESS_DELAY=0)


@pytest.fixture(scope="module")
def long_export(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "sales.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Order No,Product,Qty,Price\n")
        out.writelines(f"O{i},Ürün {i},2,{i % 500}.90\n" for i in range(ROWS))
    return path


def run_on_terminal(args, env):
    """Run oimtool with its standard error on a pseudo-terminal; (exit code, stderr, stdout)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "oimtool", *args], stdout=subprocess.PIPE,
                               stderr=secondary, env=env)
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
    with process.stdout:
        out = process.stdout.read()
    code = process.wait(60)
    os.close(primary)
    return code, seen.decode("utf-8", "replace"), out.decode()


def environment(**changes):
    """The environment of a run: the bar shown at once, whatever the machine's speed."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_PROGRESS", "NO_COLOR")}
    env.update(OIMTOOL_PROGRESS_DELAY="0", **changes)
    return env


def test_bar_on_a_terminal(long_export, tmp_path):
    code, err, out = run_on_terminal(
        ["convert", long_export, "-o", tmp_path / "items.json", "-j", "1"], environment())
    assert code == 0, err + out
    assert f"converting {long_export.name} [" in err
    assert "\r\033[K" in err  # the bar is cleared, not left on the screen
    assert f"{ROWS:,} rows read: {ROWS:,} items, 0 rejected" in out


@pytest.mark.parametrize("variable", ["CI", "NO_PROGRESS"])
def test_no_bar_in_ci(long_export, tmp_path, variable):
    code, err, out = run_on_terminal(
        ["convert", long_export, "-o", tmp_path / "items.json", "-j", "1"],
        environment(**{variable: "true"}))
    assert code == 0, err + out
    assert err == ""


def test_no_bar_when_piped(long_export, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "oimtool", "convert", long_export, "-o", tmp_path / "items.json",
         "-j", "1"], capture_output=True, env=environment(), check=False)
    assert result.returncode == 0
    assert result.stderr == b""


@pytest.fixture(scope="module")
def long_items(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "items.json"
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        out.write(",\n".join(
            f'{{"order_number": "O{i}", "product": "Ürün {i}", "sku": "S{i}", "quantity": 2, '
            f'"price": {i % 500}.9, "image_url": null, "extra_field": {{"n": {i}}}}}'
            for i in range(ROWS * 5)))
        out.write("\n]\n")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_has_the_bar_too(long_items, jobs):
    code, err, out = run_on_terminal(["check", long_items, "-j", jobs], environment())
    assert code == 0, err + out
    assert f"checking {long_items.name} [" in err
    assert " items" in err
    assert "100%" not in err  # said only by the end of the run, which clears the bar instead
    assert err.endswith("\r\033[K")
    assert out == f"OK: {ROWS * 5:,} items in 1 file, no problems.\n"


class Updates:
    """A progress that keeps what it is told."""

    def __init__(self):
        self.seen = []

    def update(self, fraction, rows):
        self.seen.append((fraction, rows))

    def clear(self):
        pass


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_convert_by_workers_moves_the_bar_and_says_100_only_at_the_end(tmp_path, small_pieces,
                                                                       kind):
    import openpyxl

    from oimtool.api import Collector, ConvertOptions, run_convert

    rows = [["Order No", "Qty", "Price"]] + [[f"O{i}", "1", "2.5"] for i in range(3000)]
    if kind == "csv":
        source = tmp_path / "s.csv"
        source.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    else:
        source = tmp_path / "s.xlsx"
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(source)
    progress = Updates()
    options = ConvertOptions.resolve(source, output=str(tmp_path / "s.json"), jobs=2,
                                     tuning=small_pieces)
    summary = run_convert(options, Collector(), progress=progress)
    assert summary.items == 3000
    fractions = [fraction for fraction, _ in progress.seen]
    assert len(fractions) > 3
    assert fractions == sorted(fractions)  # it only moves forward
    assert max(fractions) <= 0.99  # 100% is the end of the run, which clears the bar
    half = next(rows for fraction, rows in progress.seen if fraction >= 0.5)
    assert 500 < half < 2500  # moved by the rows converted, not stuck at 0 then jumping


def test_fix_has_the_bar_too(long_items, tmp_path):
    code, err, out = run_on_terminal(["fix", long_items, "-o", tmp_path / "fixed.json"],
                                     environment())
    assert code == 0, err + out
    assert f"fixing {long_items.name} [" in err
    assert "100%" not in err
    assert err.endswith("\r\033[K")
    assert out.splitlines()[-1].startswith("Nothing to fix in 100,000 items in 1 file")
