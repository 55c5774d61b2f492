from __future__ import annotations

import json
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oimtool import convert as convert_module
from oimtool import parallel
from oimtool.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

GOOD_ITEM: dict[str, Any] = {
    "order_number": "ORD1001",
    "product": "Pamuklu Tişört",
    "sku": "TSH-1001",
    "quantity": 1,
    "price": 123.9,
    "image_url": "https://cdn.example.com/tsh-1001.jpg",
    "extra_field": {},
}


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run oimtool in this process, as the console script does; returns code, stdout, stderr."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str | Path) -> Result:
        capfd.readouterr()
        code = main([str(a) for a in args])
        captured = capfd.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")
    return path


def item(**changes: Any) -> dict[str, Any]:
    """GOOD_ITEM with some fields changed; a value of ``...`` removes the key."""
    result = dict(GOOD_ITEM)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def problems(report: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    """A projection of a JSON report's problems, for exact assertions."""
    keys = keys or ("index", "field", "code")
    return [tuple(p[k] for k in keys) for p in report["problems"]]


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for small exports, cut into tiny pieces, so every path of them runs."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers need fork")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "PIECE_BYTES", 300)
    monkeypatch.setattr(convert_module, "BATCH_ROWS", 7)
    monkeypatch.setattr(convert_module, "SHEET_PARALLEL_ROWS", 0)
    monkeypatch.setattr(convert_module, "SHEET_PIECE_ROWS", 11)
    monkeypatch.setattr(convert_module, "XML_PIECE_BYTES", 900)  # a sheet read as a stream
    # results through shared memory, in rings so small that they wrap and overflow
    monkeypatch.setattr(parallel, "SHUTTLE_BYTES", 3000)
    monkeypatch.setattr(parallel, "SHUTTLE_SMALLEST", 1)
