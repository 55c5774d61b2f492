"""Generate a realistic, valid order-item migration file and its order migration file.

    python bench/generate.py N OUTDIR [--seed S]

writes OUTDIR/items-N.json (N order items) and OUTDIR/orders-N.json (the orders they belong to,
about 2.5 items per order, every order referenced). Both are formatted like
``json.dumps(data, ensure_ascii=False, indent=2)`` with a final newline, streamed one object at
a time, and the same for the same N and seed. Every item passes ``oimtool check`` without a
problem: no identical items, no unreferenced orders, prices with at most 2 decimals.

    python bench/generate.py N OUTDIR --orders-of B

writes OUTDIR/items-N-orders-B.json: N items that all refer to the orders of orders-B.json
(written too when missing), for item files far larger than their orders file: the items of
items-B.json, then rounds of new items (other products, models, colors and prices) for the
same orders, until N.

    python bench/generate.py N OUTDIR --export csv-tr|csv-en|xlsx

writes the same kind of order lines as a spreadsheet export, for ``oimtool convert``:
OUTDIR/export-N-tr.csv (N data rows, Turkish headers, ``;``, UTF-8 with a BOM, prices as text
such as 1.299,90), OUTDIR/export-N-en.csv (English headers, ``,``, prices such as 1299.90), or
OUTDIR/export-N.xlsx (N sheet rows: a title row, the Turkish header, N - 2 data rows; numbers
typed as numbers), written with openpyxl in write-only mode.

Everything is streamed: no file is ever held in memory, whatever N.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path
from typing import IO, Any

DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class Product:
    name: str
    prefix: str  # unique per product, so two lines of one order never share a SKU
    sizes: tuple[str, ...]  # () for one-size products
    turkish: bool  # named in Turkish (colors too) or in English


@dataclass(frozen=True)
class Color:
    tr: str
    en: str
    code: str


APPAREL = ("XS", "S", "M", "L", "XL")
SHOES = ("38", "39", "40", "41", "42", "43", "44")
TURKISH_PRODUCTS = tuple(Product(*entry, turkish=True) for entry in (
    ("Pamuklu Basic Tişört", "TSH", APPAREL),
    ("Keten Gömlek Uzun Kollu", "GML", APPAREL),
    ("Örgü Kazak", "KZK", APPAREL),
    ("Slim Fit Kot Pantolon", "JNS", APPAREL),
    ("Kapüşonlu Sweatshirt", "SWT", APPAREL),
    ("Su Geçirmez Şişme Mont", "MNT", APPAREL),
    ("Çizgili Pijama Takımı", "PJM", APPAREL),
    ("Deri Kartvizitlik", "AKS", ()),
    ("İpek Eşarp", "ESR", ()),
    ("Hakiki Deri Kemer", "KMR", ("90", "95", "100", "105")),
    ("Porselen Kahve Fincanı Seti", "EVT", ()),
    ("Günlük Spor Ayakkabı", "AYK", SHOES),
))
ENGLISH_PRODUCTS = tuple(Product(*entry, turkish=False) for entry in (
    ("Classic Oxford Shirt", "SHR", APPAREL),
    ("Merino Wool Scarf", "SCF", ()),
    ("Leather Card Holder", "CRD", ()),
    ("Running Sneakers", "SNK", SHOES),
    ("Canvas Tote Bag", "BAG", ()),
    ("Wireless Earbuds", "ELK", ()),
    ("Stainless Steel Water Bottle", "BTL", ()),
    ("Organic Cotton Hoodie", "HOD", APPAREL),
))
CATALOGUE = TURKISH_PRODUCTS + ENGLISH_PRODUCTS
COLORS = (
    Color("Lacivert", "Navy", "LAC"),
    Color("Siyah", "Black", "SYH"),
    Color("Beyaz", "White", "BYZ"),
    Color("Ekru", "Ecru", "EKR"),
    Color("Gri", "Grey", "GRY"),
    Color("Bej", "Beige", "BEJ"),
    Color("Kırmızı", "Red", "KRM"),
    Color("Yeşil", "Green", "YSL"),
    Color("Hardal", "Mustard", "HRD"),
)
IMAGE_HOSTS = ("cdn.example.com", "img.example-cdn.com.tr")

FIRST_NAMES = ("Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Emre", "Şule", "Çağrı", "Gökhan",
               "Özge", "John", "Emma", "Oliver", "Sophie")
LAST_NAMES = ("Yılmaz", "Demir", "Kaya", "Çelik", "Şahin", "Öztürk", "Aydın", "Doğan", "Smith",
              "Brown", "Müller")
ADDRESSES = (
    "Bağdat Cad. No:{n} Kadıköy İstanbul",
    "Atatürk Bulvarı No:{n} Çankaya Ankara",
    "Kıbrıs Şehitleri Cad. No:{n} Alsancak İzmir",
    "Cumhuriyet Mah. {n}. Sok. Nilüfer Bursa",
    "{n} Baker Street, London",
    "Hauptstraße {n}, Berlin",
)
ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")

# Currency: weight, price range in cents (prices end in .00, .90, .95 or .99).
CURRENCIES = {"TRY": (85, (4_900, 1_299_900)), "EUR": (10, (500, 29_900)),
              "USD": (5, (500, 29_900))}
PAYMENTS = (
    ("credit_card", "Garanti BBVA"),
    ("credit_card", "Akbank"),
    ("credit_card", "Yapı Kredi"),
    ("pay_on_delivery", ""),
    ("funds_transfer", "İş Bankası"),
)
SHIPPERS = ("yurtici", "aras", "mng", "dhl", "ups")
STATUSES = ("500", "500", "500", "550", "400")

START = datetime(2019, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 5 * 365 * 24 * 3600  # orders spread over about five years
ITEMS_PER_ORDER = (1, 4)  # uniform, so 2.5 on average


@dataclass(frozen=True)
class Customer:
    code: str
    email: str
    address: str


def make_customers(rng: random.Random, count: int = 500) -> list[Customer]:
    """A pool of shoppers with Turkish and English names."""
    customers = []
    for k in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}{k}".translate(ASCII).lower()
        address = rng.choice(ADDRESSES).format(n=rng.randint(1, 240))
        customers.append(Customer(f"C{1001 + k}", f"{local}@example.com", address))
    return customers


def make_price(rng: random.Random, currency: str) -> int | float:
    """A retail price as JSON writes it: 40, 199.9, 549.95 (never more than 2 decimals)."""
    low, high = CURRENCIES[currency][1]
    cents = rng.randint(low, high) // 100 * 100 + rng.choice((0, 90, 95, 99))
    return cents // 100 if cents % 100 == 0 else cents / 100


def make_item(rng: random.Random, number: str, product: Product, currency: str
              ) -> dict[str, Any]:
    """One order line of ``product`` in order ``number``."""
    color = rng.choice(COLORS)
    model = rng.randint(1000, 9999)
    base = f"{product.prefix}-{model}-{color.code}"
    size = rng.choice(product.sizes) if product.sizes else None
    shown_color = color.tr if product.turkish else color.en
    extra: dict[str, str] = {}
    if rng.random() < 0.2:
        extra = {"size": size} if size else {"color": color.tr.lower()}
        if size and rng.random() < 0.3:
            extra["color"] = color.tr.lower()
    return {
        "order_number": number,
        "product": f"{product.name} – {shown_color}",
        "sku": f"{base}-{size}" if size else base,
        "quantity": rng.choice((1, 1, 1, 1, 2, 2, 3, 4, 5)),
        "price": make_price(rng, currency),
        "image_url": f"https://{rng.choice(IMAGE_HOSTS)}/products/{base.lower()}.jpg",
        "extra_field": extra,
    }


def make_order(rng: random.Random, number: str, created: datetime, customer: Customer,
               currency: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The order migration record that ``items`` belong to."""
    cents = sum(round(item["price"] * 100) * item["quantity"] for item in items)
    payment, bank = rng.choice(PAYMENTS)
    return {
        "number": number,
        "user": customer.code,
        "user_email": customer.email,
        "status": rng.choice(STATUSES),
        "created_date": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "amount": cents // 100 if cents % 100 == 0 else cents / 100,
        "discount_amount": None,
        "currency": currency,
        "payment_type": payment,
        "bank": bank,
        "installment_count": rng.choice((1, 1, 1, 3, 6)) if payment == "credit_card" else 1,
        "tracking_number": f"{rng.randint(10**11, 10**12 - 1)}",
        "shipping_company": rng.choice(SHIPPERS),
        "shipping_address": customer.address,
        "billing_address": customer.address,
        "extra_field": {},
    }


def generate(n: int, seed: int) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(order, its items) pairs, with exactly ``n`` items in all."""
    rng = random.Random(seed)
    customers = make_customers(rng)
    currencies = list(CURRENCIES)
    weights = [weight for weight, _ in CURRENCIES.values()]
    remaining = n
    seq = 0
    while remaining:
        seq += 1
        # Dates advance with the items written, so they stay within the span for any N.
        offset = SPAN_SECONDS * (n - remaining) // n + rng.randrange(max(1, SPAN_SECONDS // n))
        created = START + timedelta(seconds=offset)
        number = f"ORD-{created.year}-{seq:06d}"
        currency = rng.choices(currencies, weights)[0]
        count = min(remaining, rng.randint(*ITEMS_PER_ORDER))
        items = [make_item(rng, number, product, currency)
                 for product in rng.sample(CATALOGUE, count)]
        remaining -= count
        yield make_order(rng, number, created, rng.choice(customers), currency, items), items


class ArrayWriter:
    """Writes a JSON array one element at a time, as ``json.dumps(..., indent=2)`` lays it out."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._sep = "[\n  "

    def add(self, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=2)
        self._out.write(self._sep + text.replace("\n", "\n  "))
        self._sep = ",\n  "

    def close(self) -> None:
        """End the array (which must not be empty: the files always hold at least one)."""
        self._out.write("\n]\n")


def file_names(outdir: Path, n: int) -> tuple[Path, Path]:
    """The items and orders files for ``n`` items."""
    return outdir / f"items-{n}.json", outdir / f"orders-{n}.json"


def write_files(n: int, outdir: Path, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write both files for ``n`` items; each appears under its name only once complete."""
    outdir.mkdir(parents=True, exist_ok=True)
    targets = file_names(outdir, n)
    temps = [path.with_name(path.name + ".part") for path in targets]
    buffering = 1 << 20
    with open(temps[0], "w", encoding="utf-8", buffering=buffering) as items_out, \
            open(temps[1], "w", encoding="utf-8", buffering=buffering) as orders_out:
        items_writer, orders_writer = ArrayWriter(items_out), ArrayWriter(orders_out)
        for order, items in generate(n, seed):
            for item in items:
                items_writer.add(item)
            orders_writer.add(order)
        items_writer.close()
        orders_writer.close()
    for temp, target in zip(temps, targets, strict=True):
        os.replace(temp, target)
    return targets


# -- item files far larger than their orders file -----------------------------------------

def big_items_name(outdir: Path, n: int, base: int) -> Path:
    """The items file of ``n`` items referring to the orders of ``orders-BASE.json``."""
    return outdir / f"items-{n}-orders-{base}.json"


def generate_for_orders(n: int, base: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` items, all referring to the orders ``generate(base, seed)`` makes: its own items
    first, then rounds of new items for the same orders (each round one item per item of the
    base, other products, models, colors and prices), until ``n``. No two items are identical
    (a repeat needs the same product, model, color, size, quantity and price in one order)."""
    remaining = n
    for round_ in count():
        rng = random.Random(f"{seed}-round-{round_}")
        for order, items in generate(base, seed):
            if round_:
                products = rng.sample(CATALOGUE, len(items))
                items = [make_item(rng, order["number"], product, order["currency"])
                         for product in products]
            yield from items[:remaining]
            remaining -= min(remaining, len(items))
            if not remaining:
                return


def write_items_for_orders(n: int, base: int, outdir: Path, seed: int = DEFAULT_SEED
                           ) -> tuple[Path, Path]:
    """Write ``items-N-orders-BASE.json`` (and ``orders-BASE.json`` when missing): the items
    file and the orders file it refers to."""
    items_path = big_items_name(outdir, n, base)
    orders_path = file_names(outdir, base)[1]
    if not orders_path.exists():
        write_files(base, outdir, seed)
    temp = items_path.with_name(items_path.name + ".part")
    with open(temp, "w", encoding="utf-8", buffering=1 << 20) as out:
        writer = ArrayWriter(out)
        for item in generate_for_orders(n, base, seed):
            writer.add(item)
        writer.close()
    os.replace(temp, items_path)
    return items_path, orders_path


# -- spreadsheet exports, for oimtool convert ---------------------------------------------

@dataclass(frozen=True)
class ExportStyle:
    """How a CSV export is laid out."""

    header: tuple[str, ...]
    delimiter: str
    encoding: str
    turkish_numbers: bool  # 1.299,90 rather than 1299.90


TURKISH_HEADER = ("Sipariş No", "Ürün Adı", "Stok Kodu", "Adet", "Birim Fiyat", "Görsel")
ENGLISH_HEADER = ("Order No", "Product Name", "SKU", "Qty", "Unit Price", "Image")
CSV_STYLES = {
    # As Excel's "CSV UTF-8" saves a Turkish sheet: semicolons, a BOM, decimal commas.
    "tr": ExportStyle(TURKISH_HEADER, ";", "utf-8-sig", turkish_numbers=True),
    "en": ExportStyle(ENGLISH_HEADER, ",", "utf-8", turkish_numbers=False),
}
XLSX_TITLE = "Sipariş Satırları Raporu – 01.01.2019–31.12.2023"
XLSX_SHEET = "Siparişler"
EXPORTS = ("csv-tr", "csv-en", "xlsx")


def export_name(outdir: Path, n: int, export: str) -> Path:
    """The export file of ``n`` rows: data rows for a CSV, sheet rows for a workbook."""
    if export == "xlsx":
        return outdir / f"export-{n}.xlsx"
    return outdir / f"export-{n}-{export.removeprefix('csv-')}.csv"


def export_rows(n: int, seed: int) -> Iterator[tuple[str, str, str, int, int | float, str]]:
    """``n`` order lines: order number, product, SKU, quantity, price, image URL."""
    for _, items in generate(n, seed):
        for item in items:
            yield (item["order_number"], item["product"], item["sku"], item["quantity"],
                   item["price"], item["image_url"])


def price_text(price: float, turkish: bool) -> str:
    """A price as an export writes it: 1299.90, or 1.299,90 the Turkish way."""
    text = f"{price:,.2f}" if turkish else f"{price:.2f}"
    return text.translate(str.maketrans(",.", ".,")) if turkish else text


def write_csv(n: int, outdir: Path, style: str, seed: int = DEFAULT_SEED) -> Path:
    """A CSV export of ``n`` data rows below its header (``style``: tr or en)."""
    layout = CSV_STYLES[style]
    path = export_name(outdir, n, f"csv-{style}")
    outdir.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".part")
    with open(temp, "w", encoding=layout.encoding, newline="", buffering=1 << 20) as out:
        writer = csv.writer(out, delimiter=layout.delimiter)  # lines end in \r\n, as Excel's
        writer.writerow(layout.header)
        turkish = layout.turkish_numbers
        writer.writerows((number, product, sku, str(quantity), price_text(price, turkish), image)
                         for number, product, sku, quantity, price, image
                         in export_rows(n, seed))
    os.replace(temp, path)
    return path


def write_xlsx(n: int, outdir: Path, seed: int = DEFAULT_SEED) -> Path:
    """A workbook of ``n`` sheet rows (at least 3): a title, the Turkish header, and ``n - 2``
    data rows with quantities and prices typed as numbers. openpyxl's write-only mode streams
    the rows to the file."""
    from openpyxl import Workbook

    if n < 3:
        raise ValueError("a workbook export needs at least 3 rows (title, header, one line)")
    path = export_name(outdir, n, "xlsx")
    outdir.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".part")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(XLSX_SHEET)
    sheet.append([XLSX_TITLE])
    sheet.append(list(TURKISH_HEADER))
    for row in export_rows(n - 2, seed):
        sheet.append(list(row))
    with open(temp, "wb") as out:
        book.save(out)
    os.replace(temp, path)
    return path


def write_export(n: int, outdir: Path, export: str, seed: int = DEFAULT_SEED) -> Path:
    """One of ``EXPORTS``: csv-tr, csv-en or xlsx."""
    if export == "xlsx":
        return write_xlsx(n, outdir, seed)
    return write_csv(n, outdir, export.removeprefix("csv-"), seed)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=positive_int, metavar="N",
                        help="number of order items (rows of an export)")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--orders-of", type=positive_int, metavar="B",
                      help="write items-N-orders-B.json, referring to the orders of "
                      "orders-B.json")
    kind.add_argument("--export", choices=EXPORTS,
                      help="write a spreadsheet export instead of JSON")
    args = parser.parse_args(argv)
    if args.export:
        paths: tuple[Path, ...] = (write_export(args.n, args.outdir, args.export, args.seed),)
    elif args.orders_of:
        paths = write_items_for_orders(args.n, args.orders_of, args.outdir, args.seed)
    else:
        paths = write_files(args.n, args.outdir, args.seed)
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
