"""Build the two Hepsiburada fixtures from one set of rows:

- hepsiburada-siparisler.xlsx: the merchant-panel order export as an Excel workbook
  (numbers typed as numbers, money cells formatted #,##0.00);
- hepsiburada-siparisler.csv: the same workbook saved by a Turkish Excel as
  "CSV (Noktalı virgülle ayrılmış)": cp1254, ";" between cells, CRLF line ends, no BOM,
  every number written as the cell shows it ("1.299,90"), text verbatim, a cell holding ";"
  or '"' quoted.

    /work/main/.venv/bin/python tests/data/exports/hepsiburada/make.py

Deterministic (fixed values, fixed workbook properties and zip entry times). See README.md
beside this file for the sources of the layout and what each row tests. All people,
addresses and e-mail addresses are invented.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
XLSX = HERE / "hepsiburada-siparisler.xlsx"
CSV = HERE / "hepsiburada-siparisler.csv"
FIXED = dt.datetime(2025, 3, 31, 9, 0, 0)

HEADER = [
    "Sipariş Numarası", "Paket Numarası", "Kalem Numarası", "Sipariş Tarihi",
    "Kargoya Son Teslim Tarihi", "Kargo Firması", "Kargo Takip No", "Barkod",
    "Hepsiburada Ürün Kodu", "Satıcı Stok Kodu", "Ürün Adı", "Seçenek 1", "Seçenek 2",
    "Kategori", "Adet", "Listeleme Fiyatı", "Faturalandırılacak Birim Satış Fiyatı",
    "Faturalandırılacak Satış Fiyatı", "Para Birimi", "KDV(%)", "Komisyon Tutarı (KDV Dahil)",
    "Alıcı", "Alıcı Mail Adresi", "Teslimat Adresi", "Şehir", "Semt", "Fatura Adresi",
    "Müşteri Tipi", "Teslimat Tipi", "Paket Durumu", "İade edildi mi?",
    "Hepsilojistik Siparişi mi?", "Desi", "Kargo Kabul Tarihi", "Teslim Tarihi",
    "Uluslararası Sipariş mi?", "ETGB Numarası", "ETGB Tarihi",
]
MONEY = {"Listeleme Fiyatı", "Faturalandırılacak Birim Satış Fiyatı",
         "Faturalandırılacak Satış Fiyatı", "Komisyon Tutarı (KDV Dahil)", "Desi"}
INTEGERS = {"Sipariş Numarası", "Paket Numarası", "Kalem Numarası", "Adet", "KDV(%)"}

_ORDER_1 = dict(siparis=4081234567, paket=7712345001, tarih="04-03-2025 14:22:31",
                sonteslim="06-03-2025 23:59:59", kargo="hepsiJET", takip="HJ5012348871",
                alici="Elif Aydın", mail="elif.aydin@example.com",
                adres="Barbaros Bulv. No:61 D:9", sehir="İstanbul", semt="Beşiktaş",
                musteri="Bireysel", teslimattipi="Standart", kabul="05-03-2025 17:40:02",
                teslim="07-03-2025 11:15:48")
_ORDER_5 = dict(siparis=4081243390, paket=7712350772, tarih="08-03-2025 09:03:57",
                sonteslim="10-03-2025 23:59:59", kargo="Aras Kargo", takip="3307781162",
                alici="Murat Koç", mail="murat.koc@example.com",
                adres="Hürriyet Mah. Fevzi Çakmak Cad. No:19", sehir="Konya", semt="Selçuklu",
                musteri="Bireysel", teslimattipi="Standart", kabul="", teslim="")

ROWS = [
    # row 2: order 1, line 1 -- no discount, one option
    dict(_ORDER_1, kalem=301245871, barkod="8690555120114", hbkod="HBV00000XK2M1",
         stok="BTK-KL-220-SYH", urun="Bluetooth Kulaklık Kablosuz Kulak İçi - Siyah",
         secenek1="Siyah", secenek2="", kategori="Kulak İçi Bluetooth Kulaklık", adet=1,
         liste="649.90", birim="649.90", toplam="649.90", kdv=20, komisyon="77.99",
         durum="Teslim edildi", iade="Hayır", desi="1.00"),
    # row 3: order 1, line 2 -- discounted unit price, quantity 2
    dict(_ORDER_1, kalem=301245872, barkod="8690555309878", hbkod="HBV00000ZT7Q4",
         stok="KLF-IP13-SFF", urun="Silikon Kılıf iPhone 13 Uyumlu - Şeffaf",
         secenek1="Şeffaf", secenek2="", kategori="Telefon Kılıfı", adet=2,
         liste="149.90", birim="119.92", toplam="239.84", kdv=20, komisyon="40.77",
         durum="Teslim edildi", iade="Hayır", desi="1.00"),
    # row 4: order 2 -- two options, discount, thousands separator, still in transit
    dict(siparis=4081239982, paket=7712347410, kalem=301248003, tarih="05-03-2025 20:48:10",
         sonteslim="07-03-2025 23:59:59", kargo="Yurtiçi Kargo", takip="1120459983301",
         barkod="8684120339051", hbkod="HBC00001AB3CD", stok="KSA-2231-BYZ-38",
         urun="Kadın Spor Ayakkabı Hafif Taban - Beyaz", secenek1="Beyaz", secenek2="38",
         kategori="Kadın Spor Ayakkabı", adet=1, liste="1299.90", birim="1169.91",
         toplam="1169.91", kdv=20, komisyon="198.88", alici="Selin Öztürk",
         mail="selin.ozturk@example.com", adres="Kazım Dirik Mah. 372 Sok. No:4",
         sehir="İzmir", semt="Bornova", musteri="Bireysel", teslimattipi="Standart",
         durum="Kargoda", iade="Hayır", desi="2.00", kabul="06-03-2025 16:02:44", teslim=""),
    # row 5: order 3 -- cancelled before shipment: skipped
    dict(siparis=4081240115, paket=7712348002, kalem=301248577, tarih="06-03-2025 11:30:05",
         sonteslim="08-03-2025 23:59:59", kargo="hepsiJET", takip="",
         barkod="8693214400127", hbkod="HBV00000MM81P", stok="TNC-7P-CLK",
         urun="Çelik Tencere Seti 7 Parça", secenek1="", secenek2="",
         kategori="Tencere Seti", adet=1, liste="2499.00", birim="2499.00", toplam="2499.00",
         kdv=20, komisyon="374.85", alici="Burak Aksoy", mail="burak.aksoy@example.com",
         adres="Yenişehir Mah. Okul Sok. No:2", sehir="Mersin", semt="Yenişehir",
         musteri="Bireysel", teslimattipi="Standart", durum="İptal edildi", iade="Hayır",
         desi="8.00", kabul="", teslim=""),
    # row 6: order 4 -- delivered, then returned ("İade edildi mi?" Evet): kept with status
    dict(siparis=4081241876, paket=7712349120, kalem=301249310, tarih="06-03-2025 22:14:49",
         sonteslim="08-03-2025 23:59:59", kargo="hepsiJET", takip="HJ5012361005",
         barkod="8680909112233", hbkod="HBV00000QW5RT", stok="AHS-TRN-12",
         urun="Ahşap Oyuncak Tren Seti 12 Parça", secenek1="", secenek2="",
         kategori="Ahşap Oyuncaklar", adet=1, liste="459.00", birim="459.00",
         toplam="459.00", kdv=10, komisyon="68.85", alici="Deniz Yılmaz",
         mail="deniz.yilmaz@example.com", adres="Bahçelievler Mah. 7. Cad. No:28",
         sehir="Ankara", semt="Çankaya", musteri="Bireysel", teslimattipi="Standart",
         durum="Teslim edildi", iade="Evet", desi="3.00", kabul="07-03-2025 15:20:11",
         teslim="09-03-2025 13:02:37"),
    # rows 7-9: order 5, three lines
    dict(_ORDER_5, kalem=301250441, barkod="8697421000105", hbkod="HBV00000OL1V9",
         stok="ZYT-1L-ORG", urun="Organik Sızma Zeytinyağı 1 L", secenek1="", secenek2="",
         kategori="Zeytinyağı", adet=3, liste="289.90", birim="260.91", toplam="782.73",
         kdv=1, komisyon="101.76", durum="Gönderime Hazır", iade="Hayır", desi="4.00"),
    dict(_ORDER_5, kalem=301250442, barkod="8697421000211", hbkod="HBV00000OL1W2",
         stok="ZYT-EZM-200", urun="Zeytin Ezmesi 200 gr", secenek1="", secenek2="",
         kategori="Zeytin", adet=2, liste="64.50", birim="64.50", toplam="129.00", kdv=1,
         komisyon="16.77", durum="Gönderime Hazır", iade="Hayır", desi="4.00"),
    # row 9: gift line, fully discounted -> price 0.00
    dict(_ORDER_5, kalem=301250443, barkod="8697421000327", hbkod="HBV00000OL1X5",
         stok="KKK-YAG-20", urun="Kekik Yağı 20 ml (Hediye)", secenek1="", secenek2="",
         kategori="Bitkisel Yağ", adet=1, liste="89.90", birim="0.00", toplam="0.00", kdv=10,
         komisyon="0.00", durum="Gönderime Hazır", iade="Hayır", desi="4.00"),
    # row 10: order 6 -- product name with ";" (quoted in the CSV), thousands separator
    dict(siparis=4081245002, paket=7712351903, kalem=301251120, tarih="09-03-2025 12:41:26",
         sonteslim="11-03-2025 23:59:59", kargo="MNG Kargo", takip="4410029987312",
         barkod="8682200771045", hbkod="HBC00002CD4EF", stok="BBK-ZBN-5P-0-3",
         urun="Bebek Zıbın Seti 5 Parça; %100 Pamuk", secenek1="Ekru", secenek2="0-3 Ay",
         kategori="Bebek Zıbın", adet=1, liste="1049.00", birim="944.10", toplam="944.10",
         kdv=10, komisyon="141.62", alici="Gizem Kara", mail="gizem.kara@example.com",
         adres="Atakum Mah. Adnan Menderes Bulv. No:140 D:6", sehir="Samsun",
         semt="Atakum", musteri="Bireysel", teslimattipi="Standart", durum="Teslim edildi",
         iade="Hayır", desi="1.00", kabul="10-03-2025 10:05:59", teslim="12-03-2025 16:48:03"),
]

FIELD_OF = {
    "Sipariş Numarası": "siparis", "Paket Numarası": "paket", "Kalem Numarası": "kalem",
    "Sipariş Tarihi": "tarih", "Kargoya Son Teslim Tarihi": "sonteslim",
    "Kargo Firması": "kargo", "Kargo Takip No": "takip", "Barkod": "barkod",
    "Hepsiburada Ürün Kodu": "hbkod", "Satıcı Stok Kodu": "stok", "Ürün Adı": "urun",
    "Seçenek 1": "secenek1", "Seçenek 2": "secenek2", "Kategori": "kategori", "Adet": "adet",
    "Listeleme Fiyatı": "liste", "Faturalandırılacak Birim Satış Fiyatı": "birim",
    "Faturalandırılacak Satış Fiyatı": "toplam", "KDV(%)": "kdv",
    "Komisyon Tutarı (KDV Dahil)": "komisyon", "Alıcı": "alici",
    "Alıcı Mail Adresi": "mail", "Teslimat Adresi": "adres", "Şehir": "sehir",
    "Semt": "semt", "Müşteri Tipi": "musteri", "Teslimat Tipi": "teslimattipi",
    "Paket Durumu": "durum", "İade edildi mi?": "iade", "Desi": "desi",
    "Kargo Kabul Tarihi": "kabul", "Teslim Tarihi": "teslim",
}


def values(row: dict) -> list:
    """The row's cells in header order: None (empty), int, Decimal (money) or str."""
    out = []
    for name in HEADER:
        if name == "Fatura Adresi":
            value = f"{row['adres']} {row['semt']}/{row['sehir']}"
        elif name == "Para Birimi":
            value = "TRY"
        elif name in ("Hepsilojistik Siparişi mi?", "Uluslararası Sipariş mi?"):
            value = "Hayır"
        else:
            value = row.get(FIELD_OF.get(name, ""), "")
        if value == "":
            value = None
        elif name in MONEY:
            value = Decimal(value)
        out.append(value)
    return out


def turkish_money(value: Decimal) -> str:
    """What Excel shows (and writes to CSV) for #,##0.00 in a Turkish locale."""
    text = f"{value:,.2f}"  # 1,299.90
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return turkish_money(value)
    text = str(value)
    if any(ch in text for ch in ';"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_csv() -> None:
    lines = [";".join(csv_cell(h) for h in HEADER)]
    lines += [";".join(csv_cell(v) for v in values(row)) for row in ROWS]
    CSV.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1254"))


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


def write_xlsx() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Siparişler"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in values(row)])
    for col, name in enumerate(HEADER, start=1):
        if name in MONEY:
            for r in range(2, sheet.max_row + 1):
                sheet.cell(r, col).number_format = "#,##0.00"
    book.properties.creator = "Hepsiburada"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    XLSX.write_bytes(deterministic_zip(buffer.getvalue()))


if __name__ == "__main__":
    write_xlsx()
    write_csv()
