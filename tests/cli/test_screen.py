"""`eckg screen`: exit codes, JSON, Turtle and text output."""

from __future__ import annotations

import json

import rdflib

BASE = ("screen", "--item", "1C902.b", "--destination", "JP", "--date", "2026-03-01")


def test_prohibited_exits_1_with_the_decision_in_json(run_cli) -> None:
    done = run_cli(*BASE, "--end-user", "海上自衛隊", "--format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["decision"] == "prohibited"
    assert data["reasons"][0]["measure"]["identifier"] == "MOFCOM Announcement 2026 No. 1"


def test_licence_required_exits_0(run_cli) -> None:
    done = run_cli(*BASE, "--end-user", "Acme Widgets", "--end-use", "automotive")
    assert done.returncode == 0, done.stderr
    assert "LICENSE REQUIRED" in done.stdout and "MOFCOM/GAC Announcement 2025 No. 18" in done.stdout


def test_the_end_use_is_shown_by_its_label(run_cli) -> None:
    """Given in any language, the end use is resolved to the graph's, shown by its English label (it was
    the local name of its IRI, 'civilianUse')."""
    done = run_cli(*BASE, "--end-user", "Acme Widgets", "--end-use", "民用")
    line = next(line for line in done.stdout.splitlines() if line.startswith("end use "))
    assert line.split() == ["end", "use", "民用", "civilian"]
    as_json = json.loads(
        run_cli(*BASE, "--end-user", "Acme Widgets", "--end-use", "民用", "-f", "json").stdout
    )
    assert as_json["resolved"]["end_use_label"] == "civilian"
    assert as_json["resolved"]["end_use"].endswith("#civilianUse")


def test_undetermined_exits_1(run_cli) -> None:
    done = run_cli(
        "screen", "--item", "copper pipe", "--destination", "JP", "--end-user", "Acme", "--date", "2026-03-01"
    )
    assert done.returncode == 1
    assert "UNDETERMINED" in done.stdout and "copper pipe" in done.stdout


def test_input_errors_exit_2_naming_the_field(run_cli) -> None:
    done = run_cli(*BASE, "--end-user", "Acme", "--end-use", "moon base")
    assert done.returncode == 2 and "end_use" in done.stderr and "valid:" in done.stderr
    done = run_cli("screen", "--item", "1C902", "--destination", "ZZ", "--end-user", "Acme")
    assert done.returncode == 2 and "destination" in done.stderr
    done = run_cli(*BASE, "--end-user", "Acme", "--date", "2026-02-31")
    assert done.returncode == 2 and "date" in done.stderr
    done = run_cli("screen", "--item", "1C902")
    assert done.returncode == 2 and "--destination" in done.stderr


def test_turtle_output_is_the_decision_as_rdf(run_cli) -> None:
    done = run_cli(*BASE, "--end-user", "JMSDF", "--format", "turtle")
    graph = rdflib.Graph().parse(data=done.stdout, format="turtle")
    eckg = rdflib.Namespace("https://w3id.org/eckg/ontology#")
    assert (None, rdflib.RDF.type, eckg.Decision) in graph
    assert (None, eckg.outcome, eckg.prohibited) in graph


def test_reference_engine_gives_the_same_decision(run_cli) -> None:
    fast = json.loads(run_cli(*BASE, "--end-user", "SUBARU", "--format", "json").stdout)
    reference = json.loads(
        run_cli(*BASE, "--end-user", "SUBARU", "--format", "json", "--engine", "reference").stdout
    )
    assert (fast["decision"], fast["engine"]) == ("enhanced_review", "fast")
    assert (reference["decision"], reference["engine"]) == ("enhanced_review", "reference")
