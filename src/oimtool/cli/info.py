"""``oimtool schema`` and ``oimtool rules``: what oimtool knows, printed."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from .app import app


@app.command()
def schema() -> None:
    """Print the bundled JSON Schema of the order-item file (for editors and other tools).

    Example:

        oimtool schema > order-item.schema.json
    """
    from ..schema import schema_bytes

    sys.stdout.buffer.write(schema_bytes())
    sys.stdout.buffer.flush()


class RulesFormat(str, Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def rules(
    code: Annotated[Optional[str], typer.Argument(  # noqa: UP045 - typer needs Optional
        metavar="[CODE]", show_default=False,
        help="Explain this rule: its code (OIM105) or name (order-number-unknown).")] = None,
    fmt: Annotated[RulesFormat, typer.Option(
        "--format", "-f", metavar="text|json",
        help="text (a line a rule), or json (the catalogue; with CODE, the rule).")
    ] = RulesFormat.TEXT,
) -> None:
    """List the rule codes oimtool reports, or explain one (as docs/rules.md does).

    Examples:

    \b
        oimtool rules
        oimtool rules OIM105
        oimtool rules --format json
    """
    from ..rules import RULES

    if code is None:
        if fmt is RulesFormat.JSON:
            _json([_entry(rule) for rule in RULES.values()])
            return
        for rule in RULES.values():
            typer.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.fix.value:<6}  "
                       f"{rule.slug:<26}  {rule.title}")
        return
    rule = _rule(code)
    text = _section(rule.code)
    fix = rule.fix.value
    if text is not None and text.startswith("**") and " · fix: " in text.split("\n", 1)[0]:
        head, _, text = text.partition("\n")
        fix = head.split(" · fix: ", 1)[1].strip()
        text = text.strip()
    if fmt is RulesFormat.JSON:
        _json({**_entry(rule), "fix": rule.fix.value, "fixable": fix, "explanation": text})
        return
    typer.echo(f"{rule.code} {rule.slug}: {rule.title}\n"
               f"severity: {rule.severity.value}\n"
               f"fix: {fix}\n"
               f"docs: {DOCS}#{rule.anchor}")
    if text:
        typer.echo(f"\n{text}")


DOCS = "docs/rules.md"


def _entry(rule: Any) -> dict[str, Any]:
    return {"code": rule.code, "name": rule.slug, "title": rule.title,
            "severity": rule.severity.value, "fix": rule.fix.value,
            "docs": f"{DOCS}#{rule.anchor}"}


def _json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _rule(code: str) -> Any:
    """The rule a code or name names; a usage error with "did you mean" else."""
    from ..rules import RULES, UnknownCode, chosen

    wanted = code.strip()
    found = RULES.get(wanted.upper()) or next(
        (rule for rule in RULES.values() if rule.slug == wanted.lower()), None)
    if found is not None:
        return found
    try:
        codes = chosen([wanted])
    except UnknownCode as exc:
        raise typer.BadParameter(str(exc).replace("unknown rule code", "no rule"),
                                 param_hint="CODE") from None
    listed = sorted(codes)
    more = ", ..." if len(listed) > 5 else ""
    raise typer.BadParameter(f"{wanted!r} is a prefix of {len(listed)} rules "
                             f"({', '.join(listed[:5])}{more}): give one code",
                             param_hint="CODE")


def _section(code: str) -> str | None:
    """The rule's section of docs/rules.md, without its heading (None when the docs are not
    at hand: they are shipped in the wheel, and read from the source tree otherwise)."""
    from importlib import resources
    from pathlib import Path

    packaged = resources.files("oimtool") / "docs" / "rules.md"
    try:
        if packaged.is_file():
            text = packaged.read_text(encoding="utf-8")
        else:
            text = (Path(__file__).resolve().parents[3] / DOCS).read_text(encoding="utf-8")
    except OSError:
        return None
    start = text.find(f"\n## {code} ")
    if start == -1:
        return None
    body = text[text.index("\n", start + 1) + 1:]
    end = body.find("\n## ")
    return (body if end == -1 else body[:end]).strip()
