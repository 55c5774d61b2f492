"""What users of ruff, check-jsonschema, csvkit and frictionless reach for (issue 14, point 4):
--select/--ignore (also in the settings file), -q, --color and FORCE_COLOR, shell completion,
and a --help that says it all. (Folders: test_folders.py; ``oimtool rules CODE``:
test_rules_command.py; the reports' CSV column and control characters: test_reports.py.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import item, write_json

ANSI = "\033["


def codes(result) -> list[tuple[str, str]]:
    return [(Path(p["file"]).name, p["code"]) for p in result.json()["problems"]]


# -- --select / --ignore ------------------------------------------------------------------


def bad_items(tmp_path: Path) -> Path:
    return write_json(tmp_path / "items.json", [
        item(order_number=" A "),  # OIM104 error, safe fix
        item(quantity=0),  # OIM403 error
        item(quantity=None),  # OIM404 warning
        item(price="1.50"),  # OIM502 error, safe fix
    ])


def test_select_and_ignore_choose_what_is_shown_counted_and_fails(cli, tmp_path):
    items = bad_items(tmp_path)
    result = cli("check", items, "--select", "OIM4,OIM104", "--ignore", "OIM403")
    assert result.code == 1
    assert result.out.splitlines() == [
        f'{items}:3:21: OIM104 order_number " A " has whitespace around it; write "A" '
        "(safe fix)",
        f"{items}:24:17: OIM404 quantity is null; Omnitron accepts it, but the order line will "
        "show no quantity",
        "1 error and 1 warning in 4 items in 1 file. 1 fixable with `oimtool fix`. 2 more "
        "problems not shown (--select/--ignore).",
    ]
    warnings_only = cli("check", items, "--ignore", "oim1", "--ignore",
                        "quantity-below-one,OIM5")
    assert warnings_only.code == 0  # the exit code follows what is shown
    assert warnings_only.out.splitlines()[-1] == (
        "0 errors and 1 warning in 4 items in 1 file. 3 more problems not shown "
        "(--select/--ignore).")
    json_report = cli("check", items, "--ignore", "OIM1,OIM5", "-f", "json").json()
    assert json_report["summary"] == {"files": 1, "items": 4, "errors": 1, "warnings": 1,
                                      "fixable": 0, "hidden": 2}
    assert [p["code"] for p in json_report["problems"]] == ["OIM403", "OIM404"]


def test_the_more_specific_entry_decides(cli, tmp_path):
    items = bad_items(tmp_path)
    assert codes(cli("check", items, "-f", "json", "--select", "OIM403", "--ignore",
                     "OIM4")) == [("items.json", "OIM403")]
    assert codes(cli("check", items, "-f", "json", "--select", "ALL", "--ignore",
                     "OIM4,OIM104")) == [("items.json", "OIM502")]


def test_a_file_that_cannot_be_read_is_always_reported(cli, tmp_path):
    broken = tmp_path / "items.json"
    broken.write_text('[{"order_number": "A",]', encoding="utf-8")
    result = cli("check", broken, "--select", "OIM5", "--ignore", "OIM0")
    assert result.code == 1
    assert [line.split()[1] for line in result.out.splitlines()[:-1]] == ["OIM001"]


@pytest.mark.parametrize(("args", "message"), [
    (("--select", "OIM999"),
     "Invalid value for --select: unknown rule code 'OIM999'; did you mean OIM902, OIM901 or "
     "OIM019?"),
    (("--ignore", "OIM1,quantity-nul"),
     "Invalid value for --ignore: unknown rule code 'quantity-nul'; did you mean "
     "quantity-null, quantity-missing or quantity-too-large?"),
    (("--select", "E501"),
     "Invalid value for --select: unknown rule code 'E501'; did you mean OIM501?"),
    (("--select", ","),
     "Invalid value for --select: give rule codes, prefixes (OIM1) or names: an empty --select "
     "would report nothing"),
    (("--select", "W"),
     "Invalid value for --select: unknown rule code 'W'; give rule codes (OIM105), prefixes "
     "(OIM1: OIM1xx) or names (oimtool rules)"),
])
def test_an_unknown_code_is_a_usage_error(cli, tmp_path, args, message):
    result = cli("check", bad_items(tmp_path), *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines()[-1] == f"Error: {message}"


def test_select_and_ignore_in_the_settings_file(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad_items(tmp_path)
    (tmp_path / "oimtool.toml").write_text('ignore = ["OIM4", "price-not-number"]\n'
                                           "[convert]\nextra = true\n")
    assert codes(cli("check", "items.json", "-f", "json")) == [("items.json", "OIM104")]
    # --ignore adds to the file's ignore; --select starts again (the file's ignore dropped)
    assert codes(cli("check", "items.json", "-f", "json", "--ignore", "OIM104")) == []
    assert codes(cli("check", "items.json", "-f", "json", "--select", "OIM4")) == [
        ("items.json", "OIM403"), ("items.json", "OIM404")]
    (tmp_path / "pyproject.toml").write_text('[tool.oimtool]\nselect = ["OIM5"]\n')
    (tmp_path / "oimtool.toml").unlink()
    assert codes(cli("check", "items.json", "-f", "json")) == [("items.json", "OIM502")]


@pytest.mark.parametrize(("settings", "message"), [
    ('select = ["OIM1", "OIM44"]\n',
     "{path}: select: unknown rule code 'OIM44'; did you mean OIM404, OIM604 or OIM504?"),
    ("select = []\n", "{path}: select is empty, which would report nothing: leave it out to "
     "report every rule"),
    ('ignore = "OIM1"\n', '{path}: ignore must be a list of rule codes, e.g. ["OIM107", '
     '"OIM9"]'),
])
def test_a_bad_setting_names_the_file_and_key(cli, tmp_path, monkeypatch, settings, message):
    monkeypatch.chdir(tmp_path)
    bad_items(tmp_path)
    (tmp_path / "oimtool.toml").write_text(settings)
    result = cli("check", "items.json")
    path = tmp_path / "oimtool.toml"
    assert (result.code, result.out) == (2, "")
    # the file is named first when it could be read as settings at all
    assert result.err.replace("oimtool: settings from oimtool.toml\n", "") == (
        f"oimtool: error: {message.format(path=path)}\n")


def test_convert_a_rejected_row_fails_even_when_its_problem_is_ignored(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No,Qty,Price\nA,0,2\nB,1,x\n", encoding="utf-8")
    result = cli("convert", source, "--ignore", "OIM403,OIM0", "-q")
    assert result.code == 1
    assert result.out == f"{source}:3:C: OIM502 price is the text \"x\", not a number; write " \
        "the price as a number\n"
    assert not (tmp_path / "s.json").exists()
    summary = cli("convert", source, "--ignore", "OIM4,OIM5", "-f", "json").json()["summary"]
    assert (summary["errors"], summary["rejected"], summary["written"]) == (0, 2, 0)


def test_fix_applies_every_fix_and_reports_what_is_selected(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(price="1.50"), item(quantity=None)])
    result = cli("fix", items, "--select", "OIM5")
    assert result.code == 0
    assert result.out.splitlines() == [
        f'{items} /0/price: "1.50" → 1.5 (OIM502)',
        f"1 change in 2 items in 1 file, written to {tmp_path}/items.fixed.json. No problems "
        "shown remain; 1 more problem not shown (--select/--ignore).",  # the OIM404 left
    ]
    assert json.loads((tmp_path / "items.fixed.json").read_text())[0]["price"] == 1.5


# -- -q / --quiet -------------------------------------------------------------------------


def test_quiet_check_shows_the_problems_only(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(quantity=None)])
    result = cli("check", items, "-q")
    assert (result.code, result.err) == (0, "")
    assert result.out == (f"{items}:6:17: OIM404 quantity is null; Omnitron accepts it, but "
                          "the order line will show no quantity\n")
    clean = write_json(tmp_path / "clean.json", [item()])
    assert (cli("check", clean, "--quiet").out, cli("check", clean).out) == (
        "", "OK: 1 item in 1 file, no problems.\n")


def test_quiet_convert_has_no_plan_no_notes(cli, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("Order No,Qty,Price,Colour\nA,1,2,red\nA,1,2,red\n", encoding="utf-8")
    loud = cli("convert", source)
    assert "OIM010" in loud.out and "OIM011" in loud.out and "←" in loud.out
    result = cli("convert", source, "-q", "--force")
    assert (result.code, result.err) == (0, "")
    assert result.out == f"{source}:3: OIM803 row 3 repeats row 2: a double export? Remove " \
        "one unless the order really has two such lines\n"


def test_quiet_fix_has_no_change_list(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(price="1.50"), item(quantity=0)])
    result = cli("fix", items, "-q")
    assert result.code == 1
    assert result.out == f"{tmp_path / 'items.fixed.json'}:15:17: OIM403 quantity is 0; it " \
        "must be at least 1 (remove the line or correct it)\n"


# -- --color and FORCE_COLOR --------------------------------------------------------------


@pytest.mark.parametrize(("args", "env", "coloured"), [
    ((), {}, False),  # not a terminal
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
    (("--color", "always"), {"NO_COLOR": "1"}, True),  # the option wins
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    (("--color", "auto"), {}, False),
    (("--color", "always", "-f", "json"), {}, False),  # only the text report has colour
])
def test_color(cli, tmp_path, monkeypatch, args, env, coloured):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    items = write_json(tmp_path / "items.json", [item(quantity=0)])
    result = cli("check", items, *args)
    assert result.code == 1
    assert (f"{ANSI}31mOIM403{ANSI}0m" in result.out) is coloured
    assert (ANSI in result.out) is coloured


def test_color_into_a_report_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # the terminal's business: a file stays plain
    items = write_json(tmp_path / "items.json", [item(quantity=0)])
    cli("check", items, "--output", tmp_path / "plain.txt")
    cli("check", items, "--output", tmp_path / "painted.txt", "--color", "always")
    assert ANSI not in (tmp_path / "plain.txt").read_text()
    assert f"{ANSI}31mOIM403{ANSI}0m" in (tmp_path / "painted.txt").read_text()


def test_an_unknown_color_is_a_usage_error(cli, tmp_path):
    result = cli("check", write_json(tmp_path / "i.json", [item()]), "--color", "yes")
    assert (result.code, result.out) == (2, "")
    assert "Invalid value for '--color'" in result.err


# -- shell completion ---------------------------------------------------------------------


needs_bash = pytest.mark.skipif(shutil.which("bash") is None or sys.platform != "linux",
                                reason="the shell is found through bash's process (Linux)")


def in_bash(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run oimtool from bash, as a user does: the shell is detected from the parent."""
    python = subprocess.list2cmdline([sys.executable])
    # bash runs a lone command in its own place (exec): oimtool's parent would then be pytest,
    # not a shell. A second command keeps bash there as the parent to detect.
    return subprocess.run(["bash", "-c", f"{python} -m oimtool {command}; exit $?"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@needs_bash
def test_show_completion(tmp_path):
    result = in_bash("--show-completion", {**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _oimtool_completion oimtool" in result.stdout
    assert "_OIMTOOL_COMPLETE=complete_bash" in result.stdout


@needs_bash
def test_install_completion(tmp_path):
    result = in_bash("--install-completion", {**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "oimtool.sh"
    assert result.stdout.splitlines()[0] == f"bash completion installed in {script}"
    assert "_oimtool_completion" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("oimtool ch", "1", ["check"]),
    ("oimtool check --sel", "2", ["--select"]),
    ("oimtool check --color ", "3", ["auto", "always", "never"]),
])
def test_completion_answers(words, cword, expected):
    env = {**os.environ, "_OIMTOOL_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": cword}
    result = subprocess.run([sys.executable, "-m", "oimtool"], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout.split()) == (0, expected)


# -- --help -------------------------------------------------------------------------------


def test_help_lists_every_command_with_its_whole_description(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("--help")
    assert result.code == 0
    listing = result.out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    assert "..." not in listing
    entries = re.split(r"\n  (?=\S)", "\n" + listing.rstrip())[1:]
    assert {entry.split()[0]: " ".join(entry.split()[1:]) for entry in entries} == {
        "check": "Validate order-item files and report every problem of every item.",
        "convert": "Convert a CSV/TSV/Excel export to the order-item JSON, checking every row.",
        "fix": "Apply the safe fixes (and with --unsafe the unsafe ones), list every change, "
        "and check the result: exit 0 when no error remains, 1 when some do.",
        "schema": "Print the bundled JSON Schema of the order-item file (for editors and other "
        "tools).",
        "rules": "List the rule codes oimtool reports, or explain one (as docs/rules.md does).",
        "profiles": "List the platform profiles: the exports convert recognises by their "
        "header, and what it reads from each (docs/profiles.md; a profile of your own is a "
        "TOML file).",
        "upload": "Upload order-item files to Omnitron: checked first, in parts, each part "
        "once.",
    }


@pytest.mark.parametrize("command", [(), ("check",), ("convert",), ("fix",)])
def test_help_names_settings_environment_and_exit_codes(cli, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "200")
    out = cli(*command, "--help").out
    said = " ".join(out.split())
    assert "Settings: oimtool.toml, or [tool.oimtool] in pyproject.toml" in said
    for name in ("NO_COLOR", "FORCE_COLOR", "CI", "NO_PROGRESS", "OIMTOOL_TRACEBACK",
                 "OIMTOOL_TOKEN"):
        assert name in said
    assert ("Exit codes: 0 no errors (warnings allowed, unless --strict); 1 the data has "
            "errors; 2 oimtool could not run as asked") in said


def test_strict_says_why_it_failed(cli, tmp_path):
    from conftest import item, write_json

    twice = write_json(tmp_path / "items.json", [item(), item()])
    lenient = cli("check", twice)
    assert (lenient.code, lenient.err) == (0, "")
    strict = cli("check", twice, "--strict")
    assert strict.code == 1
    assert strict.err == "oimtool: 1 warning, and --strict makes warnings fail\n"
    write_json(twice, [item(), item(), item(quantity=0)])
    both = cli("check", twice, "--strict")
    assert (both.code, both.err) == (1, "")  # the errors say it: nothing to add
