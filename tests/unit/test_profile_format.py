"""The profile format (``convert.profiles``): every key checked, every mistake named with the
key at fault; and a profile described as ``oimtool profiles NAME`` shows it."""

from __future__ import annotations

from typing import Any

import pytest

from oimtool.convert.profiles import builtin, describe, from_data, named, other_report, recognise
from oimtool.errors import InputError

BASE: dict[str, Any] = {"name": "x", "title": "X export", "signature": ["A"],
                        "price": {"unit": "P"}}


def with_(**changes: Any) -> dict[str, Any]:
    data = dict(BASE)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(("data", "message"), [
    (with_(name=None), "'name' is missing"),
    (with_(title=3), "'title' must be text"),
    (with_(signature=[1]), "'signature' must be a text or a list of texts"),
    (with_(columns=[]), "[columns] must be a table"),
    (with_(columns={"price": "P"}), "unknown key 'price' in [columns]"),
    (with_(colour=1), "unknown key 'colour'; the keys are: name, title"),
    (with_(price={"list_unit": "L"}), "[price] needs one of unit, line, paid_unit, paid_line"),
    (with_(price={"unit": "P", "discounts_per": "order"}), 'discounts_per is "line" or "unit"'),
    (with_(lines={"when": {}}), "[[lines]] must be a list of tables"),
    (with_(lines=[{"skip": "x"}]), "[[lines]] needs a 'when' table"),
    (with_(lines=[{"when": {"S": "x"}}]), "needs one of skip (the reason), status"),
    (with_(lines=[{"when": {"S": "x"}, "skip": "a", "status": "b"}]), "needs one of skip"),
    (with_(lines=[{"when": {"S": {"more_than": 1}}, "skip": "a"}]),
     "'S' must be a value, a list of values, true"),
    (with_(lines=[{"when": {"S": [True]}, "skip": "a"}]), "'S' must be a value"),
    (with_(lines=[{"when": {"S": "x"}, "skip": "a", "also": 1}]),
     "unknown key 'also' in [[lines]]"),
    (with_(extra={"k": 3}), "[extra] k: a column's header, or a table"),
    (with_(extra={"k": {"pairs": [["a"]]}}), "pairs is a list of [name column, value column]"),
    (with_(extra={"k": {"columns": ["a"], "join": 1}}), "[extra] k: join must be text"),
    (with_(extra={"k": {}}), "[extra] k: name its columns"),
    (with_(extra={"k": {"rows": ["a"]}}), "unknown key 'rows' in [extra] k"),
    (with_(text={"html": ["price"]}), "[text] html names fields"),
    (with_(file={"encoding": "rot13"}), "'rot13' is no encoding of text"),
    (with_(file={"quoting": False, "bom": 1}), "unknown key 'bom' in [file]"),
    (with_(order={"carry": "A", "id": "B"}), "unknown key 'id' in [order]"),
    (with_(other={"signature": ["A"]}), "[[other]] must be a list of tables"),
    (with_(other=[{"signature": ["A"], "advice": "y", "why": 1}]),
     "unknown key 'why' in [[other]]"),
    (with_(signature=[]), "'signature' must name at least one column"),
])
def test_each_mistake_names_its_key(data, message):
    with pytest.raises(InputError) as error:
        from_data(data, "p.toml")
    assert error.value.args[0].startswith("the profile p.toml: ")
    assert message in error.value.args[0]


def test_a_full_profile_described():
    profile = from_data(with_(
        columns={"order_number": ["No", "Id"], "quantity": "Q"},
        price={"unit": ["P", "T"], "discounts": ["D"], "discounts_per": "unit",
               "list_unit": "L", "tax_rate": "R", "total": "S"},
        order={"carry": ["St"], "internal_id": "Int"},
        lines=[{"when": {"St": "İptal", "Q": {"same_as": "C"}}, "skip": "gone"},
               {"when": {"St": True}, "status": "kept"},
               {"when": {"Ret": False}, "status_from": "St"}],
        text={"html": ["product"], "null": ["NULL"]},
        extra={"v": {"pairs": [["N1", "V1"]]}, "m": {"attributes_json": "O"}},
        file={"quoting": False, "encoding": "cp1252"},
        other=[{"signature": ["Total"], "advice": "take the lines"}]), "p.toml")
    assert describe(profile).splitlines()[3:] == [
        "  recognised by the columns: A",
        "  order_number ← No else Id",
        "  quantity     ← Q",
        "  price        ← unit: P + T",
        "                 less the discounts of a unit: D",
        "                 list unit price: L",
        "                 tax rate (%): R",
        "                 line total: S",
        "  internal order id (never an order number): Int",
        "  on an order's first line only: St",
        "  when St is İptal, Q = C: skipped: gone",
        '  when St is set: kept, status "kept"',
        "  when Ret is blank: kept, status from St",
        '  extra_field "v" ← N1, V1',
        '  extra_field "m" ← O',
        "  HTML entities decoded in: product",
        "  read as blank: NULL",
        "  a quote character is text (the file is not quoted)",
        "  when not UTF-8: cp1252",
        "  refused, another report (Total): take the lines",
    ]
    assert sorted(profile.headers()) == sorted([
        "No", "Id", "Q", "P", "T", "L", "R", "S", "D", "St", "Int", "St", "Q", "St", "Ret",
        "C", "St", "N1", "V1", "O"])
    assert other_report(["Total", "Other"], [profile]) == (profile, profile.other[0])


def test_built_in_profiles_are_valid_and_recognised_by_their_own_signature():
    names = [p.name for p in builtin()]
    assert len(names) == len(set(names)) == 13
    for profile in builtin():
        assert recognise(list(profile.signature)) == profile
        assert named(profile.name) is profile
