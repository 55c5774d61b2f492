"""The reporters, fed hand-built problems (no file read, no CLI): the exact output of each
format, the summary sentences of the text report, and the reporter factory and ``Tee``."""

from __future__ import annotations

import csv
import io
import json
from importlib.metadata import version
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from oimtool.problems import (
    ABSENT,
    Cell,
    Change,
    Conversion,
    Fix,
    Location,
    Move,
    Problem,
    Set,
    Summary,
)
from oimtool.reporters import FORMATS, Selected, Tee, make_reporter
from oimtool.reporters.text import summary_line
from oimtool.rules import RULES

from conftest import ROOT

#: In a JSON file: line, column, item, pointer and field; a safe fix.
PRICE = Problem("OIM502", 'price is the text "12,50"; write the number 12.5',
                Location("items.json", 0, "/0/price", "price", 3, 14), "12,50",
                Fix.of(Set("price", 12.5), safe=True))
#: Converted from a workbook: its cell; a value that would be a formula in a spreadsheet.
QUANTITY = Problem("OIM402", 'quantity is the text "=2+3", not a whole number',
                   Location("orders.xlsx", 4, "/4/quantity", "quantity",
                            cell=Cell("Orders 2019", 5, "Qty", "D")), "=2+3")
#: Converted from a CSV (no sheet): a warning with an unsafe fix.
UNKNOWN = Problem("OIM801", 'unknown key "Renk": move it into extra_field',
                  Location("orders.csv", 5, "/5/Renk", "Renk", cell=Cell(None, 7, "Renk", "F")),
                  "kırmızı", Fix.of(Move({"Renk": "kırmızı"}), safe=False))
#: A problem of the whole file: no line.
EMPTY = Problem("OIM003", "the array holds no items", Location("empty.json"))
#: A note on a workbook's header row (a whole row: no letter).
NOTE = Problem("OIM015", "the header is row 3: the rows above it were taken for titles",
               Location("orders.xlsx", cell=Cell("Orders 2019", 3)))

PROBLEMS = (PRICE, QUANTITY, UNKNOWN, EMPTY, NOTE)
FILES = ("items.json", "orders.xlsx", "orders.csv", "empty.json", "clean.json")
SUMMARY = Summary(files=5, items=12, errors=3, warnings=1, fixable=1, unsafe_fixable=1)
SUMMARY_LINE = ("3 errors and 1 warning in 12 items in 5 files. 1 fixable with `oimtool fix`, "
                "1 more with `oimtool fix --unsafe`.")
CHANGES = (Change("items.json", "/0/price", "12,50", 12.5, "OIM502"),
           Change("items.json", "/0/sku", ABSENT, None, "OIM301"),
           Change("items.json", "", "UTF-16 LE", "UTF-8", "OIM005"))

BOLD, RESET, DIM = "\033[1m", "\033[0m", "\033[2m"
RED, YELLOW, CYAN = "\033[31m", "\033[33m", "\033[36m"


def report(fmt: str, problems: tuple[Problem, ...] = PROBLEMS, summary: Summary = SUMMARY, *,
           command: str = "check", color: bool = False, files: tuple[str, ...] = FILES,
           changes: tuple[Change, ...] = (), quiet: bool = False) -> bytes:
    out = io.BytesIO()
    reporter = make_reporter(fmt, out, color=color, command=command, quiet=quiet)
    for file in files:
        reporter.begin(file)
    for problem in problems:
        reporter.add(problem)
    for change in changes:
        reporter.change(change)
    reporter.close(summary)
    return out.getvalue()


# text


def test_text() -> None:
    assert report("text").decode() == (
        'items.json:3:14: OIM502 price is the text "12,50"; write the number 12.5 (safe fix)\n'
        "orders.xlsx:'Orders 2019'!D5: OIM402 quantity is the text \"=2+3\", not a whole number\n"
        'orders.csv:7:F: OIM801 unknown key "Renk": move it into extra_field (unsafe fix)\n'
        "empty.json: OIM003 the array holds no items\n"
        "orders.xlsx:'Orders 2019'!3:3: OIM015 the header is row 3: the rows above it were "
        "taken for titles\n"
        f"{SUMMARY_LINE}\n"
    )


def test_text_quiet_is_the_errors_and_warnings_only() -> None:
    assert report("text", quiet=True, changes=CHANGES).decode() == (
        'items.json:3:14: OIM502 price is the text "12,50"; write the number 12.5 (safe fix)\n'
        "orders.xlsx:'Orders 2019'!D5: OIM402 quantity is the text \"=2+3\", not a whole number\n"
        'orders.csv:7:F: OIM801 unknown key "Renk": move it into extra_field (unsafe fix)\n'
        "empty.json: OIM003 the array holds no items\n"
    )  # no note (OIM015), no change, no summary


def test_text_a_whole_row_of_a_csv_has_no_column() -> None:
    row = Problem("OIM803", "row 4 repeats row 2", Location("s.csv", 2, "/2",
                                                            cell=Cell(None, 4)))
    assert report("text", (row,), Summary(), files=()).decode().splitlines()[0] == (
        "s.csv:4: OIM803 row 4 repeats row 2")


def test_text_in_color() -> None:
    lines = report("text", color=True).decode().splitlines()
    assert lines == [
        f"{BOLD}items.json:3:14{RESET}: {RED}OIM502{RESET} price is the text \"12,50\"; "
        f"write the number 12.5{DIM} (safe fix){RESET}",
        f"{BOLD}orders.xlsx:'Orders 2019'!D5{RESET}: {RED}OIM402{RESET} quantity is the text "
        '"=2+3", not a whole number',
        f"{BOLD}orders.csv:7:F{RESET}: {YELLOW}OIM801{RESET} unknown key \"Renk\": move it into "
        f"extra_field{DIM} (unsafe fix){RESET}",
        f"{BOLD}empty.json{RESET}: {RED}OIM003{RESET} the array holds no items",
        f"{BOLD}orders.xlsx:'Orders 2019'!3:3{RESET}: {CYAN}OIM015{RESET} the header is row 3: "
        "the rows above it were taken for titles",
        SUMMARY_LINE,  # the summary is never painted
    ]


def test_text_changes_and_unencodable_text() -> None:
    broken = Problem("OIM802", "product holds \udcff", Location("a.json", 1, "/1/product",
                                                                "product", 2, 5))
    out = report("text", (broken,), Summary(files=1, items=2, errors=1, changes=3),
                 command="fix", files=("a.json",), changes=CHANGES)
    assert out == (
        b"a.json:2:5: OIM802 product holds \\udcff\n"
        b'items.json /0/price: "12,50" \xe2\x86\x92 12.5 (OIM502)\n'
        b"items.json /0/sku: (absent) \xe2\x86\x92 null (OIM301)\n"
        b"items.json: UTF-16 LE \xe2\x86\x92 UTF-8 (OIM005)\n"  # the file: the text as it is
        b"3 changes in 2 items in 1 file. 1 error remains.\n"
    )


@pytest.mark.parametrize(("summary", "line"), [
    (Summary(files=1, items=3), "OK: 3 items in 1 file, no problems."),
    (Summary(files=2, items=1, errors=1), "1 error in 1 item in 2 files."),
    (Summary(files=1, items=5, warnings=2), "0 errors and 2 warnings in 5 items in 1 file."),
    (SUMMARY, SUMMARY_LINE),
    (Summary(files=1, items=2, errors=1, unsafe_fixable=1),
     "1 error in 2 items in 1 file. 1 fixable with `oimtool fix --unsafe`."),
    (Summary(files=3, items=12_345, errors=1_200, fixable=1_100),
     "1,200 errors in 12,345 items in 3 files. 1,100 fixable with `oimtool fix`."),
])
def test_check_summary(summary: Summary, line: str) -> None:
    assert summary_line(summary) == line


@pytest.mark.parametrize(("summary", "line"), [
    (Summary(items=1, conversion=Conversion(rows=1, written=1)),
     "1 row read: 1 item, 0 rejected. 1 item written."),
    (Summary(items=8, errors=2, conversion=Conversion(rows=10, rejected=2, blank=1, written=8)),
     "10 rows read: 8 items, 2 rejected, 1 blank row skipped. 8 items written. 2 errors."),
    (Summary(items=1_500, warnings=3, conversion=Conversion(rows=1_500, blank=2, written=1_500)),
     "1,500 rows read: 1,500 items, 0 rejected, 2 blank rows skipped. 1,500 items written. "
     "3 warnings."),
    (Summary(errors=3, warnings=1, conversion=Conversion(rows=3, rejected=3)),
     "3 rows read: 0 items, 3 rejected. Nothing written. 3 errors and 1 warning. Correct the "
     "rejected rows, or use --skip-invalid to write the others."),
])
def test_convert_summary(summary: Summary, line: str) -> None:
    assert summary_line(summary) == line


@pytest.mark.parametrize(("summary", "line"), [
    (Summary(files=1, items=2, changes=3), "3 changes in 2 items in 1 file. No problems remain."),
    (Summary(files=1, items=2, changes=0),
     "Nothing to fix in 2 items in 1 file. No problems remain."),
    (Summary(files=2, items=4, changes=0, warnings=2),
     "Nothing to fix in 4 items in 2 files. 2 warnings remain."),
    (Summary(files=1, items=1, changes=1, warnings=1),
     "1 change in 1 item in 1 file. 1 warning remains."),
    (Summary(files=1, items=9, changes=2, errors=1, warnings=1, unsafe_fixable=2),
     "2 changes in 9 items in 1 file. 1 error and 1 warning remain; 2 more with --unsafe."),
])
def test_fix_summary(summary: Summary, line: str) -> None:
    assert summary_line(summary) == line


# json


PRICE_JSON = {"file": "items.json", "index": 0, "pointer": "/0/price", "field": "price",
              "line": 3, "column": 14, "code": "OIM502", "severity": "error",
              "message": 'price is the text "12,50"; write the number 12.5', "value": "12,50",
              "fix": {"value": 12.5, "safe": True}}
QUANTITY_JSON = {"file": "orders.xlsx", "index": 4, "pointer": "/4/quantity",
                 "field": "quantity", "line": None, "column": None, "code": "OIM402",
                 "severity": "error", "message": 'quantity is the text "=2+3", not a whole number',
                 "value": "=2+3", "fix": None}
UNKNOWN_JSON = {"file": "orders.csv", "index": 5, "pointer": "/5/Renk", "field": "Renk",
                "line": None, "column": None, "code": "OIM801", "severity": "warning",
                "message": 'unknown key "Renk": move it into extra_field', "value": "kırmızı",
                "fix": {"value": {"Renk": "kırmızı"}, "safe": False}}
EMPTY_JSON = {"file": "empty.json", "index": None, "pointer": None, "field": None,
              "line": None, "column": None, "code": "OIM003", "severity": "error",
              "message": "the array holds no items", "value": None, "fix": None}
NOTE_JSON = {**EMPTY_JSON, "file": "orders.xlsx", "code": "OIM015", "severity": "note",
             "message": "the header is row 3: the rows above it were taken for titles"}
SUMMARY_JSON = {"files": 5, "items": 12, "errors": 3, "warnings": 1, "fixable": 1}


def test_json_check() -> None:
    assert json.loads(report("json")) == {
        "version": 1, "summary": SUMMARY_JSON,
        "problems": [PRICE_JSON, QUANTITY_JSON, UNKNOWN_JSON, EMPTY_JSON, NOTE_JSON],
    }


def test_json_convert_adds_the_source() -> None:
    summary = Summary(files=1, items=12, errors=1, conversion=Conversion(12, 0, 0, 12))
    document = json.loads(report("json", (QUANTITY, UNKNOWN, EMPTY), summary,
                                 command="convert"))
    assert document == {
        "version": 1,
        "summary": {"files": 1, "items": 12, "errors": 1, "warnings": 0, "fixable": 0,
                    "rows": 12, "rejected": 0, "blank": 0, "written": 12, "skipped": {}},
        "problems": [
            {**QUANTITY_JSON, "source": {"file": "orders.xlsx", "sheet": "Orders 2019",
                                         "row": 5, "column": "Qty"}},
            {**UNKNOWN_JSON, "source": {"file": "orders.csv", "sheet": None, "row": 7,
                                        "column": "Renk"}},
            {**EMPTY_JSON, "source": None},
        ],
    }


def test_json_fix_adds_the_changes() -> None:
    summary = Summary(files=1, items=1, warnings=1, changes=3)
    document = json.loads(report("json", (UNKNOWN,), summary, command="fix", changes=CHANGES))
    assert document == {
        "version": 1,
        "summary": {"files": 1, "items": 1, "errors": 0, "warnings": 1, "fixable": 0,
                    "changes": 3},
        "problems": [UNKNOWN_JSON],
        "changes": [
            {"file": "items.json", "pointer": "/0/price", "op": "replace", "old": "12,50",
             "new": 12.5, "code": "OIM502"},
            {"file": "items.json", "pointer": "/0/sku", "op": "add", "old": None, "new": None,
             "code": "OIM301"},
            {"file": "items.json", "pointer": "", "op": "replace", "old": "UTF-16 LE",
             "new": "UTF-8", "code": "OIM005"},
        ],
    }


def test_json_bytes_one_problem_a_line() -> None:
    out = report("json", (EMPTY, EMPTY), Summary(files=1, errors=2))
    line = (b'{"file":"empty.json","index":null,"pointer":null,"field":null,"line":null,'
            b'"column":null,"code":"OIM003","severity":"error","message":"the array holds no '
            b'items","value":null,"fix":null}')
    assert out == (b'{"version":1,"summary":{"files":1,"items":0,"errors":2,"warnings":0,'
                   b'"fixable":0},"problems":[\n' + line + b",\n" + line + b"\n]}\n")
    empty_fix = report("json", (), Summary(changes=0), command="fix", files=())
    assert empty_fix == (b'{"version":1,"summary":{"files":0,"items":0,"errors":0,"warnings":0,'
                         b'"fixable":0,"changes":0},"problems":[],"changes":[]}\n')


def test_json_integers_beyond_64_bits_as_text() -> None:
    huge = Problem("OIM502", "price is not a number", Location("a.json"), {"digits": 2**70})
    assert json.loads(report("json", (huge,)))["problems"][0]["value"] == {
        "digits": "1180591620717411303424"}


# csv


def test_csv() -> None:
    out = report("csv")
    assert out.startswith(b"\xef\xbb\xbffile,sheet,row,column,item,field,code,severity,message,"
                          b"value,suggested fix\r\n")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["file", "sheet", "row", "column", "item", "field", "code", "severity", "message",
         "value", "suggested fix"],
        ["items.json", "", "3", "14", "0", "price", "OIM502", "error",
         'price is the text "12,50"; write the number 12.5', "12,50", "12.5 (safe)"],
        ["orders.xlsx", "Orders 2019", "5", "Qty", "4", "quantity", "OIM402", "error",
         'quantity is the text "=2+3", not a whole number', "'=2+3", ""],
        ["orders.csv", "", "7", "Renk", "5", "Renk", "OIM801", "warning",
         'unknown key "Renk": move it into extra_field', "kırmızı",
         '{"Renk":"kırmızı"} (unsafe)'],
        ["empty.json", "", "", "", "", "", "OIM003", "error", "the array holds no items", "",
         ""],
        ["orders.xlsx", "Orders 2019", "3", "", "", "", "OIM015", "note",
         "the header is row 3: the rows above it were taken for titles", "", ""],
    ]


def test_csv_escapes_control_characters() -> None:
    where = Location("a\x1bb.json", 0, "/0/p\x07", "p\x07", 1, 2)
    nasty = Problem("OIM802", "product holds a NUL", where, "x\x00y\r\n\x1b[31m\x9b",
                    Fix.of(Set("p", "\tz"), safe=False))
    out = report("csv", (nasty,), Summary(files=1, errors=1), files=())
    text = out.decode("utf-8-sig")
    assert text.count("\r\n") == 2 and text.endswith("\r\n")
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text.replace("\r\n", ""))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["a\\u001bb.json", "", "1", "2", "0", "p\\u0007", "OIM802", "error",
                       "product holds a NUL", "x\\u0000y\\r\\n\\u001b[31m\\u009b",
                       "\\tz (unsafe)"]


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+90 212", "'+90 212"), ("@sum", "'@sum"),
    ("\tx", "\\tx"), (-5, "'-5"), (12.5, "12.5"), (True, "true"), ("a=b", "a=b"),
])
def test_csv_never_writes_a_formula(value: Any, cell: str) -> None:
    problem = Problem("OIM502", "price is not a number", Location("a.json"), value)
    out = report("csv", (problem,), Summary(files=1, errors=1), files=())
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    assert rows[1][9] == cell


# sarif


def sarif_location(uri: str, *, region: dict[str, int] | None = None,
                   logical: tuple[str, ...] = ()) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": name, "kind": "element"}
                                        for name in logical]
    return location


def test_sarif() -> None:
    document = json.loads(report("sarif"))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    from jsonschema import Draft4Validator

    assert [e.message for e in Draft4Validator(schema).iter_errors(document)] == []
    assert document["version"] == "2.1.0"
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("oimtool", version("oimtool"))
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    assert driver["rules"][list(RULES).index("OIM502")] == {
        "id": "OIM502", "name": "price-not-number",
        "shortDescription": {"text": "price is not a JSON number"},
        "defaultConfiguration": {"level": "error"}, "properties": {"fix": "some"}}
    results = run["results"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        del result["ruleIndex"]
    assert results == [
        {"ruleId": "OIM502", "level": "error", "message": {"text": PRICE.message},
         "locations": [sarif_location("items.json", region={"startLine": 3, "startColumn": 14},
                                      logical=("/0/price",))],
         "properties": {"value": "12,50", "fix": {"value": 12.5, "safe": True}}},
        {"ruleId": "OIM402", "level": "error", "message": {"text": QUANTITY.message},
         "locations": [sarif_location("orders.xlsx",
                                      logical=("/4/quantity", "'Orders 2019'!D5"))],
         "properties": {"value": "=2+3"}},
        {"ruleId": "OIM801", "level": "warning", "message": {"text": UNKNOWN.message},
         "locations": [sarif_location("orders.csv", logical=("/5/Renk", "row 7"))],
         "properties": {"value": "kırmızı", "fix": {"value": {"Renk": "kırmızı"},
                                                     "safe": False}}},
        {"ruleId": "OIM003", "level": "error", "message": {"text": EMPTY.message},
         "locations": [sarif_location("empty.json")]},
        {"ruleId": "OIM015", "level": "note", "message": {"text": NOTE.message},
         "locations": [sarif_location("orders.xlsx", logical=("'Orders 2019'!3:3",))]},
    ]


def test_sarif_uris_and_sheet_names() -> None:
    problems = (
        EMPTY.at(file="my exports/Ekim %.json"),
        EMPTY.at(file="/data/items.json"),
        NOTE.at(cell=Cell("Items", 4, "Fiyat", "E")),
        NOTE.at(cell=Cell("O'Brien", 2, None, None)),
        NOTE.at(cell=Cell("Sheet_1", None, None, None)),  # the whole sheet: no cell
    )
    results = json.loads(report("sarif", problems))["runs"][0]["results"]
    locations = [result["locations"][0] for result in results]
    assert locations[0]["physicalLocation"]["artifactLocation"] == {
        "uri": "my%20exports/Ekim%20%25.json", "uriBaseId": "%SRCROOT%"}
    assert locations[1]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///data/items.json"}
    assert [[logical["fullyQualifiedName"] for logical in location.get("logicalLocations", [])]
            for location in locations[2:]] == [["Items!E4"], ["'O''Brien'!2:2"], []]


# github


def test_github() -> None:
    assert report("github").decode().splitlines() == [
        '::error file=items.json,line=3,col=14,title=OIM502 price-not-number::price is the text '
        '"12,50"; write the number 12.5',
        "::error file=orders.xlsx,title=OIM402 quantity-not-integer at 'Orders 2019'!D5::"
        'quantity is the text "=2+3", not a whole number',
        '::warning file=orders.csv,title=OIM801 unknown-key at row 7::unknown key "Renk": move '
        "it into extra_field",
        "::error file=empty.json,title=OIM003 empty-array::the array holds no items",
        # in a property, ":" and "," are escaped; in the message, only %, CR and LF
        "::notice file=orders.xlsx,title=OIM015 source-note at 'Orders 2019'!3%3A3::the header "
        "is row 3: the rows above it were taken for titles",
        f"::notice title=oimtool::{SUMMARY_LINE}",
    ]


def test_github_escapes() -> None:
    problem = Problem("OIM015", "read 100% of it,\nthen stopped\r", Location("a,b:c%.csv"))
    out = report("github", (problem,), Summary(files=1), files=())
    assert out == (b"::notice file=a%2Cb%3Ac%25.csv,title=OIM015 source-note::read 100%25 of it,"
                   b"%0Athen stopped%0D\n"
                   b"::notice title=oimtool::OK: 0 items in 1 file, no problems.\n")


# junit


def test_junit() -> None:
    out = report("junit")
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(out)
    counts = {"tests": "5", "failures": "4", "errors": "0"}
    assert root.attrib == {"name": "oimtool", **counts}
    [suite] = root
    assert suite.attrib == {"name": "oimtool check", **counts}
    assert [(case.get("classname"), case.get("name")) for case in suite] == [
        ("oimtool.check", file) for file in FILES]
    failures = {case.get("name"): [(f.get("type"), f.get("message"), f.text)
                                   for f in case.iter("failure")] for case in suite}
    assert failures == {
        "items.json": [("OIM502", f"error: {PRICE.message}",
                        f"items.json:3:14: OIM502 {PRICE.message}")],
        "orders.xlsx": [("OIM402", f"error: {QUANTITY.message}",
                         f"orders.xlsx:'Orders 2019'!D5: OIM402 {QUANTITY.message}")],
        "orders.csv": [("OIM801", f"warning: {UNKNOWN.message}",
                        f"orders.csv:7:F: OIM801 {UNKNOWN.message}")],
        "empty.json": [("OIM003", f"error: {EMPTY.message}",
                        f"empty.json: OIM003 {EMPTY.message}")],
        "clean.json": [],
    }
    outputs = {case.get("name"): case.findtext("system-out") for case in suite}
    assert outputs == {"items.json": None, "orders.xlsx": f"orders.xlsx:'Orders 2019'!3:3: "
                       f"OIM015 {NOTE.message}", "orders.csv": None, "empty.json": None,
                       "clean.json": None}


def test_junit_fix_places_an_output_in_its_input() -> None:
    out = io.BytesIO()
    reporter = make_reporter("junit", out, command="fix")
    reporter.begin("items.json", "items.fixed.json")
    reporter.add(PRICE.at(file="items.fixed.json"))
    reporter.add(EMPTY)  # a file never begun still gets its case
    reporter.close(Summary(files=1, items=1, errors=2, changes=0))
    suite = ET.fromstring(out.getvalue()).find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "oimtool fix", "2", "2")
    assert [(case.get("classname"), case.get("name"), [f.get("type") for f in case])
            for case in suite] == [("oimtool.fix", "items.json", ["OIM502"]),
                                   ("oimtool.fix", "empty.json", ["OIM003"])]


# the factory, and Tee


def test_formats_and_unknown_format() -> None:
    assert FORMATS == ("text", "json", "csv", "sarif", "github", "junit")
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        make_reporter("xml", io.BytesIO())


@pytest.mark.parametrize("fmt", FORMATS)
def test_tee_gives_each_sink_everything(fmt: str) -> None:
    alone = report(fmt, command="fix", changes=CHANGES)
    outs = io.BytesIO(), io.BytesIO()
    tee = Tee(*(make_reporter(fmt, out, command="fix") for out in outs))
    for file in FILES:
        tee.begin(file)
    for problem in PROBLEMS:
        tee.add(problem)
    for change in CHANGES:
        tee.change(change)
    tee.close(SUMMARY)
    assert [out.getvalue() for out in outs] == [alone, alone]


# Selected: --select/--ignore at the sink


def test_selected_passes_and_counts_only_the_rules_chosen() -> None:
    out = io.BytesIO()
    sink = Selected(make_reporter("text", out), frozenset({"OIM801", "OIM015"}))
    unread = Problem("OIM001", "the file is empty", Location("bad.json", line=1, column=1))
    summary = Summary(files=5, items=12, errors=4, warnings=1, fixable=1, unsafe_fixable=1)
    for problem in (*PROBLEMS, unread):
        sink.add(problem)
    sink.change(CHANGES[0])
    sink.close(summary)
    assert out.getvalue().decode().splitlines() == [
        'orders.csv:7:F: OIM801 unknown key "Renk": move it into extra_field (unsafe fix)',
        "orders.xlsx:'Orders 2019'!3:3: OIM015 the header is row 3: the rows above it were "
        "taken for titles",
        "bad.json:1:1: OIM001 the file is empty",  # a file not read is always said
        'items.json /0/price: "12,50" → 12.5 (OIM502)',  # a change made is always listed
        "1 error and 1 warning in 12 items in 5 files. 1 fixable with `oimtool fix --unsafe`. "
        "3 more problems not shown (--select/--ignore).",
    ]
    assert (summary.errors, summary.warnings, summary.fixable, summary.unsafe_fixable) == (
        1, 1, 0, 1)  # the caller's summary agrees: its exit code follows what was shown
