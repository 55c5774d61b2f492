"""The fast path, the explanations and the jsonschema reference agree, on good and bad items."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from oimtool.fields import suggest_field
from oimtool.numbers import parse_number_text
from oimtool.rules import RULES, Severity
from oimtool.schema import reference_validator
from oimtool.validate import explain, is_clean
from oimtool.values import (
    COMMON_URL,
    decimal_places,
    has_price_places,
    is_float_noise,
    round_half_up,
    url_verdict,
)
from strategies import good_items, items, texts

from conftest import item


def reference_errors(value) -> list:
    return list(reference_validator().iter_errors([value]))


def has_error(findings) -> bool:
    return any(RULES[f.code].severity is Severity.ERROR for f in findings)


@settings(max_examples=1500, deadline=None)
@given(items() | st.one_of(texts, st.lists(st.integers(), max_size=2)))
@example(item(image_url="https://x.com/a\x00"))
@example(item(image_url=0))
@example(item(image_url=False))
@example(item(quantity=2.0))
@example(item(price=19.990000000000002))
@example(item(image_url="HTTPS://CDN.EXAMPLE.COM/A.JPG"))
def test_explain_agrees_with_the_schema_reference(value):
    findings = explain(value)
    assert has_error(findings) == bool(reference_errors(value)), (findings, reference_errors(value))
    if is_clean(value):
        assert findings == []


@settings(max_examples=500, deadline=None)
@given(good_items)
def test_good_items_are_clean_on_the_fast_path(value):
    assert is_clean(value)
    assert explain(value) == []
    assert reference_errors(value) == []


@given(st.floats(min_value=-1e10, max_value=1e10, exclude_min=True, exclude_max=True))
@example(0.29)
@example(1.13)
@example(19.99)
@example(4.35)
@example(9999999999.99)
def test_price_places_fast_check_equals_counting_on_the_text(value):
    assert has_price_places(value) == (decimal_places(value) <= 2)


@given(st.integers(-(10**11), 10**11), st.integers(1, 4))
def test_float_noise_rounds_back_to_the_two_place_value(k, ulps):
    value = k / 100
    noisy = value + ulps * math.ulp(value)
    assume(noisy != value)
    assert is_float_noise(noisy)
    assert round(noisy, 2) == value


@pytest.mark.parametrize(("value", "expected"), [
    (123.905, 123.91), (0.125, 0.13), (-0.125, -0.13), (2.675, 2.68), (1.005, 1.01),
])
def test_round_half_up_rounds_the_written_number(value, expected):
    assert round_half_up(value) == expected


labels = st.from_regex(r"\A[a-z0-9-]{1,10}\Z") | st.sampled_from(["a" * 63, "a" * 64, "x-y"])
common_url_candidates = st.builds(
    lambda scheme, host, tld, path: f"{scheme}://{'.'.join(host)}.{tld}{path}",
    st.sampled_from(["http", "https"]), st.lists(labels, min_size=1, max_size=3),
    st.from_regex(r"\A[a-z0-9]{1,4}\Z"),
    st.sampled_from(["", "/"]) | st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                         max_size=20).map(lambda p: "/" + p),
)


@settings(max_examples=500, deadline=None)
@given(common_url_candidates)
def test_common_url_pattern_only_admits_urls_django_accepts(url):
    if COMMON_URL.match(url) is not None and len(url) <= 200:
        assert url_verdict(url) is None


@pytest.mark.parametrize(("url", "verdict"), [
    ("https://cdn.example.com/a.jpg", None),
    ("HTTP://CDN.EXAMPLE.COM/A.JPG", None),
    ("https://img.örnek.com.tr/ürün.jpg", None),
    ("http://localhost:8000/a.png", None),
    ("http://127.0.0.1/a.png", None),
    ("http://[::1]/a.png", None),
    ("http://[::zz]/a.png", "invalid"),
    ("https://user:pw@cdn.example.com/a.jpg", None),
    ("ftp://files.example.com/a.jpg", None),
    ("mailto://x.com", "invalid"),
    ("https://cdn/a.jpg", "invalid"),
    ("https://-cdn.example.com/a.jpg", "invalid"),
    ("//cdn.example.com/a.jpg", "scheme-relative"),
    ("www.example.com/a.jpg", "no-scheme"),
    ("https://x.com/" + "a" * 2040, "invalid"),
])
def test_url_verdicts(url, verdict):
    assert url_verdict(url) == verdict


@pytest.mark.parametrize(("text", "value", "plain", "ambiguous"), [
    ("123.90", "123.90", True, False),
    ("1.234,56", "1234.56", False, False),
    ("1,234.56", "1234.56", False, False),
    ("49,90 TL", "49.90", False, False),
    ("TL 49,90", "49.90", False, False),
    ("₺250,00", "250.00", False, False),
    ("$12.50", "12.50", False, False),
    ("1 234,56", "1234.56", False, False),
    ("1\u00a0234,56", "1234.56", False, False),
    ("-5", "-5", True, False),
    ("1,234", "1.234", False, True),
    ("1.234", "1.234", True, True),
    ("0,123", "0.123", False, False),
    ("1.234.567", "1234567", False, False),
    ("₺-5,00", "-5.00", False, False),
    ("1 234", "1234", False, False),
])
def test_numbers_written_as_text(text, value, plain, ambiguous):
    parsed = parse_number_text(text)
    assert parsed is not None
    assert (parsed.value, parsed.plain, parsed.ambiguous) == (Decimal(value), plain, ambiguous)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1,23,4", "--5", "1e5", "12 34 56,7",
                                  "1 2", "TL", "1.234,567.8"])
def test_not_numbers(text):
    assert parse_number_text(text) is None


@pytest.mark.parametrize(("key", "field"), [
    ("Price", "price"), ("Order No", "order_number"), ("Sipariş No", "order_number"),
    ("qty", "quantity"), ("imageurl", "image_url"), ("extra", "extra_field"), ("colour", None),
])
def test_unknown_key_suggestions(key, field):
    assert suggest_field(key) == field
