"""Write the sample exports that `oimtool convert` reads in the README and the docs.

    python samples/make_exports.py

sales-2019.xlsx is what an English web shop's back office exports: title rows above the
header, order numbers and SKUs that Excel typed as numbers, float noise in a price, a column
oimtool does not know. satislar-2019.csv is a Turkish accounting export: cp1254, ";" between
cells, "1.249,90 TL" prices, a product name over two lines, a blank line.
sales-2019-broken.xlsx is the first one before anyone looked at it: the walkthrough in
docs/walkthrough.md takes it from a broken export to a clean upload.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).parent


def sales_xlsx() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders 2019"
    sheet.append(["Web shop — order lines, 2019 export"])
    sheet.append(["Exported from the back office on 2020-01-05"])
    sheet.append([])
    sheet.append(["Order ID", "Product Name", "SKU", "Qty", "Unit Price", "Image URL", "Notes"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    rows = [
        ["ORD-2019-000117", "Merino Wool Scarf", "SCF-0090-GRY", 1.0, 49.5,
         "https://cdn.example.com/products/scf-0090-gry.jpg", "gift wrap"],
        ["ORD-2019-000117", "Leather Card Holder", "AKS-0311", 1.0, 40,
         "https://cdn.example.com/products/aks-0311.jpg", None],
        ["ORD-2020-000301", "Organic Cotton T-Shirt", "TSH-2002-WHT-L", 3.0, 19.990000000000002,
         "https://cdn.example.com/products/tsh-2002-wht.jpg", None],
        ["ORD-2020-000301", "Canvas Tote Bag", 100245, 1.0, 0.29, None, None],
        ["ORD-2020-000301", "Gift Card", "GFT-25", 1.0, 25, None, "digital"],
        [100023, "Shoe Care Cream", 400173, 1.0, 149.9,
         "https://cdn.example.com/products/bkm-0001.jpg", None],
    ]
    for row in rows:
        sheet.append(row)
    book.save(HERE / "sales-2019.xlsx")


def satislar_csv() -> None:
    rows = [
        ["Sipariş No", "Ürün Adı", "Stok Kodu", "Adet", "Birim Fiyat", "Görsel"],
        ["ORD-2019-000101", "Pamuklu Basic Tişört – Lacivert", "TSH-1001-LAC-M", "2",
         "199,90 TL", "https://cdn.example.com/products/tsh-1001-lac.jpg"],
        ["ORD-2019-000101", "Keten Gömlek\nUzun Kollu", "GML-2040-BEJ-L", "1", "549,95 TL",
         "https://cdn.example.com/products/gml-2040-bej.jpg"],
        ["ORD-2019-000102", "Örgü Kazak – Ekru", "KZK-0777-EKR-S", "1", "459,90 TL", ""],
        [],
        ["ORD-2020-000233", "Kaşmir Karışımlı Palto", "PLT-5001-SYH-M", "1", "2.599,00 TL",
         "https://cdn.example.com/products/plt-5001-syh.jpg"],
        ["ORD-2020-000234", "Çizgili Pijama Takımı", "PJM-0042-MAV-M", "1", "329,99 TL", ""],
        ["ORD-2021-000012", "Yün Karışımlı Blazer Ceket", "BLZ-3003-LAC-50", "1",
         "2.899,50 TL", "https://cdn.example.com/products/blz-3003-lac.jpg"],
        ["ORD-2021-000012", "İpek Kravat", "KRV-0008-BRD", "2", "499,00 TL",
         "https://cdn.example.com/products/krv-0008-brd.jpg"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    (HERE / "satislar-2019.csv").write_bytes(buffer.getvalue().encode("cp1254"))


def sales_broken_xlsx() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders 2019"
    sheet.append(["Web shop — order lines, 2019 export"])
    sheet.append([])
    sheet.append(["Order ID", "Product Name", "SKU", "Qty", "Unit Price", "Image URL"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    rows = [
        ["ORD-2019-000117", "Merino Wool Scarf", "SCF-0090-GRY", 1, 49.5,
         "https://cdn.example.com/products/scf-0090-gry.jpg"],
        ["ORD-2019-000117", "Leather Card Holder", "AKS-0311", 0, 40,
         "https://cdn.example.com/products/aks-0311.jpg"],
        ["ord-2020-000301", "Organic Cotton T-Shirt", "TSH-2002-WHT-L", 3, "19,99",
         "//cdn.example.com/products/tsh-2002-wht.jpg"],
        ["ORD-2020-000301", "Canvas Tote Bag", 1002450000000000123, 1, 0.29, None],
        [None, "Gift Card", "GFT-25", 1, 25, None],
        ["100023", "Shoe Care Cream", "BKM-0001", 1, "1,234",
         "https://cdn.example.com/products/bkm 0001.jpg"],
        ["ORD-2019-000117", "Merino Wool Scarf", "SCF-0090-GRY", 1, 49.5,
         "https://cdn.example.com/products/scf-0090-gry.jpg"],  # exported twice
    ]
    for row in rows:
        sheet.append(row)
    book.save(HERE / "sales-2019-broken.xlsx")


if __name__ == "__main__":
    sales_xlsx()
    satislar_csv()
    sales_broken_xlsx()
