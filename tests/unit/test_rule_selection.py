"""``rules.chosen``: what --select/--ignore (and select/ignore of the settings file) report."""

from __future__ import annotations

import pytest

from oimtool.rules import RULES, UnknownCode, chosen


def test_nothing_given_is_every_rule():
    assert chosen(None) == frozenset(RULES)
    assert chosen(None, []) == frozenset(RULES)


@pytest.mark.parametrize(("select", "ignore", "expected"), [
    (["OIM105"], [], {"OIM105"}),
    (["oim50"], [], {"OIM501", "OIM502", "OIM503", "OIM504", "OIM505", "OIM506"}),
    (["OIM9", "duplicate-item"], [], {"OIM901", "OIM902", "OIM803"}),
    (["OIM1"], ["OIM105", "order-number-long"], {"OIM101", "OIM102", "OIM103", "OIM104",
                                                   "OIM106"}),
    (["OIM105"], ["OIM1"], {"OIM105"}),  # the more specific entry wins
    (["OIM10"], ["OIM10"], set()),  # a tie: ignore wins
    (["ALL"], ["OIM0", "OIM1", "OIM2", "OIM3", "OIM4", "OIM5", "OIM6", "OIM7", "OIM8"],
     {"OIM901", "OIM902"}),
    ([], [], set()),  # select = [] selects nothing
])
def test_chosen(select, ignore, expected):
    assert chosen(select, ignore) == frozenset(expected)


def test_ignore_alone_takes_from_every_rule():
    assert chosen(None, ["OIM0", "OIM1", "OIM2", "OIM3", "OIM4", "OIM5", "OIM6", "OIM7",
                         "OIM8", "unreferenced-orders"]) == frozenset({"OIM902"})


@pytest.mark.parametrize(("entry", "message", "suggestions"), [
    ("OIM1055", "unknown rule code 'OIM1055'; did you mean OIM105, OIM605 or OIM505?",
     ("OIM105", "OIM605", "OIM505")),
    ("nul-char", "unknown rule code 'nul-char'; did you mean nul-character?", ("nul-character",)),
    ("", "unknown rule code ''; give rule codes (OIM105), prefixes (OIM1: OIM1xx) or names "
     "(oimtool rules)", ()),
])
def test_unknown_entries(entry, message, suggestions):
    with pytest.raises(UnknownCode) as raised:
        chosen([entry])
    assert str(raised.value) == message
    assert (raised.value.entry, raised.value.suggestions) == (entry, suggestions)
