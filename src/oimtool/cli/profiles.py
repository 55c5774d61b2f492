"""``oimtool profiles``: the platform exports oimtool recognises."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .app import app
from .options import usage_errors

NameArgument = Annotated[Optional[str], typer.Argument(  # noqa: UP045 - typer needs Optional
    metavar="[NAME|FILE]", show_default=False,
    help="Show one profile (a built-in one's name, or a profile file) in full.")]


@app.command()
def profiles(name: NameArgument = None) -> None:
    """List the platform profiles: the exports convert recognises by their header, and what
    it reads from each (docs/profiles.md; a profile of your own is a TOML file).

    Example:

        oimtool profiles shopify
    """
    from ..convert.profiles import builtin, describe, named

    with usage_errors():
        if name is None:
            for profile in builtin():
                typer.echo(f"{profile.name:<16}  {profile.title}")
            typer.echo("\nOne in full: oimtool profiles NAME. Your own: --profile FILE.toml "
                       "(docs/profiles.md).")
            return
        typer.echo(describe(named(name)))
