"""``oimtool upload`` end to end against the fake Omnitron of the tests (a real HTTP server in
another process): check, cut into parts, post each part, follow its progress. Wall time and the
peak memory of the oimtool process, which must not hold the file: parts are written to disk and
streamed from there.

    python bench/bench_upload.py [--sizes 100000,1000000] [--part-size 100000]

The items (and orders) files are bench/generate.py's, made on first use in bench/data. The fake
server answers every progress read with "finished", so the time is oimtool's own (checking with
--orders, cutting, hashing, sending over the loopback), not a real Omnitron's processing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write_files  # noqa: E402

TOKEN = "s3cr3t-t0ken"  # the fake server's (tests/fakeomnitron.py)


def serve() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "fakeomnitron.py")],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def run(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one oimtool run in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "oimtool", *args], cwd=cwd,
                             env={**os.environ, "OIMTOOL_TOKEN": TOKEN, "NO_PROGRESS": "1"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--part-size", default="100000")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    options = parser.parse_args()
    options.data.mkdir(exist_ok=True)
    server, url = serve()
    print("| items | file (MB) | parts | command | seconds | peak RSS (MB) | exit |")
    print("|--:|--:|--:|---|--:|--:|--:|")
    try:
        for n in (int(s) for s in options.sizes.split(",")):
            items, orders = write_files(n, options.data)
            size = items.stat().st_size / 1e6
            parts = -(-n // int(options.part_size))
            with tempfile.TemporaryDirectory() as folder:
                common = [str(items), "--url", url, "--channel", "3", "--ledger",
                          str(Path(folder) / "ledger.jsonl")]
                runs = {
                    "check --orders": ["check", str(items), "--orders", str(orders)],
                    "upload --orders --dry-run": ["upload", *common, "--orders", str(orders),
                                                  "--part-size", options.part_size, "--dry-run"],
                    "upload --orders --wait": ["upload", *common, "--orders", str(orders),
                                               "--part-size", options.part_size, "--wait"],
                    "upload again (all sent before)": ["upload", *common, "--part-size",
                                                       options.part_size, "--wait"],
                }
                for name, args in runs.items():
                    seconds, peak, code = run(args, Path(folder))
                    print(f"| {n:,} | {size:,.0f} | {parts} | `{name}` | {seconds:.1f} | "
                          f"{peak:,.0f} | {code} |", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
