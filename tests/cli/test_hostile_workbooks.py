"""Hostile workbooks, each a few kilobytes, written by hand: a cell far beyond a small
``<dimension>`` (python-calamine aborted the process), rows beyond Excel's last, a row written
twice and a shared string -1 (read differently by the two readers, or without a word), an .ods
repeating one row a million times. Each is converted, or refused with OIM017, the same way
whichever reader reads it; nothing is written from an export that breaks off."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_xlsx_stream import build

from oimtool.sources import open_source, workbook
from oimtool.sources.calamine import CalamineSource
from oimtool.sources.xlsx_stream import StreamSource

HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Order No</t></is></c><c r="B1" '
          't="inlineStr"><is><t>Qty</t></is></c><c r="C1" t="inlineStr"><is><t>Price</t></is>'
          "</c></row>")
STRINGS = ("<si><t>first</t></si>", "<si><t>middle</t></si>", "<si><t>last</t></si>")


def row(number: int, order: str = "O1", *, ref: int | None = None) -> str:
    at = number if ref is None else ref
    return (f'<row r="{number}"><c r="A{at}" t="inlineStr"><is><t>{order}</t></is></c>'
            f'<c r="B{at}"><v>1</v></c><c r="C{at}"><v>9.5</v></c></row>')


def apart(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    """oimtool in a process of its own: a crash there (python-calamine's abort) is a failed
    test, not the end of the test run. The exit code, the JSON report, standard error."""
    done = subprocess.run([sys.executable, "-m", "oimtool", *map(str, args), "-f", "json"],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout) if done.stdout.startswith("{") else {}
    return done.returncode, report, done.stderr


@pytest.fixture(params=["chosen", "stream"])
def reader(request, monkeypatch) -> str:
    """Each test twice: the reader oimtool chooses (python-calamine for these small sheets,
    unless their XML says otherwise), and the stream reader, forced."""
    if request.param == "stream":
        monkeypatch.setattr(workbook, "STREAM_BYTES", -1)
    return request.param


def broken_off(cli, path: Path) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Convert: nothing may be written; the OIM017 problems (row, message) and the summary."""
    result = cli("convert", path, "-f", "json", "--skip-invalid")
    assert result.code == 1, result.err
    assert not path.with_suffix(".json").exists()
    report = result.json()
    return ([(p["source"]["row"], p["message"]) for p in report["problems"]
             if p["code"] == "OIM017"], report["summary"])


# -- a tiny workbook no longer aborts the process ---------------------------------------------

@pytest.mark.parametrize("dimension", ["A1:F2", "A1:C2", None])
def test_a_cell_far_beyond_a_small_dimension_is_read_not_a_crash(tmp_path, dimension):
    """The issue's 2.5 KB workbook: <dimension> A1:F2, one more cell in XFD1048576. It was
    given to python-calamine, which asked for 550 GB: exit 134 and a Rust backtrace."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = build(tmp_path / "far.xlsx", HEADER + row(2) + far, dimension=dimension)
    assert path.stat().st_size < 2600
    code, report, err = apart("convert", path, "--skip-invalid")
    assert code == 1, err  # the far row has no order number: rejected
    assert "Traceback" not in err and "panicked" not in err
    summary = report["summary"]
    assert (summary["rows"], summary["items"], summary["rejected"], summary["blank"],
            summary["written"]) == (2, 1, 1, 1048576 - 3, 1)
    assert [(p["code"], p["source"]["row"]) for p in report["problems"]
            if p["code"] == "OIM016"] == [("OIM016", 1048576)]


def test_a_far_cell_hidden_where_the_dimension_and_the_size_agree(tmp_path):
    """The <dimension> matches the rows the XML holds, and the XML the size those rows take:
    the one cell in XFD1048576 costs 60 bytes among them. Only looking at every cell finds it."""
    rows = "".join(row(r, f"O{r}") for r in range(2, 2001))
    rows = rows.replace('<row r="1000">', '<row r="1000"><c r="XFD1000" t="inlineStr"><is><t>x'
                        "</t></is></c>")
    rows += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = build(tmp_path / "far.xlsx", HEADER + rows, dimension="A1:C2000")
    code, report, err = apart("convert", path, "--skip-invalid")
    assert code == 1, err
    assert "Traceback" not in err and "panicked" not in err
    assert (report["summary"]["rows"], report["summary"]["items"],
            report["summary"]["rejected"]) == (2000, 1999, 1)
    assert [p["source"]["row"] for p in report["problems"] if p["code"] == "OIM016"] == [
        1000, 1048576]


def test_a_sheet_part_named_twice_in_two_cases_is_read_as_a_stream(tmp_path):
    """python-calamine finds a part in any case; had it read the other one, unlooked at..."""
    path = build(tmp_path / "twice.xlsx", HEADER + row(2))
    far = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
           "</worksheet>")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/worksheets/Sheet1.xml", far)
    assert isinstance(open_source(path), StreamSource)
    code, report, _ = apart("convert", path)
    assert (code, report["summary"]["items"]) == (0, 1)


def relinked(path: Path, target: str) -> Path:
    """The workbook with its sheet's relationship pointing at ``target``."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b'Target="worksheets/sheet1.xml"',
                                      f'Target="{target}"'.encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("target", ["worksheets/SHEET1.xml", "worksheets/../worksheets/sheet1.xml",
                                    "/xl/worksheets/sheet1.xml"])
def test_a_sheet_part_named_otherwise_is_read(cli, tmp_path, target):
    path = relinked(build(tmp_path / "s.xlsx", HEADER + row(2)), target)
    result = cli("convert", path, "-f", "json")
    assert (result.code, result.json()["summary"]["items"]) == (0, 1), result.out


def test_a_sheet_without_its_part(cli, tmp_path):
    path = relinked(build(tmp_path / "s.xlsx", HEADER + row(2)), "worksheets/missing.xml")
    result = cli("convert", path, "-f", "json")
    assert result.code == 1
    assert [p["message"] for p in result.json()["problems"]] == [
        "sheet 'Satırlar' has no part in the workbook"]


def test_rows_without_their_number_are_numbered_by_their_cells(cli, tmp_path, reader):
    """Not as Excel writes them, so read as a stream, which numbers them by their cells."""
    rows = row(2) + row(5, "O5").replace('<row r="5">', "<row>")
    result = cli("convert", build(tmp_path / "s.xlsx", HEADER + rows), "-f", "json")
    assert result.code == 0, result.out
    assert (result.json()["summary"]["items"], result.json()["summary"]["blank"]) == (2, 2)


def test_rows_without_their_number_past_the_last_row(cli, tmp_path, reader):
    """Rows numbered by counting, after row 1,048,576: beyond the sheet, as any other."""
    path = build(tmp_path / "s.xlsx", HEADER + row(2) + '<row r="1048576"><c r="A1048576"><v>1'
                 "</v></c></row><row><c><v>2</v></c></row>")
    assert broken_off(cli, path)[0] == [
        (1048577, "cannot read the sheet after row 1048576: the sheet has a row after row "
                  "1,048,576, the last a sheet can have")]


@pytest.mark.parametrize("number", [1_048_577, 2_000_000, 20_000_000])
def test_a_row_beyond_the_last_a_sheet_can_have_breaks_the_export_off(cli, tmp_path, reader,
                                                                      number):
    """Row 20,000,000 under <dimension> A1:F4: python-calamine built every row up to it
    (190 bytes a row: 3.8 GB). Beyond Excel's 1,048,576 rows a sheet is broken: OIM017."""
    path = build(tmp_path / "s.xlsx", HEADER + row(2) + row(3, "O2") + row(number, "O3"),
                 dimension="A1:F4")
    broken, summary = broken_off(cli, path)
    assert broken == [(4, f"cannot read the sheet after row 3: a row is numbered '{number}': a "
                          "sheet's rows are numbered 1 to 1,048,576 (the reference is broken)")]
    assert (summary["rows"], summary["items"]) == (2, 2)


def test_a_cell_beyond_the_last_column_breaks_the_export_off(cli, tmp_path, reader):
    path = build(tmp_path / "s.xlsx", HEADER + row(2) + '<row r="3"><c r="XFE3"><v>1</v></c>'
                 "</row>")
    assert broken_off(cli, path)[0] == [
        (3, "cannot read the sheet after row 2: a cell has the reference 'XFE3', which is not "
            "a cell's (A1 … XFD1048576)")]


# -- the two readers agree, and say where a reference is broken ---------------------------------

def test_a_row_written_twice_loses_no_row(cli, tmp_path, reader):
    """python-calamine merged the second row 2 into the first: one source row lost, exit 0."""
    path = build(tmp_path / "s.xlsx", HEADER + row(2, "O1") + row(2, "O2") + row(3, "O3"),
                 dimension="A1:C3")
    broken, summary = broken_off(cli, path)
    assert broken == [(3, "cannot read the sheet after row 2: row 2 is written twice: a row of "
                          "the sheet would be lost (open the workbook in Excel and save it "
                          "again)")]
    assert (summary["rows"], summary["items"]) == (1, 1)


def test_rows_out_of_order_are_refused_by_both(cli, tmp_path, reader):
    path = build(tmp_path / "s.xlsx", HEADER + row(3) + row(2, "O2"))
    assert broken_off(cli, path)[0] == [
        (4, "cannot read the sheet after row 3: row 2 comes after row 3: the sheet's rows are "
            "out of order (open the workbook in Excel and save it again)")]


@pytest.mark.parametrize("index", ["-1", "3", " 1", "1.0", "1_0", "\u0661"])
def test_a_cell_pointing_at_a_shared_string_the_workbook_does_not_have(cli, tmp_path, reader,
                                                                      index):
    """Shared string -1: the first string for one reader, the last for the other, exit 0."""
    cell = f'<row r="2"><c r="A2" t="s"><v>{index}</v></c><c r="B2"><v>1</v></c></row>'
    path = build(tmp_path / "s.xlsx", HEADER + cell + row(3), strings=STRINGS,
                 dimension="A1:C3")
    broken, summary = broken_off(cli, path)
    assert broken == [(2, f"cannot read the sheet after row 1: row 2 has a cell pointing at "
                          f"shared string {index!r}, which the workbook does not have")]
    assert summary["rows"] == 0


def test_a_cell_naming_another_row(cli, tmp_path, reader):
    """python-calamine put the cell where its reference says: row 3's order number replaced."""
    path = build(tmp_path / "s.xlsx", HEADER + row(2, ref=3) + row(3, "O3"))
    assert broken_off(cli, path)[0] == [
        (2, "cannot read the sheet after row 1: row 2 has a cell 'A3', which names another row "
            "(the reference is broken)")]


def rows_read(path: Path) -> list[tuple[int, list[Any]]]:
    """The rows as the source gives them, without the empty cells python-calamine adds to
    every row to the sheet's width."""
    source = open_source(path)
    try:
        found = []
        for number, cells in source:
            while cells and cells[-1] == "":
                cells.pop()
            found.append((number, cells))
        return found
    finally:
        source.close()


@pytest.mark.parametrize("value", ["0", "1", "false", "true"])
def test_true_or_false_read_alike(tmp_path, monkeypatch, value):
    """``false`` in a true/false cell: python-calamine's reading is not the stream reader's,
    so such a sheet goes to the stream reader: the same rows either way."""
    path = build(tmp_path / "s.xlsx", HEADER + f'<row r="2"><c r="A2" t="b"><v>{value}</v></c>'
                 "</row>")
    chosen = rows_read(path)
    monkeypatch.setattr(workbook, "STREAM_BYTES", -1)
    assert rows_read(path) == chosen
    assert chosen[1] == (2, [value in ("1", "true")])


def test_a_regular_sheet_is_still_read_by_calamine(tmp_path):
    path = build(tmp_path / "s.xlsx", HEADER + "".join(row(r) for r in range(2, 50)),
                 dimension="A1:C49")
    source = open_source(path)
    assert isinstance(source, CalamineSource)
    source.close()


# -- .ods: a row repeated a million times ------------------------------------------------------

def ods(rows: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-'
            'type="text/xml"/></manifest:manifest>'))
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="Sayfa1">'
            f"{rows}</table:table></office:spreadsheet></office:body>"
            "</office:document-content>"))
    return buffer.getvalue()


def ods_row(*values: str | float, repeated: int = 1, tail: str = "") -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
        "</table:table-cell>" if isinstance(v, float) else
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values)
    times = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{times}>{cells}{tail}</table:table-row>"


ODS_HEADER = ods_row("Order No", "Qty", "Price")
TRAILING = ('<table:table-row table:number-rows-repeated="1048573"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>')


def test_an_ods_row_repeated_a_million_times_is_refused(cli, tmp_path):
    """900 bytes: python-calamine held a million rows (678 MB, 18 s), all written as items."""
    path = tmp_path / "s.ods"
    path.write_bytes(ods(ODS_HEADER + ods_row("O1", 1.0, 9.5, repeated=1_000_000)))
    assert path.stat().st_size < 1000
    result = cli("convert", path, "-f", "json")
    assert result.code == 1
    assert [(p["code"], p["message"]) for p in result.json()["problems"]] == [
        ("OIM017", "sheet 'Sayfa1' expands to 1,000,001 rows of 3 columns (its rows and cells "
                   "repeated), more than oimtool reads from an .ods (2,000,000 cells): save the "
                   "export as .xlsx (read as a stream) or .csv")]
    assert not path.with_suffix(".json").exists()


def test_an_ods_with_empty_rows_repeated_to_the_sheets_end(cli, tmp_path):
    """LibreOffice repeats an empty row to the last row: nothing, as before."""
    path = tmp_path / "s.ods"
    path.write_bytes(ods(ODS_HEADER + ods_row("O1", 1.0, 9.5, repeated=3, tail=(
        '<table:table-cell table:number-columns-repeated="1021"/>')) + TRAILING))
    result = cli("convert", path, "-f", "json")
    assert result.code == 0, result.out
    assert (result.json()["summary"]["rows"], result.json()["summary"]["items"]) == (3, 3)


def test_an_ods_value_beyond_the_last_row_is_refused(cli, tmp_path):
    path = tmp_path / "s.ods"
    path.write_bytes(ods(ODS_HEADER + TRAILING.replace("1048573", "1048575")
                         + ods_row("O1", 1.0, 9.5)))
    result = cli("convert", path, "-f", "json")
    assert result.code == 1
    assert [p["message"] for p in result.json()["problems"]] == [
        "sheet 'Sayfa1' has a value in row 1,048,577, beyond the last row a sheet can have "
        "(1,048,576): a row repeated without end? Save the export again, as .xlsx or .csv"]
