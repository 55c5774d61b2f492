"""Near matches of order numbers: the numbers a person would read as the same one.

Two order numbers are near when their loose forms are equal. The loose form of a number is the
number with its compatibility characters made plain (NFKC: fullwidth ``ＡＢ１`` is ``AB1``),
every kind of hyphen made ``-``, white space and invisible format characters (a zero-width
space, a byte order mark, a soft hyphen) removed, the Turkish dotted and dotless ``i`` made
``i``, letter case folded, and a leading ``#``, leading zeros and a trailing ``.0`` taken off.

A ``NearIndex`` of a million order numbers is built once, on the first number not found, at C
speed (the loose forms of a block of numbers are computed on one joined text) and kept compact:
one sorted array of 64-bit keys, each the top of a loose form's hash and a number's position,
8 bytes a number. A lookup finds the candidates by hash and compares their loose forms.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import repeat
from operator import and_, or_

#: Hyphens and minus signs that NFKC leaves as they are, read as "-".
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
#: The Turkish letters whose case does not fold to "i" by Unicode's rules alone.
_TURKISH_I = "İIı"
_SEPARATOR = "\n"
_TRAILING_ZEROS = re.compile(r"\.0+$", re.M)
_LEADING = re.compile(r"^(?:#0*|0+)(?=[^\n])", re.M)  # matches only where there is one
#: Numbers whose loose forms are computed at once (a block's text, then its strings, at a time).
_BLOCK = 1 << 16
#: A key: the top 40 bits of a loose form's hash, above a number's position (24 bits).
_POSITION_BITS = 24
_POSITION = (1 << _POSITION_BITS) - 1
_TOP = ~_POSITION


def _table(text: str) -> dict[int, str | None]:
    """How to translate the characters of ``text``: white space and format characters out,
    hyphens to "-", the Turkish i's to "i" (built from the characters present: a few)."""
    if text.isascii():
        return _ASCII
    table: dict[int, str | None] = {}
    for char in set(text):
        if char == _SEPARATOR:
            continue
        if char.isspace() or unicodedata.category(char) == "Cf":
            table[ord(char)] = None
        elif char in _HYPHENS:
            table[ord(char)] = "-"
        elif char in _TURKISH_I:
            table[ord(char)] = "i"
    return table


_ASCII: dict[int, str | None] = {
    code: None for code in range(128) if chr(code).isspace() and chr(code) != _SEPARATOR}


def loose_forms(numbers: Iterable[str]) -> list[str]:
    """The loose form of each number, in order."""
    numbers = list(numbers)
    text = unicodedata.normalize("NFKC", _SEPARATOR.join(numbers))
    if text.count(_SEPARATOR) != len(numbers) - 1:  # a number holds a line break: one by one
        return [loose(number) for number in numbers]
    text = text.translate(_table(text)).casefold()
    text = _LEADING.sub("", _TRAILING_ZEROS.sub("", text))
    return text.split(_SEPARATOR)


def loose(number: str) -> str:
    """The loose form of one number."""
    return loose_forms([number.replace(_SEPARATOR, " ")])[0]


def _top(text: str) -> int:
    """The top bits of a loose form's hash, where a key keeps them."""
    return hash(text) & _TOP


def _keys(forms: list[str], start: int) -> Iterator[int]:
    """The keys of a block of loose forms, the first at position ``start`` (at C speed)."""
    positions: Iterable[int] = range(start, start + len(forms))
    if start + len(forms) > _POSITION:
        positions = map(and_, positions, repeat(_POSITION))
    return map(or_, map(and_, map(hash, forms), repeat(_TOP)), positions)


class NearIndex:
    """The order numbers ``numbers`` by the hash of their loose form (more than 16 million
    numbers: the positions beyond share keys, and are found by comparing, all the same)."""

    def __init__(self, numbers: list[str]) -> None:
        self.numbers = numbers
        keys: list[int] = []
        for start in range(0, len(numbers), _BLOCK):
            keys.extend(_keys(loose_forms(numbers[start: start + _BLOCK]), start))
        keys.sort()
        self.keys = array("q", keys)

    def matches(self, number: str) -> list[str]:
        """The numbers whose loose form is ``number``'s."""
        wanted = loose(number)
        top = _top(wanted)
        found = []
        keys, numbers = self.keys, self.numbers
        at = bisect_left(keys, top)
        while at < len(keys) and keys[at] & _TOP == top:
            position = keys[at] & _POSITION
            for candidate in numbers[position::1 << _POSITION_BITS]:  # one, below 16 million
                if loose(candidate) == wanted and candidate not in found:
                    found.append(candidate)
            at += 1
        return found


_INTERNAL = re.compile(r"^[1-9]0+([1-9][0-9]*)$", re.M)


def internal_ids(numbers: Iterable[str]) -> dict[str, list[str]]:
    """The order numbers made as a shop platform makes them of an internal id (a store digit,
    zeros, the id: ``100000041`` for 41), by that id."""
    found: dict[str, list[str]] = {}
    for match in _INTERNAL.finditer("\n".join(n for n in numbers if "\n" not in n)):
        found.setdefault(match[1], []).append(match[0])
    return found
