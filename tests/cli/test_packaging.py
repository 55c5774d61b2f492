"""The package as users get it: the wheel ships the schema, the entry points run, the schema is
a valid 2020-12 schema whose limits are the ones the code enforces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from oimtool import fields
from oimtool.schema import load_schema, schema_bytes

from conftest import ROOT, SAMPLES

SCHEMA_FILE = ROOT / "schemas" / "order-item.schema.json"


def test_schema_is_valid_2020_12_with_id_title_and_descriptions():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    properties = schema["$defs"]["orderItem"]["properties"]
    assert list(properties) == list(fields.FIELDS)
    for name, spec in properties.items():
        assert spec.get("description"), name


def test_schema_limits_are_the_ones_the_code_enforces():
    item = load_schema()["$defs"]["orderItem"]
    props = item["properties"]
    assert item["required"] == ["order_number", "quantity", "price", "image_url", "extra_field"]
    assert props["product"]["maxLength"] == fields.MAX_LENGTH["product"]
    assert props["sku"]["maxLength"] == fields.MAX_LENGTH["sku"]
    assert props["quantity"]["maximum"] == fields.QUANTITY_MAX
    assert props["price"]["exclusiveMaximum"] == fields.PRICE_LIMIT
    assert props["price"]["exclusiveMinimum"] == -fields.PRICE_LIMIT
    assert props["price"]["x-oimtool-decimal-places"] == fields.PRICE_PLACES
    url = props["image_url"]["x-oimtool-url"]
    assert tuple(url["schemes"]) == fields.URL_SCHEMES
    assert tuple(url["warn-schemes"]) == fields.URL_WARN_SCHEMES
    assert url["warn-length"] == fields.URL_WARN_LENGTH
    assert url["max-host-length"] == fields.URL_MAX_HOST
    assert props["image_url"]["maxLength"] == fields.URL_MAX_LENGTH


def test_multipleof_trap_is_avoided():
    """jsonschema's multipleOf: 0.01 rejects 0.29; the schema must not use it."""
    assert "multipleOf" not in SCHEMA_FILE.read_text()


def test_schema_command_prints_the_bundled_file(cli):
    result = cli("schema")
    assert result.code == 0
    assert result.out == SCHEMA_FILE.read_text(encoding="utf-8")
    assert schema_bytes() == SCHEMA_FILE.read_bytes()


def test_rules_command_lists_every_code(cli):
    from oimtool.rules import RULES

    result = cli("rules")
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines()] == list(RULES)


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300, check=False)


def test_console_script_and_module_entry_points():
    script = Path(sys.executable).with_name("oimtool")
    for command in ([script], [sys.executable, "-m", "oimtool"]):
        result = run(*command, "--version")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("oimtool ")
        result = run(*command, "check", SAMPLES / "items-broken.json")
        assert result.returncode == 1
        assert "OIM502" in result.stdout


def test_wheel_ships_the_schema_and_runs_installed(tmp_path):
    """Build the wheel, install it (not editable) apart from the source tree, and use it."""
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "--wheel-dir", tmp_path / "wheels", ROOT)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheels").glob("oimtool-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "oimtool/schemas/order-item.schema.json" in names
    assert "oimtool/docs/rules.md" in names  # oimtool rules CODE explains a rule from it
    assert "oimtool/cli/__init__.py" in names

    target = tmp_path / "site"
    installed = run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                    "--target", target, wheel)
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = run(sys.executable, "-c", "import oimtool; print(oimtool.__file__)", cwd=elsewhere,
                env=env)
    assert where.stdout.strip() == str(target / "oimtool" / "__init__.py")
    schema = run(sys.executable, "-m", "oimtool", "schema", cwd=elsewhere, env=env)
    assert schema.returncode == 0, schema.stderr
    assert schema.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    checked = run(sys.executable, "-m", "oimtool", "check", SAMPLES / "items.json", "--orders",
                  SAMPLES / "orders.json", cwd=elsewhere, env=env)
    assert (checked.returncode, checked.stdout) == (0, "OK: 14 items in 1 file, no problems.\n")
    explained = run(sys.executable, "-m", "oimtool", "rules", "OIM503", cwd=elsewhere, env=env)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[5].startswith("`price` carries float noise")


@pytest.mark.parametrize(("module", "heavy"), [
    ("oimtool.check", ("jsonschema", "openpyxl", "difflib", "decimal", "rich")),
    ("oimtool.cli", ("jsonschema", "openpyxl", "rich")),
])
def test_check_path_imports_no_heavy_modules(module, heavy):
    """jsonschema and openpyxl cost ~80 and ~110 ms to import; a hook starts often."""
    code = f"import sys, {module}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    # oimtool's imports alone, not those of a coverage measurement around them
    plain = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    result = run(sys.executable, "-c", code, env=plain)
    assert result.stdout.strip() == "[]", result.stderr
