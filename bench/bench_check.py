"""Benchmark ``oimtool check`` end to end, against check-jsonschema on the same files.

    python bench/bench_check.py [--sizes 100000,1000000] [--repeat 3] [--data bench/data]

Generates the data files when missing (bench/generate.py), runs every command as a subprocess
and reads its wall time, CPU time and peak RSS (``os.wait4`` returns the resource usage of that
one child, so earlier runs never inflate it), and samples the memory of the child and its
worker processes together (PSS, from /proc). Prints a Markdown report and writes it to
bench/results/check.md. Progress goes to stderr. Needs a Unix (``os.wait4``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import pairwise
from pathlib import Path

from generate import file_names, positive_int, write_files

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SCHEMA = ROOT / "schemas" / "order-item.schema.json"
STARTUP_SIZE = 1
STARTUP_RUNS = {"oimtool": 20, "check-jsonschema": 10}
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
MB = 1_000_000
SAMPLE_EVERY = 0.1  # seconds; reading a big process's PSS takes milliseconds
TARGET_SIZE = 1_000_000
TARGET_WALL = 5.0  # seconds, TARGET_SIZE items with --orders
TARGET_MEMORY = 300 * MB
TARGET_STARTUP = 0.2  # seconds, one-item file


class BenchError(Exception):
    """A command failed: its timings would mean nothing."""


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system, workers included
    peak_rss: int  # bytes, the largest single process (exact)
    tree_pss: int  # bytes, the process and its workers together (sampled; 0 without /proc)


@dataclass(frozen=True)
class Result:
    """The runs of one command on one file."""

    label: str
    items: int
    file_size: int
    runs: list[Run]

    @property
    def best(self) -> float:
        return min(run.wall for run in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(run.cpu for run in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(run.peak_rss for run in self.runs)

    @property
    def tree_pss(self) -> int:
        return max(run.tree_pss for run in self.runs)

    @property
    def memory(self) -> int:
        """Peak memory: the exact figure for one process, the sampled sum for several (the
        largest process's PSS is below its RSS, so the sum only wins with workers)."""
        return max(self.peak_rss, self.tree_pss)

    @property
    def rate(self) -> float:
        """Items per second at the median wall time."""
        return self.items / self.median


def pss(pid: int) -> int:
    """Proportional set size of one process: its own pages, plus its share of shared ones."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_pss(pid: int) -> int:
    """PSS of ``pid`` and all its descendants, summed: what they take together, pages shared by
    forked workers counted once. From /proc (Linux 4.14+); 0 where it is not available."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += pss(current)
            for children in Path(f"/proc/{current}/task").glob("*/children"):
                pending += map(int, children.read_text().split())
        except (OSError, ValueError):  # the process is gone, or there is no /proc
            continue
    return total


class TreeSampler:
    """Samples ``tree_pss`` in a thread while the block runs; ``peak`` is the largest sum."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_EVERY):
            self.sample()

    def sample(self) -> None:
        """One sample (a subclass may take more than the PSS)."""
        self.peak = max(self.peak, tree_pss(self.pid))

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


@dataclass(frozen=True)
class Runner:
    """Runs commands in the data folder, with bytecode caching on.

    An installed tool has its bytecode compiled; an editable install under
    PYTHONDONTWRITEBYTECODE recompiles oimtool at every start. So the children write and read
    their bytecode in ``data/.pycache`` (PYTHONPYCACHEPREFIX), filled by an untimed first run
    of each tool (``run_all``).
    """

    data: Path

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.data / ".pycache")
        return env

    def measure(self, cmd: Sequence[str | Path]) -> Run:
        """Run ``cmd`` once: wall and CPU time, the peak RSS of that process alone (not of
        earlier children), and the peak PSS of it and its workers together."""
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=self.data, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT)
            with TreeSampler(proc.pid) as sampler:
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            if proc.returncode != 0:
                out.seek(0)
                output = out.read(4000).decode("utf-8", "replace")
                raise BenchError(f"`{shlex.join(map(str, cmd))}` exited with "
                                 f"{proc.returncode}:\n{output}")
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * RSS_UNIT,
                   sampler.peak)

    def bench(self, label: str, cmd: Sequence[str | Path], items_file: Path, items: int,
              repeat: int) -> Result:
        """``repeat`` runs of ``cmd`` on ``items_file``."""
        runs = []
        for k in range(repeat):
            run = self.measure(cmd)
            runs.append(run)
            print(f"  {label} [{items:,} items] run {k + 1}/{repeat}: {run.wall:.3f} s, "
                  f"CPU {run.cpu:.3f} s, peak RSS {run.peak_rss / MB:.0f} MB, "
                  f"tree PSS {run.tree_pss / MB:.0f} MB", file=sys.stderr)
        return Result(label, items, items_file.stat().st_size, runs)


def ensure_data(data: Path, size: int) -> tuple[Path, Path]:
    """The items and orders files for ``size`` items, generated when missing."""
    items, orders = file_names(data, size)
    if not (items.exists() and orders.exists()):
        print(f"generating {items} and {orders.name} ...", file=sys.stderr)
        write_files(size, data)
    return items, orders


def run_all(args: argparse.Namespace) -> list[Result]:
    """Every measurement: per size oimtool (and check-jsonschema up to a size), then start-up."""
    oimtool, jsonschema = args.oimtool, args.check_jsonschema
    runner = Runner(args.data)
    one_item, _ = ensure_data(args.data, STARTUP_SIZE)
    oimtool_startup = [oimtool, "check", one_item.name]
    jsonschema_startup = [jsonschema, "--schemafile", SCHEMA, one_item.name]
    for cmd in oimtool_startup, jsonschema_startup:  # fill the bytecode cache, untimed
        runner.measure(cmd)
    results = []
    for size in args.sizes:
        items, orders = ensure_data(args.data, size)
        results.append(runner.bench("oimtool check --orders",
                                    [oimtool, "check", items.name, "--orders", orders.name],
                                    items, size, args.repeat))
        if size <= args.jsonschema_max:
            results.append(runner.bench("check-jsonschema",
                                        [jsonschema, "--schemafile", SCHEMA, items.name],
                                        items, size, args.repeat))
    results.append(runner.bench("oimtool check (start-up)", oimtool_startup, one_item,
                                STARTUP_SIZE, STARTUP_RUNS["oimtool"]))
    results.append(runner.bench("check-jsonschema (start-up)", jsonschema_startup, one_item,
                                STARTUP_SIZE, STARTUP_RUNS["check-jsonschema"]))
    return results


def output_of(cmd: Sequence[str | Path]) -> str:
    """What ``cmd`` prints, or "unknown" when it cannot run."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def header(args: argparse.Namespace) -> list[str]:
    """The conditions of the run, taken before it starts (the load average most of all)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    return [
        "# oimtool check benchmark",
        "",
        f"- date: {now}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        f"- tools: {output_of([args.oimtool, '--version'])} (source "
        f"{output_of(['git', '-C', ROOT, 'describe', '--always', '--dirty'])}); "
        f"{output_of([args.check_jsonschema, '--version'])}",
        f"- load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- command: `{command}`",
    ]


def file_size(size: int) -> str:
    """Bytes as B, kB or MB (powers of 1000)."""
    if size < 1000:
        return f"{size} B"
    if size < MB:
        return f"{size / 1000:.1f} kB"
    return f"{size / MB:,.1f} MB"


def results_table(results: list[Result]) -> list[str]:
    lines = [
        "| command | items | file | runs | best (s) | median (s) | CPU (s) | items/s "
        "| peak RSS (MB) | tree PSS (MB) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        rate = f"{r.rate:,.0f}" if r.items > STARTUP_SIZE else "–"
        tree = f"{r.tree_pss / MB:,.0f}" if r.tree_pss else "–"
        lines.append(f"| {r.label} | {r.items:,} | {file_size(r.file_size)} | {len(r.runs)} | "
                     f"{r.best:.3f} | {r.median:.3f} | {r.median_cpu:.3f} | {rate} | "
                     f"{r.peak_rss / MB:,.0f} | {tree} |")
    return lines


def data_table(data: Path, sizes: list[int]) -> list[str]:
    lines = ["| items | items file | orders file |", "|--:|--:|--:|"]
    for size in sizes:
        items, orders = file_names(data, size)
        lines.append(f"| {size:,} | {file_size(items.stat().st_size)} | "
                     f"{file_size(orders.stat().st_size)} |")
    return lines


def memory_growth(results: list[Result]) -> list[str]:
    """Peak memory added per item, between consecutive oimtool sizes."""
    runs = sorted((r for r in results if r.label == "oimtool check --orders"),
                  key=lambda r: r.items)
    lines = []
    for small, large in pairwise(runs):
        per_item = (large.memory - small.memory) / (large.items - small.items)
        lines.append(f"- {small.items:,} → {large.items:,} items: peak memory "
                     f"{small.memory / MB:,.0f} → {large.memory / MB:,.0f} MB, "
                     f"{per_item:,.0f} bytes per extra item "
                     f"(= MB per extra million items)")
    return lines


def targets_table(results: list[Result]) -> list[str]:
    """The README's targets, for the measurements this run made."""
    checks = []
    for r in results:
        if r.label == "oimtool check --orders" and r.items == TARGET_SIZE:
            checks.append((f"{TARGET_SIZE:,} items with --orders, median wall",
                           f"≤ {TARGET_WALL:g} s", f"{r.median:.2f} s", r.median <= TARGET_WALL))
            checks.append((f"{TARGET_SIZE:,} items with --orders, peak memory",
                           f"≤ {TARGET_MEMORY / MB:g} MB", f"{r.memory / MB:.0f} MB",
                           r.memory <= TARGET_MEMORY))
        if r.label == "oimtool check (start-up)":
            checks.append(("start-up on a one-item file, median wall",
                           f"≤ {TARGET_STARTUP:g} s", f"{r.median:.3f} s",
                           r.median <= TARGET_STARTUP))
    lines = ["| target | limit | measured | met |", "|---|---|---|---|"]
    lines += [f"| {what} | {limit} | {got} | {'yes' if ok else '**no**'} |"
              for what, limit, got, ok in checks]
    return lines


def report(args: argparse.Namespace, head: list[str], results: list[Result]) -> str:
    sections = [
        head,
        ["## Data", "", *data_table(args.data, [*args.sizes, STARTUP_SIZE])],
        ["## Results", "",
         "Wall time of the whole process, best and median of the runs; CPU time (user + "
         "system, worker processes included) at the median; items/s at the median wall time. "
         "Peak RSS: the largest single process (exact); tree PSS: the process and its worker "
         f"processes together, shared pages counted once (sampled every "
         f"{SAMPLE_EVERY * 1000:g} ms); both the largest of the runs. Peak memory below is the "
         "larger of the two. The commands, run in the data folder:", "",
         "- oimtool check --orders: `oimtool check items-N.json --orders orders-N.json`",
         "- check-jsonschema: `check-jsonschema --schemafile schemas/order-item.schema.json "
         "items-N.json`",
         "- start-up: the same on items-1.json (oimtool without --orders)", "",
         *results_table(results)],
    ]
    growth = memory_growth(results)
    if growth:
        sections.append(["## Memory growth (oimtool)", "", *growth])
    sections.append(["## Targets", "", *targets_table(results)])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def write_report(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def sizes(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected sizes like 100000,1000000: {exc}") from exc
    if min(values) < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return values


def executable(text: str) -> str:
    """The absolute path of a program given by path or found on PATH."""
    found = shutil.which(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"{text} is not an executable program")
    return os.path.abspath(found)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes, default=[100_000, 1_000_000], metavar="N,N",
                        help="comma-separated item counts (default 100000,1000000)")
    parser.add_argument("--repeat", type=positive_int, default=3, metavar="K",
                        help="runs per size and command (default 3)")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data", metavar="DIR",
                        help="folder of the generated files (default bench/data)")
    parser.add_argument("--jsonschema-max", type=int, default=100_000, metavar="N",
                        help="run check-jsonschema only on sizes up to N (default 100000)")
    parser.add_argument("--oimtool", type=executable, default=str(BIN / "oimtool"), metavar="PATH",
                        help="the oimtool to run (default .venv/bin/oimtool)")
    parser.add_argument("--check-jsonschema", type=executable, metavar="PATH",
                        default=str(BIN / "check-jsonschema"),
                        help="the check-jsonschema to run (default .venv/bin/check-jsonschema)")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        default=ROOT / "bench" / "results" / "check.md",
                        help="where to write the report (default bench/results/check.md)")
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    head = header(args)
    try:
        results = run_all(args)
    except BenchError as exc:
        print(f"bench_check: {exc}", file=sys.stderr)
        return 1
    text = report(args, head, results)
    sys.stdout.write(text)
    write_report(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
