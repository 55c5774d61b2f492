"""Hostile workbooks, and what the look before python-calamine costs.

    python bench/bench_workbooks.py [--oimtool CMD] [--far-row 20000000] [--ods-repeats 1000000]
                                    [--rows 240000] [--data bench/data] [--repeat 3]
                                    [--skip hostile|scan|convert]

Three parts, each printed as a Markdown table (progress on stderr):

- hostile: workbooks of a few kilobytes, written by hand, converted by ``oimtool convert`` in
  a child process: its exit code, wall time and peak RSS. A cell in XFD1048576 under a
  ``<dimension>`` of A1:F2; one row numbered --far-row under A1:F4; row 2 written twice; a
  cell pointing at shared string -1; an .ods whose one row repeats --ods-repeats times. Give
  --oimtool an older checkout's command for the figures before (the far cell aborts it: 134).
- scan: the looks of ``oimtool.sources.xlsx_scan`` at sheets python-calamine may read, in this
  process (CPU and wall seconds): ``bounded``, before python-calamine starts (the one that
  shows in the time of a conversion), ``regular``, while it reads (in a thread: hidden with a
  second CPU), and, to compare, a scan that collects every cell reference and keeps the
  largest row and column (the simplest safe way to decide). On a sheet of --rows rows of 8
  columns as Excel writes it (shared strings, styles; 240,000 rows: 1,920,000 cells, just under
  the 2,000,000 python-calamine may take), and on export-200000.xlsx of bench/bench_convert.py
  when it is in --data.
- convert: ``oimtool convert`` of those sheets end to end (-j 1, and default jobs), --repeat
  times, with the --oimtool given: run once per checkout to compare.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>')
HEADER = ["Order No", "SKU", "Qty", "Price", "Product", "Ref", "Image URL", "Date"]


def workbook(path: Path, rows: Iterator[str], *, dimension: str = "",
             strings: list[str] | None = None) -> Path:
    """An .xlsx written by hand: one sheet of ``rows`` (XML), streamed into the archive."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{MAIN}" xmlns:r="{_RELS}"><sheets><sheet name="Orders" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"))
        archive.writestr("xl/styles.xml", (
            f'<styleSheet xmlns="{MAIN}"><cellXfs><xf numFmtId="0"/><xf numFmtId="1"/>'
            '<xf numFmtId="2"/><xf numFmtId="14"/></cellXfs></styleSheet>'))
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">' + "".join(
            f"<si><t>{s}</t></si>" for s in strings or ["first", "middle", "last"]) + "</sst>")
        size = f'<dimension ref="{dimension}"/>' if dimension else ""
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                        f'xmlns="{MAIN}">{size}<sheetData>'.encode())
            batch: list[str] = []
            for text in rows:
                batch.append(text)
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def order_row(number: int, order: str = "O1", ref: int | None = None) -> str:
    at = number if ref is None else ref
    return (f'<row r="{number}"><c r="A{at}" t="inlineStr"><is><t>{order}</t></is></c>'
            f'<c r="B{at}" t="inlineStr"><is><t>S</t></is></c><c r="C{at}"><v>1</v></c>'
            f'<c r="D{at}"><v>9.5</v></c></row>')


def title_row() -> str:
    return '<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                   for c, h in zip("ABCD", HEADER, strict=False)) + "</row>"


def ods(path: Path, repeats: int) -> Path:
    """An .ods whose second row says ``table:number-rows-repeated``."""
    def cell(value: str | float) -> str:
        if isinstance(value, float):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
                "</table:table-cell>")

    rows = ("<table:table-row>" + "".join(map(cell, ["Order No", "SKU", "Qty", "Price"]))
            + f'</table:table-row><table:table-row table:number-rows-repeated="{repeats}">'
            + "".join(map(cell, ["O1", "S", 1.0, 9.5])) + "</table:table-row>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-'
            'type="text/xml"/></manifest:manifest>'))
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:'
            'oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:'
            'opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
            'text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table '
            f'table:name="Sayfa1">{rows}</table:table></office:spreadsheet></office:body>'
            "</office:document-content>"))
    return path


def hostile(folder: Path, far_row: int, ods_repeats: int) -> dict[str, Path]:
    far = ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    string = ('<row r="2"><c r="A2" t="s"><v>-1</v></c><c r="B2" t="inlineStr"><is><t>S</t>'
              '</is></c><c r="C2"><v>1</v></c><c r="D2"><v>9.5</v></c></row>')
    return {
        "cell in XFD1048576, <dimension> A1:F2": workbook(
            folder / "far-cell.xlsx", iter([title_row(), order_row(2), far]), dimension="A1:F2"),
        f"row {far_row:,}, <dimension> A1:F4": workbook(
            folder / "far-row.xlsx", iter([title_row(), order_row(2), order_row(3, "O2"),
                                           order_row(far_row, "O3")]), dimension="A1:F4"),
        "row 2 written twice": workbook(
            folder / "twice.xlsx", iter([title_row(), order_row(2, "O1"), order_row(2, "O2"),
                                         order_row(3, "O3")]), dimension="A1:D3"),
        "shared string -1": workbook(
            folder / "string.xlsx", iter([title_row(), string]), dimension="A1:D2"),
        f".ods, one row repeated {ods_repeats:,} times": ods(folder / "repeated.ods",
                                                             ods_repeats),
    }


def excel_sheet(path: Path, rows: int) -> Path:
    """``rows`` rows of 8 columns as Excel writes them: shared strings, styles, numbers."""
    strings = HEADER + [f"Ürün {i}" for i in range(5000)]

    def lines() -> Iterator[str]:
        yield '<row r="1" spans="1:8">' + "".join(
            f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEFGH")) + "</row>"
        for r in range(2, rows + 1):
            yield (f'<row r="{r}" spans="1:8"><c r="A{r}" t="s"><v>{8 + r % 5000}</v></c><c '
                   f'r="B{r}" t="s"><v>{8 + r * 7 % 5000}</v></c><c r="C{r}" s="1"><v>'
                   f'{r % 5 + 1}</v></c><c r="D{r}" s="2"><v>{r % 997}.5</v></c><c r="E{r}" '
                   f't="s"><v>{8 + r * 3 % 5000}</v></c><c r="F{r}"><v>{r}</v></c><c r="G{r}" '
                   f't="s"><v>{8 + r * 11 % 5000}</v></c><c r="H{r}" s="3"><v>45000.'
                   f"{r % 1000}</v></c></row>")

    return workbook(path, lines(), dimension=f"A1:H{rows}", strings=strings)


def run(command: list[str], cwd: Path) -> tuple[int, float, float, float]:
    """Exit code, wall seconds, peak RSS (MB) of one child process (its own, not its
    workers'), and CPU seconds (user and system, its workers' included)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here
    code = os.waitstatus_to_exitcode(status)
    return (128 - code if code < 0 else code, time.perf_counter() - start,
            usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    found = work()
    return time.perf_counter() - wall, time.process_time() - cpu, found


_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')


def every_reference(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The largest row and column any cell names: every reference collected, in pieces."""
    rows = columns = 0
    with archive.open(part) as handle:
        carry = b""
        while chunk := handle.read(1 << 20):
            data = carry + chunk
            cut = data.rfind(b">") + 1
            carry = data[cut:]
            for letters, digits in _REF.findall(data, 0, cut):
                rows = max(rows, int(digits))
                index = 0
                for char in letters:
                    index = index * 26 + char - 64
                columns = max(columns, index)
    return rows, columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--oimtool", default=f"{sys.executable} -m oimtool",
                        help="the oimtool command to run (default: this Python's)")
    parser.add_argument("--far-row", type=int, default=20_000_000)
    parser.add_argument("--ods-repeats", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=240_000)
    parser.add_argument("--data", type=Path, default=Path("bench/data"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", action="append", default=[],
                        choices=["hostile", "scan", "convert"])
    args = parser.parse_args()
    oimtool = shlex.split(args.oimtool)
    args.data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if "hostile" not in args.skip:
            print("| workbook | size | exit code | seconds | peak RSS (MB) |")
            print("|---|--:|--:|--:|--:|")
            for name, path in hostile(folder, args.far_row, args.ods_repeats).items():
                print(f"converting {path.name}", file=sys.stderr)
                code, seconds, peak, _ = run([*oimtool, "convert", str(path), "-o",
                                              str(folder / "out.json"), "--force"], folder)
                print(f"| {name} | {path.stat().st_size:,} B | {code} | {seconds:.2f} | "
                      f"{peak:.0f} |", flush=True)
            print()
        sheets = [args.data / f"excel-{args.rows}.xlsx", args.data / "export-200000.xlsx"]
        if not sheets[0].exists():
            print(f"writing {sheets[0]}", file=sys.stderr)
            excel_sheet(sheets[0], args.rows)
        sheets = [s for s in sheets if s.exists()]
        if "scan" not in args.skip:
            from oimtool.sources.xlsx_scan import bounded, regular

            print("| sheet | XML (MB) | look | wall (s) | CPU (s) | finds |")
            print("|---|--:|---|--:|--:|---|")
            for sheet in sheets:
                with zipfile.ZipFile(sheet) as archive:
                    part = "xl/worksheets/sheet1.xml"
                    size = archive.getinfo(part).file_size / 1e6
                    looks: dict[str, Callable[[zipfile.ZipFile, str], Any]] = {
                        "bounded (before python-calamine)": lambda a, p: bounded(a, p, 2_000_000),
                        "regular (while it reads)": regular,
                        "every reference collected": every_reference}
                    for name, look in looks.items():
                        best = min((timed(lambda k=look, a=archive, p=part: k(a, p))
                                    for _ in range(args.repeat)), key=lambda t: t[0])
                        print(f"| {sheet.name} | {size:.1f} | {name} | {best[0]:.3f} | "
                              f"{best[1]:.3f} | {best[2]} |", flush=True)
            print()
        if "convert" not in args.skip:
            print("| sheet | command | best (s) | median (s) | CPU, median (s) | peak RSS (MB) |")
            print("|---|---|--:|--:|--:|--:|")
            for sheet in sheets:
                for jobs in (["-j", "1"], []):
                    runs = []
                    for _ in range(args.repeat):
                        print(f"converting {sheet.name} {' '.join(jobs)}", file=sys.stderr)
                        runs.append(run([*oimtool, "convert", str(sheet.resolve()), "-o",
                                         str(folder / "out.json"), "--force", *jobs], folder))
                    times = sorted(r[1] for r in runs)
                    cpu = sorted(r[3] for r in runs)[len(runs) // 2]
                    print(f"| {sheet.name} | convert {' '.join(jobs) or '(default jobs)'} | "
                          f"{times[0]:.2f} | {times[len(times) // 2]:.2f} | {cpu:.2f} | "
                          f"{max(r[2] for r in runs):.0f} |", flush=True)


if __name__ == "__main__":
    main()
