"""The command line itself: `--help` shows a command's docstring paragraph by paragraph, each wrapped by the
terminal, not at the line breaks of the source; a bug exits 3, as the docs say of internal errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from graph.cli import app, reflowed

WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}


def test_reflowed_joins_lines_and_keeps_paragraphs() -> None:
    text = """First line
    goes on.

    Second paragraph
      with an indented line."""
    assert reflowed(text) == "First line goes on.\n\nSecond paragraph with an indented line."


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["screen", "--help"], "1: prohibited, or the graph cannot decide (undetermined); 2: input error."),
        (["--help"], "counts of measures, listings, parties, items, countries and sources"),
        (["audit", "--help"], "(kept by content hash) and confirm the same outcome. Exit 0 when it is"),
    ],
)
def test_help_is_not_broken_where_the_source_breaks_its_lines(args: list[str], sentence: str) -> None:
    done = CliRunner().invoke(app, args, env=WIDE)
    assert done.exit_code == 0, done.output
    assert sentence in done.output


def test_a_bug_exits_3_not_1_which_means_prohibited(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from graph.cli import graph_cmds, main

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(graph_cmds, "graph_info", broken)
    monkeypatch.setattr("sys.argv", ["eckg", "info"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 3
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err and "error: internal error (RuntimeError)" in err


@pytest.mark.parametrize(
    ("args", "named"), [(["--port", "99999"], "--port"), (["--log-level", "nope"], "--log-level")]
)
def test_serve_refuses_a_bad_option_before_it_starts(args: list[str], named: str) -> None:
    """A port out of range was passed to the server; an unknown log level failed its start with KeyError."""
    done = CliRunner().invoke(app, ["serve", *args], env=WIDE)
    assert done.exit_code == 2 and named in done.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["queries", "-f", "yaml"], "use text or json"),  # was taken as text
        (["serve", "--log-level", "loud"], "use critical, error, warning, info, debug or trace"),
    ],
)
def test_a_choice_outside_its_list_names_the_option_and_the_list(args: list[str], message: str) -> None:
    done = CliRunner().invoke(app, args, env=WIDE)
    assert done.exit_code == 2 and message in done.output
