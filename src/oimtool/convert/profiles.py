"""Platform profiles: what a shop platform's order export holds, as data.

A profile is a TOML file in the format docs/profiles.md describes: the headers that recognise
the export (``signature``), which column gives each field, what the price columns mean (a unit
or a line price, which columns are the line's discounts, or what was paid), which lines were not
sold (skipped and counted) or sold and later cancelled or returned (kept, with their status),
clean-ups, and the columns kept in ``extra_field``. The built-in ones ship in
``oimtool/profiles/``; a user writes the same format (``--profile my-shop.toml``, or
``[tool.oimtool.profile]`` in a settings file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InputError
from ..fields import FIELDS, fold

#: The fields a profile's [columns] may name (price is [price]'s business).
COLUMN_FIELDS = ("order_number", "product", "sku", "quantity", "image_url")
_BASES = ("paid_line", "paid_unit", "line", "unit")  # in the order they are preferred
_PRICE_KEYS = (*_BASES, "list_unit", "list_line", "discounts", "discounts_per", "tax_rate",
               "total")
_TOP = ("name", "title", "source", "signature", "columns", "price", "order", "lines", "text",
        "extra", "file", "other")


class Prices(NamedTuple):
    """What the price columns of an export mean. The price is the first of ``paid_line``,
    ``paid_unit`` (what the customer paid, after the line's discounts), ``line``, ``unit`` (the
    list price of the line or of a unit) whose columns the export has; a list of columns is
    their sum (a net price and its tax). ``discounts`` are the line's discounts, taken off a
    list price (their sign does not matter), written for the line or, with ``discounts_per =
    "unit"``, for a unit; ``list_unit``/``list_line`` give the list price beside a paid one;
    ``tax_rate`` a percentage that the prices are without; ``total`` a line total to check the
    unit price × quantity against."""

    bases: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, columns), in preference order
    list_unit: str | None = None
    list_line: str | None = None
    discounts: tuple[str, ...] = ()
    per_unit: bool = False
    tax_rate: str | None = None
    total: str | None = None


class Condition(NamedTuple):
    """One test of a line rule on a column: ``values`` (folded) it must be one of; or
    ``filled`` (True: not blank, False: blank); or ``same_as`` another column's number."""

    column: str
    values: frozenset[str] = frozenset()
    filled: bool | None = None
    same_as: str | None = None
    shown: tuple[str, ...] = ()  # the values as the profile writes them


class LineRule(NamedTuple):
    """A line rule: when every condition holds, the line is skipped (``skip``, the reason) or
    kept with a status (``status`` as written, or ``status_from`` a column's value)."""

    when: tuple[Condition, ...]
    skip: str | None = None
    status: str | None = None
    status_from: str | None = None


class Extra(NamedTuple):
    """A key of extra_field and where its value comes from: ``columns`` joined by ``join``
    (blank ones left out), ``pairs`` of (name, value) columns written "name: value", or the
    ``attributes_json`` column (Magento's product_options: its attributes_info)."""

    key: str
    columns: tuple[str, ...] = ()
    join: str = ", "
    pairs: tuple[tuple[str, str], ...] = ()
    attributes_json: str | None = None

    def headers(self) -> list[str]:
        return [*self.columns, *(h for pair in self.pairs for h in pair),
                *([self.attributes_json] if self.attributes_json else [])]


class Other(NamedTuple):
    """Another report of the platform, which holds no order lines: its signature, and what to
    export instead."""

    signature: tuple[str, ...]
    advice: str


class Profile(NamedTuple):
    """A platform's order export (see the module's docstring)."""

    name: str
    title: str
    source: str
    signature: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]  # field -> headers: the first not blank is taken
    prices: Prices
    carry: tuple[str, ...]  # order columns filled on an order's first line only
    internal_id: str | None  # the platform's own order id: never an order number
    rules: tuple[LineRule, ...]
    html: tuple[str, ...]  # fields whose text has HTML entities to decode
    null: frozenset[str]  # cell texts that mean "no value" (SQL's NULL, a placeholder)
    extra: tuple[Extra, ...]
    quoting: bool  # False: a quote character is text, as in Amazon's reports
    encoding: str | None  # a text export's encoding when it is not UTF-8 (not Turkish cp1254)
    other: tuple[Other, ...]
    origin: str

    def matches(self, header: Iterable[str]) -> bool:
        """Whether a header row has every column of the signature."""
        return not self.missing(header)

    def missing(self, header: Iterable[str]) -> list[str]:
        """The signature's columns a header row lacks."""
        present = {fold(cell) for cell in header}
        return [name for name in self.signature if fold(name) not in present]

    def headers(self) -> list[str]:
        """Every column the profile reads (but the signature's)."""
        prices = self.prices
        names = [h for hs in self.columns.values() for h in hs]
        names += [h for _, hs in prices.bases for h in hs]
        names += [h for h in (prices.list_unit, prices.list_line, prices.tax_rate,
                              prices.total) if h]
        names += [*prices.discounts, *self.carry, *([self.internal_id] if self.internal_id
                                                     else [])]
        names += [c.column for r in self.rules for c in r.when]
        names += [c.same_as for r in self.rules for c in r.when if c.same_as]
        names += [r.status_from for r in self.rules if r.status_from]
        names += [h for e in self.extra for h in e.headers()]
        return names


def _fail(origin: str, message: str) -> InputError:
    return InputError(f"the profile {origin}: {message}")


def _text(data: Mapping[str, Any], key: str, origin: str, *, required: bool = False
          ) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(origin, f"'{key}' is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(origin, f"'{key}' must be text")
    return value.strip()


def _texts(data: Mapping[str, Any], key: str, origin: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(origin, f"'{key}' must be a text or a list of texts")
    return tuple(v.strip() for v in value)


def _table(data: Mapping[str, Any], key: str, origin: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _fail(origin, f"[{key}] must be a table")
    return value


def _known(data: Mapping[str, Any], keys: Sequence[str], origin: str, where: str) -> None:
    for key in data:
        if key not in keys:
            raise _fail(origin, f"unknown key '{key}'{where}; the keys are: {', '.join(keys)}")


def _prices(price: dict[str, Any], origin: str) -> Prices:
    _known(price, _PRICE_KEYS, origin, " in [price]")
    bases = tuple((kind, _texts(price, kind, origin)) for kind in _BASES if kind in price)
    if not bases:
        raise _fail(origin, "[price] needs one of unit, line, paid_unit, paid_line")
    per = price.get("discounts_per", "line")
    if per not in ("line", "unit"):
        raise _fail(origin, "[price] discounts_per is \"line\" or \"unit\"")
    return Prices(bases, _text(price, "list_unit", origin), _text(price, "list_line", origin),
                  _texts(price, "discounts", origin), per == "unit",
                  _text(price, "tax_rate", origin), _text(price, "total", origin))


def _condition(column: str, test: Any, origin: str) -> Condition:
    if isinstance(test, bool):
        return Condition(column, filled=test)
    if isinstance(test, (str, int, float)):
        test = [test]
    if isinstance(test, list) and all(isinstance(t, (str, int, float)) and not isinstance(
            t, bool) for t in test):
        return Condition(column, values=frozenset(fold(str(t)) or str(t) for t in test),
                         shown=tuple(str(t) for t in test))
    if isinstance(test, dict) and set(test) == {"same_as"} and isinstance(test["same_as"], str):
        return Condition(column, same_as=test["same_as"])
    raise _fail(origin, f"[[lines]] when: '{column}' must be a value, a list of values, true "
                '(not blank), false (blank), or { same_as = "column" }')


def _rules(data: Any, origin: str) -> tuple[LineRule, ...]:
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise _fail(origin, "[[lines]] must be a list of tables")
    rules = []
    for rule in data:
        _known(rule, ("when", "skip", "status", "status_from"), origin, " in [[lines]]")
        when = _table(rule, "when", origin)
        if not when:
            raise _fail(origin, "[[lines]] needs a 'when' table of column = test")
        actions = [k for k in ("skip", "status", "status_from") if k in rule]
        if len(actions) != 1:
            raise _fail(origin, "[[lines]] needs one of skip (the reason), status, status_from")
        rules.append(LineRule(tuple(_condition(c, t, origin) for c, t in when.items()),
                              _text(rule, "skip", origin), _text(rule, "status", origin),
                              _text(rule, "status_from", origin)))
    return tuple(rules)


def _extras(data: dict[str, Any], origin: str) -> tuple[Extra, ...]:
    extras = []
    for key, how in data.items():
        if isinstance(how, str):
            how = {"columns": [how]}
        if not isinstance(how, dict):
            raise _fail(origin, f"[extra] {key}: a column's header, or a table")
        _known(how, ("columns", "join", "pairs", "attributes_json"), origin, f" in [extra] {key}")
        pairs = how.get("pairs", [])
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(h, str) for h in p)
                for p in pairs):
            raise _fail(origin, f"[extra] {key}: pairs is a list of [name column, value column]")
        join = how.get("join", ", ")
        if not isinstance(join, str):
            raise _fail(origin, f"[extra] {key}: join must be text")
        extra = Extra(str(key), _texts(how, "columns", origin), join,
                      tuple((a, b) for a, b in pairs), _text(how, "attributes_json", origin))
        if not extra.headers():
            raise _fail(origin, f"[extra] {key}: name its columns")
        extras.append(extra)
    return tuple(extras)


def from_data(data: Mapping[str, Any], origin: str) -> Profile:
    """A profile from its TOML data; raises InputError naming ``origin`` and the key at fault."""
    _known(data, _TOP, origin, "")
    columns = _table(data, "columns", origin)
    _known(columns, COLUMN_FIELDS, origin, " in [columns]")
    order = _table(data, "order", origin)
    _known(order, ("carry", "internal_id"), origin, " in [order]")
    text = _table(data, "text", origin)
    _known(text, ("html", "null"), origin, " in [text]")
    html = _texts(text, "html", origin)
    if not set(html) <= set(FIELDS[:3]):
        raise _fail(origin, "[text] html names fields: order_number, product, sku")
    file = _table(data, "file", origin)
    _known(file, ("quoting", "encoding"), origin, " in [file]")
    encoding = _text(file, "encoding", origin)
    if encoding is not None:
        from ..sources.text import text_encoding

        if not text_encoding(encoding):
            raise _fail(origin, f"[file] encoding: {encoding!r} is no encoding of text")
    other = data.get("other", [])
    if not isinstance(other, list) or not all(isinstance(o, dict) for o in other):
        raise _fail(origin, "[[other]] must be a list of tables")
    for table in other:
        _known(table, ("signature", "advice"), origin, " in [[other]]")
        if not _texts(table, "signature", origin) or not _text(table, "advice", origin):
            raise _fail(origin, "[[other]] needs a signature (its headers) and an advice (what "
                        "to export instead)")
    signature = _texts(data, "signature", origin)
    if not signature:
        raise _fail(origin, "'signature' must name at least one column")
    return Profile(
        name=_text(data, "name", origin, required=True) or "",
        title=_text(data, "title", origin, required=True) or "",
        source=_text(data, "source", origin) or "",
        signature=signature,
        columns={f: _texts(columns, f, origin) for f in columns},
        prices=_prices(_table(data, "price", origin), origin),
        carry=_texts(order, "carry", origin),
        internal_id=_text(order, "internal_id", origin),
        rules=_rules(data.get("lines", []), origin),
        html=html,
        null=frozenset(_texts(text, "null", origin)),
        extra=_extras(_table(data, "extra", origin), origin),
        quoting=bool(file.get("quoting", True)),
        encoding=encoding,
        other=tuple(Other(_texts(o, "signature", origin), _text(o, "advice", origin) or "")
                    for o in other),
        origin=origin,
    )


def load(path: str | Path) -> Profile:
    """A profile file (TOML)."""
    from ..config import load_toml

    return from_data(load_toml(Path(path)), str(path))


@lru_cache(maxsize=1)
def builtin() -> tuple[Profile, ...]:
    """The profiles shipped with oimtool, by name."""
    from ..config import parse_toml

    found = []
    for entry in sorted(resources.files("oimtool").joinpath("profiles").iterdir(),
                        key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(from_data(parse_toml(entry.read_text(encoding="utf-8"), entry.name),
                                   f"{entry.name} (built in)"))
    return tuple(found)


def named(name: str, given: str = "--profile") -> Profile:
    """A built-in profile by name, or a profile file by path; raises InputError otherwise
    (naming where the name was ``given``)."""
    for profile in builtin():
        if profile.name == name:
            return profile
    if name.endswith(".toml") or Path(name).is_file():
        return load(name)
    names = ", ".join(p.name for p in builtin())
    raise InputError(f"{given} {name}: no such profile; the built-in ones are {names} "
                     "(or give a profile file, or none)")


def recognise(header: Sequence[object]) -> Profile | None:
    """The built-in profile whose signature the header has (the most specific one)."""
    texts = [cell.strip() for cell in header if isinstance(cell, str)]
    found = [p for p in builtin() if p.matches(texts)]
    return max(found, key=lambda p: len(p.signature)) if found else None


def other_report(header: Sequence[object], also: Sequence[Profile] = ()
                 ) -> tuple[Profile, Other] | None:
    """A platform's report that holds no order lines, recognised by its header (by the
    profiles ``also``, then the built-in ones)."""
    present = {fold(cell) for cell in header if isinstance(cell, str)}
    for profile in (*also, *builtin()):
        for other in profile.other:
            if all(fold(name) in present for name in other.signature):
                return profile, other
    return None


def describe(profile: Profile) -> str:
    """A profile as a person reads it: what it recognises, where each field comes from, which
    lines it skips or keeps with a status."""
    prices = profile.prices
    lines = [f"{profile.name}: {profile.title}", f"  from:       {profile.source or '-'}",
             f"  origin:     {profile.origin}",
             f"  recognised by the columns: {', '.join(profile.signature)}"]
    for name in COLUMN_FIELDS:
        if name in profile.columns:
            lines.append(f"  {name:<13}← {' else '.join(profile.columns[name])}")
    for kind, names in prices.bases:
        lines.append(f"  price        ← {kind.replace('_', ' ')}: {' + '.join(names)}")
    if prices.discounts:
        per = "a unit" if prices.per_unit else "the line"
        lines.append(f"                 less the discounts of {per}: {', '.join(prices.discounts)}")
    for label, value in (("list unit price", prices.list_unit),
                         ("list line price", prices.list_line),
                         ("tax rate (%)", prices.tax_rate), ("line total", prices.total)):
        if value:
            lines.append(f"                 {label}: {value}")
    if profile.internal_id:
        lines.append(f"  internal order id (never an order number): {profile.internal_id}")
    if profile.carry:
        lines.append(f"  on an order's first line only: {', '.join(profile.carry)}")
    for rule in profile.rules:
        tests = ", ".join(
            f"{c.column} {'is set' if c.filled else 'is blank'}" if c.filled is not None
            else f"{c.column} = {c.same_as}" if c.same_as
            else f"{c.column} is {' or '.join(c.shown)}" for c in rule.when)
        action = (f"skipped: {rule.skip}" if rule.skip else
                  f"kept, status \"{rule.status}\"" if rule.status else
                  f"kept, status from {rule.status_from}")
        lines.append(f"  when {tests}: {action}")
    for extra in profile.extra:
        lines.append(f"  extra_field \"{extra.key}\" ← {', '.join(extra.headers())}")
    if profile.html:
        lines.append(f"  HTML entities decoded in: {', '.join(profile.html)}")
    if profile.null:
        lines.append(f"  read as blank: {', '.join(sorted(profile.null))}")
    if not profile.quoting:
        lines.append('  a quote character is text (the file is not quoted)')
    if profile.encoding:
        lines.append(f"  when not UTF-8: {profile.encoding}")
    for other in profile.other:
        lines.append(f"  refused, another report ({', '.join(other.signature)}): {other.advice}")
    return "\n".join(lines)
