"""The bundled schema and the engine, on one list of cases (tests/data/field-cases.json): the
engine reports exactly the listed codes, and a standard validator running the schema (jsonschema
with its format checker) accepts exactly what the engine accepts, but for the documented
categories where JSON Schema cannot say the rule. The schema's patterns are the ones
tests/schema_patterns.py builds, and mean the same under Python's re and ECMAScript."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import schema_patterns
from oimtool.api import check
from oimtool.schema import load_schema
from oimtool.values import url_verdict

from conftest import GOOD_ITEM, ROOT

CASES = json.loads((ROOT / "tests" / "data" / "field-cases.json").read_text())["cases"]
#: Where the schema says less (or more) than the engine, on purpose: docs/formats.md explains each.
DIFFERENCES = {"decimal-places", "integer-literal", "lone-surrogate", "several-urls",
               "idna-hosts"}
VALIDATOR = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
PROPERTIES = load_schema()["$defs"]["orderItem"]["properties"]


def case_id(case: dict[str, Any]) -> str:
    return f"{case['field']}={json.dumps(case['value'])[:40]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_engine_and_schema_on_one_field(tmp_path, case):
    item = dict(GOOD_ITEM, **{case["field"]: case["value"]})
    path = tmp_path / "items.json"
    path.write_text(json.dumps([item]), encoding="utf-8")  # \u escapes: lone surrogates too
    report = check([path])
    assert [p.code for p in report.problems] == case["engine"]
    schema_accepts = not list(VALIDATOR.iter_errors([item]))
    assert schema_accepts == (case["schema"] == "accepts")
    engine_accepts = report.summary.errors == 0
    if "differs" in case:
        assert case["differs"] in DIFFERENCES
        assert engine_accepts != schema_accepts
    else:
        assert engine_accepts == schema_accepts


def test_every_difference_is_documented():
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    for name in DIFFERENCES:
        assert f"<a id=\"{name}\"></a>" in text, name
    assert {case["differs"] for case in CASES if "differs" in case} == DIFFERENCES


def test_the_schema_patterns_are_the_built_ones():
    assert PROPERTIES["image_url"]["pattern"] == schema_patterns.IMAGE_URL
    assert PROPERTIES["order_number"]["pattern"] == schema_patterns.ORDER_NUMBER


def test_no_class_escape_or_anchor_that_reads_two_ways():
    """\\s \\d \\w (and \\S \\D \\W, \\b) and $ mean other things in Python and
    ECMAScript; "[\\s\\S]" (any character, in both) is the one exception."""
    for name in ("image_url", "order_number"):
        pattern = PROPERTIES[name]["pattern"].replace(r"[\s\S]", "")
        assert not re.search(r"\\[sSdDwWbBAZz]|\$", pattern), name


def _python_matches(pattern: str, texts: list[str]) -> list[bool]:
    return [re.search(pattern, text) is not None for text in texts]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for ECMAScript's RegExp")
def test_patterns_read_alike_in_ecmascript():
    rng = random.Random(4)
    alphabet = ["https://", "http://", "ftp://", "x", ".", "-", "com", "[", "]", ":", "::", "1",
                "ff", "@", "/", "?", "#", " ", "\ufeff", "\u0085", "\u001c", "\u00a0", "ö", "😀",
                "\n", "localhost", "xn--", "_", "%20", "256", "1.2.3.4"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
             for _ in range(4000)] + [c["value"] for c in CASES if isinstance(c["value"], str)]
    texts = [t for t in texts if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in t)]
    script = ("const d=JSON.parse(require('fs').readFileSync(0,'utf8'));"
              "process.stdout.write(JSON.stringify(d.p.map(p=>{const r=new RegExp(p,'u');"
              "return d.t.map(t=>r.test(t));})));")
    patterns = [PROPERTIES["image_url"]["pattern"], PROPERTIES["order_number"]["pattern"]]
    result = subprocess.run(["node", "-e", script], input=json.dumps({"p": patterns, "t": texts}),
                            capture_output=True, text=True, check=True, timeout=120)
    ecmascript = json.loads(result.stdout)
    for pattern, verdicts in zip(patterns, ecmascript, strict=True):
        python = _python_matches(pattern, texts)
        assert [t for t, a, b in zip(texts, python, verdicts, strict=True) if a != b] == []


def _engine_accepts_url(url: str) -> bool:
    if url == "":
        return True
    if "\x00" in url or re.search(r"\s", url):  # OIM802, OIM603: errors
        return False
    return url_verdict(url) is None


PIECES = st.sampled_from([
    "https://", "http://", "HTTP://", "ftp://", "sftp://", "//", "", "cdn", ".", "example", "com",
    "-", "_", "xn--", "ö", "😀", "[", "]", "::", ":", "1", "ff", "0", "256", "1.2.3.4", "@", "u:p@",
    "/", "a.jpg", "?q=1", "#f", "%20", ",", "localhost", "\\", "..", "a" * 63, "a" * 64,
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=10).map("".join))
def test_url_pattern_accepts_what_django_accepts(url):
    """The schema's URL pattern and Django's URLValidator (as the engine runs it) agree, but for
    the hosts only an IDNA re-encoding makes valid ('idna-hosts')."""
    schema_accepts = not list(VALIDATOR.iter_errors([dict(GOOD_ITEM, image_url=url)]))
    engine = _engine_accepts_url(url)
    if engine and not schema_accepts and (not url.isascii() or "@" in url):
        return  # idna-hosts: an astral character, or an empty user before a non-ASCII host
    assert schema_accepts == engine
