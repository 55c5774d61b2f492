"""Build trendyol-siparisler.xlsx: a Trendyol seller-panel order export (Sipariş Yönetimi ->
Siparişleri Excel'e aktar), 52 columns in the order public parsers of that file use.

    /work/main/.venv/bin/python tests/data/exports/trendyol/make.py

Deterministic: fixed values, fixed workbook properties, fixed zip entry times, so running it
twice gives the same bytes. See README.md beside this file for the sources and what each row
tests. All people, addresses and e-mail addresses are invented.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
OUT = HERE / "trendyol-siparisler.xlsx"
FIXED = dt.datetime(2025, 3, 31, 9, 0, 0)

HEADER = [
    "Barkod", "Paket No", "Kargo Firması", "Sipariş Tarihi", "Termin Süresinin Bittiği Tarih",
    "Kargoya Teslim Tarihi", "Kargo Kodu", "Sipariş Numarası", "Alıcı", "Teslimat Adresi", "İl",
    "İlçe", "Ürün Adı", "Fatura Adresi", "Alıcı - Fatura Adresi", "Sipariş Statüsü", "E-Posta",
    "Komisyon Oranı", "Marka", "Stok Kodu", "Adet", "Birim Fiyatı", "Satış Tutarı",
    "İndirim Tutarı", "Trendyol İndirim Tutarı", "Faturalanacak Tutar", "Butik Numarası",
    "Teslim Tarihi", "Kargodan alınan desi", "Hesapladığım desi", "Faturalanan Kargo Tutarı",
    "Alternatif Teslimat Statüsü", "Kurumsal Faturalı Sipariş", "Vergi Kimlik Numarası",
    "Vergi Dairesi", "Şirket İsmi", "Fatura", "Müşteri Sipariş Adedi", "Mikro İhracat",
    "ETGB No", "ETGB Tarihi", "Yaş", "Cinsiyet", "Kargo Partner İsmi",
    "2.Teslimat Paketi Statüsü", "2.Teslimat Takip Numarası", "Teslimat Numarası", "Fatura No",
    "Fatura Tarihi", "Ülke", "Müşteri Telefon No", "ETGB Statüsü",
]

# One dict per order line; every column not given is an empty cell.
# Money: floats. Sipariş Numarası, Paket No, Adet: integers (Excel numbers).
LINES = [
    # row 2: order A, line 1 -- plain delivered line, no discount
    dict(barkod="8683772104518", paket=3187442051, kargo="Trendyol Express",
         tarih="14.03.2025 10:42", termin="16.03.2025 23:59", kteslim="15.03.2025 16:20",
         kkodu="7270018844215", no=10953817264, alici="Ayşe Kaya",
         adres="Bağdat Cad. No:12 D:4", il="İstanbul", ilce="Kadıköy",
         urun="Kadın Oversize Pamuklu Tişört - Ekru / M", statu="Teslim Edildi",
         eposta="pf+10953817264@trendyolmail.example", komisyon=21.5, marka="Lina Moda",
         stok="LM-TS-2041-EKR-M", adet=1, birim=299.99, satis=299.99, ind=0.0, tyind=0.0,
         fat=299.99, teslim="18.03.2025 12:05", desi=2.0, kargotutar=54.99, yas="25-34",
         cinsiyet="Kadın", msa="1.Sipariş", ulke="Türkiye"),
    # row 3: order A, line 2 -- seller discount, quantity 2
    dict(barkod="8683772109964", paket=3187442051, kargo="Trendyol Express",
         tarih="14.03.2025 10:42", termin="16.03.2025 23:59", kteslim="15.03.2025 16:20",
         kkodu="7270018844215", no=10953817264, alici="Ayşe Kaya",
         adres="Bağdat Cad. No:12 D:4", il="İstanbul", ilce="Kadıköy",
         urun="Yüksek Bel Mom Jean Pantolon - Açık Mavi / 38", statu="Teslim Edildi",
         eposta="pf+10953817264@trendyolmail.example", komisyon=21.5, marka="Lina Moda",
         stok="LM-JN-0388-AMV-38", adet=2, birim=549.9, satis=1099.8, ind=110.0, tyind=0.0,
         fat=989.8, teslim="18.03.2025 12:05", desi=2.0, kargotutar=54.99, yas="25-34",
         cinsiyet="Kadın", msa="1.Sipariş", ulke="Türkiye"),
    # row 4: order B -- Trendyol-funded discount only
    dict(barkod="8690123456781", paket=3187905520, kargo="Yurtiçi Kargo Marketplace",
         tarih="15.03.2025 21:07", termin="17.03.2025 23:59", kteslim="17.03.2025 11:48",
         kkodu="7270018902377", no=10954022871, alici="Mehmet Demir",
         adres="Atatürk Bulv. No:145", il="Ankara", ilce="Çankaya",
         urun="Erkek Hakiki Deri Cüzdan Siyah", statu="Kargoya Verildi",
         eposta="pf+10954022871@trendyolmail.example", komisyon=18.0, marka="Kervan Deri",
         stok="KD-CZ-110-SYH", adet=1, birim=449.0, satis=449.0, ind=0.0, tyind=45.0,
         fat=404.0, desi=1.0, kargotutar=42.49, yas="35-44", cinsiyet="Erkek",
         msa="3.Sipariş", ulke="Türkiye"),
    # row 5: order C, line 1 -- cancelled before shipment (its own package after a
    # partial cancellation): skipped
    dict(barkod="8681905330412", paket=3188120374, kargo="Aras Kargo Marketplace",
         tarih="16.03.2025 08:15", termin="18.03.2025 23:59",
         kkodu="", no=10954388105, alici="Zeynep Şahin",
         adres="Cumhuriyet Mah. 1203 Sok. No:7", il="İzmir", ilce="Bornova",
         urun="Seramik Kupa Seti 4'lü - Gökkuşağı", statu="İptal Edildi",
         eposta="pf+10954388105@trendyolmail.example", komisyon=19.0, marka="Evim Seramik",
         stok="ES-KP-04-GKS", adet=1, birim=379.9, satis=379.9, ind=0.0, tyind=0.0,
         fat=379.9, yas="18-24", cinsiyet="Kadın", msa="1.Sipariş", ulke="Türkiye"),
    # row 6: order C, line 2 -- delivered
    dict(barkod="8681905330887", paket=3188120373, kargo="Aras Kargo Marketplace",
         tarih="16.03.2025 08:15", termin="18.03.2025 23:59", kteslim="17.03.2025 14:02",
         kkodu="7270019033160", no=10954388105, alici="Zeynep Şahin",
         adres="Cumhuriyet Mah. 1203 Sok. No:7", il="İzmir", ilce="Bornova",
         urun="Bambu Servis Tahtası 35 cm", statu="Teslim Edildi",
         eposta="pf+10954388105@trendyolmail.example", komisyon=19.0, marka="Evim Seramik",
         stok="ES-BT-35", adet=1, birim=259.5, satis=259.5, ind=0.0, tyind=0.0, fat=259.5,
         teslim="19.03.2025 10:31", desi=3.0, kargotutar=61.99, yas="18-24",
         cinsiyet="Kadın", msa="1.Sipariş", ulke="Türkiye"),
    # row 7: order D -- delivered, then returned: kept, status in extra_field
    dict(barkod="8684410220073", paket=3188655901, kargo="Trendyol Express",
         tarih="17.03.2025 13:40", termin="19.03.2025 23:59", kteslim="18.03.2025 17:25",
         kkodu="7270019201844", no=10955120346, alici="Emre Yıldız",
         adres="İnönü Cad. No:33 D:2", il="Bursa", ilce="Nilüfer",
         urun="Çocuk Yağmurluk Sarı / 7-8 Yaş", statu="İade Edildi",
         eposta="pf+10955120346@trendyolmail.example", komisyon=20.0, marka="Minik Adım",
         stok="MA-YG-07-SRI", adet=1, birim=329.0, satis=329.0, ind=32.9, tyind=0.0,
         fat=296.1, teslim="20.03.2025 09:12", desi=1.0, kargotutar=42.49, yas="35-44",
         cinsiyet="Erkek", msa="2.Sipariş", ulke="Türkiye"),
    # rows 8-10: order E, three lines
    # row 8: 399.97 / 3 = 133.3233... -> 133.32 (rounded)
    dict(barkod="8682299014406", paket=3189270418, kargo="Trendyol Express",
         tarih="18.03.2025 19:55", termin="20.03.2025 23:59", kteslim="19.03.2025 15:37",
         kkodu="7270019388512", no=10956604419, alici="Fatma Çelik",
         adres="Gazi Mustafa Kemal Bulv. No:88 D:11", il="Antalya", ilce="Muratpaşa",
         urun="Organik Pamuk Havlu Seti 3'lü - Beyaz", statu="Teslim Edildi",
         eposta="pf+10956604419@trendyolmail.example", komisyon=17.5, marka="Pamukkale Ev",
         stok="PE-HV-003-BYZ", adet=3, birim=149.99, satis=449.97, ind=50.0, tyind=0.0,
         fat=399.97, teslim="21.03.2025 11:44", desi=6.0, kargotutar=79.99, yas="45-54",
         cinsiyet="Kadın", msa="5.Sipariş", ulke="Türkiye"),
    # row 9: no discount
    dict(barkod="8682299017711", paket=3189270418, kargo="Trendyol Express",
         tarih="18.03.2025 19:55", termin="20.03.2025 23:59", kteslim="19.03.2025 15:37",
         kkodu="7270019388512", no=10956604419, alici="Fatma Çelik",
         adres="Gazi Mustafa Kemal Bulv. No:88 D:11", il="Antalya", ilce="Muratpaşa",
         urun="Nevresim Takımı Çift Kişilik - Gri", statu="Teslim Edildi",
         eposta="pf+10956604419@trendyolmail.example", komisyon=17.5, marka="Pamukkale Ev",
         stok="PE-NV-CK-GRI", adet=1, birim=899.0, satis=899.0, ind=0.0, tyind=0.0, fat=899.0,
         teslim="21.03.2025 11:44", desi=6.0, kargotutar=79.99, yas="45-54",
         cinsiyet="Kadın", msa="5.Sipariş", ulke="Türkiye"),
    # row 10: fully discounted (gift) line -> price 0.00
    dict(barkod="8682299019005", paket=3189270418, kargo="Trendyol Express",
         tarih="18.03.2025 19:55", termin="20.03.2025 23:59", kteslim="19.03.2025 15:37",
         kkodu="7270019388512", no=10956604419, alici="Fatma Çelik",
         adres="Gazi Mustafa Kemal Bulv. No:88 D:11", il="Antalya", ilce="Muratpaşa",
         urun="Kadife Yastık Kılıfı 45x45 - Hardal", statu="Teslim Edildi",
         eposta="pf+10956604419@trendyolmail.example", komisyon=17.5, marka="Pamukkale Ev",
         stok="PE-YK-4545-HRD", adet=2, birim=89.9, satis=179.8, ind=179.8, tyind=0.0,
         fat=0.0, teslim="21.03.2025 11:44", desi=6.0, kargotutar=79.99, yas="45-54",
         cinsiyet="Kadın", msa="5.Sipariş", ulke="Türkiye"),
    # row 11: order F -- new order, not shipped yet (Oluşturuldu): kept, no status
    dict(barkod="8680011223344", paket=3190001287, kargo="Trendyol Express",
         tarih="30.03.2025 22:18", termin="01.04.2025 23:59",
         kkodu="7270019577026", no=10957011583, alici="Hakan Arslan",
         adres="Kızılay Mah. Gazi Cad. No:5", il="Eskişehir", ilce="Tepebaşı",
         urun="Paslanmaz Çelik Termos 500 ml - Antrasit", statu="Oluşturuldu",
         eposta="pf+10957011583@trendyolmail.example", komisyon=16.0, marka="Yolcu",
         stok="YL-TR-500-ANT", adet=1, birim=399.9, satis=399.9, ind=0.0, tyind=0.0,
         fat=399.9, yas="25-34", cinsiyet="Erkek", msa="1.Sipariş", ulke="Türkiye"),
]

FIELD_OF = {
    "Barkod": "barkod", "Paket No": "paket", "Kargo Firması": "kargo",
    "Sipariş Tarihi": "tarih", "Termin Süresinin Bittiği Tarih": "termin",
    "Kargoya Teslim Tarihi": "kteslim", "Kargo Kodu": "kkodu", "Sipariş Numarası": "no",
    "Alıcı": "alici", "Teslimat Adresi": "adres", "İl": "il", "İlçe": "ilce",
    "Ürün Adı": "urun", "Sipariş Statüsü": "statu", "E-Posta": "eposta",
    "Komisyon Oranı": "komisyon", "Marka": "marka", "Stok Kodu": "stok", "Adet": "adet",
    "Birim Fiyatı": "birim", "Satış Tutarı": "satis", "İndirim Tutarı": "ind",
    "Trendyol İndirim Tutarı": "tyind", "Faturalanacak Tutar": "fat",
    "Teslim Tarihi": "teslim", "Kargodan alınan desi": "desi",
    "Hesapladığım desi": "desi", "Faturalanan Kargo Tutarı": "kargotutar",
    "Müşteri Sipariş Adedi": "msa", "Yaş": "yas", "Cinsiyet": "cinsiyet", "Ülke": "ulke",
}


def row_of(line: dict) -> list:
    row = []
    for name in HEADER:
        if name == "Fatura Adresi":
            value = f"{line['adres']} {line['ilce']}/{line['il']}"
        elif name == "Alıcı - Fatura Adresi":
            value = line["alici"]
        elif name in ("Kurumsal Faturalı Sipariş", "Mikro İhracat"):
            value = "Hayır"
        else:
            value = line.get(FIELD_OF.get(name, ""))
        row.append(None if value == "" else value)
    return row


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
    for line in LINES:
        sheet.append(row_of(line))
    money = {"Komisyon Oranı", "Birim Fiyatı", "Satış Tutarı", "İndirim Tutarı",
             "Trendyol İndirim Tutarı", "Faturalanacak Tutar", "Faturalanan Kargo Tutarı"}
    for col, name in enumerate(HEADER, start=1):
        if name in money:
            for r in range(2, sheet.max_row + 1):
                sheet.cell(r, col).number_format = "0.00"
        elif name in ("Sipariş Numarası", "Paket No"):
            for r in range(2, sheet.max_row + 1):
                sheet.cell(r, col).number_format = "0"
    book.properties.creator = "Trendyol"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    OUT.write_bytes(deterministic_zip(buffer.getvalue()))


if __name__ == "__main__":
    main()
