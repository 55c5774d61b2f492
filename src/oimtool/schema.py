"""The bundled JSON Schema, and the reference validator built from it.

The schema is the one place that says what a valid order-item file is. Standard keywords say
most of it; the ``x-oimtool-*`` keywords carry the rules JSON Schema cannot say, and
``reference_validator`` teaches jsonschema to enforce them with the code in ``oimtool.fields``.
oimtool's own fast validator (``oimtool.validate``) is tested against this reference.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from .values import decimal_places, url_verdict

SCHEMA_NAME = "order-item.schema.json"


def schema_bytes(name: str = SCHEMA_NAME) -> bytes:
    """The bundled schema file, exactly as shipped."""
    packaged = resources.files("oimtool") / "schemas" / name
    if packaged.is_file():
        return packaged.read_bytes()
    # An editable install runs from the source tree, where the schemas live at the root.
    return (Path(__file__).resolve().parents[2] / "schemas" / name).read_bytes()


@functools.cache
def load_schema(name: str = SCHEMA_NAME) -> dict[str, Any]:
    """The bundled schema, parsed (cached: treat it as read-only)."""
    schema = orjson.loads(schema_bytes(name))
    assert isinstance(schema, dict)
    return schema


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _decimal_places(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if _is_number(instance) and decimal_places(instance) > limit:
        yield ValidationError(f"{instance!r} has more than {limit} decimal places")


def _integer_literal(validator: Any, required: bool, instance: Any, schema: Any
                     ) -> Iterator[Any]:
    from jsonschema import ValidationError

    if required and isinstance(instance, float):
        yield ValidationError(f"{instance!r} is not written as an integer")


def _url(validator: Any, spec: dict[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if isinstance(instance, str) and instance and url_verdict(instance, tuple(spec["schemes"])):
        yield ValidationError(f"{instance!r} is not a URL Django's URLValidator accepts")


@functools.cache
def reference_validator() -> Any:
    """A jsonschema validator for the bundled schema that also enforces its x-oimtool keywords.

    Slow (tens of microseconds an item) but written from the schema alone: the reference that
    tests hold the fast path to.
    """
    from jsonschema import Draft202012Validator, validators

    cls = validators.extend(Draft202012Validator, {  # type: ignore[no-untyped-call]
        "x-oimtool-decimal-places": _decimal_places,
        "x-oimtool-integer-literal": _integer_literal,
        "x-oimtool-url": _url,
    })
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return cls(schema)
