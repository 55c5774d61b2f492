"""Builds orders-24-03-14-10-05-33.xlsx: an export of the "Advanced Order Export For WooCommerce"
plugin (AlgolPlus, woo-order-export-lite) in its default format (XLSX, "Export now") with its
default fields, products as rows, plus three product fields a shop typically ticks (Order Line
Subtotal, Order Line Total, Image URL). See README.md for the sources.

What the plugin's XLSX writer (PHPExcel) does and this script copies: sheet "Orders", bold
header on row 1, panes frozen at A2; fields of format "string" written as text with number
format "@"; the order date as an Excel date with the format converted from 'Y-m-d H:i'; money,
number fields as numbers in the General format (the setting "format numbers" is off by default);
empty cells left empty.

Deterministic: fixed values, fixed document properties, fixed zip entry times.
Run: /work/main/.venv/bin/python tests/data/exports/woocommerce/make.py
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
OUT = HERE / "orders-24-03-14-10-05-33.xlsx"
FIXED = dt.datetime(2024, 3, 14, 10, 5, 33)

HEADER = [
    # common (checked by default)
    "Order Number", "Order Status", "Order Date", "Customer Note",
    # billing (checked by default)
    "First Name (Billing)", "Last Name (Billing)", "Company (Billing)", "Address 1&2 (Billing)",
    "City (Billing)", "State Code (Billing)", "Postcode (Billing)", "Country Code (Billing)",
    "Email (Billing)", "Phone (Billing)",
    # shipping (checked by default)
    "First Name (Shipping)", "Last Name (Shipping)", "Address 1&2 (Shipping)",
    "City (Shipping)", "State Code (Shipping)", "Postcode (Shipping)", "Country Code (Shipping)",
    # products, as rows: the 5 default fields, then 3 ticked by the shop
    "Item #", "SKU", "Item Name", "Quantity", "Item Cost",
    "Order Line Subtotal", "Order Line Total", "Image URL",
    # coupons, as rows (default fields)
    "Coupon Code", "Discount Amount", "Discount Amount Tax",
    # cart, shipping, totals (checked by default)
    "Shipping Method Title", "Payment Method Title", "Cart Discount Amount",
    "Order Subtotal Amount", "Order Shipping Amount", "Order Refund Amount",
    "Order Total Amount", "Order Total Tax Amount",
]
assert len(HEADER) == 40

#: Fields the plugin declares with format "string": written as text.
TEXT = {
    "Order Number", "Order Status", "Customer Note", "First Name (Billing)",
    "Last Name (Billing)", "Company (Billing)", "Address 1&2 (Billing)", "City (Billing)",
    "State Code (Billing)", "Postcode (Billing)", "Country Code (Billing)", "Email (Billing)",
    "Phone (Billing)", "First Name (Shipping)", "Last Name (Shipping)", "Address 1&2 (Shipping)",
    "City (Shipping)", "State Code (Shipping)", "Postcode (Shipping)", "Country Code (Shipping)",
    "SKU", "Item Name", "Image URL", "Coupon Code", "Shipping Method Title",
    "Payment Method Title",
}

IMG = "https://ornekmagaza.com.tr/wp-content/uploads/2024/02/"


def order(number, status, date, customer, cart, products, coupons=()):
    """The rows of one order: one per product, coupon i on row i (the plugin's "rows" mode with
    "populate other columns" on: order columns repeated on every row)."""
    rows = []
    for i in range(max(len(products), len(coupons))):
        row = {"Order Number": number, "Order Status": status, "Order Date": date,
               "Customer Note": customer.get("note", "")}
        row.update({f"{k} (Billing)": v for k, v in customer["billing"].items()})
        row.update({f"{k} (Shipping)": v for k, v in customer["shipping"].items()})
        if i < len(products):
            row.update(products[i])
        if i < len(coupons):
            row.update(coupons[i])
        row.update(cart)
        rows.append(row)
    return rows


def person(first, last, address, city, state, postcode, email, phone, note=""):
    billing = {"First Name": first, "Last Name": last, "Company": "", "Address 1&2": address,
               "City": city, "State Code": state, "Postcode": postcode, "Country Code": "TR",
               "Email": email, "Phone": phone}
    shipping = {"First Name": first, "Last Name": last, "Address 1&2": address, "City": city,
                "State Code": state, "Postcode": postcode, "Country Code": "TR"}
    return {"billing": billing, "shipping": shipping, "note": note}


def product(n, sku, name, qty, cost, subtotal, total, image):
    return {"Item #": n, "SKU": sku, "Item Name": name, "Quantity": qty, "Item Cost": cost,
            "Order Line Subtotal": subtotal, "Order Line Total": total, "Image URL": image}


def coupon(code, amount):
    return {"Coupon Code": code, "Discount Amount": amount, "Discount Amount Tax": 0}


def cart(ship_title, pay_title, discount, subtotal, shipping, refund, total):
    return {"Shipping Method Title": ship_title, "Payment Method Title": pay_title,
            "Cart Discount Amount": discount, "Order Subtotal Amount": subtotal,
            "Order Shipping Amount": shipping, "Order Refund Amount": refund,
            "Order Total Amount": total, "Order Total Tax Amount": 0}


CARD = "Kredi Kartı / Banka Kartı (iyzico)"
ROWS = []
ROWS += order(
    "5301", "Completed", dt.datetime(2024, 3, 11, 14, 5),
    person("Selin", "Arslan", "Bağdat Cad. No:210 D:5", "Kadıköy", "TR34", "34728",
           "selin.arslan@example.com", "05321234567"),
    cart("Yurtiçi Kargo", CARD, 112.97, 1129.7, 39.9, 0, 1056.63),
    [product(1, "KG-LCV-M", "Keten Gömlek - M, Lacivert", 1, 674.91, 749.9, 674.91,
             IMG + "keten-gomlek-lacivert.jpg"),
     product(2, "TKS-01", "Tuz &amp; Karabiber Seti", 2, 170.91, 379.8, 341.82,
             IMG + "tuz-karabiber-seti.jpg")],
    [coupon("yaz10", 112.97)])
ROWS += order(
    "5302", "Processing", dt.datetime(2024, 3, 11, 19, 42),
    person("Burak", "Çelik", "Atatürk Cad. No:14", "Konak", "TR35", "35210",
           "burak.celik@example.com", "05051239876",
           "Akşam 18:00'den sonra teslim edilsin lütfen."),
    cart("Yurtiçi Kargo", "Kapıda ödeme", 0, 447, 39.9, 0, 486.9),
    [product(1, "SK-350", "Seramik Kupa 350 ml", 3, 149, 447, 447,
             IMG + "seramik-kupa-350.jpg")])
ROWS += order(
    "5303", "Completed", dt.datetime(2024, 3, 13, 11, 9),
    person("Ece", "Aydın", "Lara Cad. No:120 D:3", "Muratpaşa", "TR07", "07230",
           "ece.aydin@example.com", "05364567890"),
    cart("Yurtiçi Kargo", CARD, 50, 449.6, 39.9, 0, 439.5),
    [product(1, "SM-SNDL", "Soya Mum - Sandal Ağacı", 3, 106.57, 359.7, 319.7,
             IMG + "soya-mum-sandal.jpg"),
     product(2, "MS-01", "Mum Söndürücü", 1, 79.9, 89.9, 79.9, "")],
    [coupon("hosgeldin50", 50)])
ROWS += order(
    "5304", "Cancelled", dt.datetime(2024, 3, 12, 8, 15),
    person("Deniz", "Koç", "Cumhuriyet Mah. İnönü Cad. No:7", "Çankaya", "TR06", "06420",
           "deniz.koc@example.com", "05449876543"),
    cart("Ücretsiz Kargo", "Havale / EFT", 0, 259, 0, 0, 259),
    [product(1, "BKT-40", "Bambu Kesme Tahtası", 1, 259, 259, 259,
             IMG + "bambu-kesme-tahtasi.jpg")])
ROWS += order(
    "5305", "Pending payment", dt.datetime(2024, 3, 13, 23, 2),
    person("Onur", "Polat", "Fevzi Çakmak Cad. No:31", "Nilüfer", "TR16", "16140",
           "onur.polat@example.com", "05421230000"),
    cart("Yurtiçi Kargo", CARD, 0, 749.9, 39.9, 0, 789.8),
    [product(1, "KG-BYZ-L", "Keten Gömlek - L, Beyaz", 1, 749.9, 749.9, 749.9,
             IMG + "keten-gomlek-beyaz.jpg")])
ROWS += order(
    "5306", "Completed", dt.datetime(2024, 3, 14, 9, 48),
    person("Ayla", "Güneş", "Cumhuriyet Cad. No:55 D:2", "Şişli", "TR34", "34367",
           "ayla.gunes@example.com", "05330001122"),
    cart("Ücretsiz Kargo", CARD, 150, 1000, 0, 0, 850),
    [product(1, "KP-BEJ-32", "Keten Pantolon - 32, Bej", 1, 850, 1000, 850,
             IMG + "keten-pantolon-bej.jpg")],
    [coupon("ilk10", 100), coupon("sadakat5", 50)])


def build() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for r, row in enumerate(ROWS, start=2):
        for c, name in enumerate(HEADER, start=1):
            value = row.get(name, "")
            if value == "" or value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if name in TEXT:
                cell.number_format = "@"
                cell.data_type = "s"
            elif name == "Order Date":
                cell.number_format = "yyyy-mm-dd hh:mm"
    wb.properties.creator = "Unknown Creator"
    wb.properties.lastModifiedBy = "Unknown Creator"
    wb.properties.title = "Untitled Spreadsheet"
    wb.properties.created = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "modified" with the time of saving, and the zip entries with the clock:
    # rewrite both so that the file is the same on every run.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                start = text.index("<dcterms:modified")
                end = text.index("</dcterms:modified>") + len("</dcterms:modified>")
                text = (text[:start] + '<dcterms:modified xsi:type="dcterms:W3CDTF">'
                        + FIXED.strftime("%Y-%m-%dT%H:%M:%SZ") + "</dcterms:modified>"
                        + text[end:])
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(OUT)
