"""oimtool convert, at the command line, on real files: xlsx written by openpyxl, cp1254 and
UTF-16 text, with exact items, exact source cells of problems and exact exit codes."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, write_json


def xlsx(path: Path, rows: list[list], *, sheet: str = "Items", extra_sheets=()) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for name, state in extra_sheets:
        other = book.create_sheet(name)
        other.sheet_state = state
        other.append(["Order No", "Qty", "Price"])
    book.save(path)
    return path


def text(path: Path, rows: list[list[str]], *, encoding="utf-8", delimiter=",", bom=b"",
         newline="\r\n") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(bom + buffer.getvalue().encode(encoding))
    return path


def items_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def report(result) -> dict:
    return json.loads(result.out)


def located(data: dict, *keys: str) -> list[tuple]:
    """A projection of the report's problems; "row" and "header" are the source's."""
    def value(problem: dict, key: str):
        source = problem["source"] or {}
        if key == "row":
            return source.get("row")
        if key == "header":
            return source.get("column")
        return problem[key]
    return [tuple(value(p, k) for k in keys) for p in data["problems"]]


ITEM = {"order_number": "ORD1", "product": "Tişört", "sku": "T-1", "quantity": 1,
        "price": 19.9, "image_url": None, "extra_field": {}}


# -- workbooks ---------------------------------------------------------------------------------

def english_workbook(tmp_path: Path) -> Path:
    return xlsx(tmp_path / "sales.xlsx", [
        ["Sales export, web shop 2019"],
        ["Exported 2020-01-05"],
        [],
        ["Order ID", "Product Name", "SKU", "Qty", "Unit Price", "Image URL", "Notes"],
        [100024, "Shoe Care Cream", 4711, 1, 149.9, "https://cdn.example.com/a.jpg", None],
        ["ORD-2019-000117", "Merino Wool Scarf", "SCF-0090", 2.0, 19.990000000000002, None,
         "gift"],
        [None, None, None, None, None, None, None],
        ["ORD-2019-000118", "  Card Holder\u00a0", 1.00023e15, 3, 0.1 + 0.2, "", None],
    ])


def test_workbook_to_items(cli, tmp_path):
    source = english_workbook(tmp_path)
    result = cli("convert", source, "-f", "json")
    assert result.code == 0, result.out + result.err
    assert items_of(tmp_path / "sales.json") == [
        {"order_number": "100024", "product": "Shoe Care Cream", "sku": "4711", "quantity": 1,
         "price": 149.9, "image_url": "https://cdn.example.com/a.jpg", "extra_field": {}},
        {"order_number": "ORD-2019-000117", "product": "Merino Wool Scarf", "sku": "SCF-0090",
         "quantity": 2, "price": 19.99, "image_url": None, "extra_field": {}},
        {"order_number": "ORD-2019-000118", "product": "Card Holder", "sku": "1000230000000000",
         "quantity": 3, "price": 0.3, "image_url": None, "extra_field": {}},
    ]
    data = report(result)
    assert data["summary"] == {"files": 1, "items": 3, "errors": 0, "warnings": 1,
                               "fixable": 0, "rows": 3, "rejected": 0, "blank": 1,
                               "written": 3, "skipped": {},
                               "outputs": [str(tmp_path / "sales.json")]}
    assert located(data, "code", "index", "row", "header") == [
        ("OIM015", None, 4, None),  # the header is row 4
        ("OIM010", None, 4, "Notes"),
        ("OIM014", 2, 8, "SKU"),
    ]
    assert [p["source"]["sheet"] for p in data["problems"]] == ["Items"] * 3


def test_workbook_text_report_names_cells(cli, tmp_path):
    source = xlsx(tmp_path / "sales.xlsx", [
        ["Order No", "Qty", "Price"], ["A1", 0, 5], ["A2", 1, "abc"],
    ])
    result = cli("convert", source)
    assert result.code == 1
    assert [line for line in result.out.splitlines() if ": OIM" in line][3:5] == [
        f"{source}:Items!B2: OIM403 quantity is 0; it must be at least 1 (remove the line or "
        "correct it)",
        f'{source}:Items!C3: OIM502 price is the text "abc", not a number; write the price as a '
        "number",
    ]
    assert result.out.splitlines()[-1] == (
        "2 rows read: 0 items, 2 rejected. Nothing written. 2 errors. Correct the rejected rows, "
        "or use --skip-invalid to write the others.")
    assert not (tmp_path / "sales.json").exists()


def test_sheets(cli, tmp_path):
    source = xlsx(tmp_path / "book.xlsx", [["Order No", "Qty", "Price"], ["A", 1, 2]],
                  sheet="Summary", extra_sheets=[("Secret", "hidden"), ("Items", "visible")])
    result = cli("convert", source, "--sheet", "Nope")
    assert result.code == 2
    assert "--sheet Nope: there is no such sheet; the sheets are: Summary, Secret, Items" in (
        result.err)
    result = cli("convert", source, "--sheet", "Items", "-o", tmp_path / "i.json")
    assert result.code == 1
    assert "there are no data rows below the header" in result.out
    result = cli("convert", source, "--force")
    assert result.code == 0
    assert "read sheet 'Summary' of 3" in result.out


def test_formulas_read_as_cached_values(cli, tmp_path):
    """A formula cell holds the value Excel cached when it saved the workbook."""
    source = xlsx(tmp_path / "sales.xlsx", [["Order No", "Qty", "Price"], ["A", 2, 10]])
    # openpyxl writes no cached values: patch one in as Excel would store it.
    import zipfile

    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"]
    files["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<c r="C2" t="n"><v>10</v></c>', b'<c r="C2"><f>B2*5</f><v>10</v></c>')
    assert files["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert cli("convert", source).code == 0
    assert items_of(tmp_path / "sales.json")[0]["price"] == 10.0


# -- text --------------------------------------------------------------------------------------

TURKISH_ROWS = [
    ["Satış Raporu 2019"],
    [],
    ["Sipariş No", "Ürün Adı", "Stok Kodu", "Adet", "Birim Fiyat", "Görsel"],
    ["100023", "Pamuklu Tişört", "TSH-1", "2", "1.249,50 TL", "https://cdn.example.com/a.jpg"],
    ["100024", "Kazak\nçok satan", "KZK-1", "1", "49,90 TL", ""],
    ["100025", "İpek Kravat", "KRV-1", "x", "12,5", ""],
]


def test_turkish_cp1254_semicolon_csv(cli, tmp_path):
    source = text(tmp_path / "satislar.csv", TURKISH_ROWS, encoding="cp1254", delimiter=";")
    result = cli("convert", source, "--skip-invalid", "-f", "json")
    assert result.code == 1
    assert items_of(tmp_path / "satislar.json") == [
        {"order_number": "100023", "product": "Pamuklu Tişört", "sku": "TSH-1", "quantity": 2,
         "price": 1249.5, "image_url": "https://cdn.example.com/a.jpg", "extra_field": {}},
        {"order_number": "100024", "product": "Kazak\nçok satan", "sku": "KZK-1",
         "quantity": 1, "price": 49.9, "image_url": None, "extra_field": {}},
    ]
    data = report(result)
    # the quoted two-line cell is one row: the bad row is the 6th
    assert located(data, "code", "index", "field", "row", "header") == [
        ("OIM015", None, None, None, None),
        ("OIM015", None, None, 3, None),
        ("OIM402", 2, "quantity", 6, "Adet"),
    ]
    assert "cp1254" in data["problems"][0]["message"]
    assert data["summary"]["rows"] == 3
    assert data["summary"]["items"] + data["summary"]["rejected"] == 3


def test_text_report_cells_for_a_csv(cli, tmp_path):
    source = text(tmp_path / "satislar.csv", TURKISH_ROWS, encoding="cp1254", delimiter=";")
    result = cli("convert", source)
    assert f"{source}:6:D: OIM402 quantity \"x\" is text; write a whole number of units, 1 or " \
        "more" in result.out.splitlines()


@pytest.mark.parametrize(("encoding", "bom", "delimiter", "suffix"), [
    ("utf-16-le", b"\xff\xfe", "\t", ".txt"),
    ("utf-8", b"\xef\xbb\xbf", ",", ".csv"),
    ("utf-8", b"", "\t", ".tsv"),
    ("cp1252", b"", "|", ".csv"),
])
def test_encodings_and_delimiters(cli, tmp_path, encoding, bom, delimiter, suffix):
    rows = [["Order No", "Product", "Qty", "Price"], ["A1", "Café crème", "2", "3.50"]]
    source = text(tmp_path / f"export{suffix}", rows, encoding=encoding, delimiter=delimiter,
                  bom=bom)
    result = cli("convert", source, "-f", "json")
    assert result.code == 0, result.out
    assert items_of(tmp_path / "export.json") == [
        {"order_number": "A1", "product": "Café crème", "sku": None, "quantity": 2,
         "price": 3.5, "image_url": None, "extra_field": {}},
    ]


def test_not_utf8_after_a_long_ascii_start(cli, tmp_path):
    rows = [["Order No", "Qty", "Price", "Product"]]
    rows += [[f"A{i}", "1", "2.50", "plain"] for i in range(20000)]
    rows.append(["B", "1", "2.50", "Ağaç"])
    source = text(tmp_path / "big.csv", rows, encoding="cp1254")
    result = cli("convert", source, "-f", "json")
    assert result.code == 0
    assert items_of(tmp_path / "big.json")[-1]["product"] == "Ağaç"
    assert "first byte that is not UTF-8" in report(result)["problems"][0]["message"]


def test_wrong_encoding_given_is_a_content_error(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["Ağaç", "1", "2"]],
                  encoding="cp1254")
    result = cli("convert", source, "--encoding", "utf-8", "-f", "json")
    assert result.code == 1
    [problem] = report(result)["problems"]
    assert problem["code"] == "OIM017"
    assert problem["message"] == ("byte 0xf0 on line 2 is not utf-8 text: give the file's "
                                  "encoding with --encoding (cp1254 for Turkish Windows)")
    assert not (tmp_path / "s.json").exists()


def test_unclosed_quote_does_not_swallow_rows(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text('Order No,Qty,Price\nA,1,2\nB,"1,2\nC,1,2\nD,1,2\n', encoding="utf-8")
    result = cli("convert", source, "-f", "json")
    assert result.code == 1
    data = report(result)
    assert located(data, "code", "row")[3:] == [("OIM017", 3)]
    assert "never closed" in data["problems"][3]["message"]
    assert data["summary"]["rows"] == 1
    assert not (tmp_path / "s.json").exists()


def test_blank_rows_and_ragged_rows(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No,Qty,Price\n\nA,1,2\n , ,\nB,1\nC,1,2,extra\n", encoding="utf-8")
    result = cli("convert", source, "-f", "json")
    data = report(result)
    assert data["summary"]["blank"] == 2
    assert data["summary"]["rows"] == 3
    assert located(data, "code", "index", "row") == [
        ("OIM011", None, 1), ("OIM011", None, 1), ("OIM011", None, 1),
        ("OIM502", 1, 5), ("OIM016", 2, 6),
    ]


# -- columns ---------------------------------------------------------------------------------

def test_missing_required_column_is_a_usage_error(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Belge No", "Ürün", "Miktar", "Tutar"], ["A", "x", "1",
                                                                                  "2"]])
    result = cli("convert", source)
    assert result.code == 2
    assert result.out == ""
    assert ("no column for order_number (candidates: 'Belge No'); price (candidates: 'Tutar') "
            "(required); the headers are: Belge No, Ürün, Miktar, Tutar. Say which column "
            'holds it: --map order_number="…" --map price="…"') in result.err
    result = cli("convert", source, "--map", "order_number=Belge No", "--map", "price=Tutar")
    assert result.code == 0, result.out + result.err
    assert items_of(tmp_path / "s.json")[0]["order_number"] == "A"


def test_column_named_twice_is_a_usage_error(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price", "Fiyat"], ["A", "1", "2",
                                                                               "3"]])
    result = cli("convert", source)
    assert result.code == 2
    assert 'both "Price" and "Fiyat" look like price; choose one with --map price="Price"' in (
        result.err)
    assert cli("convert", source, "--map", "price=Fiyat").code == 0
    assert items_of(tmp_path / "s.json")[0]["price"] == 3.0


@pytest.mark.parametrize("bad", ["price", "colour=Renk", "price="])
def test_bad_map_option(cli, tmp_path, bad):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"]])
    assert cli("convert", source, "--map", bad).code == 2


@pytest.mark.parametrize("config", [
    ("oimtool.toml", '[convert]\nextra = true\n[convert.map]\norder_number = "Belge No"\n'),
    ("pyproject.toml", '[project]\nname = "x"\n[tool.oimtool.convert.map]\n'
                       'order_number = "Belge No"\n[tool.oimtool.convert]\nextra = true\n'),
])
def test_mapping_from_a_settings_file(cli, tmp_path, monkeypatch, config):
    name, content = config
    (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    text(tmp_path / "s.csv", [["Belge No", "Qty", "Price", "Renk"], ["A", "1", "2", "mavi"]])
    result = cli("convert", "s.csv")
    assert result.code == 0, result.out + result.err
    assert items_of(tmp_path / "s.json") == [
        {"order_number": "A", "product": None, "sku": None, "quantity": 1, "price": 2.0,
         "image_url": None, "extra_field": {"Renk": "mavi"}},
    ]


def test_extra_columns_and_extra_field_column(cli, tmp_path):
    source = xlsx(tmp_path / "s.xlsx", [
        ["Order No", "Qty", "Price", "Renk", "Beden", "extra_field"],
        ["A", 1, 2, "mavi", 42, '{"gift": true}'],
        ["B", 1, 2, None, None, None],
    ])
    assert cli("convert", source, "--extra").code == 0
    assert [i["extra_field"] for i in items_of(tmp_path / "s.json")] == [
        {"gift": True, "Renk": "mavi", "Beden": 42}, {},
    ]


def test_extra_keeps_cells_under_no_header_when_every_column_matched(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2", "zz"],
                                       ["B", "1", "2"]])
    assert cli("convert", source, "--extra").code == 0
    assert [i["extra_field"] for i in items_of(tmp_path / "s.json")] == [{"column D": "zz"}, {}]
    result = cli("convert", source, "--force", "-f", "json")
    [stray] = [p for p in report(result)["problems"] if p["code"] == "OIM016"]
    assert stray["source"]["row"] == 2
    assert stray["message"].endswith('(--extra all keeps such cells, as "column D")')


def test_an_encoding_that_does_not_fit_is_a_problem_of_the_file(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"]])
    result = cli("convert", source, "--encoding", "utf-16", "-f", "json")
    assert result.code == 1
    assert [p["code"] for p in report(result)["problems"]] == ["OIM017"]
    assert not (tmp_path / "s.json").exists()


# -- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("prices", "options", "expected", "codes"), [
    (["1.234", "12,50"], [], [1234.0, 12.5], []),  # the column writes decimals with a comma
    (["1,234", "1,234.50"], [], [1234.0, 1234.5], []),  # ... with a point
    (["1,234", "7"], [], None, ["OIM012"]),  # nothing tells
    (["1,234", "7"], ["--decimal", "."], [1234.0, 7.0], []),
    (["1.234", "3,5", "1,5"], [], [1234.0, 3.5, 1.5], []),
    (["1,234", "1.5", "2,5"], [], None, ["OIM012"]),  # both ways: mixed
])
def test_ambiguous_numbers_decided_by_their_column(cli, tmp_path, prices, options, expected,
                                                   codes):
    rows = [["Order No", "Qty", "Price"]] + [[f"A{i}", "1", p] for i, p in enumerate(prices)]
    source = text(tmp_path / "s.csv", rows, delimiter=";")
    result = cli("convert", source, "-f", "json", *options)
    assert [p["code"] for p in report(result)["problems"] if p["severity"] == "error"] == codes
    if expected is not None:
        assert [i["price"] for i in items_of(tmp_path / "s.json")] == expected


def test_scientific_notation_and_excel_precision(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "SKU", "Qty", "Price"],
                                       ["1.00023E+15", "A", "1", "2"]])
    data = report(cli("convert", source, "-f", "json"))
    assert located(data, "code", "field", "header")[-1] == ("OIM013", "order_number",
                                                              "Order No")


# -- output, rejects and exit codes ----------------------------------------------------------

def test_existing_output_needs_force(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"]])
    (tmp_path / "s.json").write_text("keep me")
    result = cli("convert", source)
    assert result.code == 2
    assert "s.json exists; use --force to replace it" in result.err
    assert (tmp_path / "s.json").read_text() == "keep me"
    assert cli("convert", source, "--force").code == 0
    assert items_of(tmp_path / "s.json")[0]["order_number"] == "A"


def test_items_to_stdout_report_to_stderr(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"]])
    result = cli("convert", source, "-o", "-")
    assert result.code == 0
    assert json.loads(result.out) == [{"order_number": "A", "product": None, "sku": None,
                                       "quantity": 1, "price": 2.0, "image_url": None,
                                       "extra_field": {}}]
    assert result.out.endswith("}\n]\n")
    assert "1 row read: 1 item, 0 rejected. 1 item written to standard output." in result.err
    result = cli("convert", source, "-o", "-", "-f", "json")
    assert json.loads(result.err)["summary"]["written"] == 1


def test_report_to_a_file(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "0", "2"]])
    result = cli("convert", source, "-f", "json", "--output", tmp_path / "report.json")
    assert result.code == 1
    assert result.out == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["rejected"] == 1


def test_output_format_exact(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Product", "Qty", "Price"],
                                       ["A", "Ürün", "1", "2,5"]])
    assert cli("convert", source).code == 0
    assert (tmp_path / "s.json").read_bytes() == (
        '[\n  {\n    "order_number": "A",\n    "product": "Ürün",\n    "sku": null,\n'
        '    "quantity": 1,\n    "price": 2.5,\n    "image_url": null,\n'
        '    "extra_field": {}\n  }\n]\n').encode()


def test_split(cli, tmp_path):
    rows = [["Order No", "Qty", "Price"]] + [[f"A{i}", "1", "2"] for i in range(5)]
    source = text(tmp_path / "s.csv", rows)
    assert cli("convert", source, "--split", "2").code == 0
    parts = sorted(p.name for p in tmp_path.glob("s.part*.json"))
    assert parts == ["s.part001.json", "s.part002.json", "s.part003.json"]
    assert [[i["order_number"] for i in items_of(tmp_path / p)] for p in parts] == [
        ["A0", "A1"], ["A2", "A3"], ["A4"]]
    assert not (tmp_path / "s.json").exists()


def test_skip_invalid_and_rejects(cli, tmp_path):
    rows = [["Sipariş No", "Adet", "Fiyat", "Renk"], ["A", "1", "2", "mavi"],
            ["B", "0", "2", "=1+1"], ["C", "1", "x", ""]]
    source = text(tmp_path / "s.csv", rows, delimiter=";")
    result = cli("convert", source, "--skip-invalid", "--rejects", tmp_path / "rejects.csv")
    assert result.code == 1
    assert [i["order_number"] for i in items_of(tmp_path / "s.json")] == ["A"]
    content = (tmp_path / "rejects.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")) == [
        ["Sipariş No", "Adet", "Fiyat", "Renk", "problems"],
        ["B", "0", "2", "=1+1",
         "OIM403 quantity is 0; it must be at least 1 (remove the line or correct it)"],
        ["C", "1", "x", "", 'OIM502 price is the text "x", not a number; write the price as a '
                            "number"],
    ]
    # the rejects convert again, once corrected
    fixed = content.decode("utf-8-sig").replace(";0;", ";1;").replace(";x;", ";3;")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8")
    result = cli("convert", tmp_path / "fixed.csv", "--map", "price=Fiyat")
    assert result.code == 0, result.out


def test_rejects_as_a_workbook(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["B", "0", "2"]])
    cli("convert", source, "--rejects", tmp_path / "rejects.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "rejects.xlsx").active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Order No", "Qty", "Price", "problems"],
        ["B", "0", "2", "OIM403 quantity is 0; it must be at least 1 (remove the line or "
                        "correct it)"],
    ]


def test_orders_cross_check(cli, tmp_path):
    orders = write_json(tmp_path / "orders.json", [{"number": "A"}, {"number": "ORD-7"}])
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"],
                                       ["ord-7", "1", "2"]])
    data = report(cli("convert", source, "--orders", orders, "-f", "json"))
    assert located(data, "code", "index", "row", "header") == [
        ("OIM011", None, 1, None), ("OIM011", None, 1, None), ("OIM011", None, 1, None),
        ("OIM105", 1, 3, "Order No"), ("OIM901", None, None, None),
    ]


def test_duplicate_rows(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"],
                                       ["B", "1", "2"], ["A", "1", "2.00"]])
    data = report(cli("convert", source, "-f", "json"))
    [dup] = [p for p in data["problems"] if p["code"] == "OIM803"]
    assert (dup["index"], dup["source"]["row"]) == (2, 4)
    assert dup["message"].startswith("row 4 repeats row 2: a double export?")


@pytest.mark.parametrize(("content", "code", "words"), [
    ("", 1, "the export is empty: there is no row to read"),
    ("Order No,Qty,Price\n", 1, "there are no data rows below the header"),
])
def test_empty_exports(cli, tmp_path, content, code, words):
    source = tmp_path / "s.csv"
    source.write_text(content, encoding="utf-8")
    result = cli("convert", source)
    assert result.code == code
    assert words in result.out + result.err


def test_unknown_suffix_and_broken_workbook(cli, tmp_path):
    (tmp_path / "s.pdf").write_bytes(b"%PDF")
    assert cli("convert", tmp_path / "s.pdf").code == 2
    (tmp_path / "s.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = cli("convert", tmp_path / "s.xlsx", "-f", "json")
    assert result.code == 1
    assert report(result)["problems"][0]["code"] == "OIM017"


def test_convert_output_passes_check(cli, tmp_path):
    source = english_workbook(tmp_path)
    cli("convert", source)
    result = cli("check", tmp_path / "sales.json")
    assert (result.code, result.out) == (0, "OK: 3 items in 1 file, no problems.\n")


def test_dates_in_extra_columns(cli, tmp_path):
    source = xlsx(tmp_path / "s.xlsx", [["Order No", "Qty", "Price", "Date"],
                                        ["A", 1, 2, datetime.date(2019, 3, 4)]])
    cli("convert", source, "--extra")
    assert items_of(tmp_path / "s.json")[0]["extra_field"] == {"Date": "2019-03-04"}


def test_rejects_are_written_as_they_come_and_removed_on_abort(tmp_path):
    """--rejects streams to a temporary file beside its path: renamed at the end, removed when
    the conversion is abandoned."""
    from oimtool.convert import Conversion, ReadOptions

    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "0", "2"],
                                       ["B", "1", "2"]])
    rejects = tmp_path / "rejects.csv"
    conversion = Conversion(source, output=tmp_path / "s.json", options=ReadOptions(),
                            rejects=rejects)
    list(conversion.problems())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rejects.csv.")]
    conversion.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


# -- inputs: code pages, delimiters, headers, OpenDocument ------------------------------------

def test_western_code_page_is_not_taken_for_turkish(cli, tmp_path):
    """0x8e is Ž in cp1252 and no letter in cp1254: the export is Western, not Turkish."""
    source = text(tmp_path / "s.csv", [["Order No", "Product", "Qty", "Price"],
                                       ["A1", "Žilina café", "2", "3.50"]],
                  encoding="cp1252", delimiter=";")
    result = cli("convert", source, "-f", "json")
    assert result.code == 0, result.out
    assert items_of(tmp_path / "s.json")[0]["product"] == "Žilina café"
    [note] = [p for p in report(result)["problems"] if p["code"] == "OIM015"]
    assert note["severity"] == "note"
    assert note["message"].startswith("not UTF-8: read as Windows-1252 (cp1252)")
    assert note["source"] == {"file": str(source), "sheet": None, "row": None, "column": None}


@pytest.mark.parametrize(("written", "given"), [("|", "|"), ("\t", "tab"), (";", ";")])
def test_delimiter_given(cli, tmp_path, written, given):
    rows = [["Order No", "Product", "Qty", "Price"], ["A1", "x, y; z | w", "2", "3.50"]]
    source = text(tmp_path / "s.csv", rows, delimiter=written)
    result = cli("convert", source, "--delimiter", given)
    assert result.code == 0, result.out
    assert items_of(tmp_path / "s.json")[0]["product"] == "x, y; z | w"


def test_delimiter_given_wins_over_detection(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A1", "2", "3.50"]])
    result = cli("convert", source, "--delimiter", ";")
    assert result.code == 2  # one column "Order No,Qty,Price": no quantity, no price
    assert "Order No,Qty,Price" in result.err
    assert not (tmp_path / "s.json").exists()


def test_delimiter_of_two_characters_is_refused(cli, tmp_path):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A1", "2", "3.50"]])
    result = cli("convert", source, "--delimiter", "ab")
    assert result.code == 2
    assert "give one character (or 'tab')" in result.err


def test_headers_without_turkish_letters_or_in_capitals(cli, tmp_path):
    rows = [["SIPARIS NO", "URUN ADI", "STOK KODU", "ADET", "BİRİM FİYATI", "Gorsel"],
            ["S-1", "Kalem", "K-1", "3", "12,50", "https://cdn.example.com/k.jpg"]]
    source = text(tmp_path / "s.csv", rows, delimiter=";")
    result = cli("convert", source, "-f", "json")
    assert result.code == 0, result.out
    assert items_of(tmp_path / "s.json") == [
        {"order_number": "S-1", "product": "Kalem", "sku": "K-1", "quantity": 3,
         "price": 12.5, "image_url": "https://cdn.example.com/k.jpg", "extra_field": {}}]
    assert report(result)["problems"] == []


def ods_bytes(rows: list[list[object]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice writes one, with one sheet."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>"
                   for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sayfa1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_opendocument_spreadsheet(cli, tmp_path):
    source = tmp_path / "satislar.ods"
    source.write_bytes(ods_bytes([
        ["Sipariş No", "Ürün Adı", "Adet", "Birim Fiyat"],
        ["S-1", "Çaydanlık", 2, 149.9],
        ["S-2", "Kupa", 0, 35],
    ]))
    result = cli("convert", source, "-f", "json", "--skip-invalid")
    assert result.code == 1
    assert located(report(result), "code", "row", "header") == [
        ("OIM011", 1, None), ("OIM011", 1, None), ("OIM403", 3, "Adet")]
    assert report(result)["problems"][2]["source"]["sheet"] == "Sayfa1"
    assert items_of(tmp_path / "satislar.json") == [
        {"order_number": "S-1", "product": "Çaydanlık", "sku": None, "quantity": 2,
         "price": 149.9, "image_url": None, "extra_field": {}}]


def test_legacy_excel_workbook(cli, tmp_path):
    source = tmp_path / "satislar-2018.xls"
    source.write_bytes((ROOT / "tests" / "data" / "satislar-2018.xls").read_bytes())
    result = cli("convert", source, "-f", "json", "--skip-invalid")
    assert result.code == 1
    data = report(result)
    assert located(data, "code", "row", "header") == [
        ("OIM015", 3, None), ("OIM011", 3, None), ("OIM403", 5, "Adet")]
    assert data["problems"][2]["source"]["sheet"] == "Satışlar 2018"
    assert (data["summary"]["rows"], data["summary"]["items"], data["summary"]["rejected"]) == (
        3, 2, 1)
    assert items_of(tmp_path / "satislar-2018.json") == [
        {"order_number": "S-2018-001", "product": "Çaydanlık", "sku": "100024", "quantity": 2,
         "price": 149.9, "image_url": None, "extra_field": {}},
        {"order_number": "S-2018-003", "product": "Tepsi", "sku": "T-1", "quantity": 1,
         "price": 19.99, "image_url": None, "extra_field": {}},
    ]


def test_the_settings_file_is_announced_chosen_or_left_out(cli, tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "oimtool.toml").write_text('[convert]\nextra = true\n', encoding="utf-8")
    (tmp_path / "other.toml").write_text('[convert.map]\nsku = "Kod"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    text(tmp_path / "s.csv", [["Order No", "Qty", "Price", "Kod"], ["A", "1", "2", "K1"]])
    found = cli("convert", "s.csv")
    assert found.code == 0
    assert found.err.splitlines()[0] == "oimtool: settings from oimtool.toml"
    assert items_of(tmp_path / "s.json")[0]["extra_field"] == {"Kod": "K1"}
    chosen = cli("convert", "s.csv", "--config", "other.toml", "--force")
    assert chosen.err.splitlines()[0] == "oimtool: settings from other.toml"
    assert items_of(tmp_path / "s.json")[0]["sku"] == "K1"
    assert items_of(tmp_path / "s.json")[0]["extra_field"] == {}
    none = cli("convert", "s.csv", "--no-config", "--force")
    assert "settings from" not in none.err
    assert items_of(tmp_path / "s.json")[0] == {
        "order_number": "A", "product": None, "sku": None, "quantity": 1, "price": 2.0,
        "image_url": None, "extra_field": {}}
    project = tmp_path / "sub" / "pyproject.toml"
    project.parent.mkdir()
    project.write_text('[tool.oimtool.convert.map]\nsku = "Kod"\n', encoding="utf-8")
    assert cli("convert", "s.csv", "--config", project, "--force").code == 0
    assert items_of(tmp_path / "s.json")[0]["sku"] == "K1"


@pytest.mark.parametrize(("option", "message"), [
    (("--delimiter", ";;"), "Invalid value for --delimiter: ';;': give one character (or 'tab')"),
    (("--encoding", "nosuch"), "Invalid value for --encoding: 'nosuch' is an unknown encoding"),
    (("--sheet", "Orders"), "Invalid value for --sheet: it is for workbooks; s.csv is a text "
     "file"),
])
def test_a_second_run_with_a_bad_option_hears_of_the_option_first(cli, tmp_path, option,
                                                                   message):
    source = text(tmp_path / "s.csv", [["Order No", "Qty", "Price"], ["A", "1", "2"]])
    assert cli("convert", source).code == 0
    before = (tmp_path / "s.json").read_bytes()
    result = cli("convert", source, *option)
    assert result.code == 2
    assert message in result.err
    assert "exists" not in result.err
    assert (tmp_path / "s.json").read_bytes() == before
