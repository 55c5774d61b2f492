"""The fast path, the explanations and the jsonschema reference agree, on good and bad items."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from oimtool.fields import FIELDS, suggest_field
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

from conftest import item

MISSING = object()

hosts = st.sampled_from(["cdn.example.com", "img.örnek.com.tr", "localhost", "127.0.0.1",
                         "[::1]", "[::zz]", "cdn", "x-.com", "CDN.Example.COM", "a.b.c.d.ex",
                         "1.2.3.999", "xn--rnek-zoa.com", "-a.com", "a..com"])
urls = st.one_of(
    st.builds(lambda s, h, p: f"{s}://{h}{p}",
              st.sampled_from(["http", "https", "HTTPS", "ftp", "ftps", "mailto", "file"]), hosts,
              st.sampled_from(["", "/", "/a.jpg", "/yaz 2019/a.jpg", "/a?b=1#c", ":8080/x.png",
                               "/ürün.jpg", "/a\x00.jpg", "/" + "a" * 250, '/"<>.jpg'])),
    st.builds(lambda h, p: f"//{h}{p}", hosts, st.sampled_from(["/a.jpg", ""])),
    st.sampled_from(["", " ", "görsel yok", "www.example.com/a.jpg", " https://x.com/a.jpg",
                     "https://x.com/a.jpg\n", "https://user:pw@x.com/a.jpg", "https://x.com/\ta"]),
    st.text(max_size=30),
)
hundredths = st.integers(-(10**12), 10**12).map(lambda k: k / 100)
prices = st.one_of(
    hundredths,
    hundredths.map(lambda v: v + math.ulp(v) * 2),  # float noise
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**11), 10**11),
    st.sampled_from([0.29, 1.13, 19.99, 123.905, 1e-05, 9999999999.99, 1e10, -0.0, True, None,
                     "123.90", "1,5", "12"]),
)
quantities = st.one_of(
    st.integers(-3, 6), st.sampled_from([2147483647, 2147483648, 2.0, 2.5, 0.0, 1e20, None,
                                          True, False, "2", " 3 ", "2.0", "two", [1]]),
)
texts = st.one_of(
    st.none(), st.text(max_size=20), st.text(min_size=120, max_size=300),
    st.sampled_from(["", "a\x00b", "x" * 128, "x" * 129, "ğ" * 256, "ğ" * 257]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.just({"a": 1}),
)
order_numbers = st.one_of(
    st.from_regex(r"\A[A-Z0-9-]{1,12}\Z"), st.sampled_from(["", " ", " A", "A ", "\u00a0A",
                                                           "A\x00", "A\nB"]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none(), st.booleans(),
)
extras = st.one_of(st.just({}), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                   st.sampled_from([None, "", '{"a": 1}', "[1]", [], [1], 5, "x", {"a\x00": 1},
                                    {"a": ["b", {"c": "\x00"}]}]))

FIELD_VALUES = {
    "order_number": order_numbers, "product": texts, "sku": texts, "quantity": quantities,
    "price": prices, "image_url": st.one_of(urls, st.none(), st.integers()), "extra_field": extras,
}


good_items = st.fixed_dictionaries({
    "order_number": st.from_regex(r"\A[A-Z0-9-]{1,12}\Z"),
    "product": st.none() | st.text(max_size=40).filter(lambda s: "\x00" not in s),
    "sku": st.none() | st.from_regex(r"\A[A-Za-z0-9-]{0,20}\Z"),
    "quantity": st.integers(1, 1000),
    "price": st.integers(0, 10**8).map(lambda k: k / 100) | st.integers(0, 10**6),
    "image_url": st.none() | st.just("") | st.builds(
        lambda h, p: f"https://{h}/{p}.jpg", st.sampled_from(["cdn.example.com", "img.x.co"]),
        st.from_regex(r"\A[a-z0-9/_-]{0,40}\Z")),
    "extra_field": st.just({}) | st.dictionaries(
        st.text(st.characters(exclude_characters="\x00"), max_size=5), st.integers(),
        max_size=2),
})


@st.composite
def items(draw):
    """A good item with zero to two fields replaced by anything (or removed), sometimes with an
    unknown key: most items sit right at the boundary between valid and not."""
    result = dict(draw(good_items))
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        if draw(st.integers(0, 9)) == 0:
            del result[key]
        else:
            result[key] = draw(FIELD_VALUES[key])
    if draw(st.integers(0, 5)) == 0:
        result[draw(st.sampled_from(["Price", "colour", "qty", "a/b"]))] = draw(texts)
    return result



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
