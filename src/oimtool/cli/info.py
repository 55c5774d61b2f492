"""``oimtool schema`` and ``oimtool rules``: what oimtool knows, printed."""

from __future__ import annotations

import sys

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


@app.command()
def rules() -> None:
    """List the rule codes oimtool reports (see docs/rules.md for each with examples)."""
    from ..rules import RULES

    for rule in RULES.values():
        typer.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.fix.value:<6}  "
                   f"{rule.slug:<26}  {rule.title}")
