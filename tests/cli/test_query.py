"""`eckg queries`, `eckg query` and `eckg sparql`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox


def test_queries_lists_the_catalogue(run_cli) -> None:
    done = run_cli("queries", "--format", "json")
    assert done.returncode == 0, done.stderr
    entries = {e["name"]: e for e in json.loads(done.stdout)}
    assert {
        "explain_decision",
        "list_sources",
        "list_measures_in_force",
        "list_listed_parties",
        "find_items",
        "find_parties",
        "list_timeline_events",
        "list_decisions_for_measure",
    } <= set(entries)
    assert entries["list_measures_in_force"]["params"][0] == {
        "name": "date",
        "type": "date",
        "required": True,
        "description": "the day",
    }
    text = run_cli("queries").stdout
    assert "--param date=<date>" in text


def test_query_with_params_in_every_format(run_cli) -> None:
    args = ("query", "list_measures_in_force", "--param", "date=2026-03-01", "--param", "destination=JP")
    as_json = json.loads(run_cli(*args, "--format", "json").stdout)
    ids = {b["identifier"]["value"] for b in as_json["results"]["bindings"]}
    assert "MOFCOM Announcement 2026 No. 1" in ids and "MOFCOM Announcement 2024 No. 46 Art. 1" not in ids
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert {r["identifier"] for r in rows} == ids
    tsv = run_cli(*args, "--format", "tsv").stdout
    assert list(ox.parse_query_results(tsv.encode(), format=ox.QueryResultsFormat.TSV))
    xml = run_cli(*args, "--format", "xml").stdout
    assert len(list(ox.parse_query_results(xml.encode(), format=ox.QueryResultsFormat.XML))) == len(ids)


def test_query_param_errors_exit_2(run_cli) -> None:
    done = run_cli("query", "list_measures_in_force", "--param", "date=2026-02-30")
    assert done.returncode == 2 and "date" in done.stderr
    done = run_cli("query", "list_measures_in_force")
    assert done.returncode == 2 and "required parameter missing" in done.stderr
    done = run_cli("query", "list_measures_in_force", "-p", "date=2026-01-01", "-p", "colour=red")
    assert done.returncode == 2 and "colour" in done.stderr
    done = run_cli("query", "list_measures_in_force", "-p", "date=2026-01-01", "-p", "destination=Japan")
    assert done.returncode == 2 and "ISO 3166" in done.stderr
    done = run_cli("query", "list_measures_in_force", "-p", "nonsense")
    assert done.returncode == 2 and "name=value" in done.stderr


def test_unknown_and_path_like_names_are_not_found(run_cli) -> None:
    for name in ("no_such_query", "../graph/facts/measures", "/etc/passwd"):
        done = run_cli("query", name)
        assert done.returncode == 2 and "no query named" in done.stderr


def test_query_file_and_adhoc_sparql(run_cli, tmp_path: Path) -> None:
    query = tmp_path / "mine.rq"
    query.write_text(
        "# summary: Japanese parties on the control list.\n# param date: date — day\n# returns: ?date ?n\n"
        "SELECT ?date (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l eckg:onList lst:control-list ; eckg:designatedBy ?m . "
        "?m eckg:destination ctry:JP ; eckg:effectiveFrom ?f FILTER(?f <= ?date) } GROUP BY ?date\n"
    )
    done = run_cli("query", "--file", str(query), "-p", "date=2026-03-01", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"] == "19"
    done = run_cli("sparql", "ASK { pty:jmsdf a eckg:MilitaryEndUser }", "-f", "json")
    assert json.loads(done.stdout)["boolean"] is True
    done = run_cli(
        "sparql", "CONSTRUCT { msr:mofcom-2026-1 ?p ?o } WHERE { msr:mofcom-2026-1 ?p ?o }", "-f", "ntriples"
    )
    assert done.returncode == 0 and "mofcom-2026-1" in done.stdout


def test_sparql_syntax_error_names_line_and_column(run_cli) -> None:
    done = run_cli("sparql", "SELECT * WHERE {\n ?s ?p }")
    assert done.returncode == 2 and "line 2" in done.stderr


def test_a_runaway_adhoc_query_is_stopped(run_cli) -> None:
    done = run_cli(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        env={"ECKG_QUERY_TIMEOUT": "2"},
    )
    assert done.returncode == 3 and "longer than 2 s" in done.stderr


def test_service_is_refused_in_the_cli(run_cli) -> None:
    done = run_cli("sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert done.returncode == 2 and "SERVICE" in done.stderr


def test_queries_see_every_recorded_decision_from_a_store_kept_between_runs(run_cli, tmp_path: Path) -> None:
    """`eckg query` and `eckg sparql` run over the graph and every decision in the audit log, from a store
    kept in the data directory and brought up to date with the log at each run (never the whole log
    loaded into memory); a rotated log is read anew."""
    env = {"ECKG_DATA_DIR": str(tmp_path / "data")}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?d a eckg:Decision }"

    def decisions() -> int:
        done = run_cli("sparql", count, "--format", "json", env=env)
        assert done.returncode == 0, done.stderr
        return int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"])

    def screen(end_user: str) -> str:
        done = run_cli(
            "screen", "--item", "1C902.b", "--destination", "JP", "--end-user", end_user,
            "--date", "2026-03-01", "--format", "json", env=env,
        )  # fmt: skip
        return json.loads(done.stdout)["id"]  # type: ignore[no-any-return]

    assert decisions() == 0
    first = screen("JMSDF")
    assert decisions() == 1
    assert (tmp_path / "data" / "query" / "store").is_dir()  # kept, and only brought up to date
    second = screen("Japan Ground Self-Defense Force")
    measure = "measure=https://w3id.org/eckg/id/measure/mofcom-2026-1"
    done = run_cli("query", "list_decisions_for_measure", "-p", measure, "--format", "json", env=env)
    rows = json.loads(done.stdout)["results"]["bindings"]
    assert {r["decision"]["value"].rsplit("/", 1)[-1] for r in rows} == {first, second}

    log = tmp_path / "data" / "audit.jsonl"
    log.rename(log.with_name("audit.jsonl.1"))
    third = screen("JMSDF")
    assert decisions() == 1
    explained = run_cli(
        "query", "explain_decision", "-p", f"decision=https://w3id.org/eckg/id/decision/{third}",
        "--format", "json", env=env,
    )  # fmt: skip
    assert json.loads(explained.stdout)["results"]["bindings"], explained.stderr


def test_a_query_file_that_cannot_be_used_is_an_input_error(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each named, exit 2: a file without the catalogue's header, or with an unknown parameter type, gave a
    ValueError traceback, and one that is not there a FileNotFoundError (exit 3, internal error)."""
    headless = tmp_path / "plain.rq"
    headless.write_text("SELECT ?s WHERE { ?s a eckg:Measure } LIMIT 1\n")
    typed = tmp_path / "typed.rq"
    typed.write_text("# summary: x\n# param p: url — a thing\nSELECT ?s WHERE { ?s a ?p }\n")
    cases = [
        (headless, "missing '# summary:' header"),
        (typed, "parameter p has unknown type 'url'"),
        (tmp_path / "none.rq", "cannot read the query file"),
    ]
    for path, message in cases:
        done = run_cli("query", "--file", str(path))
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
