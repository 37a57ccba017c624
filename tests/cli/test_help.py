"""`--help`: a command's docstring is shown paragraph by paragraph, each wrapped by the terminal, not at
the line breaks of the source."""

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
