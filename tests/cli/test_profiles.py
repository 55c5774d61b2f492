"""Platform profiles at the command line: each platform's fixture (tests/data/exports/<platform>,
built from the platform's public documentation of its export: see each folder's README.md)
converts with no options to exactly the expected items; the plan is shown; lines not sold are
skipped and counted; a profile file of one's own works like a built-in one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT

EXPORTS = ROOT / "tests" / "data" / "exports"
FIXTURES = sorted(p for p in EXPORTS.glob("*/*.expected.json")
                  if "items" in json.loads(p.read_text(encoding="utf-8")))
#: the profile each fixture must be recognised as (its folder's name, but for these)
PROFILE = {"orders-24-03-14-10-05-33.xlsx": "woocommerce-aoe"}


def source_of(expected: Path) -> Path:
    return expected.with_name(expected.name.removesuffix(".expected.json"))


@pytest.mark.parametrize("expected", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name[:-14]}")
def test_fixture_converts_with_no_options(cli, tmp_path, expected):
    want = json.loads(expected.read_text(encoding="utf-8"))
    source = source_of(expected)
    result = cli("convert", source, "-o", tmp_path / "items.json", "-f", "json")
    assert result.code == 0, result.out + result.err
    assert json.loads((tmp_path / "items.json").read_text(encoding="utf-8")) == want["items"]
    data = result.json()
    assert data["plan"]["profile"] == PROFILE.get(source.name, source.parent.name)
    assert data["plan"]["chosen"] == "recognised"
    summary = data["summary"]
    assert summary["skipped"] == want["skipped"]
    # every row read is an item, a rejected row or a skipped one
    assert summary["rows"] == summary["items"] + summary["rejected"] + sum(
        want["skipped"].values())
    rounded = [p["source"]["row"] for p in data["problems"] if p["code"] == "OIM018"]
    assert rounded == want["rounded"]
    assert [p["code"] for p in data["problems"] if p["severity"] != "note"] == [
        "OIM018"] * len(rounded)
    assert [p["code"] for p in data["problems"]].count("OIM010") <= 1


def test_a_profile_says_the_encoding_oimtool_would_guess_otherwise(cli, tmp_path):
    result = cli("convert", EXPORTS / "amazon" / "all-orders-report.txt", "-o",
                 tmp_path / "items.json", "-f", "json")
    notes = [p["message"] for p in result.json()["problems"] if p["code"] == "OIM015"]
    assert notes == ["not UTF-8: read as cp1252, as the profile amazon says its platform "
                     "writes it; use --encoding to choose"]
    items = json.loads((tmp_path / "items.json").read_text())
    assert items[4]["product"] == '"Kiss the Cook" Silicone Spatula Set, 3 Piece'  # quotes: text


def test_fixture_converts_the_same_in_worker_processes(cli, tmp_path, small_pieces):
    """Pieces converted by workers: the same items (a profile with carried order columns, as
    Shopify's, is read in order)."""
    for name in ("hepsiburada/hepsiburada-siparisler.csv", "shopify/orders_export.csv"):
        expected = json.loads((EXPORTS / f"{name}.expected.json").read_text(encoding="utf-8"))
        result = cli("convert", EXPORTS / name, "-o", tmp_path / "items.json", "-j", "2",
                     "--force")
        assert result.code == 0, result.out + result.err
        assert json.loads((tmp_path / "items.json").read_text()) == expected["items"]


def test_plan_opens_the_text_report(cli, tmp_path):
    result = cli("convert", EXPORTS / "shopify" / "orders_export.csv", "-o",
                 tmp_path / "items.json")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].endswith("orders_export.csv: recognised a Shopify orders export (profile "
                             "shopify)")
    assert lines[1:6] == [
        "  order_number ← 'Name' (column A)",
        "  product      ← 'Lineitem name' (column R)",
        "  sku          ← 'Lineitem sku' (column U)",
        "  quantity     ← 'Lineitem quantity' (column Q)",
        "  price        ← 'Lineitem price' − 'Lineitem discount' ÷ quantity, the unit price "
        "after the line's discounts (columns S, BH)",
    ]
    notes = [line for line in lines if ": OIM010 " in line]
    assert len(notes) == 1 and "70 columns left out" in notes[0]
    assert lines[-1] == (
        "11 rows read: 9 items, 0 rejected, 2 skipped (2 order cancelled before shipment "
        "(Cancelled at set, Lineitem fulfillment status pending)). 9 items written to "
        f"{tmp_path / 'items.json'}. 1 warning.")


def test_price_list_writes_the_list_price(cli, tmp_path):
    result = cli("convert", EXPORTS / "shopify" / "orders_export.csv", "-o",
                 tmp_path / "items.json", "--price", "list", "-f", "json")
    assert result.code == 0, result.out + result.err
    items = json.loads((tmp_path / "items.json").read_text())
    assert [i["price"] for i in items][2:5] == [249.0, 179.0, 79.9]
    assert items[3]["extra_field"] == {"retail_price": 179.0, "discount_amount": 179.0}
    plan = result.json()["plan"]
    assert plan["price"] == "list"
    assert plan["fields"]["price"]["from"] == ("the list unit price (--price list): "
                                               "'Lineitem price'")


def test_no_price_details(cli, tmp_path):
    result = cli("convert", EXPORTS / "trendyol" / "trendyol-siparisler.xlsx", "-o",
                 tmp_path / "items.json", "--no-price-details")
    assert result.code == 0, result.out + result.err
    items = json.loads((tmp_path / "items.json").read_text())
    assert [i["extra_field"] for i in items][:2] == [{"barcode": "8683772104518"},
                                                     {"barcode": "8683772109964"}]


def test_internal_ids_only_is_refused(cli, tmp_path):
    result = cli("convert", EXPORTS / "magento" / "sales_flat_order_item.csv", "-o",
                 tmp_path / "items.json")
    assert result.code == 2
    assert result.out == ""
    assert "holds only 'order_id', the platform's internal order id" in result.err
    assert "'increment_id'" in result.err and "--order-numbers FILE" in result.err
    assert not (tmp_path / "items.json").exists()


def test_order_numbers_file_maps_internal_ids(cli, tmp_path):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("entity_id,increment_id\n41,100000041\n42,100000042\n", encoding="utf-8")
    source = EXPORTS / "magento" / "sales_flat_order_item.csv"
    result = cli("convert", source, "-o", tmp_path / "items.json", "--order-numbers", numbers,
                 "-f", "json", "--skip-invalid")
    assert result.code == 1  # order 43 is not in the file
    data = result.json()
    assert data["plan"]["fields"]["order_number"]["from"] == "'order_id' through --order-numbers"
    errors = [(p["code"], p["source"]["row"]) for p in data["problems"]
              if p["severity"] == "error"]
    assert errors == [("OIM020", 6), ("OIM020", 7)]
    items = json.loads((tmp_path / "items.json").read_text())
    assert [(i["order_number"], i["sku"], i["price"]) for i in items] == [
        ("100000041", "KD-318-BKR", 189.0), ("100000041", "CZV-402", 64.5),
        ("100000042", "FNC-077-6", 107.9)]  # (2 × 119.90 − 24.00) / 2
    assert items[1]["product"] == "Bakır Cezve — 4 Fincanlık"  # &mdash; decoded
    assert items[2]["product"] == "Porselen Kahve Fincanı & Tabağı (6'lı)"
    assert data["summary"]["skipped"] == {
        "configurable product's child line (parent_item_id set; the parent line holds the "
        "price)": 1}


def test_profile_none_matches_headers_by_name(cli, tmp_path):
    result = cli("convert", EXPORTS / "shopify" / "orders_export.csv", "-o",
                 tmp_path / "items.json", "--profile", "none")
    assert result.code == 2
    assert "no column for order_number (candidates: " in result.err
    assert "'Id'" in result.err
    result = cli("convert", EXPORTS / "shopify" / "orders_export.csv", "-o",
                 tmp_path / "items.json", "--profile", "none", "--map", "order_number=Name",
                 "-f", "json")
    plan = result.json()["plan"]
    assert plan["profile"] is None
    # the order's "Name" is never the product when "Lineitem name" is there
    assert plan["fields"]["product"]["from"] == "'Lineitem name'"
    assert plan["fields"]["price"]["from"] == "'Lineitem price'"


def test_profile_that_does_not_fit_is_refused(cli, tmp_path):
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv", "-o",
                 tmp_path / "items.json", "--profile", "shopify")
    assert result.code == 2
    assert ("--profile shopify: the header lacks 'Name', 'Lineitem quantity', 'Lineitem name', "
            "'Lineitem price', which a Shopify orders export has") in result.err
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv", "--profile",
                 "shopfiy")
    assert result.code == 2
    assert "--profile shopfiy: no such profile; the built-in ones are amazon, etsy" in result.err


MY_PROFILE = '''
name = "my-shop"
title = "My Shop's order lines"
signature = ["Belge", "Kalem", "Tutar"]

[columns]
order_number = "Belge"
product = "Kalem"
sku = ["Varyant Kodu", "Stok"]
quantity = "Miktar"

[price]
line = "Tutar"
discounts = ["İndirim"]

[text]
html = ["product"]

[extra]
color = "Renk"

[[lines]]
when = { Durum = "İptal" }
skip = "cancelled"

[[lines]]
when = { Durum = "İade" }
status_from = "Durum"
'''
MY_EXPORT = ("Belge,Kalem,Stok,Varyant Kodu,Miktar,Tutar,İndirim,Durum,Renk,Adres\n"
             "B-1,Kazak &amp; Atkı,KZK,KZK-S,2,300.00,60.00,Tamam,Ekru,Ankara\n"
             "B-1,Bere,BR,,1,99.90,,İade,,Ankara\n"
             "B-2,Eldiven,ELD,,1,50.00,,İptal,,İzmir\n")


def test_a_profile_file_of_ones_own(cli, tmp_path):
    profile = tmp_path / "my-shop.toml"
    profile.write_text(MY_PROFILE, encoding="utf-8")
    source = tmp_path / "belgeler.csv"
    source.write_bytes(MY_EXPORT.encode("cp1254"))
    result = cli("convert", source, "--profile", profile, "-f", "json")
    assert result.code == 0, result.out + result.err
    items = json.loads((tmp_path / "belgeler.json").read_text())
    assert items == [
        {"order_number": "B-1", "product": "Kazak & Atkı", "sku": "KZK-S", "quantity": 2,
         "price": 120.0, "image_url": None,
         "extra_field": {"retail_price": 150.0, "discount_amount": 60.0, "color": "Ekru"}},
        {"order_number": "B-1", "product": "Bere", "sku": "BR", "quantity": 1, "price": 99.9,
         "image_url": None, "extra_field": {"status": "İade"}},
    ]
    data = result.json()
    assert data["plan"]["chosen"] == "--profile"
    assert data["summary"]["skipped"] == {"cancelled": 1}
    assert [p["message"] for p in data["problems"] if p["code"] == "OIM010"] == [
        "1 column left out, matching no field: 'Adres'. --extra NAME keeps one in extra_field "
        "(--extra all: every one), --map FIELD=NAME reads one as a field"]
    text = cli("convert", source, "--profile", profile, "--force").out
    assert "read as a My Shop's order lines (profile my-shop, from --profile)" in text
    assert "  price        ← ('Tutar' − 'İndirim') ÷ quantity" in text


def test_a_profile_in_the_settings_file(cli, tmp_path, monkeypatch):
    (tmp_path / "oimtool.toml").write_text(
        '[profile]\nname = "my-shop"\ntitle = "My Shop\'s order lines"\n'
        'signature = ["Belge", "Kalem", "Tutar"]\n'
        'columns = { order_number = "Belge", product = "Kalem", quantity = "Miktar" }\n'
        'price = { line = "Tutar", discounts = ["İndirim"] }\n', encoding="utf-8")
    (tmp_path / "belgeler.csv").write_bytes(MY_EXPORT.encode("cp1254"))
    monkeypatch.chdir(tmp_path)
    result = cli("convert", "belgeler.csv", "-f", "json")
    assert result.code == 0, result.out + result.err
    assert result.json()["plan"]["chosen"] == "settings"
    # another platform's export in the same folder is recognised as ever
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv", "-o", "e.json",
                 "-f", "json")
    assert result.code == 0, result.out + result.err
    assert result.json()["plan"]["profile"] == "etsy"
    # a profile named in the settings file is said to come from there
    (tmp_path / "oimtool.toml").write_text('[convert]\nprofile = "etsy"\n', encoding="utf-8")
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv", "-o", "e.json",
                 "-f", "json", "--force")
    assert result.json()["plan"]["chosen"] == "settings"


@pytest.mark.parametrize(("text", "message"), [
    ('name = "x"\ntitle = "X"\nsignature = ["A"]\n', "[price] needs one of unit, line"),
    ('name = "x"\ntitle = "X"\nsignature = ["A"]\n[price]\nunit = "A"\ncost = "B"\n',
     "unknown key 'cost' in [price]"),
    ('name = "x"\ntitle = "X"\nsignature = ["A"]\n[price]\nunit = "A"\n[[lines]]\n'
     'when = { A = }\nskip = "x"\n', "cannot read the settings"),
    ('name = "x"\nsignature = []\n', "'signature' must name at least one column"),
    ('name = "x"\ntitle = "X"\nsignature = ["A"]\n[price]\nunit = "A"\n[[other]]\n'
     'advice = "y"\n', "[[other]] needs a signature (its headers) and an advice"),
])
def test_a_broken_profile_file_is_a_usage_error(cli, tmp_path, text, message):
    profile = tmp_path / "p.toml"
    profile.write_text(text, encoding="utf-8")
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv", "-o",
                 tmp_path / "o.json", "--profile", profile)
    assert result.code == 2
    assert message in result.err


def test_profiles_command(cli):
    result = cli("profiles")
    assert result.code == 0
    names = [line.split()[0] for line in result.out.splitlines()[:13]]
    assert names == ["amazon", "etsy", "hepsiburada", "ideasoft", "ikas", "magento", "n11",
                     "shopify", "ticimax", "trendyol", "tsoft", "woocommerce-aoe",
                     "woocommerce"]
    shown = cli("profiles", "amazon").out
    assert "  price        ← line: item-price" in shown
    assert "  when not UTF-8: cp1252" in shown
    assert "when item-status is Cancelled: skipped: cancelled before shipment" in shown
    assert cli("profiles", "nosuch").code == 2


def test_extra_takes_column_names(cli, tmp_path):
    source = EXPORTS / "etsy" / "EtsySoldOrderItems2024.csv"
    result = cli("convert", source, "-o", tmp_path / "a.json", "--extra", "Listing ID",
                 "--extra", "Currency")
    assert result.code == 0, result.out + result.err
    first = json.loads((tmp_path / "a.json").read_text())[0]
    assert first["extra_field"] == {"variant": "Color:Indigo", "Listing ID": "1523456789",
                                    "Currency": "USD"}
    result = cli("convert", "--extra", source, "-o", tmp_path / "b.json")  # alone: all
    assert result.code == 0, result.out + result.err
    assert "Ship City" in json.loads((tmp_path / "b.json").read_text())[0]["extra_field"]
    result = cli("convert", source, "-o", tmp_path / "c.json", "--extra", "Nope")
    assert result.code == 2 and "--extra 'Nope': there is no such column" in result.err


def test_rejects_takes_the_skipped_rows(cli, tmp_path):
    result = cli("convert", EXPORTS / "woocommerce" / "orders-export-2024_03_14_09_30_12.csv",
                 "-o", tmp_path / "items.json", "--rejects", tmp_path / "rejects.csv")
    assert result.code == 0
    lines = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("4818,,")  # as the export has it: order_number blank
    assert [line.rsplit(",", 1)[-1] for line in lines] == [
        "problems", "skipped: order cancelled (status cancelled: not sold)",
        "skipped: order cancelled (status cancelled: not sold)",
        "skipped: payment failed (status failed: not sold)"]


def test_line_total_that_disagrees_is_a_warning(cli, tmp_path):
    source = tmp_path / "EtsySoldOrderItems2024.csv"
    source.write_text("Sale Date,Item Name,Quantity,Price,Item Total,Transaction ID,Order ID,SKU\n"
                      "03/02/24,Towel,2,24.00,24.00,3987654321,3012345671,PST\n",
                      encoding="utf-8")
    result = cli("convert", source, "-f", "json")
    assert result.code == 0
    problems = [(p["code"], p["source"]["row"], p["message"]) for p in result.json()["problems"]
                if p["severity"] == "warning"]
    assert problems == [("OIM019", 2, "price: the unit price 24.00 × 2 is 48.00, but the "
                         "export's line total is 24.00: check which column holds what")]


def test_an_internal_id_for_an_order_number_is_named(cli, tmp_path):
    """--orders: an order_number that is a platform's internal id (Magento's order_id 41, whose
    order number is 100000041) is said to be one."""
    orders = tmp_path / "orders.json"
    orders.write_text('[{"number": "100000041"}, {"number": "100000042"}, {"number": "7"}]',
                      encoding="utf-8")
    source = tmp_path / "items.csv"
    source.write_text("order_id,sku,qty,price\n41,A,1,2\n7,B,1,2\n9,C,1,2\n", encoding="utf-8")
    result = cli("convert", source, "--orders", orders, "-f", "json")
    assert result.code == 1
    messages = [p["message"] for p in result.json()["problems"] if p["code"] == "OIM105"]
    assert messages == [
        f'order_number "41" is not in {orders}: it may be a platform\'s internal order id, not '
        'the order number: "100000041" ends with it (Magento\'s increment_id holds the number, '
        "order_id the internal id); take the order number column of the export",
        f'order_number "9" is not in {orders}: upload its order first, or correct the number']


def test_a_report_of_orders_is_refused_with_the_report_to_take(cli, tmp_path):
    """Etsy's Orders download holds a row per order: no order line to convert."""
    result = cli("convert", EXPORTS / "etsy" / "EtsySoldOrders2024.csv", "-o",
                 tmp_path / "items.json")
    assert result.code == 2
    assert "this is not an export of order lines (etsy): Etsy's \"Orders\" download" in result.err
    assert 'Download the CSV type "Order Items" instead' in result.err
    assert not (tmp_path / "items.json").exists()
