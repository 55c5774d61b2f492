"""The wrong file for the command: an export given to check, a JSON file given to convert, the
orders and the items swapped. One line that says what the file is and what to run, exit 2,
before anything is read or written; never a hundred problems about the wrong file."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import SAMPLES, item, write_json

ORDER = {"number": "ORD-1", "user": "C1", "user_email": "a@example.com", "status": "500",
         "created_date": "2019-01-02", "amount": 10.0, "currency": "TRY",
         "payment_type": None, "bank": None}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["Sipariş No", "Ürün", "Adet", "Fiyat"])
    book.active.append(["ORD-1", "Tişört", 1, 10.5])
    book.save(tmp_path / "sales.xlsx")
    with open(tmp_path / "sales.csv", "w", newline="", encoding="cp1254") as out:
        csv.writer(out, delimiter=";").writerows([["Sipariş No", "Ürün", "Adet", "Fiyat"],
                                                  ["ORD-1", "Tişört", "1", "10,50"]])
    write_json(tmp_path / "items.json", [item(order_number="ORD-1")])
    write_json(tmp_path / "orders.json", [ORDER, dict(ORDER, number="ORD-2")])
    return {name: Path(name) for name in ("sales.xlsx", "sales.csv", "items.json",
                                          "orders.json")}


@pytest.mark.parametrize("command", ["check", "fix"])
@pytest.mark.parametrize(("export", "what"), [("sales.xlsx", "an Excel or ODS workbook"),
                                              ("sales.csv", "a CSV or text export")])
def test_an_export_is_not_checked(cli: Any, files: dict[str, Path], command: str, export: str,
                                  what: str, tmp_path: Path) -> None:
    result = cli(command, export)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (f"oimtool: error: {export} is {what}, not an order-item file: convert "
                          f"it first, with `oimtool convert {export}`, then check the JSON file "
                          "it writes\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)  # nothing written


def test_an_orders_file_is_not_checked_as_items(cli: Any, files: dict[str, Path]) -> None:
    result = cli("check", "orders.json")
    assert result.code == 2
    assert result.out == ""
    assert result.err == ('oimtool: error: orders.json is an order migration file (its entries '
                          'have "number", user, amount…, not "order_number"), not an order-item '
                          "file: give it with --orders orders.json\n")
    fix = cli("fix", "orders.json")
    assert fix.code == 2 and "order migration file" in fix.err
    assert not Path("orders.fixed.json").exists()


def test_items_given_as_orders(cli: Any, files: dict[str, Path]) -> None:
    result = cli("check", "orders.json", "--orders", "items.json")
    assert result.code == 2
    assert "orders.json is an order migration file" in result.err
    swapped = cli("check", "items.json", "--orders", "items.json")
    assert swapped.code == 2
    assert swapped.err == ('oimtool: error: items.json is an order-item file (its entries have '
                           '"order_number"), not an order migration file: give it as a file to '
                           "check, and the orders file with --orders\n")


@pytest.mark.parametrize(("name", "message"), [
    ("items.json", "items.json is a JSON file of order items, not an export: convert reads CSV, "
     "TSV and Excel/ODS exports. Check it with `oimtool check items.json`, or repair it with "
     "`oimtool fix items.json`"),
    ("orders.json", "orders.json is an order migration file, not an export: give it with "
     "--orders, to cross-check the order numbers of the export"),
])
def test_json_is_not_converted(cli: Any, files: dict[str, Path], name: str,
                               message: str) -> None:
    result = cli("convert", name)
    assert result.code == 2
    assert result.err == f"oimtool: error: {message}\n"
    assert "--out" not in result.err  # no talk of an option the user never gave


def test_the_same_orders_twice_or_copied(cli: Any, files: dict[str, Path]) -> None:
    write_json(Path("items.json"), [item(order_number="ORD-1"), item(order_number="ORD-2")])
    twice = cli("check", "items.json", "--orders", "orders.json", "--orders", "./orders.json")
    assert twice.code == 0
    assert twice.out == "OK: 2 items in 1 file, no problems.\n"
    shutil.copy("orders.json", "copy.json")
    copied = cli("check", "items.json", "--orders", "orders.json", "--orders", "copy.json")
    assert copied.code == 0
    assert copied.out.splitlines() == [
        "copy.json:1:1: OIM902 every order of copy.json (2) is in orders.json too: the same "
        "orders given twice? Give each orders file once",
        "0 errors and 1 warning in 2 items in 1 file."]
    write_json(Path("more.json"), [dict(ORDER, number="ORD-2"), dict(ORDER, number="ORD-3")])
    overlap = cli("check", "items.json", "--orders", "orders.json", "--orders", "more.json")
    assert overlap.out.splitlines() == [
        'more.json: OIM902 order number "ORD-2" is in orders.json too (order 1); items refer to '
        "orders by number, so one of them is a mistake",
        'more.json:1:1: OIM901 1 of 2 orders have no items in the files checked ("ORD-3"); '
        "expected when only some item files were checked",
        "0 errors and 2 warnings in 2 items in 1 file."]


def test_the_samples_are_told_apart() -> None:
    from oimtool.kinds import ITEMS, ORDERS, TEXT_EXPORT, WORKBOOK, kind_of

    assert kind_of(SAMPLES / "items.json") == ITEMS
    assert kind_of(SAMPLES / "items-broken.json") == ITEMS
    assert kind_of(SAMPLES / "orders.json") == ORDERS
    assert kind_of(SAMPLES / "sales-2019.xlsx") == WORKBOOK
    assert kind_of(SAMPLES / "satislar-2019.csv") == TEXT_EXPORT
    assert kind_of(SAMPLES / "missing.json") is None


def test_map_names_a_field_any_way_and_a_typo_gets_a_suggestion(
        cli: Any, files: dict[str, Path], tmp_path: Path) -> None:
    result = cli("convert", "sales.csv", "--map", "Order-Number=Sipariş No", "--map",
                 "PRICE=Fiyat", "--map", "Quantity=Adet", "--map", "product=Ürün",
                 "-o", "out.json")
    assert result.code == 0, result.err
    Path("out.json").write_text("keep")  # exists: the typo below is still reported first
    typo = cli("convert", "sales.csv", "--map", "prise=Fiyat", "-o", "out.json")
    assert typo.code == 2
    assert ("'prise' is not an order-item field (did you mean price?); the fields are "
            "order_number, product, sku, quantity, price, image_url, extra_field") in typo.err
    assert Path("out.json").read_text() == "keep"


def _book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


LINES = [["Sipariş No", "Ürün", "Adet", "Fiyat"], ["ORD-1", "Tişört", 1, 10.5]]


@pytest.mark.parametrize("first", [[["Rapor", "2019"], ["Toplam", 5]], []])
def test_the_order_lines_on_another_sheet_are_found(cli: Any, tmp_path: Path,
                                                    first: list[list[Any]]) -> None:
    book = _book(tmp_path / "sales.xlsx", {"Summary": first, "Order lines": LINES})
    result = cli("convert", book)
    assert result.code == 0, result.err
    why = "no header row with the columns" if first else "it is empty"
    assert (f"oimtool: note: the first sheet, 'Summary', has no order lines ({why}); they were "
            "read from sheet 'Order lines', the only other sheet that has them (--sheet "
            "chooses)") in result.err
    assert json.loads((tmp_path / "sales.json").read_text())[0]["order_number"] == "ORD-1"
    assert "'Order lines'!" in result.out  # the report names the sheet read


def test_several_sheets_with_order_lines_are_named(cli: Any, tmp_path: Path) -> None:
    book = _book(tmp_path / "sales.xlsx", {"Summary": [["Rapor"]], "Lines 2019": LINES,
                                           "Lines 2020": LINES})
    result = cli("convert", book)
    assert result.code == 2
    assert ("the first sheet, 'Summary', has no order lines (no header row with the columns); "
            "the order lines look like they are on sheets 'Lines 2019' and 'Lines 2020': choose "
            "one with --sheet 'Lines 2019'") in result.err
    assert not (tmp_path / "sales.json").exists()
    chosen = cli("convert", book, "--sheet", "Lines 2020")
    assert chosen.code == 0
