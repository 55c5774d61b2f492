"""The value rules that JSON Schema keywords cannot express: decimal places of a price, float
noise, rounding, and the URLs Django's URLValidator accepts.

The bundled schema records these rules as ``x-oimtool-*`` annotations; this module is the code
that enforces them, shared by the fast validator, the rule explanations and the jsonschema
reference validator (tests prove the three agree).
"""

from __future__ import annotations

import functools
import math
import re
import sys

from .fields import FLOAT_NOISE_ULPS, PRICE_PLACES, URL_MAX_HOST, URL_MAX_LENGTH, URL_SCHEMES


def decimal_places(number: float | int) -> int:
    """Decimal places of a JSON number, counted on the shortest text that round-trips it."""
    if not isinstance(number, float):
        return 0
    if not math.isfinite(number):
        return 0
    from decimal import Decimal  # the slow path only: clean files never count places

    exponent = Decimal(repr(number)).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def has_price_places(number: float) -> bool:
    """True when ``number`` has at most two decimal places (exact, no float arithmetic doubt).

    For |x| < 10^10, x is the double nearest to some k/100 exactly when the correctly rounded
    quotient round(x*100)/100 gives x back; tests prove this equals ``decimal_places(x) <= 2``.
    """
    return round(number * 100) / 100 == number


def is_float_noise(number: float) -> bool:
    """A few units in the last place away from a two-place value: binary float or Excel noise."""
    nearest = round(number, PRICE_PLACES)
    return abs(number - nearest) <= FLOAT_NOISE_ULPS * math.ulp(nearest)


def round_half_up(number: float, places: int = PRICE_PLACES) -> float:
    """Round the number as written (its repr), half away from zero: 123.905 → 123.91."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))


# Django's URLValidator (4.2 and later), which Omnitron's URL fields run.
_UL = "\u00a1-\uffff"
_IPV4 = (
    r"(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
    r"(?:\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}"
)
_IPV6 = r"\[[0-9a-f:.]+\]"
_HOSTNAME = r"[a-z" + _UL + r"0-9](?:[a-z" + _UL + r"0-9-]{0,61}[a-z" + _UL + r"0-9])?"
_DOMAIN = r"(?:\.(?!-)[a-z" + _UL + r"0-9-]{1,63}(?<!-))*"
_TLD = r"\.(?!-)(?:[a-z" + _UL + r"-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\.?"
_HOST = "(" + _HOSTNAME + _DOMAIN + _TLD + "|localhost)"


@functools.cache
def _url_re() -> re.Pattern[str]:
    # Compiled on first use: this pattern alone costs ~35 ms, and clean files never need it.
    return re.compile(
        r"^(?:[a-z0-9.+-]*)://"
        r"(?:[^\s:@/]+(?::[^\s:@/]*)?@)?"
        r"(?:" + _IPV4 + "|" + _IPV6 + "|" + _HOST + ")"
        r"(?::[0-9]{1,5})?"
        r"(?:[/?#][^\s]*)?"
        r"\Z",
        re.IGNORECASE,
    )


_IPV6_HOST = re.compile(r"^\[(.+)\](?::[0-9]{1,5})?$")
_UNSAFE_URL_CHARS = frozenset("\t\r\n")

#: A subset of the URLs Django accepts (lower-case ASCII host with a TLD, a path of printable
#: ASCII), checked with one cheap match on the hot path. Possessive quantifiers (3.11+) halve
#: its cost; without them it accepts exactly the same strings.
_PLUS = "+" if sys.version_info >= (3, 11) else ""
COMMON_URL = re.compile(
    r"https?://(?:(?=[a-z0-9-]{1,63}\.)[a-z0-9]+P(?:-+P[a-z0-9]+P)*P\.)+P[a-z]{2,63}P"
    r"(?:/[!#-;=?-~]*P)?\Z".replace("P", _PLUS)
)


def _django_accepts(url: str, schemes: tuple[str, ...]) -> bool:
    if len(url) > URL_MAX_LENGTH or _UNSAFE_URL_CHARS.intersection(url):
        return False
    if url.split("://")[0].lower() not in schemes:
        return False
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if _url_re().match(url) is None:
        try:
            netloc = parts.netloc.encode("idna").decode("ascii")
        except UnicodeError:
            return False
        if _url_re().match(parts._replace(netloc=netloc).geturl()) is None:
            return False
    else:
        ipv6 = _IPV6_HOST.match(parts.netloc)
        if ipv6 is not None:
            import ipaddress

            try:
                ipaddress.IPv6Address(ipv6[1])
            except ValueError:
                return False
    try:
        hostname = parts.hostname
    except ValueError:
        return False
    return hostname is not None and len(hostname) <= URL_MAX_HOST


_BARE_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,63}(?:[:/?#]|$)")  # www.x.com/a.jpg


def url_verdict(url: str, schemes: tuple[str, ...] = URL_SCHEMES) -> str | None:
    """Judge a non-empty, whitespace-free image URL.

    Returns None when Django accepts it, else ``"scheme-relative"`` (``//host/path``),
    ``"no-scheme"`` (``www.host/path``) or ``"invalid"``.
    """
    if _django_accepts(url, schemes):
        return None
    if url.startswith("//") and _django_accepts("https:" + url, schemes):
        return "scheme-relative"
    if _BARE_HOST.match(url) and _django_accepts("https://" + url, schemes):
        return "no-scheme"
    return "invalid"


def url_scheme(url: str) -> str:
    return url.split("://", 1)[0].lower()
