"""The `eckg` command line: thin commands over library functions.

Exit codes (as pySHACL's): 0 ok / conforms / may ship, 1 prohibited / does not conform,
2 usage or input error, 3 internal, store or timeout error.
"""

from __future__ import annotations

import inspect
import os
import sys
import traceback
from typing import Annotated

import typer

from graph.cli import audit_cmds, graph_cmds, query_cmds, screen_cmds, serve_cmds
from graph.cli.output import fail
from graph.errors import EckgError
from graph.settings import get_settings

app = typer.Typer(
    name="eckg",
    help="Export-control knowledge graph: screen exports against PRC dual-use measures and ask why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def options(
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Run against the graph loaded (eckg load) into this SPARQL server's query endpoint, instead of "
            "the embedded store (setting ECKG_STORE_URL).",
        ),
    ] = None,
) -> None:
    """Export-control knowledge graph: screen exports against PRC dual-use measures and ask why."""
    if store:
        os.environ["ECKG_STORE_URL"] = store
        get_settings.cache_clear()


def reflowed(text: str) -> str:
    """A docstring as help: each paragraph on one line (the terminal wraps it), paragraphs kept apart.
    Typer keeps a docstring's line breaks after its first paragraph, and in the list of commands."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _reflow_help(group: typer.Typer) -> None:
    for command in group.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else None)
        if text:
            command.help = reflowed(text)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _reflow_help(sub.typer_instance)


for module in (graph_cmds, query_cmds, screen_cmds, serve_cmds, audit_cmds):
    module.register(app)
_reflow_help(app)


def main() -> None:
    """Console-script entry point: run the app, mapping eckg errors to their exit codes."""
    try:
        code = app(standalone_mode=False)
    except EckgError as error:
        fail(error)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as error:  # click usage errors carry their own exit code (2)
        code = getattr(error, "exit_code", None)
        if code is None:  # a bug: exit 3 (internal error), never 1, which means prohibited
            traceback.print_exc()
            sys.stderr.write(f"error: internal error ({type(error).__name__}); please report it\n")
            sys.exit(3)
        show = getattr(error, "show", None)
        if callable(show):
            show()
        sys.exit(code)
    sys.exit(code if isinstance(code, int) else 0)
