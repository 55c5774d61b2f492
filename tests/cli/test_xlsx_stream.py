"""The .xlsx stream reader gives, cell for cell, what python-calamine gives for the same sheet;
convert gives the same items and problems whichever reads the sheet, with or without workers;
and a sheet whose used cells span far (a value in XFD1048576) is read, not a crash."""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oimtool.convert import Conversion, ReadOptions
from oimtool.sources import workbook
from oimtool.sources.calamine import CalamineSource
from oimtool.sources.workbook import choose_sheet
from oimtool.sources.xlsx_book import Book, excel_date, number_format_kind
from oimtool.sources.xlsx_stream import SheetStream
from oimtool.tuning import DEFAULT, Tuning

from conftest import SAMPLES

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>')
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build(path: Path, rows: str, *, strings: tuple[str, ...] = (), formats: tuple[str, ...] = (),
          in_1904: bool = False, dimension: str | None = None, prefix: str = "") -> Path:
    """A workbook written by hand, to have every form the XML may take. Cell style 1 + i has
    built-in number format i (1 … 49); style 50 + i the custom format ``formats[i]``."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    quote = {'"': "&quot;"}
    custom = "".join(f'<{p}numFmt numFmtId="{164 + i}" formatCode="{escape(f, quote)}"/>'
                     for i, f in enumerate(formats))
    xfs = f'<{p}xf numFmtId="0"/>' + "".join(
        f'<{p}xf numFmtId="{i}"/>' for i in [*range(1, 50), *range(164, 164 + len(formats))])
    styles = (f'<{p}styleSheet {xmlns}><{p}numFmts>{custom}</{p}numFmts><{p}cellXfs>{xfs}'
              f'</{p}cellXfs></{p}styleSheet>')
    shared = f'<{p}sst {xmlns}>' + "".join(strings) + f"</{p}sst>"
    size = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}>'
             f'{size}<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>')
    workbook = (f'<{p}workbook {xmlns} xmlns:r="{_RELATIONS}"><{p}workbookPr'
                f'{" date1904=" + chr(34) + "1" + chr(34) if in_1904 else ""}/><{p}sheets>'
                f'<{p}sheet name="Satırlar" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}styles" Target="/xl/styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'))
        archive.writestr("xl/styles.xml", styles)
        archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _trimmed(rows: Any) -> list[tuple[int, list[Any]]]:
    """Rows without their trailing empty cells (calamine pads every row to the sheet's width),
    from the first with a value (calamine's start at row 1: convert skips them alike)."""
    found = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] == "":
            cells.pop()
        if found or cells:
            found.append((number, cells))
    return found


def calamine_rows(path: Path) -> list[tuple[int, list[Any]]]:
    source = CalamineSource.open(path, None, choose_sheet)
    return _trimmed(source.rows)


def stream_rows(path: Path) -> list[tuple[int, list[Any]]]:
    with zipfile.ZipFile(path) as archive:
        book = Book(archive)
        book.load()
        return _trimmed(SheetStream(book, book.sheets[0][1]).rows())


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and the type compared (1.0 is not True)."""
    if type(a) in (list, tuple) and type(a) is type(b):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def assert_same_rows(path: Path) -> list[tuple[int, list[Any]]]:
    expected = calamine_rows(path)
    found = stream_rows(path)
    assert same(found, expected), (found, expected)
    return found


# -- cell by cell, as python-calamine reads it -----------------------------------------------

SHARED = ('<si><t>hello</t></si>', '<si><r><t>ri</t></r><r><rPr/><t>ch</t></r></si>',
          '<si><t/></si>', '<si><t xml:space="preserve">  kept  </t></si>',
          '<si><t>  trimmed  </t></si>', '<si><t>a_x000D_b</t><rPh><t>PH</t></rPh></si>')

CASES = {
    "types": '<row r="2"><c r="B2"><v>1</v></c><c r="C2"><v>2.5</v></c><c r="D2" t="e">'
             '<v>#N/A</v></c><c r="E2" t="b"><v>1</v></c><c r="F2" t="s"><v>0</v></c>'
             '<c r="G2" t="s"><v>1</v></c><c r="H2" t="b"><v>false</v></c></row>',
    "formulas and inline": '<row r="3"><c r="B3" t="str"><f>A1</f><v> x y </v></c><c r="C3">'
                           '<f>1+1</f></c><c r="D3" t="inlineStr"><is><t>a</t><r><t> b </t></r>'
                           '<rPh><t>P</t></rPh></is></c><c r="E3" t="inlineStr"><is>'
                           '<t xml:space="preserve">  sp  </t></is></c></row>',
    "shared strings": '<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in
                                             enumerate("ABCDEF")) + "</row>",
    "iso dates": '<row r="4"><c r="A4" t="d"><v>2024-01-05T10:00:00.5</v></c><c r="B4" t="d">'
                 '<v>2024-01-05</v></c><c r="C4" t="d"><v>10:00:00</v></c><c r="D4" t="d">'
                 '<v>2024-01-05T10:00:00Z</v></c><c r="E4" t="d"><v>2024-13-05</v></c></row>',
    "escapes": '<row r="2"><c r="A2" t="inlineStr"><is><t>x_x000D_y_x005F_x0041_</t></is></c>'
               '<c r="B2" t="inlineStr"><is><t>a&#13;&#10;b&amp;c&lt;&gt;</t></is></c>'
               '<c r="C2" t="inlineStr"><is><t>\u00a0nb\u00a0</t></is></c>'
               '<c r="D2" t="inlineStr"><is><t>a\n b\t</t></is></c></row>',
    "empty cells and rows": '<row r="2"><c r="B2"><v>1</v></c></row><row r="5"><c r="E5" s="1"/>'
                            '</row><row r="6"><c r="C6" t="inlineStr"><is><t></t></is></c></row>'
                            '<row r="7"><c r="D7"><v></v></c></row><row r="9"><c r="H9" '
                            't="inlineStr"><is><t> </t></is></c></row><row r="12" s="3"/>'
                            '<row r="13"><c r="A13" s="2"/></row>',
    "cells without references": '<row r="5"><c><v>3</v></c><c t="inlineStr"><is><t>q</t></is>'
                                '</c><c r="E5"><v>4</v></c><c><v>6</v></c></row>',
    "numbers as text": '<row r="5"><c r="E5"><v> 12 </v></c><c r="F5"><v>1,5</v></c><c r="G5">'
                       '<v>abc</v></c><c r="H5"><v>inf</v></c><c r="I5"><v>NaN</v></c><c r="J5">'
                       '<v>0x10</v></c><c r="K5"><v>1_0</v></c><c r="L5"><v>+5</v></c>'
                       '<c r="M5"><v>.5</v></c><c r="N5"><v>5.</v></c><c r="O5"><v>-0</v></c>'
                       '<c r="P5"><v>1e400</v></c><c r="Q5"><v>1E-3</v></c><c r="R5"><v>'
                       '12345678901234567890</v></c><c r="S5"><v>\u0661</v></c></row>',
    "dates": "".join(
        f'<row r="{i + 1}"><c r="A{i + 1}" s="15"><v>{v}</v></c><c r="B{i + 1}" s="23"><v>{v}</v>'
        f'</c><c r="C{i + 1}" s="47"><v>{v}</v></c><c r="D{i + 1}" s="21"><v>{v}</v></c>'
        + "".join(f'<c r="{c}{i + 1}" s="{50 + k}"><v>{v}</v></c>'
                  for k, c in enumerate("EFGHIJKLMN")) + "</row>"
        for i, v in enumerate(["1", "59", "60", "61", "0.5", "-1", "0", "2958465", "2958466",
                               "45296.123456789", "45296.99999999", "0.999999999",
                               "45296.0000001", "1.5"])),
    "wide and far": '<row r="1"><c r="A1"><v>1</v></c></row><row r="300"><c r="ZZ300"><v>2</v>'
                    '</c></row>',
}
FORMATS = ("dd/mm/yyyy hh:mm", "[h]:mm", "0.00", '"Y: "0.00"m"', "mmm-yy;@", "#,##0*y",
           "[Red]General", "h AM/PM", "[>=100][Magenta][s].00", "\\d0")


@pytest.mark.parametrize("in_1904", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cells_read_as_calamine_reads_them(tmp_path, case, in_1904):
    path = build(tmp_path / "s.xlsx", CASES[case], strings=SHARED, formats=FORMATS,
                 in_1904=in_1904)
    assert assert_same_rows(path)


def test_values_that_matter(tmp_path):
    path = build(tmp_path / "s.xlsx", CASES["types"] + CASES["formulas and inline"]
                 + CASES["iso dates"], strings=SHARED)
    rows = stream_rows(path)
    assert rows[0] == (2, ["", 1.0, 2.5, "", True, "hello", "rich", False])
    assert rows[1] == (3, ["", " x y ", "", "ab", "  sp  "])
    assert rows[2][1][:3] == [datetime(2024, 1, 5, 10, 0, 0, 500000), date(2024, 1, 5),
                              time(10, 0)]
    assert rows[2][1][3:] == ["2024-01-05T10:00:00Z", "2024-13-05"]


@pytest.mark.parametrize(("value", "kind", "in_1904", "expected"), [
    (1, 1, False, date(1900, 1, 1)), (60, 1, False, date(1900, 2, 28)),
    (61, 1, False, date(1900, 3, 1)), (1, 1, True, date(1904, 1, 2)),
    (0.25, 1, False, time(6, 0)), (45296.5, 1, False, datetime(2024, 1, 5, 12, 0)),
    (1.5, 2, False, timedelta(days=1, hours=12)), (2958466, 1, False, 2958466),
    (1e12, 2, False, 1e12),
])
def test_excel_dates(value, kind, in_1904, expected):
    assert excel_date(value, kind, in_1904) == expected


@pytest.mark.parametrize(("code", "kind"), [
    ("DD/MM/YY", 1), ("H:MM:SS;@", 1), ("[h]:mm:ss", 2), ("#,##0\\ [$\\u20bd-46D]", 0),
    ('"$"#,##0_);[Red]("$"#,##0)', 0), ("0_ ;[Red]\\-0\\ ", 0), ("#,##0*y", 0),
    ("*-yyyy-mm-dd", 1), ("[>=100][Magenta].00", 0), ("ha/p\\\\m", 1), ("General", 0),
])
def test_number_formats(code, kind):
    assert number_format_kind(code) == kind


def test_prefixed_xml(tmp_path):
    rows = CASES["types"].replace("<", "<x:").replace("<x:/", "</x:")
    path = build(tmp_path / "s.xlsx", rows, strings=tuple(
        s.replace("<", "<x:").replace("<x:/", "</x:") for s in SHARED), prefix="x")
    assert stream_rows(path) == [(2, ["", 1.0, 2.5, "", True, "hello", "rich", False])]


# Text XML can hold (no U+FFFE, U+FFFF: Excel writes them _xFFFE_), a CR aside (an XML reader
# makes it a line feed; Excel writes it _x000D_).
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                              blacklist_characters="\r\ufffe\uffff")
                | st.sampled_from(" \t\n_x000D_&<>\"'"), max_size=12)
_CELL = st.one_of(
    st.tuples(st.just("n"), st.floats(allow_nan=False, allow_infinity=False)
              | st.integers(-10**6, 10**6).map(float)),
    st.tuples(st.just("s"), _TEXT), st.tuples(st.just("inline"), _TEXT),
    st.tuples(st.just("preserve"), _TEXT), st.tuples(st.just("b"), st.booleans()),
    st.tuples(st.just("date"), st.floats(0, 2958465.99)),
    st.tuples(st.just("e"), st.just("#N/A")), st.tuples(st.just("styled"), st.none()),
)


def _cell_xml(ref: str, cell: tuple[str, Any], strings: list[str]) -> str:
    kind, value = cell
    if kind == "n":
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if kind == "s":
        strings.append(f"<si><t>{escape(value)}</t></si>")
        return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'
    if kind == "inline":
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    if kind == "preserve":
        return (f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t>'
                "</is></c>")
    if kind == "b":
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind == "date":
        return f'<c r="{ref}" s="23"><v>{value!r}</v></c>'
    if kind == "e":
        return f'<c r="{ref}" t="e"><v>{value}</v></c>'
    return f'<c r="{ref}" s="3"/>'


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 4), st.lists(st.tuples(st.integers(0, 30), _CELL),
                                                      max_size=6)), min_size=1, max_size=12),
       st.booleans())
def test_any_sheet_read_as_calamine_reads_it(tmp_path, layout, in_1904):
    strings: list[str] = []
    rows = []
    number = 0
    for step, cells in layout:
        number += step
        placed = {column: cell for column, cell in cells}  # one cell a column, in order
        rows.append(f'<row r="{number}">' + "".join(
            _cell_xml(f"{openpyxl.utils.get_column_letter(c + 1)}{number}", placed[c], strings)
            for c in sorted(placed)) + "</row>")
    path = build(tmp_path / "s.xlsx", "".join(rows), strings=tuple(strings), in_1904=in_1904)
    assert_same_rows(path)


def test_workbook_written_by_openpyxl(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title"])
    sheet.append([])
    sheet.append(["Sipariş No", "Ürün", "Adet", "Fiyat", "Tarih", "Süre", "Aktif"])
    for i in range(40):
        sheet.append([f"O{i}", f" Ürün {i} " if i % 3 else None, i, i * 1.1,
                      datetime(2024, 1, 1 + i % 28, i % 24), timedelta(hours=i), i % 2 == 0])
    sheet["J30"] = "far"
    sheet.merge_cells("A50:B50")
    book.save(tmp_path / "s.xlsx")
    rows = assert_same_rows(tmp_path / "s.xlsx")
    assert rows[3] == (4, ["O0", "", 0.0, 0.0, date(2024, 1, 1), timedelta(0), True])
    assert rows[4] == (5, ["O1", " Ürün 1 ", 1.0, 1.1, datetime(2024, 1, 2, 1), timedelta(hours=1),
                           False])
    assert rows[29] == (30, ["O26", " Ürün 26 ", 26.0, 28.6, datetime(2024, 1, 27, 2),
                             timedelta(days=1, hours=2), True, "", "", "far"])


# -- convert: the same whichever reads the sheet -----------------------------------------------

def converted(source: Path, jobs: int = 1, tuning: Tuning = DEFAULT
              ) -> tuple[list[dict], list[tuple], dict]:
    target = source.with_suffix(".json")
    run = Conversion(source, output=target, options=ReadOptions(), force=True, jobs=jobs,
                     skip_invalid=True, tuning=tuning)
    problems = [(p.code, p.location.index, p.location.pointer, p.location.cell, p.message)
                for p in run.problems()]
    run.finish()
    items = json.loads(target.read_text(encoding="utf-8")) if target.exists() else []
    target.unlink(missing_ok=True)
    return items, problems, asdict(run.summary.conversion)


def _merged_last(problems: list[tuple]) -> list[tuple]:
    """A stream learns that a sheet has merged cells at its end (they follow the rows)."""
    return sorted(problems, key=lambda p: "merged cells" in p[4])


def by_both_readers(source: Path, monkeypatch: pytest.MonkeyPatch, jobs: int = 1,
                    tuning: Tuning = DEFAULT) -> Any:
    whole = converted(source, jobs, tuning)
    with monkeypatch.context() as patch:
        patch.setattr(workbook, "STREAM_BYTES", -1)  # every sheet read as a stream
        streamed = converted(source, jobs, tuning)
    assert streamed[0] == whole[0] and streamed[2] == whole[2]
    assert streamed[1] == _merged_last(whole[1])
    return whole


@pytest.mark.parametrize("name", ["sales-2019.xlsx", "sales-2019-broken.xlsx"])
def test_samples_same_by_both_readers(tmp_path, monkeypatch, name):
    source = tmp_path / name
    source.write_bytes((SAMPLES / name).read_bytes())
    items, _, summary = by_both_readers(source, monkeypatch)
    assert summary["rows"] == len(items) + summary["rejected"]


def _export(tmp_path: Path, *, extra: str = "") -> Path:
    """An export with titles, blank rows and runs of rows with no value, a merged cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Sipariş Satırları"])
    sheet.append([])
    sheet.append(["Sipariş No", "Ürün Adı", "Adet", "Birim Fiyat", "Not"])
    for i in range(120):
        sheet.append([f"O{i % 45}", f"Ürün {i % 50}", 0 if i % 17 == 0 else 2, f"{i},5{i % 10}",
                      "  " if i % 11 == 0 else extra])
        if i % 13 == 0:
            sheet.append([])
        if i % 29 == 0:
            for _ in range(i % 7):
                sheet.append([None, None, None, None, None])
    sheet.merge_cells("F1:G1")
    path = tmp_path / "s.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_export_same_by_both_readers(tmp_path, monkeypatch, small_pieces, jobs):
    _, problems, summary = by_both_readers(_export(tmp_path), monkeypatch, jobs, small_pieces)
    assert summary["blank"] > 0 and summary["rows"] == 120
    assert any(p[0] == "OIM015" and "merged" in p[4] for p in problems)


def test_pieces_that_cannot_be_cut_are_read_in_order(tmp_path, monkeypatch, small_pieces):
    source = _export(tmp_path)
    with zipfile.ZipFile(source) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    at = sheet.index("<row", len(sheet) // 2)
    parts["xl/worksheets/sheet1.xml"] = (sheet[:at] + "<!-- a comment: </row> -->"
                                         + sheet[at:]).encode()
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with monkeypatch.context() as patch:
        patch.setattr(workbook, "STREAM_BYTES", -1)
        assert converted(source, 2, small_pieces) == converted(source, 1, small_pieces)


def test_xml_broken_in_the_middle(tmp_path, monkeypatch, cli):
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>O{i}</t></is></c>'
                   f'<c r="B{i}"><v>1</v></c><c r="C{i}"><v>9.5</v></c></row>'
                   for i in range(2, 40))
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Order No</t></is></c><c r="B1" '
              't="inlineStr"><is><t>Qty</t></is></c><c r="C1" t="inlineStr"><is><t>Price</t>'
              "</is></c></row>")
    path = build(tmp_path / "s.xlsx", header + rows.replace('<row r="31">', '<row r="31"><c>'))
    monkeypatch.setattr(workbook, "STREAM_BYTES", -1)
    result = cli("convert", path, "--format", "json")
    assert result.code == 1
    report = result.json()
    broken = [p for p in report["problems"] if p["code"] == "OIM017"]
    assert len(broken) == 1 and broken[0]["source"]["row"] == 31
    assert "after row 30" in broken[0]["message"]
    assert report["summary"]["rows"] == 29
    assert not (tmp_path / "s.json").exists()


def test_rows_out_of_order(tmp_path, monkeypatch, cli):
    header = ('<row r="5"><c r="A5" t="inlineStr"><is><t>Order No</t></is></c><c r="B5" '
              't="inlineStr"><is><t>Qty</t></is></c><c r="C5" t="inlineStr"><is><t>Price</t>'
              "</is></c></row>")
    rows = '<row r="7"><c r="A7"><v>1</v></c></row><row r="6"><c r="A6"><v>1</v></c></row>'
    path = build(tmp_path / "s.xlsx", header + rows)
    monkeypatch.setattr(workbook, "STREAM_BYTES", -1)
    result = cli("convert", path, "--format", "json")
    assert result.code == 1
    assert [p["message"] for p in result.json()["problems"] if p["code"] == "OIM017"] == [
        "cannot read the sheet after row 7: row 6 comes after row 7: the sheet's rows are out "
        "of order (open the workbook in Excel and save it again)"]


# -- a value far away: read as a stream, not a grid of every cell up to it -------------------------

@pytest.mark.parametrize("dimension", ["A1:XFD1048576", None])
def test_value_in_the_last_cell_of_the_sheet(tmp_path, cli, dimension):
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Order No</t></is></c><c r="B1" '
              't="inlineStr"><is><t>Qty</t></is></c><c r="C1" t="inlineStr"><is><t>Price</t>'
              '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>O1</t></is></c>'
              '<c r="B2"><v>1</v></c><c r="C2"><v>9.5</v></c></row>')
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = build(tmp_path / "s.xlsx", header + far, dimension=dimension)
    result = cli("convert", path, "--format", "json", "--skip-invalid")
    report = result.json()
    assert report["summary"]["rows"] == 2 and report["summary"]["items"] == 1
    assert report["summary"]["blank"] == 1048576 - 3
    stray = [p for p in report["problems"] if p["code"] == "OIM016"]
    assert [(p["source"]["row"], p["index"]) for p in stray] == [(1048576, 1)]
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))[0]["order_number"] == "O1"
