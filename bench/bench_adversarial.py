"""Growth on hostile shapes: one item with N unknown keys, with N keys written twice in its
extra_field, with N top-level keys repeated; each checked, and the first fixed. Time and peak
memory must grow with N, not with its square (docs/security.md).

    python bench/bench_adversarial.py [--sizes 8000,32000,128000]

Each file is one item on one line (as json.dumps writes it), the worst case for placing
problems. Prints a Markdown table: wall seconds and peak RSS per size, and the ratio to the
previous size (4× the keys should cost about 4× the time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OIMTOOL = [sys.executable, "-m", "oimtool"]
BASE = '"order_number":"A","product":null,"sku":null,"quantity":1,"price":1.0,"image_url":null'


def shapes(n: int) -> dict[str, str]:
    unknown = ",".join(f'"k{i}":{i}' for i in range(n))
    twice = ",".join(f'"k":{i}' for i in range(n))
    top = ",".join(f'"order_number":"A{i}"' for i in range(n))
    return {
        "unknown keys": f'[{{{BASE},"extra_field":{{}},{unknown}}}]',
        "repeated keys in extra_field": f'[{{{BASE},"extra_field":{{{twice}}}}}]',
        "repeated top-level key": f'[{{{top},"product":null,"sku":null,"quantity":1,'
                                  '"price":1.0,"image_url":null,"extra_field":{}}]',
    }


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one oimtool run in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen([*OIMTOOL, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8000,32000,128000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print("| shape | command | N | seconds | × previous | peak RSS (MB) |")
    print("|---|---|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as folder:
        for shape in shapes(1):
            for command in ("check", "fix") if shape == "unknown keys" else ("check",):
                previous = None
                for n in sizes:
                    path = Path(folder) / "items.json"
                    path.write_text(shapes(n)[shape], encoding="utf-8")
                    report = Path(folder) / "report.json"
                    args = [command, str(path), "-f", "json", "--output", str(report)]
                    if command == "fix":
                        args += ["--unsafe", "-o", str(Path(folder) / "fixed.json"), "--force"]
                    seconds, peak = run(args)
                    ratio = f"{seconds / previous:.1f}" if previous else ""
                    previous = seconds
                    print(f"| {shape} | {command} | {n:,} | {seconds:.2f} | {ratio} | "
                          f"{peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
