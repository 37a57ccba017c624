"""Docs that tests keep honest: every command, option and setting is documented; the README's examples run."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from graph.cli import app
from graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def _commands() -> dict[str, object]:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined,no-any-return]


def test_every_command_and_option_has_help() -> None:
    for name, command in _commands().items():
        assert command.help, f"eckg {name} has no help text"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert getattr(param, "help", None), f"eckg {name} {param.opts[0]} has no help text"
            if param.param_type_name == "argument":
                assert getattr(param, "help", None), f"eckg {name} argument {param.name} has no help text"


def test_every_command_is_in_the_readme() -> None:
    for name in _commands():
        assert f"eckg {name}" in README, f"README does not document `eckg {name}`"


def test_every_setting_is_documented() -> None:
    for field in Settings.model_fields:
        variable = f"ECKG_{field.upper()}"
        assert variable in SETTINGS_DOC, f"{variable} is not in docs/settings.md"
        assert re.search(rf"\|\s*`{variable}`\s*\|", SETTINGS_DOC), (
            f"{variable} needs a row in the settings table"
        )


def test_every_documented_setting_exists() -> None:
    documented = set(re.findall(r"`ECKG_([A-Z_]+)`", SETTINGS_DOC))
    assert documented <= {f.upper() for f in Settings.model_fields} | {"REQUIRE_BROWSER"}


def test_readme_first_screen_has_the_two_setup_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert "make serve" in first_screen and "make test" in first_screen
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1].strip() == "make test"


def test_every_named_query_is_listed_in_the_docs() -> None:
    from graph.catalogue import catalogue

    queries_doc = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    for name in catalogue():
        assert f"`{name}`" in queries_doc, f"docs/queries.md does not list {name}"


def _console_examples() -> list[tuple[str, list[str]]]:
    """($ command, expected output lines) from the README's ```console blocks."""
    examples, current = [], None
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                current = (line[2:], [])
                examples.append(current)
            elif current is not None and line.strip() and line.strip() != "...":
                current[1].append(line.strip())
    return examples


def test_readme_examples_run(run_cli) -> None:  # type: ignore[no-untyped-def]
    import shlex

    examples = _console_examples()
    assert len(examples) >= 3
    for command, expected in examples:
        args = shlex.split(command)
        assert args[0] == "eckg"
        done = run_cli(*args[1:], env={"COLUMNS": "110"})
        assert done.returncode in (0, 1), f"{command}: {done.stderr}"
        output = re.sub(r"[ \t]+", " ", done.stdout)
        for line in expected:
            assert re.sub(r"[ \t]+", " ", line) in output, f"{command}: expected {line!r} in\n{done.stdout}"


def test_the_readme_shows_the_latest_benchmark_table() -> None:
    latest = (ROOT / "bench" / "results" / "latest.md").read_text(encoding="utf-8")
    table = latest.split("\n\n- ")[0].strip()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README's benchmark table differs from bench/results/latest.md: paste the latest table (make bench)"
    )
