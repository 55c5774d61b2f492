"""Hypothesis strategies shared by the tests: order items at the boundary between valid and
not, and their fields."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from oimtool.fields import FIELDS

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
