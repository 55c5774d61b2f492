"""Generate a realistic, valid order-item migration file and its order migration file.

    python bench/generate.py N OUTDIR [--seed S]

writes OUTDIR/items-N.json (N order items) and OUTDIR/orders-N.json (the orders they belong to,
about 2.5 items per order, every order referenced). Both are formatted like
``json.dumps(data, ensure_ascii=False, indent=2)`` with a final newline, streamed one object at
a time, and the same for the same N and seed. Every item passes ``oimtool check`` without a
problem: no identical items, no unreferenced orders, prices with at most 2 decimals.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=positive_int, metavar="N", help="number of order items")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in write_files(args.n, args.outdir, args.seed):
        print(path)


if __name__ == "__main__":
    main()
