"""The lines of an export as a platform profile reads them: placeholders blanked, fallback
columns, order columns carried down, the line rules' verdict (skip, or keep with a status), and
the item completed: the order number from an internal id, entities decoded, the price from its
columns (``pricing``), the keys of extra_field. Used by ``rows.RowConverter`` for the exports a
profile (or --order-numbers) reads."""

from __future__ import annotations

import html
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError, OptionError, open_input
from ..fields import fold
from ..format import cell_text, cell_value, show
from ..problems import Location, Problem
from ..sources import Row
from .cells import Decimals, Found, Undecided, empty, number_reader
from .header import Header
from .layout import Column, Kept
from .pricing import decimal, price


class LineReader:
    """What a profile does to the rows of one export, decided once from its header."""

    def __init__(self, header: Header, by_field: Mapping[str | None, Column],
                 decimals: Decimals) -> None:
        self.header = header
        self.layout = header.layout
        self._by_field = by_field
        self._price_cell = number_reader("price", integral=False, decimals=decimals)
        self._last_order: Any = None  # the order whose first line's cells are carried
        self._carried: list[Any] = []

    def prepared(self, rows: list[Row]) -> tuple[list[Row], list[tuple[str, str] | None]]:
        """Rows as a profile reads them: placeholders for "no value" blanked, a blank field
        cell filled from its fallback column, an order's first-line cells carried to its later
        lines; and each row's verdict: ("skip", the reason), ("keep", a status), or None."""
        layout = self.layout
        null = layout.null
        carry = layout.carry
        key_at = self._by_field["order_number"].index if "order_number" in self._by_field \
            else layout.internal
        prepared: list[Row] = []
        verdicts: list[tuple[str, str] | None] = []
        for number, cells in rows:
            cells = list(cells)
            width = len(cells)
            if null:
                cells = [None if type(c) is str and c.strip() in null else c for c in cells]
            for at, others in layout.fallbacks:
                if at < width and empty(cells[at]):
                    cells[at] = next((cells[o] for o in others if o < width and not empty(
                        cells[o])), cells[at])
            if carry and key_at is not None and key_at < width:
                order = cells[key_at]
                if order != self._last_order:
                    self._last_order = order
                    self._carried = [cells[c] if c < width else None for c in carry]
                else:
                    for k, c in enumerate(carry):
                        if c < width and empty(cells[c]):
                            cells[c] = self._carried[k]
            prepared.append((number, cells))
            verdicts.append(self.verdict(cells))
        return prepared, verdicts

    def verdict(self, cells: list[Any]) -> tuple[str, str] | None:
        """What the profile's line rules say of a row: the first rule whose tests all hold."""
        width = len(cells)
        for rule in self.layout.rules:
            if rule.tests is None:
                continue
            for test in rule.tests:
                cell = cells[test.at] if test.at < width else None
                if test.filled is not None:
                    if empty(cell) == test.filled:
                        break
                elif test.same_as is not None:
                    other = cells[test.same_as] if test.same_as < width else None
                    a, b = self._number(cell), self._number(other)
                    if a is None or a != b:
                        break
                elif (fold(cell_text(cell)) or cell_text(cell)) not in test.values:
                    break
            else:
                line = rule.rule
                if line.skip is not None:
                    return "skip", line.skip
                if line.status_from is not None:
                    at = rule.status_at
                    status = cell_text(cells[at]) if at is not None and at < width else ""
                    return ("keep", status) if status else None
                return "keep", line.status or ""
        return None

    def _number(self, cell: Any) -> Decimal | None:
        try:
            return decimal(self._price_cell(cell, []))
        except Undecided:
            return None

    def profiled(self, item: dict[str, Any], cells: list[Any], found: Found,
                  verdict: tuple[str, str] | None) -> None:
        """Make an item as its profile says: the order number from an internal id, entities
        decoded, the price from its columns, extra_field's keys."""
        layout = self.layout
        width = len(cells)
        if layout.order_numbers is not None and layout.internal is not None and (
                "order_number" not in self._by_field):
            internal = cell_text(cells[layout.internal]) if layout.internal < width else ""
            mapped = layout.order_numbers.get(internal)
            if mapped is None:
                found.append(Problem("OIM020", (
                    f"order_number: the internal order id {show(internal)} is not in the "
                    "--order-numbers file: add it there"), Location(field="order_number"),
                    internal))
            item["order_number"] = mapped
        for at in layout.html:
            for name, column in self._by_field.items():
                if column.index == at and isinstance(item.get(name or ""), str):
                    item[name or ""] = html.unescape(item[name or ""])
        extra: dict[str, Any] = {}
        recipe = layout.recipe
        if recipe is not None:
            def number(position: int) -> Decimal | None:
                cell = cells[position] if position < width else None
                if empty(cell):
                    return None
                value = decimal(self._price_cell(cell, []))
                if value is None and position != recipe.base[0]:
                    found.append(Problem("OIM502", (
                        f"price: {self.header.columns[position].header!r} holds "
                        f"{show(cell_text(cell))}, not a number: the price is made from it"),
                        Location(field="price"), cell_value(cell)))
                return value

            written, details, problems = price(recipe, number, item["quantity"])
            if written is not None:
                item["price"] = float(written)
            found.extend(problems)
            extra.update(details)
        for kept in layout.kept:
            value = _kept_value(kept, cells)
            if value:
                extra[kept.extra.key] = value
        if verdict is not None:
            extra["status"] = verdict[1]
        if extra and isinstance(item["extra_field"], dict):
            item["extra_field"] = {**item["extra_field"], **extra}


def _kept_value(kept: Kept, cells: list[Any]) -> str:
    """The value of a key of extra_field that a profile fills, as text ("" when none)."""
    width = len(cells)

    def cell(position: int | None) -> str:
        return cell_text(cells[position]) if position is not None and position < width else ""

    extra = kept.extra
    positions = list(kept.positions)
    parts = [v for v in map(cell, positions[:len(extra.columns)]) if v]
    at = len(extra.columns)
    for _ in extra.pairs:
        name, value = cell(positions[at]), cell(positions[at + 1])
        at += 2
        if value:
            parts.append(f"{name}: {value}" if name else value)
    if extra.attributes_json is not None:
        parts += _attributes(cell(positions[at]))
    return extra.join.join(parts)


def _attributes(text: str) -> list[str]:
    """"label: value" of each of the attributes_info of a JSON object (Magento 2's
    product_options); none when the text is no such JSON (Magento 1 serialises with PHP)."""
    try:
        data = orjson.loads(text) if text.startswith("{") else None
    except orjson.JSONDecodeError:
        return []
    info = data.get("attributes_info") if isinstance(data, dict) else None
    if not isinstance(info, list):
        return []
    return [f"{a.get('label')}: {a.get('value')}" for a in info
            if isinstance(a, dict) and a.get("label") and a.get("value") is not None]


def read_order_numbers(path: Path) -> dict[str, str]:
    """--order-numbers: a CSV (or TSV) with a header row, the platform's internal order id in
    its first column and the order number in its second."""
    import csv

    try:
        handle = open_input(path)
    except InputError as exc:
        raise OptionError("--order-numbers", str(exc)) from exc
    with handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1254")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    numbers: dict[str, str] = {}
    for k, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter)):
        if k == 0 or not row or not any(c.strip() for c in row):
            continue  # the header
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise OptionError("--order-numbers", f"{path}, line {k + 1}: write the internal "
                              "order id, then the order number")
        numbers[row[0].strip()] = row[1].strip()
    if not numbers:
        raise OptionError("--order-numbers", f"{path} holds no ids below its header")
    return numbers
