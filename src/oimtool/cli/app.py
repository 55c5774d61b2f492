"""The Typer application, its root options, and the exit codes."""

from __future__ import annotations

from typing import Annotated

import typer

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="oimtool",
    help="Make Akinon Omnitron order-item migration files right before upload.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"oimtool {version('oimtool')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and exit.",
    )] = False,
) -> None:
    """Make Akinon Omnitron order-item migration files right before upload."""
