"""The rules of image_url: Django's URLValidator, and what can be repaired."""

from __future__ import annotations

import re
from typing import Any

from ..fields import URL_WARN_LENGTH, URL_WARN_SCHEMES
from ..format import described, show
from ..problems import Problem
from ..values import url_scheme, url_verdict
from .found import finding, nul, set_fix

_WHITESPACE = re.compile(r"\s")
#: Where a second URL starts in a cell that lists several: after white space, "," ";" or "|".
_NEXT_URL = re.compile(r"[\s,;|]+(?=[A-Za-z][A-Za-z0-9+.-]*://)")


def _several(value: str) -> list[str]:
    """The URLs of an image_url that lists two or more valid ones (none otherwise)."""
    parts = _NEXT_URL.split(value.strip())
    if len(parts) < 2 or any(url_verdict(part) is not None for part in parts):
        return []
    return parts


def image_url(item: dict[str, Any], out: list[Problem]) -> None:
    if "image_url" not in item:
        out.append(finding(
            "OIM601", "image_url", None,
            'image_url is missing; add "image_url": null when there is no image',
            set_fix("image_url", None, safe=True),
        ))
        return
    value = item["image_url"]
    if value is None or value == "":
        return
    if not isinstance(value, str):
        out.append(finding(
            "OIM602", "image_url", value,
            f"image_url is {described(value)}; write a URL as text, or null",
        ))
        return
    several = _several(value)
    if several:
        out.append(finding(
            "OIM608", "image_url", value,
            f"image_url holds {len(several)} URLs ({show(several[0])}, {show(several[1])}"
            f"{', …' if len(several) > 2 else ''}); Omnitron keeps one image a line: write the "
            "product's main image only",
        ))
        return
    url = value
    if _WHITESPACE.search(value):
        from urllib.parse import quote

        encoded = _WHITESPACE.sub(lambda m: quote(m[0]), value.strip())
        if not encoded or url_verdict(encoded) != "invalid":  # else encoding would not help
            out.append(finding(
                "OIM603", "image_url", value,
                f"image_url {show(value)} contains whitespace; write {show(encoded)}",
                set_fix("image_url", encoded, safe=True),
            ))
            if not encoded:
                return
            url = encoded
    nul("image_url", url, out)
    verdict = url_verdict(url)
    if verdict in ("scheme-relative", "no-scheme"):
        fixed = ("https:" if verdict == "scheme-relative" else "https://") + url
        out.append(finding(
            "OIM604", "image_url", value,
            f"image_url {show(url)} has no scheme; write {show(fixed)} if the image is "
            "served over https",
            set_fix("image_url", fixed, safe=False),
        ))
    elif verdict == "invalid":
        out.append(finding(
            "OIM605", "image_url", value,
            f"image_url {show(url)} is not a valid URL; write an absolute http(s) URL such as "
            '"https://cdn.example.com/image.jpg", or null',
        ))
    elif url_scheme(url) in URL_WARN_SCHEMES:
        out.append(finding(
            "OIM606", "image_url", value,
            f"image_url {show(url)} uses {url_scheme(url)}; shoppers' browsers will not show it: "
            "use an https URL",
        ))
    if len(url) > URL_WARN_LENGTH:
        out.append(finding(
            "OIM607", "image_url", value,
            f"image_url is {len(url):,} characters long; Django's URLField stores at most "
            f"{URL_WARN_LENGTH}: check Omnitron keeps it whole, or shorten it",
        ))
