"""Bounded memory at the extremes: ``oimtool check`` up to gigabytes, ``oimtool convert`` up to
Excel's last row.

    python bench/bench_extremes.py [--json-gb 0.5,1,2,5] [--xlsx-rows 131072,...,1048576]
                                   [--csv-rows 1000000,4000000] [--repeat 1]

Three series, each file generated on first use into the data folder (bench/generate.py,
streamed):

- ``oimtool check ITEMS --orders ORDERS`` on items files of --json-gb gigabytes, all referring
  to one orders file of fixed size (orders-B.json, B = --orders-of items: 399,936 orders for
  the default). Past a million items oimtool keeps item fingerprints in temporary files, not
  in memory: the temporary files the process tree holds open are sampled too.
- ``oimtool convert`` of workbooks of --xlsx-rows sheet rows (Excel holds at most 1,048,576),
  beside a bare python-calamine read of the sheet.
- ``oimtool convert`` of CSV exports of --csv-rows data rows, beside a bare ``csv.reader``.

For each: wall and CPU time, items or rows per second, the peak RSS of the largest process,
the peak PSS of the process tree (workers included), and between consecutive sizes the memory
added per extra item or row. Prints a Markdown report and writes it to
bench/results/extremes.md. Needs Linux (/proc) for the tree and the temporary files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bench_check import (
    MB,
    RSS_UNIT,
    SAMPLE_EVERY,
    BenchError,
    Result,
    Run,
    Runner,
    TreeSampler,
    file_size,
    write_report,
)
from bench_convert import (
    BARE_LABEL,
    IDLE,
    add_common_options,
    bare_cmd,
    convert_cmd,
    ensure_export,
    generate,
    header,
    out_path,
    rss_floor,
    sheet_rows,
    warm_up,
)
from generate import (
    CSV_STYLES,
    big_items_name,
    file_names,
    positive_int,
)

#: Bytes per item of the generated items files (items-1000000.json: 267,123,850 bytes).
ITEM_BYTES = 267.12
EXCEL_ROWS = 1_048_576
GB = 1_000_000_000


def items_for(gb: float) -> int:
    """The item count of a generated file of about ``gb`` gigabytes (a multiple of 10,000)."""
    return max(10_000, round(gb * GB / ITEM_BYTES / 10_000) * 10_000)


# -- measuring ---------------------------------------------------------------------------

def tree_pids(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for children in Path(f"/proc/{current}/task").glob("*/children"):
                pending += map(int, children.read_text().split())
        except (OSError, ValueError):
            continue
    return found


def temp_bytes(pid: int, tempdir: str = tempfile.gettempdir()) -> int:
    """The size of the files in the temporary folder that the process tree holds open (each
    once), deleted ones included: where oimtool puts what it keeps out of memory."""
    seen: dict[tuple[int, int], int] = {}
    for current in tree_pids(pid):
        try:
            fds = os.listdir(f"/proc/{current}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{current}/fd/{fd}")
                if not target.startswith(tempdir + os.sep):
                    continue
                stat = os.stat(f"/proc/{current}/fd/{fd}")
            except OSError:
                continue
            seen[(stat.st_dev, stat.st_ino)] = stat.st_size
    return sum(seen.values())


class Sampler(TreeSampler):
    """Samples the tree's PSS and its open temporary files in a thread while the block runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(pid)
        self.temp_peak = 0

    def sample(self) -> None:
        super().sample()
        self.temp_peak = max(self.temp_peak, temp_bytes(self.pid))


@dataclass(frozen=True)
class Measured:
    """The runs of one command on one file, and the largest temporary files it held."""

    result: Result
    temp_peak: int  # bytes
    size_label: str  # how the series names the size (GB of JSON, sheet rows, CSV rows)


def measure(runner: Runner, cmd: Sequence[str]) -> tuple[Run, int]:
    """Run ``cmd`` once in the data folder, as ``Runner.measure`` does, sampling the temporary
    files too."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=runner.data, env=runner.env, stdout=out,
                                stderr=subprocess.STDOUT)
        with Sampler(proc.pid) as sampler:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            output = out.read(4000).decode("utf-8", "replace")
            raise BenchError(f"`{' '.join(cmd)}` exited with {proc.returncode}:\n{output}")
    return (Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * RSS_UNIT,
                sampler.peak), sampler.temp_peak)


def bench(runner: Runner, label: str, cmd: Sequence[str], path: Path, count: int,
          repeat: int, size_label: str) -> Measured:
    runs, temp_peak = [], 0
    for k in range(repeat):
        run, temp = IDLE.run(lambda: measure(runner, cmd), lambda done: done[0])
        runs.append(run)
        temp_peak = max(temp_peak, temp)
        print(f"  {label} [{path.name}] run {k + 1}/{repeat}: {run.wall:.3f} s, CPU "
              f"{run.cpu:.3f} s, peak RSS {run.peak_rss / MB:.0f} MB, tree PSS "
              f"{run.tree_pss / MB:.0f} MB, temporary files {temp / MB:.0f} MB",
              file=sys.stderr)
    return Measured(Result(label, count, path.stat().st_size, runs), temp_peak, size_label)


# -- the series --------------------------------------------------------------------------

def run_json(runner: Runner, args: argparse.Namespace) -> list[Measured]:
    orders = file_names(args.data, args.orders_of)[1]
    measured = []
    for gb in args.json_gb:
        n = items_for(gb)
        items = big_items_name(args.data, n, args.orders_of)
        if not items.exists():
            print(f"generating {items} ...", file=sys.stderr)
            generate(str(n), str(args.data), "--orders-of", str(args.orders_of))
        cmd = [args.oimtool, "check", items.name, "--orders", orders.name]
        measured.append(bench(runner, "oimtool check --orders", cmd, items, n, args.repeat,
                              f"{gb:g} GB"))
    return measured


def run_convert(runner: Runner, args: argparse.Namespace, kind: str, sizes: Sequence[int]
                ) -> list[Measured]:
    measured = []
    for rows in sizes:
        export = ensure_export(args.data, rows, kind)
        label = f"{rows:,} {'sheet ' if export.is_sheet else ''}rows"
        commands = [("oimtool convert", convert_cmd(args.oimtool, export, args.data))]
        if args.single:
            commands.append(("oimtool convert -j 1",
                             convert_cmd(args.oimtool, export, args.data, 1)))
        commands.append((BARE_LABEL["xlsx" if export.is_sheet else "csv"],
                         bare_cmd(args.python, export)))
        for name, cmd in commands:
            measured.append(bench(runner, name, cmd, export.path, export.data_rows,
                                  args.repeat, label))
        out_path(args.data, export).unlink(missing_ok=True)
    return measured


# -- the report --------------------------------------------------------------------------

def table(measured: Sequence[Measured], unit: str, *, temp: bool = False) -> list[str]:
    lines = [
        f"| size | command | {unit} | file | runs | median (s) | CPU (s) | {unit}/s "
        f"| peak RSS (MB) | tree PSS (MB) | peak memory (MB) |" + (
            " temporary files (MB) |" if temp else ""),
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|" + ("--:|" if temp else ""),
    ]
    for m in measured:
        r = m.result
        tree = f"{r.tree_pss / MB:,.0f}" if r.tree_pss else "–"
        line = (f"| {m.size_label} | {r.label} | {r.items:,} | {file_size(r.file_size)} | "
                f"{len(r.runs)} | {r.median:.2f} | {r.median_cpu:.2f} | {r.rate:,.0f} | "
                f"{r.peak_rss / MB:,.0f} | {tree} | {r.memory / MB:,.0f} |")
        if temp:
            line += f" {m.temp_peak / MB:,.0f} |"
        lines.append(line)
    return lines


def growth(measured: Sequence[Measured], unit: str) -> list[str]:
    """Peak memory added per extra item or row between consecutive sizes, per command."""
    lines = []
    for label in dict.fromkeys(m.result.label for m in measured):
        series = sorted((m.result for m in measured if m.result.label == label),
                        key=lambda r: r.items)
        for small, large in pairwise(series):
            per = (large.memory - small.memory) / (large.items - small.items)
            lines.append(f"- {label}, {small.items:,} → {large.items:,} {unit}: peak memory "
                         f"{small.memory / MB:,.0f} → {large.memory / MB:,.0f} MB, "
                         f"{per:,.1f} bytes per extra {unit[:-1]} "
                         f"(= MB per extra million {unit})")
    return lines


def report(args: argparse.Namespace, head: list[str], json_runs: list[Measured],
           xlsx_runs: list[Measured], csv_runs: list[Measured]) -> str:
    sections = [
        head,
        ["How the numbers are taken: wall time of the whole process (start-up included), "
         "median of the runs; CPU: user + system, worker processes included; peak RSS: the "
         "largest single process (exact, `os.wait4`); tree PSS: the process and its worker "
         "processes together, shared pages counted once, sampled every "
         f"{SAMPLE_EVERY * 1000:g} ms from /proc; peak memory: the larger of the two. Every "
         "command runs in the data folder. Sizes in MB and GB are powers of 1000."],
    ]
    jobs = "default jobs, and -j 1" if args.single else "default jobs"
    if json_runs:
        orders_path = file_names(args.data, args.orders_of)[1]
        sections.append([
            "## oimtool check: items files up to gigabytes", "",
            f"`oimtool check items-N-orders-{args.orders_of}.json --orders "
            f"{orders_path.name}`, default jobs. The orders file stays the same "
            f"({file_size(orders_path.stat().st_size)}, the orders of "
            f"items-{args.orders_of}.json); the items refer to it, round after round "
            "(`bench/generate.py N DIR --orders-of B`). Temporary files: the largest total "
            "size of the files the process tree held open in the temporary folder "
            f"({tempfile.gettempdir()}), sampled: where the fingerprints beyond the first "
            "million items go (24 bytes each, spread over 64 files, read back one file at a "
            "time when the items file ends).", "",
            *table(json_runs, "items", temp=True), "",
            *growth(json_runs, "items")])
    if xlsx_runs:
        sections.append([
            "## oimtool convert: workbooks up to Excel's last row", "",
            f"`oimtool convert export-N.xlsx -o OUT --force` ({jobs}), and a "
            "bare python-calamine read of the sheet (`iter_rows` consumed) in a fresh "
            "interpreter. N sheet rows: a title row, the header, N − 2 data rows; rows/s "
            "counts data rows. python-calamine reads the whole sheet into memory before the "
            f"first row comes out, so memory grows with the sheet, up to Excel's "
            f"{EXCEL_ROWS:,} rows.", "",
            *table(xlsx_runs, "rows"), "",
            *growth(xlsx_runs, "rows")])
    if csv_runs:
        layout = CSV_STYLES[args.csv_style]
        sections.append([
            "## oimtool convert: CSV exports", "",
            f"`oimtool convert export-N-{args.csv_style}.csv -o OUT --force` ({jobs}; "
            f"`{layout.delimiter}`-separated, {layout.encoding}), and a bare "
            "`csv.reader` pass in a fresh interpreter.", "",
            *table(csv_runs, "rows"), "",
            *growth(csv_runs, "rows")])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


# -- options -----------------------------------------------------------------------------

def numbers(kind: type, text: str) -> list:
    try:
        values = [kind(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list: {exc}") from exc
    if any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sorted(values)


def gigabytes(text: str) -> list[float]:
    return numbers(float, text)


def row_counts(text: str) -> list[int]:
    return numbers(int, text)


def sheet_counts(text: str) -> list[int]:
    values = row_counts(text)
    for value in values:
        sheet_rows(str(value))
    if values and values[-1] > EXCEL_ROWS:
        raise argparse.ArgumentTypeError(f"a sheet holds at most {EXCEL_ROWS:,} rows")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json-gb", type=gigabytes, default=[0.5, 1, 2, 5], metavar="G,G",
                        help="sizes of the items files for oimtool check, in GB (default "
                        "0.5,1,2,5; empty: skip)")
    parser.add_argument("--orders-of", type=positive_int, default=1_000_000, metavar="B",
                        help="the orders file is orders-B.json, the orders of B items "
                        "(default 1000000: 399,936 orders)")
    parser.add_argument("--xlsx-rows", type=sheet_counts, metavar="N,N",
                        default=[131_072, 262_144, 524_288, EXCEL_ROWS],
                        help="sheet rows of the workbooks (default 131072,262144,524288,"
                        "1048576; empty: skip)")
    parser.add_argument("--csv-rows", type=row_counts, default=[1_000_000, 4_000_000],
                        metavar="N,N", help="data rows of the CSV exports (default "
                        "1000000,4000000; empty: skip)")
    parser.add_argument("--csv-style", choices=list(CSV_STYLES), default="tr",
                        help="the CSV layout (default tr)")
    parser.add_argument("--no-single", dest="single", action="store_false",
                        help="measure convert with the default jobs only, not -j 1 too")
    parser.add_argument("--repeat", type=positive_int, default=1, metavar="K",
                        help="runs per size and command (default 1)")
    add_common_options(parser, "extremes")
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    head = header("oimtool at the extremes: bounded memory", args)
    runner = Runner(args.data)
    try:
        kinds = (["xlsx"] if args.xlsx_rows else []) + (
            [f"csv-{args.csv_style}"] if args.csv_rows else [])
        warm_up(runner, args, kinds or [f"csv-{args.csv_style}"])
        json_runs = run_json(runner, args) if args.json_gb else []
        xlsx_runs = run_convert(runner, args, "xlsx", args.xlsx_rows)
        csv_runs = run_convert(runner, args, f"csv-{args.csv_style}", args.csv_rows)
    except BenchError as exc:
        print(f"bench_extremes: {exc}", file=sys.stderr)
        return 1
    head.append(f"- other programs: {IDLE.note()}")
    head.append(f"- {rss_floor()}")
    text = report(args, head, json_runs, xlsx_runs, csv_runs)
    sys.stdout.write(text)
    write_report(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
