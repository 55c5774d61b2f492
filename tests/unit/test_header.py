"""The header of an export: matching its columns to the fields (``plan_columns``: synonyms in
English and Turkish, ``--map``, the settings file, and the errors of a mapping that cannot be
followed), and finding the header row in a source (``read_header``) with its notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oimtool.convert.header import (
    Column,
    ConvertError,
    MappingError,
    ReadOptions,
    plan_columns,
    read_header,
)
from oimtool.problems import Cell, Location, Problem
from oimtool.sources.base import ContentError, RowSource

TURKISH = ["Sipariş No", "Ürün Adı", "Adet", "Birim Fiyat"]


def fields(header: list[Any], mapping: dict[str, str] | None = None,
           settings: dict[str, str] | None = None) -> list[str | None]:
    return [column.field for column in plan_columns(header, mapping or {}, settings)]


# plan_columns


def test_english() -> None:
    header = ["Order Number", "Product", "SKU", "Qty", "Price", "Image URL", "Note"]
    assert plan_columns(header, {}) == [
        Column(0, "Order Number", "A", "order_number"), Column(1, "Product", "B", "product"),
        Column(2, "SKU", "C", "sku"), Column(3, "Qty", "D", "quantity"),
        Column(4, "Price", "E", "price"), Column(5, "Image URL", "F", "image_url"),
        Column(6, "Note", "G", None),
    ]


def test_turkish() -> None:
    assert plan_columns(TURKISH, {}) == [
        Column(0, "Sipariş No", "A", "order_number"), Column(1, "Ürün Adı", "B", "product"),
        Column(2, "Adet", "C", "quantity"), Column(3, "Birim Fiyat", "D", "price"),
    ]


@pytest.mark.parametrize("header", [
    ["SIPARIS NO.", "urun_adi", "ADET", "birim-fiyat"],
    ["Order #", "Item Name", "Quantity", "Unit Price"],
    ["sipariş numarası", "Ürün", "Miktar", "Fiyat"],
])
def test_synonyms_are_folded(header: list[str]) -> None:
    assert fields(header) == ["order_number", "product", "quantity", "price"]


def test_cells_and_letters() -> None:
    header = [f"c{i}" for i in range(27)] + [" Sipariş No ", None, 5, "Adet", "Fiyat"]
    columns = plan_columns(header, {})
    assert columns[25:] == [
        Column(25, "c25", "Z", None), Column(26, "c26", "AA", None),
        Column(27, "Sipariş No", "AB", "order_number"),  # trimmed
        Column(28, "", "AC", None), Column(29, "5", "AD", None),  # as text
        Column(30, "Adet", "AE", "quantity"), Column(31, "Fiyat", "AF", "price"),
    ]


def test_map_overrides_a_synonym() -> None:
    header = [*TURKISH, "Toplam"]
    expected = ["order_number", "product", "quantity", None, "price"]
    assert fields(header, {"price": "Toplam"}) == expected
    assert fields(header, {"price": " TOPLAM "}) == expected  # folded, as the synonyms are
    # two quantity columns, which the synonyms alone cannot choose between
    assert fields([*TURKISH, "Miktar"], {"quantity": "Miktar"}) == [
        "order_number", "product", None, "price", "quantity"]
    # a column --map gives another field is not taken by its synonym
    assert fields([*TURKISH, "Tutar"], {"product": "Adet", "quantity": "Tutar"}) == [
        "order_number", None, "product", "price", "quantity"]


def test_map_prefers_the_exact_header() -> None:
    header = ["Sipariş No", "ADET", "Adet", "Fiyat"]
    assert fields(header, {"quantity": "Adet"}) == ["order_number", None, "quantity", "price"]


def test_settings_mapping() -> None:
    header = [*TURKISH, "Kod"]
    assert fields(header, {}, {"sku": "Kod"}) == [
        "order_number", "product", "quantity", "price", "sku"]
    # a layout without the settings' column: ignored, not an error
    assert fields(TURKISH, {}, {"sku": "Stok Kodu X", "image_url": "Görsel"}) == [
        "order_number", "product", "quantity", "price"]
    # --map wins over the settings for the same field
    assert fields([*TURKISH, "Toplam"], {"price": "Toplam"}, {"price": "Birim Fiyat"}) == [
        "order_number", "product", "quantity", None, "price"]


@pytest.mark.parametrize(("header", "mapping", "message"), [
    (TURKISH, {"colour": "Renk"},
     "--map colour=…: colour is not an order-item field; the fields are order_number, "
     "product, sku, quantity, price, image_url, extra_field"),
    (TURKISH, {"prise": "Renk"},
     "--map prise=…: prise is not an order-item field (did you mean price?); the fields are "
     "order_number, product, sku, quantity, price, image_url, extra_field"),
    (TURKISH, {"sku": "Renk"},
     '--map sku="Renk": there is no column "Renk"; the headers are: Sipariş No, Ürün Adı, '
     "Adet, Birim Fiyat"),
    (TURKISH, {"sku": "Adet", "quantity": "adet"},
     '--map sku and --map quantity both name the column "Adet": a column holds one field'),
    (["Sipariş No", "Order Number", "Adet", "Birim Fiyat"], {},
     'both "Sipariş No" and "Order Number" look like order_number; choose one with '
     '--map order_number="Sipariş No"'),
    (["Sipariş No", "Ürün Adı", "Birim Fiyat", None, "Not"], {},
     "no column for quantity (required); the headers are: Sipariş No, Ürün Adı, Birim Fiyat, "
     'Not. Say which column holds it: --map quantity="…"'),
    (["Ürün Adı"], {},
     "no column for order_number, quantity, price (required); the headers are: Ürün Adı. Say "
     'which column holds it: --map order_number="…" --map quantity="…" --map price="…"'),
    ([None, " "], {},
     "no column for order_number, quantity, price (required); the headers are: (none). Say "
     'which column holds it: --map order_number="…" --map quantity="…" --map price="…"'),
    # --map takes the quantity's column for the sku: the quantity has none left
    ([*TURKISH, "Kod"], {"sku": "Adet"},
     "no column for quantity (required); the headers are: Sipariş No, Ürün Adı, Adet, "
     'Birim Fiyat, Kod. Say which column holds it: --map quantity="…"'),
])
def test_mapping_errors(header: list[Any], mapping: dict[str, str], message: str) -> None:
    with pytest.raises(MappingError) as error:
        plan_columns(header, mapping)
    assert str(error.value) == message


# read_header


def source(rows: list[list[Any]], *, notes: list[str] | None = None,
           sheet: str | None = None) -> RowSource:
    """A source of rows numbered from 1, as a CSV file's or a sheet's."""
    made = RowSource(Path("export.csv"), iter(list(enumerate(rows, 1))), notes=notes)
    made.sheet = sheet
    return made


def at(row: int | None, header: str | None = None, letter: str | None = None,
       sheet: str | None = None) -> Location:
    return Location("export.csv", cell=Cell(sheet, row, header, letter))


def no_column(name: str) -> str:
    return (f'no column for {name}: every item gets "{name}": null (use --map {name}="…" if a '
            "column holds it)")


TITLED: list[list[Any]] = [
    ["Satışlar 2019", None], ["", "  "], [*TURKISH, "Renk"], ["A1", "Tişört", "1", "2"]]


def test_title_rows_are_skipped() -> None:
    rows = source(TITLED)
    header = read_header(rows, ReadOptions(), "export.csv")
    assert header.row == 3
    assert [c.field for c in header.columns] == [
        "order_number", "product", "quantity", "price", None]
    assert header.notes == [
        Problem("OIM015", "the header is row 3: the rows above it were taken for titles and "
                "skipped", at(3)),
        Problem("OIM011", no_column("sku"), at(3)),
        Problem("OIM011", no_column("image_url"), at(3)),
        Problem("OIM010", "1 column left out, matching no field: 'Renk'. --extra NAME keeps one "
                "in extra_field (--extra all: every one), --map FIELD=NAME reads one as a field",
                at(3, "Renk", "E")),
    ]
    assert rows.take(5) == ([(4, ["A1", "Tişört", "1", "2"])], None)  # the data, read on


def test_extra_keeps_columns_without_a_note() -> None:
    header = read_header(source(TITLED), ReadOptions(extra=True), "export.csv")
    assert [p.code for p in header.notes] == ["OIM015", "OIM011", "OIM011"]


def test_a_full_header_on_the_first_row() -> None:
    rows = [["Order", "Product", "SKU", "Qty", "Price", "Image"], ["A1"]]
    header = read_header(source(rows), ReadOptions(), "export.csv")
    assert (header.row, header.notes) == (1, [])


def test_source_notes_and_sheet() -> None:
    rows = source([["Sipariş No", "Adet", "Fiyat", "Ürün", "SKU", "Görsel", ""]],
                  notes=["read as Windows-1254"], sheet="Orders 2019")
    header = read_header(rows, ReadOptions(), "export.csv")
    assert header.notes == [
        Problem("OIM015", "read as Windows-1254", at(None, sheet="Orders 2019"))]
    assert header.where("export.csv", "Orders 2019", 9, header.columns[1]) == at(
        9, "Adet", "B", "Orders 2019")


def test_mapping_finds_the_header() -> None:
    rows = [["Rapor"], ["Belge", "Miktar", "Tutar"], ["B1", "2", "3"]]
    options = ReadOptions(mapping={"order_number": "Belge"}, settings_mapping={"price": "Tutar"})
    header = read_header(source(rows), options, "export.csv")
    assert (header.row, [c.field for c in header.columns]) == (
        2, ["order_number", "quantity", "price"])
    # without it, one known name is no header: the first row is taken, and fits not
    with pytest.raises(ConvertError) as error:
        read_header(source(rows), ReadOptions(), "export.csv")
    assert str(error.value) == (
        "export.csv: no column for order_number, quantity, price (required); the headers are: "
        'Rapor. Say which column holds it: --map order_number="…" --map quantity="…" '
        '--map price="…"')


@pytest.mark.parametrize("rows", [[], [[]], [["", None], ["  "]]])
def test_empty_source(rows: list[list[Any]]) -> None:
    with pytest.raises(ContentError, match="the export is empty: there is no row to read"):
        read_header(source(rows), ReadOptions(), "export.csv")


def test_unreadable_before_the_header() -> None:
    def broken() -> Iterator[tuple[int, list[Any]]]:
        yield 1, ["Rapor"]
        raise ContentError("a quote is never closed", row=2)

    with pytest.raises(ContentError) as error:
        read_header(RowSource(Path("export.csv"), broken()), ReadOptions(), "export.csv")
    assert (str(error.value), error.value.row) == ("a quote is never closed", 2)
