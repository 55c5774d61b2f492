"""The problem model: locations and their JSON pointers, problems and their rules, fixes and
their edits, changes, the summary's counts, and that problems survive being pickled (they
travel from worker processes)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from oimtool.problems import (
    ABSENT,
    Applicability,
    Cell,
    Change,
    Conversion,
    Fix,
    Location,
    Move,
    Problem,
    Rename,
    Set,
    Summary,
    Transcode,
    pointer,
)
from oimtool.rules import RULES, Severity

# locations


@pytest.mark.parametrize(("field", "expected"), [
    (None, "/7"),
    ("price", "/7/price"),
    ("a/b", "/7/a~1b"),
    ("~tilde", "/7/~0tilde"),
    ("~1/", "/7/~01~1"),  # "~" first, so that the "~1" it writes is not escaped again
    ("", "/7/"),
    ("Ürün Adı", "/7/Ürün Adı"),
])
def test_item_pointer(field: str | None, expected: str) -> None:
    where = Location("items.json", field=field, line=2, column=9).item(7)
    assert where == Location("items.json", 7, expected, field, 2, 9)


def test_pointer() -> None:
    assert pointer() == ""
    assert pointer(0, "extra_field", "a/b", 2) == "/0/extra_field/a~1b/2"


def test_item_replaces_a_pointer() -> None:
    where = Location("items.json", 1, "/1/sku", "sku").item(4)
    assert (where.index, where.pointer) == (4, "/4/sku")


# problems


def test_at_changes_only_what_it_is_given() -> None:
    problem = Problem("OIM502", "price is text", Location("a.json", 0, "/0/price", "price", 3, 4),
                      "1,5")
    moved = problem.at(file="b.json", line=9)
    assert moved == Problem("OIM502", "price is text",
                            Location("b.json", 0, "/0/price", "price", 9, 4), "1,5")
    assert problem.location.file == "a.json"  # frozen: the original is unchanged


def test_in_item() -> None:
    found = Problem("OIM104", "order_number has spaces", Location(field="order_number"), " A1")
    placed = found.in_item("items.json", 3, line=12, column=21)
    assert placed.location == Location("items.json", 3, "/3/order_number", "order_number", 12,
                                       21)
    assert (placed.code, placed.message, placed.value) == ("OIM104", found.message, " A1")
    assert found.in_item("x.json", 0).location == Location("x.json", 0, "/0/order_number",
                                                           "order_number")


@pytest.mark.parametrize(("code", "severity", "is_error", "slug"), [
    ("OIM502", Severity.ERROR, True, "price-not-number"),
    ("OIM801", Severity.WARNING, False, "unknown-key"),
    ("OIM015", Severity.NOTE, False, "source-note"),
    ("OIM005", Severity.WARNING, False, "byte-order-mark"),
])
def test_severity_and_rule(code: str, severity: Severity, is_error: bool, slug: str) -> None:
    problem = Problem(code, "message")
    assert problem.severity is severity
    assert problem.is_error is is_error
    assert problem.rule is RULES[code]
    assert problem.rule.slug == slug


def test_unknown_code() -> None:
    with pytest.raises(KeyError):
        _ = Problem("OIM999", "no such rule").severity


def test_defaults() -> None:
    problem = Problem("OIM003", "empty")
    assert problem.location == Location("", None, None, None, None, None, None)
    assert (problem.value, problem.fix) == (None, None)
    assert Cell() == Cell(None, None, None, None)


# fixes


@pytest.mark.parametrize(("edit", "value", "rewrites"), [
    (Set("price", 12.5), 12.5, False),
    (Set("product", None), None, False),
    (Rename("Price", "price", 49.9), 49.9, False),  # the value moved
    (Move({"Renk": "kırmızı", "Beden": "M"}), {"Renk": "kırmızı", "Beden": "M"}, False),
    (Transcode("utf-8"), "utf-8", True),  # the encoding written
])
@pytest.mark.parametrize("safe", [True, False])
def test_fix_of_one_edit(edit: Any, value: Any, rewrites: bool, safe: bool) -> None:
    fix = Fix.of(edit, safe=safe)
    assert fix.edits == (edit,)
    assert fix.applicability is (Applicability.SAFE if safe else Applicability.UNSAFE)
    assert fix.safe is safe
    assert fix.value == value
    assert fix.rewrites_file is rewrites
    assert fix.to_json() == {"value": value, "safe": safe}


def test_fix_of_several_edits() -> None:
    fix = Fix((Set("sku", "A1"), Transcode("utf-8")), Applicability.UNSAFE)
    assert (fix.value, fix.safe, fix.rewrites_file) == ("A1", False, True)
    assert str(Applicability.SAFE) == "safe"
    assert Applicability("unsafe") is Applicability.UNSAFE


# changes


@pytest.mark.parametrize(("old", "new", "op", "old_json", "new_json"), [
    ("12,50", 12.5, "replace", "12,50", 12.5),
    (ABSENT, None, "add", None, None),  # a key added with null
    (ABSENT, {}, "add", None, {}),
    ({"a": 1}, ABSENT, "remove", {"a": 1}, None),
    (None, {}, "replace", None, {}),  # null is a value
])
def test_change_to_json(old: Any, new: Any, op: str, old_json: Any, new_json: Any) -> None:
    change = Change("items.json", "/0/extra_field", old, new, "OIM702")
    assert change.to_json() == {"file": "items.json", "pointer": "/0/extra_field", "op": op,
                                "old": old_json, "new": new_json, "code": "OIM702"}
    assert list(change.to_json()) == ["file", "pointer", "op", "old", "new", "code"]


def test_absent() -> None:
    assert repr(ABSENT) == "ABSENT"
    assert ABSENT is not None


# the summary


def counted(*problems: Problem) -> Summary:
    summary = Summary()
    for problem in problems:
        summary.add(problem)
    return summary


SAFE = Fix.of(Set("price", 12.5), safe=True)
UNSAFE = Fix.of(Move({"Renk": "mavi"}), safe=False)


def test_summary_add() -> None:
    summary = counted(
        Problem("OIM502", "e", fix=SAFE), Problem("OIM502", "e", fix=UNSAFE),
        Problem("OIM501", "e"), Problem("OIM801", "w", fix=UNSAFE), Problem("OIM801", "w"),
        Problem("OIM005", "w", fix=Fix.of(Transcode("utf-8"), safe=True)),
        Problem("OIM015", "n"), Problem("OIM011", "n"),  # notes are neither
    )
    assert (summary.errors, summary.warnings, summary.fixable, summary.unsafe_fixable) == (
        3, 3, 2, 2)
    assert (summary.files, summary.items, summary.conversion, summary.changes) == (
        0, 0, None, None)


@pytest.mark.parametrize(("codes", "failed", "strict"), [
    ((), False, False),
    (("OIM015",), False, False),  # notes never fail a run
    (("OIM801",), False, True),  # warnings fail it with --strict
    (("OIM502",), True, True),
    (("OIM801", "OIM015", "OIM502"), True, True),
])
def test_summary_failed(codes: tuple[str, ...], failed: bool, strict: bool) -> None:
    summary = counted(*(Problem(code, "m") for code in codes))
    assert summary.failed() is failed
    assert summary.failed(strict=True) is strict


def test_summary_to_json_check() -> None:
    summary = Summary(files=2, items=10, errors=3, warnings=1, fixable=2, unsafe_fixable=5)
    data = summary.to_json()
    assert list(data.items()) == [("files", 2), ("items", 10), ("errors", 3), ("warnings", 1),
                                  ("fixable", 2)]


def test_summary_to_json_convert() -> None:
    summary = Summary(files=1, items=8, errors=2, conversion=Conversion(rows=11, rejected=2,
                                                                        blank=1, written=8))
    assert list(summary.to_json().items()) == [
        ("files", 1), ("items", 8), ("errors", 2), ("warnings", 0), ("fixable", 0),
        ("rows", 11), ("rejected", 2), ("blank", 1), ("written", 8), ("skipped", {})]


def test_summary_to_json_fix() -> None:
    summary = Summary(files=1, items=3, warnings=1, changes=0)  # none made: still reported
    assert list(summary.to_json().items()) == [
        ("files", 1), ("items", 3), ("errors", 0), ("warnings", 1), ("fixable", 0),
        ("changes", 0)]


def test_conversion_defaults() -> None:
    assert Conversion() == Conversion(rows=0, rejected=0, blank=0, written=0)


# pickling: problems come back from worker processes


@pytest.mark.parametrize("thing", [
    Cell("Orders 2019", 5, "Qty", "D"),
    Location("items.json", 3, "/3/price", "price", 4, 12, Cell(None, 7, "Fiyat", "E")),
    Fix.of(Set("price", 12.5), safe=True),
    Fix((Rename("Price", "price", 1.5), Move({"Renk": "mavi"})), Applicability.UNSAFE),
    Fix.of(Transcode("utf-8"), safe=True),
    Problem("OIM502", 'price is the text "12,50"',
            Location("items.json", 0, "/0/price", "price", 3, 14, Cell("Items", 2, "Fiyat", "E")),
            "12,50", Fix.of(Set("price", 12.5), safe=True)),
    Problem("OIM003", "the array holds no items"),
])
def test_pickle(thing: Any) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(thing, protocol=protocol))
        assert copy == thing
        assert type(copy) is type(thing)


def test_pickled_problem_keeps_its_behaviour() -> None:
    problem = Problem("OIM801", "unknown key", Location("a.json", field="Renk"), "mavi",
                      Fix.of(Move({"Renk": "mavi"}), safe=False))
    copy = pickle.loads(pickle.dumps(problem))
    assert copy.fix is not None
    assert (copy.severity, copy.fix.safe, copy.fix.value) == (Severity.WARNING, False,
                                                             {"Renk": "mavi"})
    assert copy.in_item("b.json", 2).location.pointer == "/2/Renk"
