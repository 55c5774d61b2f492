"""The report formats: exact output for people (text, CSV) and for CI (SARIF, GitHub, JUnit)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from oimtool.cli import ReportFormat
from oimtool.reporters import FORMATS

from conftest import ROOT, item, write_json

SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"


def broken(tmp_path: Path) -> Path:
    return write_json(tmp_path / "items.json", [
        item(price="=HYPERLINK(1)"), item(quantity=None), item(order_number=" O ",
                                                               colour="-2+3"),
    ])


def test_cli_formats_are_the_reporters():
    assert [f.value for f in ReportFormat] == list(FORMATS)


def test_csv_report(cli, tmp_path):
    source = broken(tmp_path)
    result = cli("check", source, "-f", "csv")
    assert result.code == 1
    raw = result.out.encode()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(result.out.lstrip("\ufeff"))))
    assert rows[0] == ["file", "sheet", "row", "column", "item", "field", "code", "severity",
                       "message", "value", "suggested fix"]
    assert rows[1] == [str(source), "", "7", "14", "0", "price", "OIM502", "error",
                       'price is the text "=HYPERLINK(1)", not a number; write the price as a '
                       "number", "'=HYPERLINK(1)", ""]
    assert rows[2][6:8] == ["OIM404", "warning"]
    assert rows[3][5:] == ["order_number", "OIM104", "error",
                           'order_number " O " has whitespace around it; write "O"', " O ",
                           "O (safe)"]
    assert rows[4][5:7] == ["colour", "OIM801"]
    assert rows[4][9] == "'-2+3"  # never a formula
    assert len(rows) == 5


@pytest.mark.parametrize(("active", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "\\tx"), ("\rx", "\\rx"),  # a control character is escaped: no longer active
])
def test_csv_report_never_holds_a_formula(cli, tmp_path, active, cell):
    source = write_json(tmp_path / "items.json", [item(colour=active)])
    result = cli("check", source, "-f", "csv")
    rows = list(csv.reader(io.StringIO(result.out.lstrip("\ufeff"))))
    assert rows[1][6] == "OIM801"
    assert rows[1][9] == cell


def test_text_report_gives_the_column_of_a_csv_cell(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No,Qty,Price\nA,0,2\n,1,2\n", encoding="utf-8")
    result = cli("convert", source)
    assert [line for line in result.out.splitlines() if ": OIM" in line][-2:] == [
        f"{source}:2:B: OIM403 quantity is 0; it must be at least 1 (remove the line or correct "
        "it)",
        f"{source}:3:A: OIM102 order_number is null (an empty cell?): write the number of the "
        "order this line belongs to",
    ]
    assert f"{source}:1: OIM011 no column for product" in result.out  # a row: no column


def test_csv_report_holds_no_control_byte(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [
        item(product="Kazak\x00 Gri", colour="\x1b[31mred", sku="a\rb", **{"k\x1b]0;x\x07": 1}),
    ])
    result = cli("check", items, "-f", "csv")
    body = result.out.removeprefix("\ufeff")
    rows = body.split("\r\n")  # the CSV's own line ends, and nothing else
    assert rows[-1] == ""
    assert all(not re.search(r"[\x00-\x1f\x7f-\x9f]", row) for row in rows)
    cells = list(csv.reader(io.StringIO(body)))
    assert [(row[5], row[6], row[9]) for row in cells[1:]] == [
        ("product", "OIM802", "Kazak\\u0000 Gri"),
        ("colour", "OIM801", "\\u001b[31mred"),
        ("k\\u001b]0;x\\u0007", "OIM801", "1"),
    ]
    assert cells[1][10] == "Kazak Gri (unsafe)"


def test_convert_csv_report_names_cells(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No;Qty;Price\nA;0;2\n", encoding="utf-8")
    result = cli("convert", source, "-f", "csv")
    rows = list(csv.reader(io.StringIO(result.out.lstrip("\ufeff"))))
    assert rows[-1][:8] == [str(source), "", "2", "Qty", "0", "quantity", "OIM403", "error"]


def test_github_annotations(cli, tmp_path):
    source = broken(tmp_path)
    lines = cli("check", source, "-f", "github").out.splitlines()
    assert lines[0] == (
        f"::error file={source},line=7,col=14,title=OIM502 price-not-number::price is the text "
        '"=HYPERLINK(1)", not a number; write the price as a number')
    assert lines[1].startswith(f"::warning file={source},line=15,col=17,title=OIM404 ")
    assert lines[-1] == ("::notice title=oimtool::2 errors and 2 warnings in 3 items in 1 file. "
                         "1 fixable with `oimtool fix`, 1 more with `oimtool fix --unsafe`.")


def test_github_escapes_newlines_and_commas(cli, tmp_path):
    source = tmp_path / "a,b%.json"
    source.write_text('[{"x": 1}\n,]', encoding="utf-8")
    out = cli("check", source, "-f", "github").out
    assert out.splitlines()[0].startswith("::error file=") and "a%2Cb%25.json" in out


def test_junit(cli, tmp_path):
    bad = broken(tmp_path)
    good = write_json(tmp_path / "good.json", [item()])
    result = cli("check", bad, good, "-f", "junit")
    root = ET.fromstring(result.out.encode())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("2", "4")
    cases = root.find("testsuite").findall("testcase")
    assert [c.get("name") for c in cases] == [str(bad), str(good)]
    failures = cases[0].findall("failure")
    assert [f.get("type") for f in failures] == ["OIM502", "OIM404", "OIM104", "OIM801"]
    assert failures[1].get("message").startswith("warning: quantity is null")
    assert failures[0].text.startswith(f"{bad}:7:14: OIM502 ")
    assert cases[1].findall("failure") == []


def sarif(cli, *args) -> dict:
    return json.loads(cli(*args, "-f", "sarif").out)


def validate_sarif(document: dict) -> None:
    from jsonschema import Draft4Validator

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft4Validator(schema).iter_errors(document), key=lambda e: e.path)
    assert errors == [], [e.message for e in errors[:3]]


def test_sarif_check(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken(tmp_path)
    document = sarif(cli, "check", "items.json")
    validate_sarif(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "OIM502"
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "items.json", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 14},
    }
    assert first["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "/0/price", "kind": "element"}]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error", "warning"]


def test_sarif_convert_and_fix(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No;Qty;Price\nA;0;2\n", encoding="utf-8")
    document = sarif(cli, "convert", source)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert results[-1]["locations"][0]["logicalLocations"][-1]["fullyQualifiedName"] == "row 2"
    assert "region" not in results[-1]["locations"][0]["physicalLocation"]
    assert {r["level"] for r in results} == {"note", "error"}
    fixed = sarif(cli, "fix", broken(tmp_path), "--force")
    validate_sarif(fixed)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_for_every_command(cli, tmp_path, fmt):
    items = broken(tmp_path)
    source = tmp_path / "s.csv"
    source.write_text("Order No;Qty;Price\nA;0;2\n", encoding="utf-8")
    for args in (("check", items), ("convert", source, "--force"),
                 ("fix", items, "--force")):
        result = cli(*args, "-f", fmt)
        assert result.code == 1, (args, result.err)
        assert result.out
        assert "Traceback" not in result.err


def test_report_file(cli, tmp_path):
    items = broken(tmp_path)
    result = cli("check", items, "-f", "sarif", "--output", tmp_path / "r.sarif")
    assert result.out == ""
    validate_sarif(json.loads((tmp_path / "r.sarif").read_text()))


def test_junit_of_fix_has_a_case_per_input_with_what_remains(cli, tmp_path):
    bad = write_json(tmp_path / "bad.json", [item(order_number=" A "), item(quantity=0)])
    good = write_json(tmp_path / "good.json", [item(order_number=" B ")])
    result = cli("fix", bad, good, "-f", "junit")
    assert result.code == 1
    suite = ET.fromstring(result.out).find("testsuite")
    cases = {case.get("name"): [f.get("type") for f in case.findall("failure")]
             for case in suite.findall("testcase")}
    assert cases == {str(bad): ["OIM403"], str(good): []}
    assert suite.find("testcase/failure").text.startswith(f"{tmp_path / 'bad.fixed.json'}:")
