"""oimtool: make Akinon Omnitron order-item migration files right before upload.

The library behind the command line::

    from oimtool.api import check, convert, fix

    report = check(["items.json"], orders=["orders.json"])
    for problem in report.problems:
        print(problem.location.line, problem.code, problem.message)

(``oimtool.check``, ``oimtool.convert`` and ``oimtool.fix`` are the modules behind them.) The
names below are imported on first use, so ``import oimtool`` stays cheap for a pre-commit hook.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Report": "oimtool.api",
    "Checker": "oimtool.check",
    "explain": "oimtool.validate",
    "is_clean": "oimtool.validate",
    "Problem": "oimtool.problems",
    "Location": "oimtool.problems",
    "Fix": "oimtool.problems",
    "Summary": "oimtool.problems",
    "RULES": "oimtool.rules",
    "load_schema": "oimtool.schema",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("oimtool")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'oimtool' has no attribute {name!r}")
