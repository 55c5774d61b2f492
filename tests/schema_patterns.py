"""The regular expressions of the bundled schema, built from their parts: the schema's text is
tested to be exactly these (``tests/unit/test_schema.py``), and ``python tests/schema_patterns.py``
prints them, for writing them into the schema after a change.

They must mean the same under Python's ``re`` (jsonschema) and ECMAScript (ajv, editors): no
``\\s``, ``\\d`` or ``\\w`` (their sets differ: U+FEFF, U+0085, U+001C…), no flags (case is
spelled ``[Hh]``), the end of the text written ``(?![\\s\\S])`` (Python's ``$`` also matches
before a final line break).
"""

from __future__ import annotations

#: White space as Python's ``re`` and ``str.strip`` know it (Django's URLValidator runs Python).
WS = (r"\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
      r"\u3000")
END = r"(?![\s\S])"
UL = r"\u00a1-\uffff"  # Django's letters beyond ASCII in host names
H = "[0-9a-fA-F]{1,4}"
OCTET = "(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
IPV4 = rf"{OCTET}(?:\.{OCTET}){{3}}"


def _groups(count: int) -> str:
    """``count`` (≥ 1) groups of hex digits, colons between them."""
    return H if count == 1 else rf"{H}(?::{H}){{{count - 1}}}"


def _up_to(count: int) -> str:
    """At most ``count`` groups, colons between them (nothing when 0)."""
    if count == 0:
        return ""
    return f"(?:{H})?" if count == 1 else rf"(?:{H}(?::{H}){{0,{count - 1}}})?"


def ipv6() -> str:
    """Every text form of an IPv6 address that Python's ipaddress reads (Django's check), but
    a zone: eight groups, or fewer around one "::", or six (fewer around "::") and IPv4."""
    alts = [rf"(?:{H}:){{7}}{H}", "::" + _up_to(7)]
    alts += [_groups(left) + "::" + _up_to(7 - left) for left in range(1, 8)]
    alts += [rf"(?:{H}:){{6}}{IPV4}", rf"::(?:{H}:){{0,5}}{IPV4}"]
    alts += [_groups(left) + "::" + (rf"(?:{H}:){{0,{5 - left}}}" if left < 5 else "") + IPV4
             for left in range(1, 6)]
    return r"\[(?:" + "|".join(alts) + r")\]"


LABEL = f"[a-zA-Z0-9{UL}]"
HOSTNAME = f"{LABEL}(?:[a-zA-Z0-9{UL}-]{{0,61}}{LABEL})?"
DOMAIN = f"(?:\\.(?!-)[a-zA-Z0-9{UL}-]{{1,63}}(?<!-))*"
TLD = f"\\.(?!-)(?:[a-zA-Z{UL}-]{{2,63}}|[Xx][Nn]--[a-zA-Z0-9]{{1,59}})(?<!-)\\.?"
LOCALHOST = "[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt]"
#: Django checks the host name's length apart: at most 253 characters.
HOST_LENGTH = f"(?=[^{WS}:/?#@\\[\\]]{{1,253}}(?:[:/?#]|{END}))"
SCHEMES = "(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp][Ss]?)://"
#: Django's pattern takes a user name up to "@", '?' and '#' included, but then asks urlsplit for
#: the host name, and urlsplit ends the host at the first '?' or '#': "https://u?x@cdn.com/a.jpg"
#: has the host "u", "https://?x@cdn.com/a.jpg" none (refused), and that host is at most 253
#: characters too. So a user name holding '?' or '#' must start with 1 to 253 characters that
#: make a host name for urlsplit.
_USER = f"[^{WS}:@/\\[\\]?#]"
USERINFO = (f"(?:{_USER}+(?::{_USER}*)?@"
            f"|(?={_USER}{{1,253}}[:?#])[^{WS}:@/\\[\\]]+(?::[^{WS}:@/\\[\\]]*)?@)?")
HOST = f"(?:{ipv6()}|{HOST_LENGTH}(?:{IPV4}|{HOSTNAME}{DOMAIN}{TLD}|{LOCALHOST}))"
PORT = "(?::[0-9]{1,5})?"
PATH = f"(?:[/?#][^{WS}]*)?"

#: image_url: "", or an absolute http(s)/ftp(s) URL as Django's URLValidator accepts it.
IMAGE_URL = f"^(?:|{SCHEMES}{USERINFO}{HOST}{PORT}{PATH}){END}"
#: order_number: no white space at either end (what Django REST framework would strip).
ORDER_NUMBER = f"^[^{WS}](?:[\\s\\S]*[^{WS}])?{END}"

if __name__ == "__main__":
    import json

    print(json.dumps({"image_url": IMAGE_URL, "order_number": ORDER_NUMBER}, indent=2))
