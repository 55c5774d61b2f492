"""The rules of the item as an object: extra_field, unknown keys, nesting and NUL characters
anywhere in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ..fields import FIELD_SET, MAX_NESTING, suggest_field
from ..format import described, show
from ..problems import Fix, Move, Problem, Rename, pointer
from .found import finding, set_fix


def clean_extra(value: dict[str, Any]) -> bool:
    try:  # in a list, as in its item: orjson refuses it exactly when the item is too deep
        return b"\\u0000" not in orjson.dumps([value])
    except TypeError:  # too deep for orjson, or an integer beyond 64 bits: look closer
        return not _deeper(value, MAX_NESTING - 1) and not has_nul(value)


def has_nul(value: Any) -> bool:
    """True when a JSON value holds U+0000 anywhere, in a key or a string."""
    try:
        return b"\\u0000" in orjson.dumps(value)
    except TypeError:  # too deep for orjson, or not JSON data (library callers)
        return any("\x00" in text for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    """Every string in a value, keys too, without recursion (the value may be deep)."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (key for key in value if isinstance(key, str))
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)


def too_deep(item: Any) -> bool:
    """True when an item nests objects or arrays more than MAX_NESTING levels deep (OIM007).
    Cheap for the usual item: orjson writes anything up to that depth, and refuses deeper."""
    if type(item) is not dict and type(item) is not list:
        return False
    try:
        orjson.dumps(item)
        return False
    except TypeError:  # too deep, or not JSON data (library callers): look closer
        return _deeper(item, MAX_NESTING)


def _deeper(value: Any, limit: int) -> bool:
    """True when a value nests objects or arrays more than ``limit`` levels deep (the value
    itself is level 1); without recursion."""
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def extra_field(item: dict[str, Any], out: list[Problem]) -> None:
    if "extra_field" not in item:
        out.append(finding(
            "OIM701", "extra_field", None,
            'extra_field is missing; add "extra_field": {} when there is nothing extra',
            set_fix("extra_field", {}, safe=True),
        ))
        return
    value = item["extra_field"]
    if isinstance(value, dict):
        if value and has_nul(value):
            out.append(finding(
                "OIM802", "extra_field", value,
                "extra_field holds a NUL character (U+0000), which PostgreSQL's JSON columns "
                "reject; remove it",
                set_fix("extra_field", _without_nul(value), safe=False),
            ))
        return
    if value is None:
        out.append(finding(
            "OIM702", "extra_field", None, "extra_field is null; write {} when there is nothing",
            set_fix("extra_field", {}, safe=True),
        ))
        return
    fix = None
    repeats: list[Problem] = []
    if isinstance(value, str):
        parsed = _object_text(value, repeats) if value.strip() else {}
        if isinstance(parsed, dict):
            fix = set_fix("extra_field", parsed, safe=True)
        else:
            repeats = []
    elif value == []:
        fix = set_fix("extra_field", {}, safe=True)
    if fix is not None:
        message = (
            f"extra_field is {described(value)}; write it as the object "
            f"{show(fix.value)}"
        )
    else:
        message = f"extra_field is {described(value)}; it must be a JSON object"
    out.append(finding("OIM703", "extra_field", value, message, fix))
    out.extend(problem._replace(fix=fix) for problem in repeats)


def _object_text(text: str, repeats: list[Problem]) -> Any:
    """JSON text as a parser reads it: integers exact (orjson would make one beyond 64 bits a
    float), a key written twice keeping its last value; each key written twice (at any depth)
    as an OIM008 in ``repeats``. None when the text is not JSON."""
    import json

    from ..jsonstream.tokens import nested_repeats

    try:
        fast = orjson.loads(text)  # strict: no NaN, no lone surrogate, nothing after the value
    except orjson.JSONDecodeError:
        return None
    try:
        exact = json.loads(text)
    except (ValueError, RecursionError):
        return fast
    if type(exact) is dict:
        wrapped = f'{{"extra_field":{text}}}'.encode("utf-8", "surrogatepass")
        for repeat in nested_repeats(wrapped):
            path = repeat.path
            kept = exact
            for token in path:
                kept = kept[token]
            repeats.append(finding(
                "OIM008", "extra_field", text,
                f"key {show(path[-1])} is written twice in one object of the text of "
                f"extra_field (at {pointer('extra_field', *path)}): read as an object, it keeps "
                f"the last value ({show(kept)}) and drops {show(repeat.dropped)}; remove the "
                "one that is wrong",
            ))
    return exact


def unknown_keys(item: dict[str, Any], out: list[Problem]) -> None:
    unknown = [key for key in item if key not in FIELD_SET]
    if not unknown:
        return
    extra = item.get("extra_field")
    targets = {key: suggest_field(key) for key in unknown}
    renamed = {t for t in targets.values() if t is not None and t not in item}
    movable = {key: True for key in unknown if targets[key] not in renamed and (
        extra is None or (isinstance(extra, dict) and key not in extra))}  # ordered, O(1) in
    # Every move fix carries extra_field with all movable keys in it: any order of applying
    # them, or only some of them, ends with the same extra_field.
    moved = {**(extra if isinstance(extra, dict) else {}), **{key: item[key] for key in movable}}
    for key in unknown:
        target = targets[key]
        hint = f' (did you mean "{target}"?)' if target else ""
        if target in renamed:
            fix = Fix.of(Rename(key, target, item[key]), safe=False)
            todo = f'rename it to "{target}"'
        elif key in movable:
            fix = Fix.of(Move(moved, key), safe=False)
            todo = "move it into extra_field"
        else:
            fix = None
            todo = "move it into extra_field or remove it"
        out.append(finding(
            "OIM801", key, item[key],
            f"unknown key {show(key)}{hint}: Omnitron ignores it; {todo}",
            fix,
        ))
