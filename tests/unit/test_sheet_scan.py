"""The looks at a sheet's XML that decide whether python-calamine may read it (``xlsx_scan``),
and the measure of an .ods before python-calamine expands it (``ods_scan``): exact bounds, and
every form that would make the two readers differ sent to the stream reader."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from oimtool.sources import ContentError
from oimtool.sources.ods_scan import check_ods
from oimtool.sources.xlsx_scan import _below, _columns_to, bounded, regular

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def letters(index: int) -> str:
    """A for 0, AA for 26."""
    text, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def sheet(rows: str, head: str = "") -> zipfile.ZipFile:
    """An archive holding one sheet part, ``s.xml``, with ``rows`` in its sheetData."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("s.xml", f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{head}'
                                  f"<sheetData>{rows}</sheetData></worksheet>")
    return zipfile.ZipFile(buffer)


def excel_rows(count: int, first: int = 1) -> str:
    """Rows as Excel writes them: a shared string, a styled number, an inline string."""
    return "".join(f'<row r="{r}" spans="1:3" x14ac:dyDescent="0.25"><c r="A{r}" t="s"><v>{r}'
                   f'</v></c><c r="B{r}" s="1"><v>{r}.5</v></c><c r="C{r}" t="inlineStr"><is>'
                   f"<t>x{r}</t></is></c></row>" for r in range(first, first + count))


# -- the bounds, as regular expressions -------------------------------------------------------

@pytest.mark.parametrize("number", [1, 5, 9, 10, 11, 99, 100, 250_000, 699_050, 1_048_576])
def test_below_takes_every_number_to_the_bound_and_none_beyond_twice(number):
    pattern = re.compile(_below(number))
    digits = str(number)
    top = (int(digits[0]) + 1) * 10 ** (len(digits) - 1) - 1  # up to the next leading digit
    assert number <= top < 2 * number or number < 10
    step = max(1, number // 997)
    for value in [*range(1, 3 * number + 2, step), number, top, top + 1]:
        assert bool(pattern.fullmatch(b'%d"' % value)) == (value <= top), value
    for written in (b"0", b"01", b"007", b"0" * 7 + b"1", b"0" * 20, b"9" * 20):
        if pattern.fullmatch(written + b'"'):  # zeros before a number: no larger for them
            assert int(written) <= top
    for bad in (b'1', b'-1"', b'1 "', b'"'):
        assert pattern.fullmatch(bad) is None


@pytest.mark.parametrize("last", [0, 5, 25, 26, 29, 51, 700, 701, 702, 16_383])
def test_columns_to_takes_exactly_the_columns_to_the_last(last):
    pattern = re.compile(_columns_to(last))
    assert [i for i in range(16_384) if pattern.fullmatch(letters(i).encode())] == list(
        range(last + 1))


# -- bounded: before python-calamine reads --------------------------------------------------------

def test_an_excel_sheet_is_bounded_and_its_width_known():
    assert bounded(sheet(excel_rows(300)), "s.xml", 2_000_000) == 3
    assert bounded(sheet(excel_rows(300)), "s.xml", 2_000_000, columns=8) == 8
    assert bounded(sheet(""), "s.xml", 2_000_000) == 1  # no cell: nothing to hold


@pytest.mark.parametrize("cell", [
    '<c r="XFD1048576"><v>1</v></c>',  # the 2.5 KB workbook
    '<c r="A20000000"><v>1</v></c>',  # beyond Excel's rows: python-calamine fills them all
    '<c r="A1000000"><v>1</v></c>',  # within Excel, but 3 columns a row: beyond 2,000,000 cells
    '<c r="a5"><v>1</v></c>', "<c r='A5'><v>1</v></c>", '<c  r="A5"><v>1</v></c>',
    '<c s="1" r="A5"><v>1</v></c>', '<c\nr="A5"><v>1</v></c>', "<c><v>1</v></c>", "<c/>",
    '<c r="A5:B6"><v>1</v></c>',
    '<x:c xmlns:x="' + MAIN + '" r="XFD5"><x:v>1</x:v></x:c>',  # python-calamine reads it too
])
def test_a_cell_beyond_the_bounds_or_not_as_excel_writes_it_is_not_bounded(cell):
    rows = excel_rows(5) + f'<row r="6">{cell}</row>'
    assert bounded(sheet(rows, '<dimension ref="A1:C6"/>'), "s.xml", 2_000_000, 3) == 0


@pytest.mark.parametrize("cell", ['<c r="A05"><v>1</v></c>', '<c r="A0"><v>1</v></c>'])
def test_zeros_before_a_row_number_stay_within_the_bounds_and_are_not_regular(cell):
    """Row 05 is row 5, and row 0 no row: bounded either way; the stream reader says which."""
    rows = excel_rows(4) + f'<row r="5">{cell}</row>'
    assert bounded(sheet(rows), "s.xml", 2_000_000) == 3
    assert regular(sheet(rows), "s.xml") is False


def test_the_bound_is_the_budget_not_the_dimension():
    """A sheet whose <dimension> and size agree (the cells the XML holds fill it) can still
    hide one cell far away: only every cell looked at tells."""
    rows = excel_rows(2000)
    assert bounded(sheet(rows, '<dimension ref="A1:C2000"/>'), "s.xml", 12_000, 3) == 3
    far = rows.replace('<row r="1000" spans="1:3" x14ac:dyDescent="0.25">',
                       '<row r="1000" spans="1:3" x14ac:dyDescent="0.25"><c r="C8000"><v>1'
                       "</v></c>")
    assert bounded(sheet(far, '<dimension ref="A1:C2000"/>'), "s.xml", 12_000, 3) == 0


def test_a_cell_wider_than_the_first_rows_is_not_bounded(monkeypatch):
    """The width is the first piece's (and the <dimension>'s): a wider cell later, out."""
    from oimtool.sources import xlsx_scan

    monkeypatch.setattr(xlsx_scan, "CHUNK", 500)
    rows = excel_rows(40)
    assert bounded(sheet(rows), "s.xml", 2_000_000) == 3
    wide = rows.replace('<c r="C30" t="inlineStr">', '<c r="D30"><v>1</v></c><c r="C30" '
                        't="inlineStr">')
    assert bounded(sheet(wide), "s.xml", 2_000_000) == 0
    assert bounded(sheet(wide, '<dimension ref="A1:D40"/>'), "s.xml", 2_000_000, 4) == 4


def test_a_piece_without_any_end_is_not_bounded(monkeypatch):
    from oimtool.sources import xlsx_scan

    monkeypatch.setattr(xlsx_scan, "LONGEST_ROW", 1000)
    monkeypatch.setattr(xlsx_scan, "CHUNK", 100)
    text = '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 5000 + "</t></is></c></row>"
    assert bounded(sheet(text), "s.xml", 2_000_000) == 0


# -- regular: while python-calamine reads ----------------------------------------------------------

@pytest.mark.parametrize("rows", [
    excel_rows(50),
    # openpyxl: types on every cell, a formula with an empty value, a styled empty cell
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Order</t></is></c><c r="B1" t="n"><v>1</v></c>'
    '<c r="C1" t="b"><v>1</v></c><c r="D1" s="1" t="n"><v>45293</v></c><c r="G1"><f>A1</f>'
    '<v /></c><c r="H1" s="2" /></row><row r="3"><c r="B3" s="2" t="n"><v>3</v></c></row>',
    # LibreOffice: empty rows, no value in a shared-string cell, rows between rows apart
    '<row r="1" s="1" customFormat="1"/>\n<row r="2"><c r="A2" s="1" t="s"><v>0</v></c>'
    '<c r="B2" t="s"/><c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A1</f><v>x</v></c>'
    '</row>\n<row r="9"><c r="I9" t="d"><v>2024-01-02</v></c></row>',
])
def test_rows_as_excel_and_others_write_them_are_regular(rows):
    assert regular(sheet(rows), "s.xml") is True


@pytest.mark.parametrize("rows", [
    excel_rows(2) + excel_rows(1, first=2),  # row 2 twice: python-calamine merges them
    excel_rows(2, first=5) + excel_rows(1, first=3),  # out of order
    '<row r="2"><c r="A3"><v>1</v></c></row>',  # a cell naming another row
    '<row r="2"><c r="A02"><v>1</v></c></row>',
    '<row r="2"><c r="A2" t="s"><v>-1</v></c></row>',  # the first string, or the last
    '<row r="2"><c r="A2" t="s"><v> 1</v></c></row>',
    '<row r="2"><c r="A2" t="s"><v>1.0</v></c></row>',
    '<row r="2"><c r="A2" t = "s"><v>-1</v></c></row>',
    '<row r="2"><c r="A2" t="s" s="1"><v>x</v></c></row>',
    '<row r="2"><c r="A2" t="b"><v>false</v></c></row>',  # true for one reader, false for the
    '<row r="2"><c r="A2" t="b"><v>2</v></c></row>',  # other; an error for one
    '<row r="2"><c r="A2" t="x"><v>2</v></c></row>',
    '<row><c r="A2"><v>1</v></c></row>',  # numbered by counting
    '<row spans="1:1" r="2"><c r="A2"><v>1</v></c></row>',
    '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',  # beyond Excel's last row
    '<row r="2"><c r="A2"><v>1</v></c><extLst/></row>',
    '<row r="2">\n  <c r="A2"><v>1</v></c>\n</row>',  # pretty: not as Excel writes it
])
def test_rows_the_readers_would_read_apart_are_not_regular(rows):
    assert regular(sheet(excel_rows(1) + rows if "1048577" in rows else rows), "s.xml") is False


def test_rows_beyond_the_budget_are_not_regular():
    assert regular(sheet(excel_rows(30)), "s.xml", rows=30) is True
    assert regular(sheet(excel_rows(31)), "s.xml", rows=30) is False


def test_a_sheet_that_cannot_be_read_is_not_regular():
    assert regular(sheet("<row"), "s.xml") is False
    assert regular(sheet(excel_rows(3)), "missing.xml") is False


# -- .ods: the sheets measured before python-calamine expands them -----------------------------

def ods(*tables: str, names: tuple[str, ...] = ('table:name="Sayfa1"', 'table:name="Sayfa2"')
        ) -> bytes:
    body = "".join(f"<table:table {name}>{rows}</table:table>"
                   for name, rows in zip(names, tables, strict=False))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", (
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:'
            'table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            f"<office:spreadsheet>{body}</office:spreadsheet></office:body>"
            "</office:document-content>"))
    return buffer.getvalue()


VALUE = ('<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
         "</table:table-cell>")
EMPTY = '<table:table-cell table:number-columns-repeated="1020"/>'


def row(cells: str = VALUE * 4, repeated: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{times}>{cells}</table:table-row>"


def measure(tmp_path, *tables: str, cells: int = 2_000_000) -> None:
    path = tmp_path / "s.ods"
    path.write_bytes(ods(*tables))
    check_ods(path, cells)


@pytest.mark.parametrize("tables", [
    (row() * 3,),
    (row() + row(EMPTY, repeated=1_048_570),),  # LibreOffice's empty rows to the sheet's end
    (row(EMPTY, repeated=1000) + row(),),  # empty rows before the first value: not held
    (row(VALUE * 4 + EMPTY),),  # empty cells to the row's end: not held
    (row(repeated=3), row() * 2),
    (row("<table:table-cell/>" * 3 + VALUE, repeated=499_000),),  # 4 × 499,000 cells
])
def test_ods_sheets_within_the_limits_pass(tmp_path, tables):
    measure(tmp_path, *tables)


@pytest.mark.parametrize(("tables", "words"), [
    ((row() + row(repeated=1_000_000),), "'Sayfa1' expands to 1,000,001 rows of 4 columns"),
    ((row(), row() + row(EMPTY, repeated=600_000) + row()), "'Sayfa2' expands to 600,002 rows"),
    ((row(repeated=2_000_000),), "'Sayfa1' has a value in row 2,000,000, beyond the last row"),
    ((row(EMPTY, repeated=1_048_576) + row(),), "has a value in row 1,048,577"),
    ((row(VALUE.replace("office:value=", 'table:number-columns-repeated="16385" office:value=')),),
     "has a value in column 16,385, beyond the last column"),
    ((row('<table:table-cell table:number-columns-repeated="20000"/><table:table-cell '
          'table:formula="of:=1"/>'),), "has a value in column 20,001"),
])
def test_ods_sheets_that_expand_beyond_the_limits_are_refused(tmp_path, tables, words):
    with pytest.raises(ContentError, match=re.escape(words)):
        measure(tmp_path, *tables)


def test_ods_limit_is_the_cells_held(tmp_path):
    measure(tmp_path, row(repeated=250), cells=1000)
    with pytest.raises(ContentError, match="expands to 251 rows of 4 columns"):
        measure(tmp_path, row(repeated=251), cells=1000)


def test_a_sheet_too_wide_for_the_budget_is_not_bounded():
    assert bounded(sheet(excel_rows(3)), "s.xml", 2) == 0


@pytest.mark.parametrize(("data", "verdict"), [
    ("<sheetData/>", True),  # no row at all
    ('<sheetData foo="1"><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', False),
    ('<x:sheetData xmlns:x="' + MAIN + '"><x:row r="1"/></x:sheetData>', False),
    ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row>', False),  # never ends
])
def test_sheet_data_as_excel_writes_it_or_not(data, verdict):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("s.xml", f'<worksheet xmlns="{MAIN}">{data}</worksheet>')
    assert regular(zipfile.ZipFile(buffer), "s.xml") is verdict


def test_ods_that_is_not_one_is_left_to_python_calamine(tmp_path):
    path = tmp_path / "s.ods"
    path.write_bytes(b"not a zip")
    check_ods(path, 10)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    path.write_bytes(buffer.getvalue())
    check_ods(path, 10)  # no content.xml: python-calamine says so


def test_ods_whose_content_is_damaged(tmp_path):
    path = tmp_path / "s.ods"
    path.write_bytes(ods(row() * 2000))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start:start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(ContentError, match="cannot read the workbook: Error -3"):
        check_ods(path, 2_000_000)


def test_ods_with_a_row_longer_than_an_export_writes(tmp_path, monkeypatch):
    from oimtool.sources import ods_scan

    monkeypatch.setattr(ods_scan, "CHUNK", 100)
    monkeypatch.setattr(ods_scan, "LONGEST_ROW", 1000)
    with pytest.raises(ContentError, match="a row of the workbook is longer than 1,000 bytes"):
        measure(tmp_path, row(VALUE * 50))


@pytest.mark.parametrize("rows", [
    '<table:table-row table:number-rows-repeated="1000"/>' + row(),  # empty, closed at once
    row() + "<table:table-row>" + VALUE,  # breaks off: python-calamine says where
])
def test_ods_rows_closed_at_once_or_never(tmp_path, rows):
    measure(tmp_path, rows)


def test_ods_empty_rows_before_a_value_count_toward_its_row(tmp_path):
    with pytest.raises(ContentError, match="has a value in row 5,000,001"):
        measure(tmp_path, '<table:table-row table:number-rows-repeated="5000000"/>' + row())


def test_ods_table_without_a_name(tmp_path):
    path = tmp_path / "s.ods"
    path.write_bytes(ods(row(repeated=600_000), names=('table:style-name="ta1"',)))
    with pytest.raises(ContentError, match="sheet '' expands to 600,000 rows"):
        check_ods(path, 2_000_000)


@pytest.mark.parametrize("cell", ["<c><v>1</v></c>", "<c r='A1'><v>1</v></c>"])
def test_first_cells_not_as_excel_writes_them_are_not_bounded(cell):
    assert bounded(sheet(f'<row r="1">{cell}</row>'), "s.xml", 2_000_000) == 0
