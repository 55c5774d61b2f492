"""Settings from a file: ``oimtool.toml``, or ``[tool.oimtool]`` in ``pyproject.toml``.

The nearest such file from the current folder upwards (stopping at a repository's root) is read.
Command-line options override it. For now it holds ``convert``'s column mapping and reading
options::

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

CONVERT_KEYS = {"map": dict, "extra": bool, "decimal": str, "sheet": str, "encoding": str,
                "delimiter": str}


@dataclass
class Config:
    """What the settings file says, and where it is (None when there is none)."""

    path: Path | None = None
    convert: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the settings in {path}: {exc}") from exc


def find_config(start: Path | None = None) -> Config:
    """The settings that apply in ``start`` (the current folder by default)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "oimtool.toml"
        if own.is_file():
            return _config(own, _load_toml(own))
        project = candidate / "pyproject.toml"
        if project.is_file():
            data = _load_toml(project)
            if "oimtool" in data.get("tool", {}):
                return _config(project, data["tool"]["oimtool"])
        if (candidate / ".git").exists():
            break
    return Config()


def _config(path: Path, data: dict[str, Any]) -> Config:
    config = Config(path)
    for key in data:
        if key != "convert":
            config.warnings.append(f"{path}: unknown setting {key!r} (ignored)")
    for key, value in dict(data.get("convert", {})).items():
        expected = CONVERT_KEYS.get(key)
        if expected is None:
            config.warnings.append(f"{path}: unknown convert setting {key!r} (ignored)")
        elif not isinstance(value, expected):
            raise InputError(f"{path}: convert setting {key!r} must be a {expected.__name__}")
        else:
            config.convert[key] = value
    if config.convert.get("decimal") not in (None, ",", "."):
        raise InputError(f"{path}: convert setting 'decimal' must be \",\" or \".\"")
    for name, header in config.convert.get("map", {}).items():
        if not isinstance(header, str):
            raise InputError(f"{path}: map.{name} must be a column header (text)")
    return config
