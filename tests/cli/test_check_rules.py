"""Every rule, at the command line: a bad case reported exactly, and its correction clean."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oimtool.rules import RULES

from conftest import GOOD_ITEM, item, problems, write_json

LONG_URL = "https://cdn.example.com/" + "a/" * 100 + "x.jpg"

# code -> (bad item, field reported, corrected item). The bad item goes second in the file, so
# every problem must carry index 1.
ITEM_RULES: dict[str, tuple[Any, str | None, Any]] = {
    "OIM006": ("ORD1001;Tişört;1;123,90", None, item()),
    "OIM101": (item(order_number=...), "order_number", item()),
    "OIM102": (item(order_number=100023.0), "order_number", item(order_number="100023")),
    "OIM103": (item(order_number="  "), "order_number", item(order_number="ORD1002")),
    "OIM104": (item(order_number="ORD1001 "), "order_number", item(order_number="ORD1001")),
    "OIM106": (item(order_number="O" * 256), "order_number", item(order_number="O" * 128)),
    "OIM107": (item(order_number="O" * 129), "order_number", item(order_number="O" * 128)),
    "OIM201": (item(product=...), "product", item(product=None)),
    "OIM202": (item(product=4711), "product", item(product="4711")),
    "OIM203": (item(product="ğ" * 257), "product", item(product="ğ" * 256)),
    "OIM301": (item(sku=...), "sku", item(sku=None)),
    "OIM302": (item(sku=100024.0), "sku", item(sku="100024")),
    "OIM303": (item(sku="S" * 129), "sku", item(sku="S" * 128)),
    "OIM401": (item(quantity=...), "quantity", item(quantity=1)),
    "OIM402": (item(quantity=2.0), "quantity", item(quantity=2)),
    "OIM403": (item(quantity=0), "quantity", item(quantity=1)),
    "OIM404": (item(quantity=None), "quantity", item(quantity=1)),
    "OIM405": (item(quantity=2_147_483_648), "quantity", item(quantity=2_147_483_647)),
    "OIM501": (item(price=...), "price", item(price=0.29)),
    "OIM502": (item(price="123.90"), "price", item(price=123.9)),
    "OIM503": (item(price=19.990000000000002), "price", item(price=19.99)),
    "OIM504": (item(price=123.905), "price", item(price=123.91)),
    "OIM505": (item(price=10_000_000_000), "price", item(price=9_999_999_999.99)),
    "OIM506": (item(price=-1.13), "price", item(price=1.13)),
    "OIM601": (item(image_url=...), "image_url", item(image_url=None)),
    "OIM602": (item(image_url=42), "image_url", item(image_url="")),
    "OIM603": (item(image_url="https://cdn.example.com/yaz 2019/a.jpg"), "image_url",
               item(image_url="https://cdn.example.com/yaz%202019/a.jpg")),
    "OIM604": (item(image_url="//cdn.example.com/a.jpg"), "image_url",
               item(image_url="https://cdn.example.com/a.jpg")),
    "OIM605": (item(image_url="https://cdn/a.jpg"), "image_url",
               item(image_url="https://cdn.example.com/a.jpg")),
    "OIM606": (item(image_url="ftp://files.example.com/a.jpg"), "image_url",
               item(image_url="https://files.example.com/a.jpg")),
    "OIM607": (item(image_url=LONG_URL), "image_url",
               item(image_url="https://cdn.example.com/" + "a/" * 80 + "x.jpg")),
    "OIM608": (item(image_url="https://cdn.example.com/a.jpg https://cdn.example.com/b.jpg"),
               "image_url", item(image_url="https://cdn.example.com/a.jpg")),
    "OIM701": (item(extra_field=...), "extra_field", item()),
    "OIM702": (item(extra_field=None), "extra_field", item()),
    "OIM703": (item(extra_field='{"size": "M"}'), "extra_field", item(extra_field={"size": "M"})),
    "OIM801": ({**GOOD_ITEM, "colour": "red"}, "colour", item(extra_field={"colour": "red"})),
    "OIM802": (item(product="Kazak\x00"), "product", item(product="Kazak")),
}


def test_every_item_rule_has_a_case() -> None:
    file_rules = {"OIM001", "OIM002", "OIM003", "OIM004", "OIM005", "OIM105", "OIM803", "OIM901",
                  "OIM902"}  # tested in test_check_files.py
    file_rules |= {"OIM007", "OIM008"}  # tested in test_hostile.py
    source_rules = {f"OIM0{n}" for n in range(10, 21)}  # convert's: test_convert, test_profiles
    assert set(ITEM_RULES) | file_rules | source_rules == set(RULES)


@pytest.mark.parametrize("code", sorted(ITEM_RULES))
def test_rule_bad_case(cli, tmp_path, code: str) -> None:
    bad, field, _ = ITEM_RULES[code]
    path = write_json(tmp_path / "items.json", [item(order_number="ORD1000"), bad])
    result = cli("check", path, "--format", "json")
    report = result.json()
    assert problems(report) == [(1, field, code)]
    assert report["problems"][0]["severity"] == RULES[code].severity.value
    assert report["problems"][0]["pointer"] == (f"/1/{field}" if field else "/1")
    expected_exit = 1 if RULES[code].severity.value == "error" else 0
    assert result.code == expected_exit, result.err


@pytest.mark.parametrize("code", sorted(ITEM_RULES))
def test_rule_corrected_case(cli, tmp_path, code: str) -> None:
    _, _, fixed = ITEM_RULES[code]
    path = write_json(tmp_path / "items.json", [item(order_number="ORD1000"), fixed])
    result = cli("check", path, "--format", "json", "--strict")
    assert result.json()["problems"] == []
    assert result.code == 0


def test_warnings_fail_only_with_strict(cli, tmp_path) -> None:
    path = write_json(tmp_path / "items.json", [item(quantity=None)])
    assert cli("check", path).code == 0
    assert cli("check", path, "--strict").code == 1


def test_fix_values_in_report(cli, tmp_path) -> None:
    path = write_json(tmp_path / "items.json", [
        item(price="123.90"), item(price=123.905, order_number="A2"),
        item(order_number=100023.0), item(extra_field=...), item(order_number="x", colour="red"),
    ])
    report = cli("check", path, "-f", "json").json()
    fixes = [(p["code"], p["fix"]) for p in report["problems"]]
    assert fixes == [
        ("OIM502", {"value": 123.9, "safe": True}),
        ("OIM504", {"value": 123.91, "safe": False}),
        ("OIM102", {"value": "100023", "safe": True}),
        ("OIM701", {"value": {}, "safe": True}),
        ("OIM801", {"value": {"colour": "red"}, "safe": False}),
    ]
    assert report["summary"]["fixable"] == 3


def test_duplicate_item(cli, tmp_path) -> None:
    path = write_json(tmp_path / "items.json", [
        item(), item(order_number="ORD1002"), item(extra_field={"b": 1, "a": 2}),
        item(extra_field={"a": 2, "b": 1}), item(),
    ])
    result = cli("check", path, "-f", "json")
    assert problems(result.json(), "index", "code", "line", "column") == [
        (3, "OIM803", 32, 3), (4, "OIM803", 44, 3),
    ]
    assert "identical to item 2" in result.json()["problems"][0]["message"]
    assert "identical to item 0" in result.json()["problems"][1]["message"]
    assert result.code == 0


def test_non_dict_items_are_not_duplicates(cli, tmp_path) -> None:
    path = write_json(tmp_path / "items.json", [item(), 5, 5])
    assert problems(cli("check", path, "-f", "json").json()) == [
        (1, None, "OIM006"), (2, None, "OIM006"),
    ]


def test_several_problems_of_one_item_all_reported(cli, tmp_path) -> None:
    bad = {"order_number": " 7 ", "product": 5, "quantity": "2", "price": "1,5",
           "image_url": "//x.com/a b.jpg", "extra_field": None, "Adet": 3}
    result = cli("check", write_json(tmp_path / "items.json", [bad]), "-f", "json")
    assert problems(result.json()) == [
        (0, "order_number", "OIM104"), (0, "product", "OIM202"), (0, "sku", "OIM301"),
        (0, "quantity", "OIM402"), (0, "price", "OIM502"), (0, "image_url", "OIM603"),
        (0, "image_url", "OIM604"), (0, "extra_field", "OIM702"), (0, "Adet", "OIM801"),
    ]
    assert result.code == 1


@pytest.mark.parametrize(("a", "b"), [
    ({"price": -1}, {"price": -2}),  # Python hashes -1 like -2
    ({"quantity": True}, {"quantity": 1}),
    ({"product": "[1]"}, {"product": [1]}),
    ({"price": 2**61 + 5}, {"price": 5}),  # integers hash modulo 2^61 - 1
])
def test_different_items_are_not_duplicates(cli, tmp_path, a, b):
    path = write_json(tmp_path / "items.json", [item(**a), item(**b)])
    codes = [p[2] for p in problems(cli("check", path, "-f", "json").json())]
    assert "OIM803" not in codes


def test_unknown_keys_move_together_into_extra_field(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [
        item(extra_field={"size": "M", "gift": 1}, colour="red", Fiyat=5, gift=True),
    ])
    report = cli("check", path, "-f", "json").json()
    # each fix shows the member it adds; applied, any of them moves both keys at once
    assert [(p["field"], p["fix"]) for p in report["problems"]] == [
        ("colour", {"value": {"colour": "red"}, "safe": False}),
        ("Fiyat", {"value": {"Fiyat": 5}, "safe": False}),
        ("gift", None),
    ]
    fixed = tmp_path / "fixed.json"
    assert cli("fix", path, "--unsafe", "-o", fixed).code == 0
    assert json.loads(fixed.read_text())[0]["extra_field"] == {
        "size": "M", "gift": 1, "colour": "red", "Fiyat": 5}
    assert 'unknown key "Fiyat" (did you mean "price"?)' in report["problems"][1]["message"]
    assert "move it into extra_field or remove it" in report["problems"][2]["message"]


def test_unknown_key_that_names_a_missing_field_is_renamed(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [{**item(price=...), "Fiyat": 5}])
    report = cli("check", path, "-f", "json").json()
    assert [(p["field"], p["code"], p["fix"]) for p in report["problems"]] == [
        ("price", "OIM501", None),
        ("Fiyat", "OIM801", {"value": 5, "safe": False}),
    ]
    assert 'rename it to "price"' in report["problems"][1]["message"]


def test_nul_anywhere_in_extra_field(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [item(extra_field={"a": [{"b\x00": "c\x00"}]})])
    report = cli("check", path, "-f", "json").json()
    assert problems(report, "field", "code", "fix") == [
        ("extra_field", "OIM802", {"value": {"a": [{"b": "c"}]}, "safe": False}),
    ]


@pytest.mark.parametrize(("url", "code"), [
    ("mailto:x@example.com", "OIM605"),
    ("www.example.com/a.jpg", "OIM604"),
    ("cdn.example.com:8080/a.jpg", "OIM604"),
    ("example", "OIM605"),
])
def test_no_scheme_fix_only_for_a_bare_host(cli, tmp_path, url, code):
    path = write_json(tmp_path / "items.json", [item(image_url=url)])
    assert problems(cli("check", path, "-f", "json").json(), "code") == [(code,)]


def test_null_described_once(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [item(order_number=None)])
    report = cli("check", path, "-f", "json").json()
    assert report["problems"][0]["message"] == (
        "order_number is null (an empty cell?): write the number of the order this line "
        "belongs to")


def test_a_repeated_unknown_key_is_found_whatever_else_the_batch_holds(cli, tmp_path):
    path = tmp_path / "items.json"
    path.write_text(
        '[{"order_number": "A", "product": null, "sku": null, "quantity": 1, "price": 9, '
        '"image_url": null, "extra_field": {"a": {"b": 1}}, "note": "x", "note": "y"},\n'
        + json.dumps(item(order_number="B")) + "]", encoding="utf-8")
    report = cli("check", path, "-f", "json").json()
    assert problems(report, "code", "index", "field", "value") == [
        ("OIM801", 0, "note", "y"), ("OIM008", 0, "note", "y")]
