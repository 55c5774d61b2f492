"""Growth on hostile shapes: time and peak memory of check (and fix) against the input's size,
which must grow with it, not faster (docs/security.md).

    python bench/bench_adversarial.py [--sizes 8000,32000,128000] [--mb 1,4,16] [--only WORDS]

Two families of shapes, each one item on one line (as json.dumps writes it), the worst case for
placing problems:

- counted in keys (``--sizes``): one item with N unknown keys (check and fix), N keys written
  twice in its extra_field, N top-level keys repeated;
- counted in bytes (``--mb``, the file's size in MB): a string of escaped quotes (check and
  fix), an unknown key of escaped quotes, a run of backslashes, an extra_field nested N levels
  deep (check and fix), a number of N digits, a UTF-16 file of unpaired surrogates, and a plain
  string of the same size to compare them with.

``--only`` keeps the shapes whose name holds one of its comma-separated words
(``--only quotes,deep``). Prints a Markdown table: N (keys, escapes, levels, digits...), the
file's size, wall seconds, their ratio to the previous size's (4x the size should cost about 4x
the time), then seconds per MB and peak RSS per byte of input above a one-item run's (start-up):
flat across sizes when time and memory are linear. Files are written in pieces, so this
process stays small (a child's peak RSS starts at its parent's).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

OIMTOOL = [sys.executable, "-m", "oimtool"]
BASE = '"order_number":"A","product":null,"sku":null,"quantity":1,"price":1.0,"image_url":null'
MB = 1_000_000


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


def repeat(out: BinaryIO, unit: bytes, count: int) -> None:
    """``unit`` written ``count`` times, a megabyte at a time."""
    step = max(1, MB // len(unit))
    while count > 0:
        out.write(unit * min(step, count))
        count -= step


Writer = Callable[[BinaryIO, int], int]


def sized(head: bytes, unit: bytes, tail: bytes, then: bytes = b"") -> Writer:
    """Writes a file of about ``size`` bytes: head, N units, tail, and N ``then`` units (nesting
    closes what it opened); returns N."""
    def write(out: BinaryIO, size: int) -> int:
        count = (size - len(head) - len(tail)) // (len(unit) + len(then))
        out.write(head)
        repeat(out, unit, count)
        out.write(tail)
        if then:
            repeat(out, then, count)
        out.write(b"}]")
        return count
    return write


def utf16_bad_units(out: BinaryIO, size: int) -> int:
    head = b"\xff\xfe" + f"[{{{BASE},\"extra_field\":{{\"note\":\"".encode("utf-16-le")
    tail = '"}}]'.encode("utf-16-le")
    count = (size - len(head) - len(tail)) // 2
    out.write(head)
    repeat(out, b"\x00\xd8", count)
    out.write(tail)
    return count


ITEM = f"[{{{BASE},".encode()
#: shape -> (how its file of a given size is written, the commands run on it)
BY_BYTES: dict[str, tuple[Writer, tuple[str, ...]]] = {
    "plain string (reference)": (sized(ITEM + b'"extra_field":{"note":"', b"a", b'"}'),
                                 ("check", "fix")),
    "escaped quotes": (sized(ITEM + b'"extra_field":{"note":"', b'\\"', b'"}'), ("check", "fix")),
    "unknown key of escaped quotes": (sized(ITEM + b'"extra_field":{},"', b'\\"', b'":1'),
                                      ("check",)),
    "run of backslashes": (sized(ITEM + b'"extra_field":{"note":"', b"\\\\", b'"}'),
                           ("check",)),
    "deep nesting": (sized(ITEM + b'"extra_field":', b"[", b"", b"]"), ("check", "fix")),
    "number of N digits": (sized(ITEM + b'"extra_field":{"n":1', b"0", b"e-9}"), ("check",)),
    "UTF-16 unpaired surrogates": (utf16_bad_units, ("check",)),
}


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one oimtool run in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen([*OIMTOOL, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def command(name: str, path: Path, folder: str) -> list[str]:
    args = [name, str(path), "-f", "json", "--output", str(Path(folder) / "report.json")]
    if name == "fix":
        args += ["--unsafe", "-o", str(Path(folder) / "fixed.json"), "--force"]
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8000,32000,128000", help="keys, for the key shapes")
    parser.add_argument("--mb", default="1,4,16", help="file sizes in MB, for the byte shapes")
    parser.add_argument("--only", default="", help="shapes whose name holds one of these words")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",") if s]
    mbs = [float(s) for s in options.mb.split(",") if s]
    words = [w for w in options.only.split(",") if w]

    def chosen(shape: str) -> bool:
        return not words or any(w in shape for w in words)

    print("| shape | command | N | file (MB) | seconds | × previous | s per MB | peak RSS (MB) "
          "| RSS per byte |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.json"
        path.write_text(f"[{{{BASE},\"extra_field\":{{}}}}]", encoding="utf-8")
        base = {name: min(run(command(name, path, folder)) for _ in range(3))
                for name in ("check", "fix")}

        def measure(shape: str, name: str, n: int, previous: float | None) -> float:
            """One row; s per MB and RSS per byte are above a one-item run's (start-up)."""
            seconds, peak = run(command(name, path, folder))
            size = path.stat().st_size
            ratio = f"{seconds / previous:.1f}" if previous else ""
            print(f"| {shape} | {name} | {n:,} | {size / MB:.1f} | {seconds:.2f} | {ratio} | "
                  f"{(seconds - base[name][0]) / (size / MB):.2f} | {peak:.0f} | "
                  f"{(peak - base[name][1]) * 1024 * 1024 / size:.1f} |", flush=True)
            return seconds

        for shape in shapes(1):
            if not chosen(shape):
                continue
            for name in ("check", "fix") if shape == "unknown keys" else ("check",):
                previous = None
                for n in sizes:
                    path.write_text(shapes(n)[shape], encoding="utf-8")
                    previous = measure(shape, name, n, previous)
        for shape, (write, names) in BY_BYTES.items():
            if not chosen(shape):
                continue
            for name in names:
                previous = None
                for mb in mbs:
                    with path.open("wb") as out:
                        n = write(out, int(mb * MB))
                    previous = measure(shape, name, n, previous)


if __name__ == "__main__":
    main()
