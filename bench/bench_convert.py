"""Benchmark ``oimtool convert`` end to end, beside the bare readers on the same exports.

    python bench/bench_convert.py [--csv-rows 1000000] [--xlsx-rows 200000] [--repeat 3]

Generates the exports when missing (bench/generate.py --export): a CSV of --csv-rows data rows
in each of --csv-styles (Turkish: ``;``, BOM, 1.299,90; English: ``,``, 1299.90) and a workbook
of --xlsx-rows sheet rows (a title row, the header, numbers typed as numbers). Times
``oimtool convert FILE -o OUT --force`` with the default jobs (one worker per CPU) and with
``-j 1``, and a bare read of the same file in a fresh interpreter: ``csv.reader`` (decode and
split, nothing else), or python-calamine's ``iter_rows`` consumed. Wall time, CPU time, rows/s,
peak RSS of the process and peak PSS of its process tree, as bench_check.py measures them.
Prints a Markdown report and writes it to bench/results/convert.md. Needs a Unix.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from bench_check import (
    BIN,
    MB,
    ROOT,
    RSS_UNIT,
    SAMPLE_EVERY,
    BenchError,
    Result,
    Run,
    Runner,
    executable,
    file_size,
    output_of,
    write_report,
)
from generate import CSV_STYLES, export_name, positive_int

IDLE_BUSY = 0.15  # the machine is idle below this fraction of its CPUs busy
IDLE_WAIT = 600  # seconds: wait at most this long for it, then run anyway
OTHER_CPU = 0.05  # other programs may take this share of one CPU during a run ...
OTHER_CPU_MIN = 0.25  # ... or this many CPU seconds, whichever is more
RETRIES = 4  # runs made again at most, when other programs disturbed them
TARGET_CSV = 200_000  # rows/s end to end, default jobs
TARGET_XLSX = 100_000
WARM_ROWS = 1000  # the small exports of the untimed first runs
T = TypeVar("T")

#: The bare readers: what reading the file costs before oimtool does anything with a row.
BARE_CSV = """\
import csv, sys
from collections import deque
path, delimiter, encoding = sys.argv[1:4]
with open(path, encoding=encoding, newline="") as text:
    deque(csv.reader(text, delimiter=delimiter), maxlen=0)
"""
BARE_XLSX = """\
import sys
from collections import deque
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
deque(sheet.iter_rows(), maxlen=0)
"""
BARE_LABEL = {"csv": "bare csv.reader", "xlsx": "bare calamine iter_rows"}


@dataclass(frozen=True)
class Export:
    """A generated export: its kind (csv-tr, csv-en, xlsx), rows as named, and data rows."""

    kind: str
    rows: int  # data rows of a CSV, sheet rows of a workbook (title and header included)
    path: Path

    @property
    def data_rows(self) -> int:
        return self.rows - 2 if self.is_sheet else self.rows

    @property
    def is_sheet(self) -> bool:
        return self.kind == "xlsx"

    @property
    def label(self) -> str:
        if self.is_sheet:
            return "xlsx"
        style = self.kind.removeprefix("csv-")
        layout = CSV_STYLES[style]
        return f"CSV {style} (`{layout.delimiter}`, {layout.encoding})"


def cpu_seconds() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine so far, all CPUs (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / tick, sum(values) / tick


def own_cpu() -> float:
    """CPU seconds of this process (the sampler thread's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def source_state() -> str:
    """A hash of the oimtool source as it is on disk (src/, changes not committed included;
    others' edits elsewhere, to the docs, do not count)."""
    digest = hashlib.sha1()
    for path in sorted((ROOT / "src").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cpu_busy(interval: float = 1.0) -> float:
    """The fraction of all CPUs busy over ``interval`` seconds (0 without /proc/stat)."""
    try:
        busy0, total0 = cpu_seconds()
        time.sleep(interval)
        busy1, total1 = cpu_seconds()
    except (OSError, ValueError):
        return 0.0
    return (busy1 - busy0) / max(1e-9, total1 - total0)


@dataclass
class Quiet:
    """Keeps other programs out of the numbers, which are wall times on a shared machine.

    Before a run, waits until the CPUs are less than ``IDLE_BUSY`` busy. After it, compares
    the CPU time the whole machine spent during the run with what the measured command (its
    workers included) and this process took: when other programs took more than
    ``OTHER_CPU`` of it, the run is thrown away and made again, up to ``RETRIES`` times."""

    waited: float = 0.0  # seconds, in all
    redone: int = 0  # runs thrown away
    kept_disturbed: int = 0  # runs kept all the same, after RETRIES
    sources: dict[str, list[Any]] = field(default_factory=dict)  # state -> [commit, runs]

    def wait(self) -> None:
        start = time.perf_counter()
        told = False
        while (busy := cpu_busy()) > IDLE_BUSY and time.perf_counter() - start < IDLE_WAIT:
            if not told:
                print(f"  waiting for an idle machine (CPUs {busy:.0%} busy) ...",
                      file=sys.stderr)
                told = True
        self.waited += time.perf_counter() - start

    def run(self, measure: Callable[[], T], run_of: Callable[[T], Run]) -> T:
        """``measure()`` on a quiet machine; ``run_of`` gives the Run in its result."""
        for attempt in range(RETRIES + 1):
            self.wait()
            try:
                busy0, _ = cpu_seconds()
            except (OSError, ValueError):
                return measure()
            source = source_state()
            mine0 = own_cpu()
            result = measure()
            busy1, _ = cpu_seconds()
            run = run_of(result)
            other = (busy1 - busy0) - run.cpu - (own_cpu() - mine0)
            changed = source_state() != source
            if not changed and other <= max(OTHER_CPU_MIN, OTHER_CPU * run.wall):
                self._count(source)
                return result
            if attempt < RETRIES:
                self.redone += 1
                why = ("the oimtool source changed" if changed else
                       f"other programs took {other:.1f} s of CPU")
                print(f"  {why} during the run: again", file=sys.stderr)
        self.kept_disturbed += 1
        self._count(source)
        return result

    def _count(self, source: str) -> None:
        if source not in self.sources:
            commit = output_of(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
            self.sources[source] = [commit, 0]
        self.sources[source][1] += 1

    def note(self) -> str:
        text = (f"before each run, waited for the CPUs to be less than {IDLE_BUSY:.0%} busy "
                f"({self.waited:,.0f} s of waiting in all); {self.redone} runs made again "
                f"because other programs took more than {OTHER_CPU:.0%} of a CPU during them, "
                "or the oimtool source changed")
        if self.kept_disturbed:
            text += (f"; **{self.kept_disturbed} runs kept although disturbed** (after "
                     f"{RETRIES} tries)")
        if len(self.sources) > 1:
            states = "; ".join(f"{runs} runs on src/ {state} (commit {commit})"
                               for state, (commit, runs) in self.sources.items())
            text += f"; **the oimtool source changed between runs**, in this order: {states}"
        elif self.sources:
            [(state, (commit, _))] = self.sources.items()
            text += f"; every run on the same source: src/ {state} (commit {commit})"
        return text


IDLE = Quiet()

_SPIN = "n = 0\nfor i in range(15_000_000): n += i"


def parallel_scaling(python: str) -> str:
    """How much two CPU-bound processes at once slow each other down on this machine: two
    virtual CPUs may share a physical core, and worker processes gain less than twofold."""
    def spin(copies: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([python, "-c", _SPIN]) for _ in range(copies)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    IDLE.wait()
    one = min(spin(1) for _ in range(2))
    two = min(spin(2) for _ in range(2))
    return (f"two CPU-bound processes at once take {two / one:.2f}× the time of one alone "
            f"({one:.2f} s vs {two:.2f} s): at most {2 * one / two:.2f}× from 2 processes")


def generate(*args: str) -> None:
    """Run bench/generate.py in a child process. Not here: Linux gives a child started by
    vfork (as subprocess does) this process's peak RSS as its own starting peak, so a big
    generator here would raise every peak RSS measured after it."""
    subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), *args],
                   check=True, stdout=subprocess.DEVNULL)


def rss_floor() -> str:
    """This process's peak RSS: no child's peak RSS can read below it (see ``generate``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT
    return (f"peak RSS of the benchmark process itself: {peak / MB:.0f} MB (a child's "
            "peak RSS reads at least this much: Linux starts a vforked child's peak there)")


def ensure_export(data: Path, rows: int, kind: str) -> Export:
    """The export, generated when missing."""
    path = export_name(data, rows, kind)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(str(rows), str(data), "--export", kind)
    return Export(kind, rows, path)


def out_path(data: Path, export: Export) -> Path:
    """Where ``oimtool convert`` writes the items of ``export`` (removed at the end)."""
    return data / "out" / f"{export.path.stem}.json"


def convert_cmd(oimtool: str, export: Export, data: Path, jobs: int | None = None
                ) -> list[str]:
    cmd = [oimtool, "convert", export.path.name, "-o",
           os.path.relpath(out_path(data, export), data), "--force"]
    return cmd if jobs is None else [*cmd, "-j", str(jobs)]


def bare_cmd(python: str, export: Export) -> list[str]:
    if export.is_sheet:
        return [python, "-c", BARE_XLSX, export.path.name]
    layout = CSV_STYLES[export.kind.removeprefix("csv-")]
    return [python, "-c", BARE_CSV, export.path.name, layout.delimiter, layout.encoding]


def bench(runner: Runner, label: str, cmd: Sequence[str], export: Export, repeat: int
          ) -> Result:
    """``repeat`` runs of ``cmd``; the result counts data rows as its items."""
    runs = []
    for k in range(repeat):
        run = IDLE.run(lambda: runner.measure(cmd), lambda run: run)
        runs.append(run)
        print(f"  {label} [{export.path.name}] run {k + 1}/{repeat}: {run.wall:.3f} s, "
              f"CPU {run.cpu:.3f} s, peak RSS {run.peak_rss / MB:.0f} MB, "
              f"tree PSS {run.tree_pss / MB:.0f} MB", file=sys.stderr)
    return Result(label, export.data_rows, export.path.stat().st_size, runs)


def warm_up(runner: Runner, args: argparse.Namespace, kinds: Sequence[str]) -> None:
    """One untimed run of every command on a small export: fills the bytecode cache."""
    for kind in kinds:
        small = ensure_export(args.data, WARM_ROWS, kind)
        out_path(args.data, small).parent.mkdir(parents=True, exist_ok=True)
        runner.measure(convert_cmd(args.oimtool, small, args.data))
        runner.measure(bare_cmd(args.python, small))
    for kind in kinds:
        out_path(args.data, ensure_export(args.data, WARM_ROWS, kind)).unlink(missing_ok=True)


def run_export(runner: Runner, args: argparse.Namespace, export: Export, *,
               single: bool = True) -> list[Result]:
    """oimtool convert (default jobs, and -j 1 when ``single``) and the bare reader."""
    label = BARE_LABEL["xlsx" if export.is_sheet else "csv"]
    results = [bench(runner, "oimtool convert", convert_cmd(args.oimtool, export, args.data),
                     export, args.repeat)]
    if single:
        results.append(bench(runner, "oimtool convert -j 1",
                             convert_cmd(args.oimtool, export, args.data, 1), export,
                             args.repeat))
    results.append(bench(runner, label, bare_cmd(args.python, export), export, args.repeat))
    out_path(args.data, export).unlink(missing_ok=True)
    return results


def header(title: str, args: argparse.Namespace) -> list[str]:
    """The conditions of the run, taken before it starts (the load average most of all)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    versions = output_of([args.python, "-c", "from importlib.metadata import version as v; "
                          "print(f\"python-calamine {v('python-calamine')}, openpyxl "
                          "{v('openpyxl')} (writes the workbooks)\")"])
    return [
        f"# {title}",
        "",
        f"- date: {now}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        f"- tools: {output_of([args.oimtool, '--version'])} (source "
        f"{output_of(['git', '-C', ROOT, 'describe', '--always', '--dirty'])}); {versions}",
        f"- load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- parallel scaling: {parallel_scaling(args.python)}",
        f"- command: `{command}`",
    ]


def rows_table(groups: Sequence[tuple[Export, list[Result]]]) -> list[str]:
    """One line per command and export; "× bare": wall time over the bare reader's."""
    lines = [
        "| export | command | data rows | file | runs | best (s) | median (s) | CPU (s) "
        "| rows/s | × bare | peak RSS (MB) | tree PSS (MB) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for export, results in groups:
        bare = next((r for r in results if r.label.startswith("bare")), None)
        for r in results:
            ratio = f"{r.median / bare.median:.1f}" if bare else "–"
            tree = f"{r.tree_pss / MB:,.0f}" if r.tree_pss else "–"
            lines.append(
                f"| {export.label} | {r.label} | {r.items:,} | {file_size(r.file_size)} | "
                f"{len(r.runs)} | {r.best:.3f} | {r.median:.3f} | {r.median_cpu:.3f} | "
                f"{r.rate:,.0f} | {ratio} | {r.peak_rss / MB:,.0f} | {tree} |")
    return lines


def targets_table(groups: Sequence[tuple[Export, list[Result]]]) -> list[str]:
    lines = ["| target | limit | measured | met |", "|---|---|---|---|"]
    for export, results in groups:
        limit = TARGET_XLSX if export.is_sheet else TARGET_CSV
        for r in results:
            if r.label == "oimtool convert":
                lines.append(f"| {export.label}, {r.items:,} rows, end to end (default jobs) | "
                             f"≥ {limit:,} rows/s | {r.rate:,.0f} rows/s | "
                             f"{'yes' if r.rate >= limit else '**no**'} |")
    return lines


def commands_text(args: argparse.Namespace) -> list[str]:
    return [
        "The commands, run in the data folder (OUT is removed after the runs):", "",
        "- oimtool convert: `oimtool convert FILE -o OUT --force` (default jobs: one worker "
        "process per CPU, for text files of 16 MB and more and sheets of 50,000 rows and more)",
        "- oimtool convert -j 1: the same in one process",
        "- bare csv.reader, in a fresh interpreter (decode and split, nothing else):", "",
        "```python", BARE_CSV.rstrip(), "```", "",
        "- bare calamine iter_rows, in a fresh interpreter:", "",
        "```python", BARE_XLSX.rstrip(), "```",
    ]


def report(args: argparse.Namespace, head: list[str],
           groups: Sequence[tuple[Export, list[Result]]]) -> str:
    sections = [
        head,
        ["## Results", "",
         "Wall time of the whole process (start-up included), best and median of the runs; CPU "
         "time (user + system, worker processes included) at the median; rows/s: data rows "
         "over the median wall time; × bare: median wall time over the bare reader's on the "
         "same file. Peak RSS: the largest single process (exact); tree PSS: the process and "
         "its worker processes together, shared pages counted once (sampled every "
         f"{SAMPLE_EVERY * 1000:g} ms); both the largest of the runs.", "",
         *rows_table(groups)],
        ["## Targets", "", *targets_table(groups)],
        ["## Exports", "",
         "Generated by `bench/generate.py --export`: order lines with Turkish and English "
         "product names, valid rows only. A CSV has a header and its data rows (lines end in "
         "CRLF); the workbook's sheet has a title row, the header, then the data rows, "
         "quantities and prices typed as numbers, order numbers and SKUs as text.", "",
         *commands_text(args)],
    ]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def styles(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [v for v in values if v not in CSV_STYLES]
    if unknown or not values:
        raise argparse.ArgumentTypeError(f"styles are {', '.join(CSV_STYLES)}, not {text!r}")
    return values


def sheet_rows(text: str) -> int:
    value = positive_int(text)
    if value < 3:
        raise argparse.ArgumentTypeError("a workbook needs at least 3 rows (title, header, "
                                         "one line)")
    return value


def add_common_options(parser: argparse.ArgumentParser, report: str) -> None:
    """The options of the convert and extremes benchmarks: where things are."""
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data", metavar="DIR",
                        help="folder of the generated files (default bench/data)")
    parser.add_argument("--oimtool", type=executable, default=str(BIN / "oimtool"), metavar="PATH",
                        help="the oimtool to run (default .venv/bin/oimtool)")
    parser.add_argument("--python", type=executable, default=str(BIN / "python"), metavar="PATH",
                        help="the Python of the bare readers, with python-calamine "
                        "(default .venv/bin/python)")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        default=ROOT / "bench" / "results" / f"{report}.md",
                        help=f"where to write the report (default bench/results/{report}.md)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv-rows", type=positive_int, default=1_000_000, metavar="N",
                        help="data rows of each CSV export (default 1000000)")
    parser.add_argument("--csv-styles", type=styles, default=list(CSV_STYLES), metavar="S,S",
                        help="CSV layouts to measure: tr, en (default tr,en)")
    parser.add_argument("--xlsx-rows", type=sheet_rows, default=200_000, metavar="N",
                        help="sheet rows of the workbook, title and header included "
                        "(default 200000)")
    parser.add_argument("--repeat", type=positive_int, default=3, metavar="K",
                        help="runs per export and command (default 3)")
    add_common_options(parser, "convert")
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    head = header("oimtool convert benchmark", args)
    runner = Runner(args.data)
    kinds = [f"csv-{style}" for style in args.csv_styles] + ["xlsx"]
    try:
        warm_up(runner, args, kinds)
        groups = []
        for kind in kinds:
            export = ensure_export(args.data, args.xlsx_rows if kind == "xlsx" else
                                   args.csv_rows, kind)
            groups.append((export, run_export(runner, args, export)))
    except BenchError as exc:
        print(f"bench_convert: {exc}", file=sys.stderr)
        return 1
    head.append(f"- other programs: {IDLE.note()}")
    head.append(f"- {rss_floor()}")
    text = report(args, head, groups)
    sys.stdout.write(text)
    write_report(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
