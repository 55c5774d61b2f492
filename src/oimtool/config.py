"""Settings from a file: ``oimtool.toml``, or ``[tool.oimtool]`` in ``pyproject.toml``.

The nearest such file from the current folder upwards (stopping at a repository's root) is read.
Command-line options override it. It holds the rules reported (``select``, ``ignore``: rule
codes, prefixes or names, as ``--select``/``--ignore`` take them) and ``convert``'s column
mapping and reading options::

    [tool.oimtool]                # in oimtool.toml: at the top
    ignore = ["OIM107", "OIM9"]
    [tool.oimtool.convert]        # in oimtool.toml: [convert]
    extra = true
    decimal = ","
    [tool.oimtool.convert.map]
    order_number = "Belge No"
    price = "KDV Dahil Fiyat"
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

CONVERT_KEYS: dict[str, type | tuple[type, ...]] = {
    "map": dict, "extra": (bool, list), "decimal": str, "sheet": str, "encoding": str,
    "delimiter": str, "profile": str, "price": str, "price_details": bool}


@dataclass
class Config:
    """What the settings file says, and where it is (None when there is none)."""

    path: Path | None = None
    convert: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] | None = None  # [tool.oimtool.profile]: the export's profile
    select: list[str] | None = None  # the rules reported (None: all), as --select takes them
    ignore: list[str] = field(default_factory=list)  # the rules not reported, as --ignore
    warnings: list[str] = field(default_factory=list)


def _tomllib() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; InputError naming the file when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the settings in {path}: {exc}") from exc
    return parse_toml(text, str(path))


def parse_toml(text: str, origin: str) -> dict[str, Any]:
    """TOML text's data; InputError naming ``origin`` when it is not TOML."""
    tomllib = _tomllib()
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot read the settings in {origin}: {exc}") from exc
    return data


def read_config(path: Path) -> Config:
    """The settings of the file ``path`` (``--config``): an ``oimtool.toml``, or a
    ``pyproject.toml`` whose ``[tool.oimtool]`` is used."""
    if not path.is_file():
        raise InputError(f"--config {path}: no such file")
    data = load_toml(path)
    if path.name == "pyproject.toml" or ("tool" in data and "convert" not in data):
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "oimtool" not in tool:
            raise InputError(f"{path} has no [tool.oimtool] table")
        return _config(path, tool["oimtool"])
    return _config(path, data)


def find_config(start: Path | None = None) -> Config:
    """The settings that apply in ``start`` (the current folder by default)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "oimtool.toml"
        if own.is_file():
            return _config(own, load_toml(own))
        project = candidate / "pyproject.toml"
        if project.is_file() and _mentions_oimtool(project):
            data = load_toml(project)
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "oimtool" in tool:
                return _config(project, tool["oimtool"])
        if (candidate / ".git").exists():
            break
    return Config()


def _mentions_oimtool(project: Path) -> bool:
    """Whether a pyproject.toml may have [tool.oimtool]: most have not, and parsing TOML costs
    a pre-commit hook more than reading the bytes (the hooks start often)."""
    try:
        return b"oimtool" in project.read_bytes()
    except OSError:
        return True  # reading it again says why it cannot be read


def _config(path: Path, data: Any) -> Config:
    config = Config(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: [tool.oimtool] must be a table")
    if not isinstance(data.get("convert", {}), dict):
        raise InputError(f"{path}: convert must be a table ([convert], or [tool.oimtool.convert]"
                         " in pyproject.toml)")
    for key in data:
        if key not in ("convert", "profile", "select", "ignore"):
            config.warnings.append(f"{path}: unknown setting {key!r} (ignored)")
    for key in ("select", "ignore"):
        codes = data.get(key)
        if codes is None:
            continue
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise InputError(f'{path}: {key} must be a list of rule codes, e.g. ["OIM107", '
                             '"OIM9"]')
        setattr(config, key, codes)
    for key, value in dict(data.get("convert", {})).items():
        expected = CONVERT_KEYS.get(key)
        if expected is None:
            config.warnings.append(f"{path}: unknown convert setting {key!r} (ignored)")
        elif not isinstance(value, expected):
            kinds = " or ".join(t.__name__ for t in (
                expected if isinstance(expected, tuple) else (expected,)))
            raise InputError(f"{path}: convert setting {key!r} must be a {kinds}")
        else:
            config.convert[key] = value
    if config.convert.get("decimal") not in (None, ",", "."):
        raise InputError(f"{path}: convert setting 'decimal' must be \",\" or \".\"")
    if config.convert.get("price") not in (None, "paid", "list"):
        raise InputError(f"{path}: convert setting 'price' is {config.convert['price']!r}: give "
                         "\"paid\" (what the customer paid for a unit) or \"list\"")
    delimiter = config.convert.get("delimiter")
    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"{path}: convert setting 'delimiter' is {delimiter!r}: give one "
                         "character, such as \";\" (or \"\\t\" for a tab)")
    encoding = config.convert.get("encoding")
    if encoding is not None:
        _text_codec(path, encoding)
    profile = data.get("profile")
    if profile is not None:
        if not isinstance(profile, dict):
            raise InputError(f"{path}: [profile] must be a table (a profile, docs/profiles.md)")
        config.profile = profile
    from .fields import FIELDS, did_you_mean, field_called

    mapping = {}
    for name, header in config.convert.get("map", {}).items():
        field_ = field_called(name)
        if field_ is None:
            raise InputError(f"{path}: map.{name}: {name!r} is not an order-item field"
                             f"{did_you_mean(name)}; the fields are {', '.join(FIELDS)}")
        if not isinstance(header, str):
            raise InputError(f"{path}: map.{name} must be a column header (text)")
        mapping[field_] = header
    if "map" in config.convert:
        config.convert["map"] = mapping
    return config


def _text_codec(path: Path, name: str) -> None:
    import codecs

    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(f"{path}: convert setting 'encoding' is {name!r}, which Python does not "
                         "know: give a text encoding such as \"cp1254\" or \"utf-8\"") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(f"{path}: convert setting 'encoding' is {name!r}, which is not a text "
                         "encoding: give one such as \"cp1254\" or \"utf-8\"")
