"""The annotated workbook: fills and comments at exactly the cells the report names."""

from __future__ import annotations

import openpyxl
from openpyxl.styles import Font
from test_convert import text, xlsx

from oimtool.reporters.xlsx import ERROR_FILL, WARNING_FILL


def marks(sheet) -> dict[str, tuple[str, str]]:
    """Every marked cell: its fill colour and the codes its comment names."""
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            colour = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
            if colour or cell.comment:
                codes = " ".join(w for w in (cell.comment.text.split() if cell.comment else ())
                                 if w.startswith("OIM"))
                found[cell.coordinate] = (colour[-6:] if colour else None, codes)
    return found


def test_workbook_annotated_in_place_of_its_cells(cli, tmp_path):
    source = xlsx(tmp_path / "sales.xlsx", [
        ["Sales 2019"],
        ["Order No", "Product", "Qty", "Price", "Renk"],
        ["A1", "Tişört", 0, 19.9, "mavi"],
        ["A2", "Kazak", 1, "12,345", None],
        ["A1", "Tişört", 0, 19.9, None],
    ])
    book = openpyxl.load_workbook(source)
    book["Items"]["B2"].font = Font(bold=True)
    book.save(source)
    result = cli("convert", source, "--annotate", tmp_path / "marked.xlsx")
    assert result.code == 1
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marked.sheetnames == ["Items", "Problems"]
    sheet = marked["Items"]
    assert sheet["B2"].font.bold  # the owner's formatting is kept
    assert marks(sheet) == {
        "C3": (ERROR_FILL, "OIM403"),
        "D4": (ERROR_FILL, "OIM012"),
        "C5": (ERROR_FILL, "OIM403"),
        "A5": (WARNING_FILL, "OIM803"),  # a whole row: its first cell has the comment
        "B5": (WARNING_FILL, ""),
        "D5": (WARNING_FILL, ""),
        "E5": (WARNING_FILL, ""),
    }
    assert "Suggested" not in sheet["C3"].comment.text
    problems = marked["Problems"]
    rows = list(problems.iter_rows(values_only=True))
    assert rows[0] == ("Cell", "Severity", "Code", "Field", "Message", "Value", "Suggested fix")
    cells = [r[0] for r in rows[1:] if r[2] not in ("OIM011", "OIM015")]
    assert cells == ["Items!E2", "Items!C3", "Items!D4", "Items!C5", "Items!A5"]
    link = next(c for c in problems["A"] if c.value == "Items!C3").hyperlink
    assert link.location == "Items!C3"


def test_csv_annotated_as_a_new_workbook(cli, tmp_path):
    source = text(tmp_path / "satis.csv", [
        ["Sipariş No", "Adet", "Fiyat"], ["A", "1", "=1+1"], ["B", "x", "2"],
    ], delimiter=";")
    result = cli("convert", source, "--annotate", tmp_path / "marked.xlsx")
    assert result.code == 1
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    sheet = marked["satis"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Sipariş No", "Adet", "Fiyat"], ["A", "1", "=1+1"], ["B", "x", "2"]]
    assert sheet["C2"].data_type == "s"  # data, not a formula
    assert marks(sheet) == {"C2": (ERROR_FILL, "OIM502"), "B3": (ERROR_FILL, "OIM402")}


def test_clean_export_annotated_with_an_empty_problems_sheet(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Product", "SKU", "Qty", "Price", "Image"],
                                       ["A", "x", "y", "1", "2", ""]])
    assert cli("convert", source, "--annotate", tmp_path / "m.xlsx").code == 0
    marked = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert marks(marked["s"]) == {}
    assert marked["Problems"].max_row == 1


def test_sheet_names_with_quotes_link_right(cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Kadın's"
    for row in [["Order No", "Qty", "Price"], ["A", 0, 2]]:
        book.active.append(row)
    source = tmp_path / "s.xlsx"
    book.save(source)
    assert cli("convert", source, "--annotate", tmp_path / "marked.xlsx").code == 1
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    links = [row[0].hyperlink.location for row in marked["Problems"].iter_rows(min_row=2)]
    assert links[-1] == "'Kadın''s'!B2"


def test_a_workbook_openpyxl_refuses_is_annotated_from_its_values(cli, tmp_path):
    """XML entities where calamine does not look (the document properties): openpyxl, with
    defusedxml, refuses the file; the annotated copy is built from the values instead."""
    import zipfile

    source = xlsx(tmp_path / "s.xlsx", [["Order No", "Qty", "Price"], ["A", 0, 2]])
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    core = __import__("re").sub(rb"^<\?xml[^>]*\?>", b"", files["docProps/core.xml"])
    files["docProps/core.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                  + core.replace(b"<dc:creator>openpyxl", b"<dc:creator>&a;"))
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    result = cli("convert", source, "--annotate", tmp_path / "marked.xlsx")
    assert result.code == 1
    assert result.err == ("oimtool: note: the export with its problems marked is in "
                          f"{tmp_path / 'marked.xlsx'}\n")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marks(marked.worksheets[0])["B2"] == (ERROR_FILL, "OIM403")


def test_macros_are_kept_only_in_an_xlsm_copy(cli, tmp_path):
    source = xlsx(tmp_path / "s.xlsm", [["Order No", "Qty", "Price"], ["A", 0, 2]])
    result = cli("convert", source, "--annotate", tmp_path / "marked.csv")
    assert result.code == 2
    assert "give the annotated workbook the suffix .xlsx or .xlsm" in result.err
    plain = xlsx(tmp_path / "p.xlsx", [["Order No", "Qty", "Price"], ["A", 0, 2]])
    result = cli("convert", plain, "--annotate", tmp_path / "marked.xlsm")
    assert result.code == 2
    assert "the suffix .xlsx" in result.err
    assert cli("convert", source, "--annotate", tmp_path / "marked.xlsx").code == 1
    with __import__("zipfile").ZipFile(tmp_path / "marked.xlsx") as archive:
        types = archive.read("[Content_Types].xml")
    assert b"macroEnabled" not in types
