"""The Typer application, its root options, and the exit codes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

#: What every report's --help ends with (and oimtool --help): where settings come from, what
#: the environment changes, what the exit code says. docs/cli.md has the details.
EPILOG = (
    "Settings: oimtool.toml, or [tool.oimtool] in pyproject.toml, the nearest one from the "
    "current folder up to the repository's root: select and ignore (the rules reported), and "
    "in [convert] how exports are read. An option given here wins.\n\n"
    "Environment: NO_COLOR, FORCE_COLOR (colour of the text report); CI, NO_PROGRESS, "
    "OIMTOOL_PROGRESS_DELAY (the progress bar); OIMTOOL_TRACEBACK (an internal error's "
    "details); upload: OIMTOOL_TOKEN, OIMTOOL_PASSWORD, OIMTOOL_URL, OIMTOOL_CHANNEL.\n\n"
    "Exit codes: 0 no errors (warnings allowed, unless --strict); 1 the data has errors; 2 "
    "oimtool could not run as asked (a missing file, a bad option or setting, an output that "
    "exists); 3 an internal error (a bug); 130/143 interrupted. See docs/cli.md."
)


class _Group(TyperGroup):
    """Lists each command with its whole first sentence (click cuts it to fit a line)."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    name="oimtool",
    cls=_Group,
    help="Make Akinon Omnitron order-item migration files right before upload.",
    epilog=EPILOG,
    # --install-completion and --show-completion: typer imports their code either way
    add_completion=True,
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
