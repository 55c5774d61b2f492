"""Build n11-siparisler.xlsx: a DERIVED stand-in for the n11 seller-panel order export
(Sipariş Listesi -> Excel).

No public source found shows the header of that Excel file. The columns below are the
order-item fields of n11's public SOAP OrderService (DetailedOrderList / OrderDetail:
orderNumber, createDate, orderItem id, status, buyer fullName, productId, productName,
productSellerCode, attributes, quantity, price, sellerDiscount, sellerCouponDiscount,
mallDiscount, sellerInvoiceAmount, dueAmount, installmentChargeWithVAT, commission,
deliveryFeeType, shipmentInfo, approvedDate, shippingDate), named with the Turkish wording of
n11's own field descriptions, in the API's order. See README.md beside this file.

    /work/main/.venv/bin/python tests/data/exports/n11/make.py

Deterministic: fixed values, fixed workbook properties and zip entry times. All people are
invented.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
OUT = HERE / "n11-siparisler.xlsx"
FIXED = dt.datetime(2025, 3, 31, 9, 0, 0)

# (header, field of the SOAP orderItem / order it stands for)
COLUMNS = [
    ("Sipariş No", "order.orderNumber"),
    ("Sipariş Tarihi", "order.createDate"),
    ("Sipariş Kalemi ID", "orderItem.id"),
    ("Sipariş Durumu", "orderItem.status (text)"),
    ("Alıcı", "order.buyer.fullName"),
    ("Ürün ID", "orderItem.productId"),
    ("Ürün Adı", "orderItem.productName"),
    ("Mağaza Ürün Kodu", "orderItem.productSellerCode"),
    ("Ürün Özellikleri", "orderItem.attributes (name: value)"),
    ("Adet", "orderItem.quantity"),
    ("Birim Fiyat", "orderItem.price"),
    ("Mağaza İndirimi", "orderItem.sellerDiscount"),
    ("Mağaza Kupon İndirimi", "orderItem.sellerCouponDiscount"),
    ("n11 İndirimi", "orderItem.mallDiscount"),
    ("Mağaza Fatura Tutarı", "orderItem.sellerInvoiceAmount"),
    ("Tahsil Edilecek Tutar", "orderItem.dueAmount"),
    ("Vade Farkı (KDV Dahil)", "orderItem.installmentChargeWithVAT"),
    ("n11 Hizmet Tutarı", "orderItem.commission"),
    ("Kargo Ödeme Tipi", "orderItem.deliveryFeeType (text)"),
    ("Kargo Firması", "orderItem.shipmentInfo.shipmentCompany.name"),
    ("Kargo Kampanya Kodu", "orderItem.shipmentInfo.campaignNumber"),
    ("Kargo Takip No", "orderItem.shipmentInfo.trackingNumber"),
    ("Teslimat İli", "order.shippingAddress.city"),
    ("Teslimat İlçesi", "order.shippingAddress.district"),
    ("Onay Tarihi", "orderItem.approvedDate"),
    ("Kargoya Veriliş Tarihi", "orderItem.shippingDate"),
]
HEADER = [name for name, _ in COLUMNS]
MONEY = {"Birim Fiyat", "Mağaza İndirimi", "Mağaza Kupon İndirimi", "n11 İndirimi",
         "Mağaza Fatura Tutarı", "Tahsil Edilecek Tutar", "Vade Farkı (KDV Dahil)",
         "n11 Hizmet Tutarı"}

_A = dict(no=206574839201, tarih="12/03/2025 09:41", alici="Kerem Aksu", il="İstanbul",
          ilce="Ümraniye", kargo="Yurtiçi Kargo", odeme="Mağaza Öder",
          onay="12/03/2025 10:05", sevk="13/03/2025 15:22")
_E = dict(no=206575590004, tarih="18/03/2025 20:17", alici="Canan Erdem", il="Trabzon",
          ilce="Ortahisar", kargo="Aras Kargo", odeme="Alıcı Öder",
          onay="19/03/2025 09:12", sevk="")

# money as floats; every discount and amount is a line total, as n11 documents them
# (sellerInvoiceAmount = price x quantity - sellerDiscount - sellerCouponDiscount)
ROWS = [
    # row 2: order A, line 1 -- seller discount
    dict(_A, kalem=498812301, durum="Teslim Edilmiş", urunid=512330981,
         urun="Erkek Deri Klasik Ayakkabı - Siyah", kod="KLS-AYK-8801-SYH-42",
         ozellik="Numara: 42", adet=1, fiyat=1249.9, sd=250.0, kupon=0.0, mall=0.0,
         fatura=999.9, tahsil=999.9, komisyon=149.99, kkodu="9041123001", takip=""),
    # row 3: order A, line 2 -- no discount, quantity 2
    dict(_A, kalem=498812302, durum="Teslim Edilmiş", urunid=512330102,
         urun="Deri Bakım Kremi 75 ml", kod="BKM-KRM-75", ozellik="", adet=2, fiyat=119.9,
         sd=0.0, kupon=0.0, mall=0.0, fatura=239.8, tahsil=239.8, komisyon=35.97,
         kkodu="9041123001", takip=""),
    # row 4: order B -- seller coupon on a line of 3: 219.70 / 3 = 73.2333 -> 73.23
    dict(no=206574902266, tarih="12/03/2025 18:02", kalem=498815577, durum="Kargoda",
         alici="Sena Polat", urunid=512477310, urun="Akıllı Saat Silikon Kordon 22 mm",
         kod="KRD-SLK-22-LCV", ozellik="Renk: Lacivert", adet=3, fiyat=79.9, sd=0.0,
         kupon=20.0, mall=0.0, fatura=219.7, tahsil=219.7, komisyon=32.96,
         odeme="Şartlı Kargo Ücretsiz (Satıcı Öder)", kargo="PTT Kargo", kkodu="",
         takip="KP01928374655", il="Gaziantep", ilce="Şahinbey", onay="13/03/2025 08:40",
         sevk="13/03/2025 17:55"),
    # row 5: order C -- n11-funded discount only: the customer paid 539.00
    dict(no=206575118430, tarih="13/03/2025 11:26", kalem=498817040, durum="Tamamlandı",
         alici="Oğuz Tekin", urunid=513001276, urun="Kablosuz Şarj Standı 15W",
         kod="SRJ-STD-15W", ozellik="", adet=1, fiyat=599.0, sd=0.0, kupon=0.0, mall=60.0,
         fatura=599.0, tahsil=539.0, komisyon=71.88, odeme="Mağaza Öder",
         kargo="Yurtiçi Kargo", kkodu="9041125570", takip="", il="Kayseri",
         ilce="Melikgazi", onay="13/03/2025 12:01", sevk="14/03/2025 10:30"),
    # row 6: order D -- cancelled before shipment: skipped
    dict(no=206575230047, tarih="14/03/2025 07:55", kalem=498818912, durum="İptal Edilmiş",
         alici="Nur Başaran", urunid=512998004, urun="Bambu Kesme Tahtası Seti 3'lü",
         kod="BMB-KT-3", ozellik="", adet=1, fiyat=349.9, sd=0.0, kupon=0.0, mall=0.0,
         fatura=349.9, tahsil=349.9, komisyon=41.99, odeme="Mağaza Öder",
         kargo="Yurtiçi Kargo", kkodu="", takip="", il="Adana", ilce="Seyhan", onay="",
         sevk=""),
    # row 7: order E1 -- delivered, then returned: kept, status in extra_field
    dict(no=206575301958, tarih="14/03/2025 16:33", kalem=498819630, durum="İade Edildi",
         alici="Büşra Güneş", urunid=513120087, urun="Kız Çocuk Elbise Fırfırlı - Pembe",
         kod="KCE-FRF-PMB-6", ozellik="Beden: 6-7 Yaş", adet=1, fiyat=279.9, sd=27.99,
         kupon=0.0, mall=0.0, fatura=251.91, tahsil=251.91, komisyon=37.79,
         odeme="Mağaza Öder", kargo="Aras Kargo", kkodu="9041127712", takip="",
         il="Denizli", ilce="Pamukkale", onay="14/03/2025 17:10", sevk="15/03/2025 11:48"),
    # row 8: order F -- rejected by the seller (out of stock): skipped
    dict(no=206575477812, tarih="15/03/2025 10:09", kalem=498821144, durum="Reddedilmiş",
         alici="Tolga Kurt", urunid=513244419, urun="Yoga Matı 6 mm - Mor",
         kod="YGM-6-MOR", ozellik="Renk: Mor", adet=1, fiyat=449.0, sd=0.0, kupon=0.0,
         mall=0.0, fatura=449.0, tahsil=449.0, komisyon=53.88, odeme="Mağaza Öder",
         kargo="Yurtiçi Kargo", kkodu="", takip="", il="Bursa", ilce="Osmangazi",
         onay="", sevk=""),
    # rows 9-11: order E, three lines
    dict(_E, kalem=498823001, durum="Kabul Edilmiş", urunid=513300551,
         urun="Filtre Kahve 250 g - Kolombiya", kod="FK-250-KOL", ozellik="Öğütme: Filtre",
         adet=2, fiyat=189.9, sd=0.0, kupon=0.0, mall=0.0, fatura=379.8, tahsil=379.8,
         komisyon=45.58, kkodu="", takip=""),
    dict(_E, kalem=498823002, durum="Kabul Edilmiş", urunid=513300790,
         urun="French Press 600 ml", kod="FP-600-CAM", ozellik="", adet=1, fiyat=429.0,
         sd=42.9, kupon=0.0, mall=0.0, fatura=386.1, tahsil=386.1, komisyon=46.33,
         kkodu="", takip=""),
    # row 11: gift, fully discounted -> price 0.00
    dict(_E, kalem=498823003, durum="Kabul Edilmiş", urunid=513300812,
         urun="Kahve Ölçü Kaşığı Çelik", kod="OLC-KSK-01", ozellik="", adet=1, fiyat=39.9,
         sd=39.9, kupon=0.0, mall=0.0, fatura=0.0, tahsil=0.0, komisyon=0.0,
         kkodu="", takip=""),
]

FIELD_OF = {
    "Sipariş No": "no", "Sipariş Tarihi": "tarih", "Sipariş Kalemi ID": "kalem",
    "Sipariş Durumu": "durum", "Alıcı": "alici", "Ürün ID": "urunid", "Ürün Adı": "urun",
    "Mağaza Ürün Kodu": "kod", "Ürün Özellikleri": "ozellik", "Adet": "adet",
    "Birim Fiyat": "fiyat", "Mağaza İndirimi": "sd", "Mağaza Kupon İndirimi": "kupon",
    "n11 İndirimi": "mall", "Mağaza Fatura Tutarı": "fatura",
    "Tahsil Edilecek Tutar": "tahsil", "n11 Hizmet Tutarı": "komisyon",
    "Kargo Ödeme Tipi": "odeme", "Kargo Firması": "kargo", "Kargo Kampanya Kodu": "kkodu",
    "Kargo Takip No": "takip", "Teslimat İli": "il", "Teslimat İlçesi": "ilce",
    "Onay Tarihi": "onay", "Kargoya Veriliş Tarihi": "sevk",
}


def row_of(row: dict) -> list:
    out = []
    for name in HEADER:
        value = 0.0 if name == "Vade Farkı (KDV Dahil)" else row.get(FIELD_OF[name], "")
        out.append(None if value == "" else value)
    return out


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with a fixed time on every entry and a fixed dcterms:modified
    (openpyxl stamps 'now' on both when it saves)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 31, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(fixed, content)
    return out.getvalue()


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Siparişler"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row_of(row))
    for col, name in enumerate(HEADER, start=1):
        for r in range(2, sheet.max_row + 1):
            if name in MONEY:
                sheet.cell(r, col).number_format = "#,##0.00"
            elif name == "Sipariş No":
                sheet.cell(r, col).number_format = "0"
    book.properties.creator = "n11"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    OUT.write_bytes(deterministic_zip(buffer.getvalue()))


if __name__ == "__main__":
    main()
