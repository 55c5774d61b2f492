"""A safe fix loses nothing: text becomes a number only when the number is the text's value with
at most 2 decimal places; JSON text inside a field keeps its integers and says which key it
wrote twice; two URLs are not a space to encode; no fix leaves a value that breaks another rule.
Each case as the user meets it: the report of `check`, the file `fix` writes."""

from __future__ import annotations

import json

import pytest

from conftest import item, write_json


def report(cli, tmp_path, **fields):
    path = write_json(tmp_path / "items.json", [item(**fields)])
    result = cli("check", path, "-f", "json")
    return result.code, [(p["code"], p["fix"]) for p in result.json()["problems"]]


def fixed(cli, tmp_path, *options, **fields):
    path = write_json(tmp_path / "items.json", [item(**fields)])
    cli("fix", path, "--force", *options)
    return json.loads((tmp_path / "items.fixed.json").read_text(encoding="utf-8"))[0]


@pytest.mark.parametrize(("text", "rounded"), [
    ("99999999.999999999", 100000000.0),  # a float would be 100000000.0, silently
    ("12.50000000000000001", 12.5),
    ("19.990000000000000001", 19.99),
    ("19.990000000000002", 19.99),  # float noise, but written: the digits are the text's
])
def test_a_price_text_with_more_digits_than_a_float_is_not_safely_a_number(cli, tmp_path, text,
                                                                           rounded):
    code, problems = report(cli, tmp_path, price=text)
    assert code == 1
    assert problems == [("OIM502", None), ("OIM504", {"value": rounded, "safe": False})]
    assert fixed(cli, tmp_path, price=text)["price"] == text  # nothing safe to do
    assert fixed(cli, tmp_path, "--unsafe", price=text)["price"] == rounded


@pytest.mark.parametrize(("text", "number"), [
    ("12.50", 12.5), ("12.500", None), ("1e2", 100), (".5", 0.5), ("5.", 5), ("1_000", 1000),
    ("١٢", 12), (" 7.25 ", 7.25),
])
def test_a_price_text_omnitron_reads_exactly_is_a_safe_fix(cli, tmp_path, text, number):
    code, problems = report(cli, tmp_path, price=text)
    assert code == 1
    if number is None:  # "12.500": 12.5, or 12500 with a thousands separator?
        assert problems == [("OIM502", None)]
        return
    assert problems == [("OIM502", {"value": number, "safe": True})]
    assert fixed(cli, tmp_path, price=text)["price"] == number


@pytest.mark.parametrize(("text", "number"), [
    ("3", 3), (" 3 ", 3), ("3.0", 3), ("+3", 3), ("٢", 2), ("２", 2), ("1_000", 1000),
])
def test_a_quantity_text_omnitron_reads_as_an_integer_is_a_safe_fix(cli, tmp_path, text, number):
    code, problems = report(cli, tmp_path, quantity=text)
    assert (code, problems) == (1, [("OIM402", {"value": number, "safe": True})])
    assert fixed(cli, tmp_path, quantity=text)["quantity"] == number


@pytest.mark.parametrize("text", ["1e3", "2.5", "0x10", "3 4", "1__0"])
def test_a_quantity_text_omnitron_does_not_read_gets_no_fix(cli, tmp_path, text):
    assert report(cli, tmp_path, quantity=text) == (1, [("OIM402", None)])


def test_rounding_out_of_range_is_offered_nowhere(cli, tmp_path):
    assert report(cli, tmp_path, price=9999999999.995) == (1, [("OIM504", None)])
    assert report(cli, tmp_path, price=9999999999.999998) == (1, [("OIM503", None)])
    assert report(cli, tmp_path, price=-9999999999.995) == (1, [("OIM504", None), ("OIM506",
                                                                                  None)])


def test_extra_field_text_keeps_its_big_integers(cli, tmp_path):
    text = '{"n": 123456789012345678901234567890, "m": -98765432109876543210}'
    code, problems = report(cli, tmp_path, extra_field=text)
    assert code == 1 and [c for c, _ in problems] == ["OIM703"]
    written = (tmp_path / "items.fixed.json")
    fixed(cli, tmp_path, extra_field=text)
    assert '"n": 123456789012345678901234567890' in written.read_text(encoding="utf-8")
    assert fixed(cli, tmp_path, extra_field=text)["extra_field"] == {
        "n": 123456789012345678901234567890, "m": -98765432109876543210}


def test_extra_field_text_writing_a_key_twice_says_so(cli, tmp_path):
    text = '{"a": 1, "b": {"c": 2, "c": 3}, "a": 4}'
    path = write_json(tmp_path / "items.json", [item(extra_field=text)])
    result = cli("check", path, "-f", "json")
    found = [(p["code"], p["field"], p["message"]) for p in result.json()["problems"]]
    assert [(code, field) for code, field, _ in found] == [
        ("OIM703", "extra_field"), ("OIM008", "extra_field"), ("OIM008", "extra_field")]
    assert found[1][2].startswith('key "a" is written twice in one object of the text of '
                                  "extra_field (at /extra_field/a): read as an object, it keeps "
                                  "the last value (4) and drops 1")
    assert found[2][2].startswith('key "c" is written twice in one object of the text of '
                                  'extra_field (at /extra_field/b/c): read as an object, it keeps '
                                  "the last value (3) and drops 2")
    assert fixed(cli, tmp_path, extra_field='{"a": 1, "a": 4}')["extra_field"] == {"a": 4}


@pytest.mark.parametrize("text", ["NaN", '{"a": NaN}', '{"a": 1} trailing', "[1]"])
def test_extra_field_text_that_is_no_json_object_gets_no_fix(cli, tmp_path, text):
    assert report(cli, tmp_path, extra_field=text) == (1, [("OIM703", None)])


@pytest.mark.parametrize("url", [
    "https://cdn.example.com/a.jpg https://cdn.example.com/b.jpg",
    "https://cdn.example.com/a.jpg\nhttps://cdn.example.com/b.jpg",
    "https://cdn.example.com/a.jpg,https://cdn.example.com/b.jpg",
    "https://cdn.example.com/a.jpg; https://cdn.example.com/b.jpg | https://cdn.example.com/c.jpg",
])
def test_two_urls_are_not_a_space_to_encode(cli, tmp_path, url):
    assert report(cli, tmp_path, image_url=url) == (1, [("OIM608", None)])
    assert fixed(cli, tmp_path, "--unsafe", image_url=url)["image_url"] == url


def test_a_url_in_a_query_or_a_space_in_a_path_is_one_url(cli, tmp_path):
    assert report(cli, tmp_path,
                  image_url="https://cdn.example.com/a.jpg?u=https://img.example.com/b") == (0, [])
    assert report(cli, tmp_path, image_url="https://cdn.example.com/yaz 2019/a.jpg") == (1, [
        ("OIM603", {"value": "https://cdn.example.com/yaz%202019/a.jpg", "safe": True})])


@pytest.mark.parametrize(("length", "code", "exit_code"), [
    (128, None, 0), (129, "OIM107", 0), (255, "OIM107", 0), (256, "OIM106", 1)])
def test_order_number_length_without_orders(cli, tmp_path, length, code, exit_code):
    assert report(cli, tmp_path, order_number="N" * length) == (
        exit_code, [(code, None)] if code else [])
