"""The documentation stays true: every rule documented with examples that behave as documented,
every option of every command mentioned, every hook listed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from oimtool.api import check, convert
from oimtool.rules import RULES

from conftest import ROOT

RULES_MD = ROOT / "docs" / "rules.md"
SECTION = re.compile(r"^## (OIM\d{3}) `([a-z0-9-]+)`\s*$", re.M)
EXAMPLE = re.compile(
    r"^(Bad|Fixed|Bad file|Fixed file|Bad export|Fixed export|Orders|Fixed orders):\s*\n+"
    r"```(\w+)\n(.*?)^```", re.M | re.S
)
# Byte-level examples (shown in hex) and what only a typed workbook cell shows: not run.
NOT_EXECUTABLE = {"OIM004", "OIM005", "OIM014", "OIM019", "OIM020"}  # 19, 20: test_profiles.py


def sections() -> dict[str, tuple[str, str]]:
    text = RULES_MD.read_text(encoding="utf-8")
    found = {}
    matches = list(SECTION.finditer(text))
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        body = text[m.end(): nxt.start() if nxt else len(text)]
        assert m[1] not in found, f"{m[1]} documented twice"
        found[m[1]] = (m[2], body)
    return found


def test_every_rule_is_documented_once_in_catalogue_order():
    documented = sections()
    assert list(documented) == list(RULES)
    for code, (slug, body) in documented.items():
        rule = RULES[code]
        assert slug == rule.slug, code
        first_line = body.strip().splitlines()[0]
        assert first_line.startswith(f"**{rule.severity.value}**"), code


def examples(body: str) -> dict[str, tuple[str, str]]:
    return {m[1]: (m[2], m[3]) for m in EXAMPLE.finditer(body)}


def run_example(tmp_path: Path, kind: str, text: str, orders: str | None):
    if kind.endswith("export"):
        return run_export(tmp_path, kind, text, orders)
    path = tmp_path / f"{kind.replace(' ', '-')}.json"
    if kind in ("Bad", "Fixed"):
        value = json.loads(text)
        assert isinstance(value, dict), "an item example is one JSON object"
        text = json.dumps([value], ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    orders_paths = []
    if orders is not None:
        orders_path = tmp_path / "orders.json"
        orders_path.write_text(orders, encoding="utf-8")
        orders_paths.append(orders_path)
    return check([path], orders=orders_paths)


def run_export(tmp_path: Path, kind: str, text: str, orders: str | None):
    """Convert a CSV example (``Bad export``/``Fixed export``) as ``oimtool convert`` would."""
    path = tmp_path / f"{kind.replace(' ', '-')}.csv"
    path.write_text(text, encoding="utf-8")
    orders_paths = []
    if orders is not None:
        (tmp_path / "orders.json").write_text(orders, encoding="utf-8")
        orders_paths = [tmp_path / "orders.json"]
    return convert(path, output=tmp_path / "out.json", orders=orders_paths, force=True)


@pytest.mark.parametrize("code", list(RULES))
def test_rule_examples_behave_as_documented(tmp_path, code):
    _, body = sections()[code]
    found = examples(body)
    kinds = ("", " file", " export")
    kind_bad = next((f"Bad{k}" for k in kinds if f"Bad{k}" in found), None)
    kind_fixed = next((f"Fixed{k}" for k in kinds if f"Fixed{k}" in found), None)
    assert kind_bad and kind_fixed, f"{code} needs a Bad and a Fixed example"
    bad, fixed = found[kind_bad], found[kind_fixed]
    if code in NOT_EXECUTABLE:
        return
    orders = found["Orders"][1] if "Orders" in found else None
    report = run_example(tmp_path, kind_bad, bad[1], orders)
    assert code in {p.code for p in report.problems}, f"{code}: the bad example does not show it"
    if "Fixed orders" in found:  # the rule is about the orders file itself
        orders = found["Fixed orders"][1]
    report = run_example(tmp_path, kind_fixed, fixed[1], orders)
    assert report.problems == [], f"{code}: the fixed example is not clean"


def test_cli_reference_mentions_every_option():
    from typer.main import get_command

    from oimtool.cli import app

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    group = get_command(app)
    for name, command in group.commands.items():
        assert f"oimtool {name}" in text, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert f"`{opt}" in text or f" {opt}" in text, f"{name} {opt}"


def test_readme_lists_every_hook_and_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert hook["id"] in readme
        assert hook["id"] in (ROOT / "docs" / "pre-commit.md").read_text(encoding="utf-8")
    for command in ("check", "convert", "schema", "rules"):
        assert f"oimtool {command}" in readme


GENERATED = re.compile(r"(<!-- BEGIN (\w+):[^\n]*-->\n)(.*?)(<!-- END \2 -->)", re.S)


def synonyms_table() -> str:
    from oimtool.fields import SYNONYMS, VAGUE

    rows = ["| field | headers recognised |", "|---|---|"]
    rows += [f"| `{field}` | {', '.join(names)} |" for field, names in SYNONYMS.items()]
    vague = ", ".join(f"{name} ({field})" for field, names in VAGUE.items() for name in names)
    return "\n".join(rows) + (
        "\n\nThe same names (after the same folding) tell what an unknown key of an items file "
        "most likely means, for the \"did you mean\" of "
        "[OIM801](rules.md#oim801-unknown-key); so do a few names too vague to take a column by: "
        f"{vague}.\n")


def test_generated_docs_are_current(request):
    """docs/convert.md's list of header names is generated from the one vocabulary that
    convert's header matching and check's "did you mean" use."""
    path = ROOT / "docs" / "convert.md"
    text = path.read_text(encoding="utf-8")
    generated = {"synonyms": synonyms_table()}
    current = {m[2]: m[3] for m in GENERATED.finditer(text)}
    assert set(current) == set(generated)
    if request.config.getoption("--update-docs"):
        text = GENERATED.sub(lambda m: m[1] + generated[m[2]] + m[4], text)
        path.write_text(text, encoding="utf-8")
        return
    assert current == generated, "run: pytest tests/cli/test_docs.py --update-docs"


def test_readme_python_example_prints_what_it_says(tmp_path):
    """The README's Python section, run from a copy of the repository's samples."""
    import shutil
    import subprocess
    import sys

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python", 1)[1]
    code, printed = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == printed


def test_readme_links_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|samples|schemas)/[^)#]+)", readme):
        assert (ROOT / target).exists(), target


def test_the_documented_folder_pattern_is_the_one_used():
    """docs/cli.md and docs/pre-commit.md show the pattern of item file names; it is the one
    ``oimtool check FOLDER`` and both hooks use."""
    from oimtool.cli.files import ITEM_FILES

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["files"] for hook in hooks} == {ITEM_FILES}
    for doc in ("cli.md", "pre-commit.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        assert f"```\n{ITEM_FILES}\n```" in text, doc
