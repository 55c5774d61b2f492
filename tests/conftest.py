from __future__ import annotations

import json
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from oimtool.cli import main
from oimtool.tuning import Tuning

# CI: the same examples on every run (a failure reproduces), and no deadline (a loaded machine
# is slow, not wrong). HYPOTHESIS_PROFILE=ci selects it; .ci/run does.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-docs", action="store_true",
                     help="rewrite the generated parts of docs/ instead of comparing them")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest):
    """Run oimtool in this process, as the console script does; returns code, stdout, stderr.
    ``tuning=``: sizes for cutting work (by default the ``small_pieces`` fixture's, if used)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    default = request.getfixturevalue("small_pieces") if (
        "small_pieces" in request.fixturenames) else None

    def run(*args: str | Path, tuning: Tuning | None = None) -> Result:
        capfd.readouterr()
        code = main([str(a) for a in args], tuning=tuning or default)
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


#: Workers even for small exports, cut into tiny pieces, so every path of them runs; results
#: through shared memory, in rings so small that they wrap and overflow.
SMALL_PIECES = Tuning(parallel_min_bytes=0, piece_bytes=300, batch_rows=7,
                      sheet_parallel_rows=0, sheet_piece_rows=11, xml_piece_bytes=900,
                      shuttle_bytes=3000, shuttle_smallest=1)


@pytest.fixture
def small_pieces() -> Tuning:
    """``SMALL_PIECES``, for the ``cli`` fixture (and for library calls that take a tuning)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers need fork")
    return SMALL_PIECES
