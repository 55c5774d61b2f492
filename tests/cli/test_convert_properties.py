"""Properties of convert: any valid item list, written as an export, converts back to itself;
worker processes change nothing but the speed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oimtool.convert import Conversion, ReadOptions
from oimtool.fields import FIELDS
from oimtool.tuning import DEFAULT, Tuning

# Text a spreadsheet keeps as it is: no surrounding blanks, no control characters, not empty
# ("" and null are one empty cell), and not something a number or a date could be taken for.
cell_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
    min_size=1, max_size=30,
).map(str.strip).filter(lambda s: s and not s[0].isdigit() and s[0] not in "+-.=")
codes = st.from_regex(r"\A[A-Z]{1,3}-?[0-9]{1,9}\Z")
prices = st.integers(0, 10**9).map(lambda k: k / 100)
urls = st.builds(lambda p: f"https://cdn.example.com/{p}.jpg", st.from_regex(r"\A[a-z0-9]{1,20}\Z"))
valid_items = st.lists(st.fixed_dictionaries({
    "order_number": codes,
    "product": st.none() | cell_text,
    "sku": st.none() | codes,
    "quantity": st.integers(1, 10_000),
    "price": prices,
    "image_url": st.none() | urls,
    "extra_field": st.just({}),
}), min_size=1, max_size=25)

HEADERS = ["Sipariş No", "Ürün Adı", "Stok Kodu", "Adet", "Birim Fiyat", "Görsel"]


def turkish_number(value: float) -> str:
    whole, fraction = f"{value:,.2f}".split(".")
    return whole.replace(",", ".") + "," + fraction


def write_csv(path: Path, items: list[dict], *, comma: bool, delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    for item in items:
        price = turkish_number(item["price"]) if comma else f"{item['price']:.2f}"
        writer.writerow([item["order_number"], item["product"] or "", item["sku"] or "",
                         str(item["quantity"]), price, item["image_url"] or ""])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_xlsx(path: Path, items: list[dict]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for item in items:
        sheet.append([item["order_number"], item["product"], item["sku"], item["quantity"],
                      item["price"], item["image_url"]])
    book.save(path)


def converted(source: Path, jobs: int = 1, tuning: Tuning = DEFAULT
              ) -> tuple[list[dict], list[tuple]]:
    target = source.with_suffix(".json")
    run = Conversion(source, output=target, options=ReadOptions(), force=True, jobs=jobs,
                     skip_invalid=True, tuning=tuning)
    problems = [(p.code, p.location.index, p.location.pointer, p.location.cell, p.message)
                for p in run.problems()]
    run.finish()
    items = json.loads(target.read_text(encoding="utf-8")) if target.exists() else []
    target.unlink(missing_ok=True)
    return items, problems


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(valid_items, st.sampled_from([("csv", False, ","), ("csv", True, ";"),
                                     ("csv", False, "\t"), ("xlsx", False, None)]))
def test_valid_items_convert_back_to_themselves(tmp_path, items, form):
    kind, comma, delimiter = form
    source = tmp_path / f"export.{kind}"
    if kind == "csv":
        write_csv(source, items, comma=comma, delimiter=delimiter)
    else:
        write_xlsx(source, items)
    back, problems = converted(source)
    assert back == items
    assert list(back[0]) == list(FIELDS)
    assert [p for p in problems if p[0] not in ("OIM011", "OIM015", "OIM803")] == []


# -- workers ---------------------------------------------------------------------------------

def rows_text(rows: list[list[str]], delimiter: str = ";") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def sample_rows(count: int = 80) -> list[list[str]]:
    rows = [["Title of the export"], [], ["Sipariş No", "Ürün Adı", "Adet", "Birim Fiyat"]]
    for i in range(count):
        rows.append([f"O{i % 30}", f"Ürün {i}\nikinci satır" if i % 9 == 0 else f"Ürün {i}",
                     "0" if i % 17 == 0 else "2", f"{i},5{i % 10}"])
        if i % 13 == 0:
            rows.append([])
    return rows


@pytest.mark.parametrize("damage", [
    lambda text: text,
    lambda text: text.replace("O5;", "O5;Ürün 5;\"tırnak;", 1),  # a quote never closed
    lambda text: text.replace("7,57", "1,234", 1),  # a number that reads two ways
    lambda text: text + "O1;Ürün 1;2;1,51\n",  # a duplicate at the end
])
def test_csv_same_with_and_without_workers(tmp_path, small_pieces, damage):
    source = tmp_path / "s.csv"
    source.write_text(damage(rows_text(sample_rows())), encoding="utf-8")
    assert converted(source, jobs=2, tuning=small_pieces) == converted(source, jobs=1,
                                                                      tuning=small_pieces)


def test_quotes_fool_the_cuts(tmp_path, small_pieces):
    rows = sample_rows()
    for row in rows[3:]:
        if len(row) > 1:
            row[1] = row[1] + "\n\n;\n"  # line breaks inside quotes everywhere
    source = tmp_path / "s.csv"
    source.write_text(rows_text(rows), encoding="utf-8")
    assert converted(source, jobs=2, tuning=small_pieces) == converted(source, jobs=1,
                                                                      tuning=small_pieces)


@pytest.mark.parametrize("ambiguous", [False, True])
def test_workbook_same_with_and_without_workers(tmp_path, small_pieces, ambiguous):
    source = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    for row in sample_rows():
        if ambiguous and row[1:2] == ["Ürün 55"]:  # a number that reads two ways, late:
            row[-1] = "1,234"  # a piece is done again in the main process
        book.active.append(row)
    book.save(source)
    serial = converted(source, jobs=1, tuning=small_pieces)
    assert converted(source, jobs=2, tuning=small_pieces) == serial
    assert len(serial[0]) > 0


# -- a column read at once gives what its cells read one by one give --------------------------

def _grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def _price_cells(comma: bool):
    point, group = (",", ".") if comma else (".", ",")
    whole = st.integers(0, 10**16)
    fraction = st.from_regex(r"\A[0-9]{1,3}\Z")
    return st.one_of(
        whole.map(str),
        st.builds(lambda w, f: f"{w}{point}{f}", whole, fraction),
        st.builds(lambda w, f: f"{_grouped(w, group)}{point}{f}", whole, fraction),
        st.builds(lambda w, f: f"0{w}{point}{f}", whole, fraction),  # leading zeros
    )


quantity_cells = st.one_of(st.integers(0, 10**20).map(str),
                           st.integers(0, 999).map(lambda n: f"00{n}"))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.booleans().flatmap(lambda comma: st.tuples(
    st.just(comma), st.lists(st.tuples(quantity_cells, _price_cells(comma)), min_size=1,
                             max_size=40))))
def test_columns_read_at_once_as_cell_by_cell(tmp_path, case):
    """The same rows, once alone (their columns may be read at once) and once with a row
    that no column reading at once takes (each cell is read by its reader): the same items,
    the same problems."""
    comma, rows = case
    delimiter = ";" if comma else ","
    lines = [["Order No", "Qty", "Price"]] + [[f"O{i}", q, p] for i, (q, p) in enumerate(rows)]

    def run(extra: list[list[str]]) -> tuple[list[dict], list[tuple]]:
        source = tmp_path / "s.csv"
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(lines + extra)
        source.write_text(buffer.getvalue(), encoding="utf-8")
        return converted(source)

    alone, alone_problems = run([])
    mixed, mixed_problems = run([["Z", " 1 ", "x"]])  # a padded quantity, a price that is text
    assert alone == mixed[: len(alone)]
    assert [p for p in mixed_problems if p[1] != len(rows)] == alone_problems
