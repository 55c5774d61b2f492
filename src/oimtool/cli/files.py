"""The item files a folder holds: ``oimtool check data/`` takes the files the pre-commit hooks
take, by the same pattern (``ITEM_FILES``; a test keeps ``.pre-commit-hooks.yaml`` and the docs
equal to it)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError

#: The order-item files, by their path: JSON files whose name holds ``items``, ``order`` and
#: ``item`` or ``line``, or the word ``lines``, in any case (``Items-2020.json``,
#: ``order_lines.json``, ``lines-2020.json``; not ``orders.json``, ``item.json`` nor
#: ``guidelines.json``). The hooks' ``files``, as pre-commit reads it: a Python regex searched
#: in the path from the repository's root.
ITEM_FILES = r"(?i)(^|/)([^/]*(order[-_]?(items?|lines?)|items)|([^/]*[^/a-z])?lines)[^/]*\.json$"


def item_files(paths: Sequence[Path], *, leave_out: Iterable[Path] = (),
               fixed: bool = False) -> list[Path]:
    """``paths`` with each folder replaced by the item files under it (sorted, depth first;
    hidden files and folders, and the ``leave_out`` files, not taken; with ``fixed``, not the
    ``.fixed.json`` files ``oimtool fix`` writes either). A file given is taken whatever its
    name. InputError for a folder that holds no item file."""
    if not any(path.is_dir() for path in paths):
        return list(paths)
    pattern = re.compile(ITEM_FILES)
    left = {_identity(path) for path in leave_out}
    taken: list[Path] = []
    seen: set[tuple[int, int] | None] = set()
    for path in paths:
        if not path.is_dir():
            taken.append(path)
            seen.add(_identity(path))
            continue
        found = 0
        for file in _walk(path):
            name = file.relative_to(path).as_posix()
            if not pattern.search(name) or (fixed and name.lower().endswith(".fixed.json")):
                continue
            identity = _identity(file)
            if identity is not None and identity in left:
                continue
            found += 1
            if identity is None or identity not in seen:  # given twice: taken once
                seen.add(identity)
                taken.append(file)
        if not found:
            raise InputError(
                f"{path} holds no order-item file: a folder gives the JSON files whose name "
                "holds items, order-item(s), order-line(s) or lines (docs/cli.md#folders); "
                "name the files instead")
    return taken


def _walk(folder: Path) -> Iterable[Path]:
    def stop(error: OSError) -> None:
        raise InputError(f"cannot read the folder {error.filename}: {error.strerror}")

    for root, folders, files in os.walk(folder, onerror=stop):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and path.is_file():
                yield path


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino
