"""``oimtool rules``: the catalogue, and one rule explained from its section of docs/rules.md,
as ``ruff rule`` does."""

from __future__ import annotations

import re

import pytest

from oimtool.rules import RULES

from conftest import ROOT


@pytest.mark.parametrize("name", ["OIM105", "oim105", "order-number-unknown"])
def test_rules_explains_one_rule(cli, name):
    result = cli("rules", name)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:6] == [
        "OIM105 order-number-unknown: order_number is not in the orders file",
        "severity: error",
        "fix: unsafe when exactly one order number is a near match; none otherwise",
        "docs: docs/rules.md#oim105-order-number-unknown",
        "",
        "Checked only with `--orders`. The item's `order_number` is not the `number` of any "
        "order in the",
    ]
    assert lines[-1] == "```"  # the section to its end: its Fixed example
    assert "## OIM201" not in result.out


def test_rules_anchors_are_the_docs_headings():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (OIM\d{3}) `([a-z0-9-]+)`$", text, re.M)
    assert [f"{code.lower()}-{slug}" for code, slug in headings] == [
        rule.anchor for rule in RULES.values()]


@pytest.mark.parametrize(("name", "message"), [
    ("OIM999", "Invalid value for CODE: no rule 'OIM999'; did you mean OIM902, OIM901 or "
     "OIM019?"),
    ("OIM10", "Invalid value for CODE: 'OIM10' is a prefix of 7 rules (OIM101, OIM102, OIM103, "
     "OIM104, OIM105, ...): give one code"),
])
def test_rules_unknown_code(cli, name, message):
    result = cli("rules", name)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines()[-1] == f"Error: {message}"


def test_rules_catalogue_as_json(cli):
    result = cli("rules", "--format", "json")
    assert result.code == 0
    catalogue = result.json()
    assert [rule["code"] for rule in catalogue] == list(RULES)
    assert catalogue[list(RULES).index("OIM502")] == {
        "code": "OIM502", "name": "price-not-number", "title": "price is not a JSON number",
        "severity": "error", "fix": "some", "docs": "docs/rules.md#oim502-price-not-number"}
    one = cli("rules", "OIM503", "-f", "json").json()
    assert {k: v for k, v in one.items() if k != "explanation"} == {
        "code": "OIM503", "name": "price-float-noise", "title": "price carries float noise",
        "severity": "error", "fix": "safe", "fixable": "safe (round to the two-place value)",
        "docs": "docs/rules.md#oim503-price-float-noise"}
    assert one["explanation"].startswith("`price` carries float noise: a number such as")
