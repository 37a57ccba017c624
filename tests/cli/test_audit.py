"""`eckg audit` and `eckg audit verify`: every screening is recorded, listed, and re-derived later on the
graph version it recorded — from the build cache, or rebuilt from the kept snapshot once the cache is gone."""

from __future__ import annotations

import csv
import io
import json
import shutil

from graph import build as builder
from graph.settings import Settings

SCREEN = ["screen", "--item", "1C902.b", "--destination", "JP", "--date", "2026-03-01", "--format", "json"]


def _screened(run_cli, end_user: str, env: dict[str, str]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    done = run_cli(*SCREEN, "--end-user", end_user, env=env)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_decisions_are_listed_filtered_and_verified(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"ECKG_DATA_DIR": str(tmp_path / "data")}
    denied = _screened(run_cli, "JMSDF", env)
    licensed = _screened(run_cli, "Synthetic Trading K.K.", env)
    listed = json.loads(run_cli("audit", "--format", "json", env=env).stdout)
    assert [r["id"] for r in listed] == [denied["id"], licensed["id"]]
    assert listed[0]["graph_hash"] == denied["graph_hash"] and listed[0]["decision"] == "prohibited"
    only = json.loads(run_cli("audit", "--decision", "prohibited", "--format", "json", env=env).stdout)
    assert [r["id"] for r in only] == [denied["id"]]

    verified = run_cli("audit", "verify", denied["id"], "--format", "json", env=env)
    assert verified.returncode == 0, verified.stderr
    result = json.loads(verified.stdout)
    assert result["verified"] is True and result["graph_source"] == "cache" and not result["differences"]


def test_the_text_listing_fits_80_columns_and_its_short_ids_verify(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"ECKG_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "80"}
    denied = _screened(run_cli, "Japan Maritime Self-Defense Force", env)
    listed = run_cli("audit", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert max(len(line) for line in lines[:2]) <= 80, lines
    short = denied["id"][:8]
    assert f"  {short}  prohibited · confirmed  cli" in lines[0]
    assert "1C902.b → JP, end user Japan Maritime Self-Defense Force, as of 2026-03-01" in lines[1]
    verified = run_cli("audit", "verify", short, env=env)
    assert verified.returncode == 0 and "same decision" in verified.stdout, verified.stderr


def test_verify_rebuilds_a_past_version_from_its_snapshot(run_cli, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    shutil.copytree(settings.cache_dir, cache)
    env = {"ECKG_DATA_DIR": str(tmp_path / "data"), "ECKG_CACHE_DIR": str(cache)}
    denied = _screened(run_cli, "JMSDF", env)
    shutil.rmtree(
        builder.graph_dir(cache, denied["graph_hash"])
    )  # the built store is gone, the snapshot kept
    verified = run_cli("audit", "verify", denied["id"], "--format", "json", env=env)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["graph_source"] == "snapshot"


def test_a_version_that_is_gone_is_said_clearly(run_cli, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    shutil.copytree(settings.cache_dir, cache)
    env = {"ECKG_DATA_DIR": str(tmp_path / "data"), "ECKG_CACHE_DIR": str(cache)}
    denied = _screened(run_cli, "JMSDF", env)
    shutil.rmtree(builder.graph_dir(cache, denied["graph_hash"]))
    builder.snapshot_path(cache, denied["graph_hash"]).unlink()
    gone = run_cli("audit", "verify", denied["id"], env=env)
    assert gone.returncode == 2
    assert "cannot be re-derived" in gone.stderr


def test_an_unknown_decision_id_exits_2(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = run_cli(
        "audit", "verify", "00000000-0000-4000-8000-000000000000", env={"ECKG_DATA_DIR": str(tmp_path)}
    )
    assert done.returncode == 2 and "00000000-0000-4000-8000-000000000000" in done.stderr


def test_an_impossible_since_exits_2_naming_it(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("audit", "--since", "2026-02-30", env={"ECKG_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2 and "since: '2026-02-30'" in done.stderr and not done.stdout


def test_the_csv_listing_has_whole_records_and_no_formula_cells(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"ECKG_DATA_DIR": str(tmp_path / "data")}
    screened = _screened(run_cli, '=HYPERLINK("http://example.org")', env)
    listed = run_cli("audit", "--format", "csv", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [r["id"] for r in rows] == [screened["id"]]
    assert rows[0]["end_user"] == '\'=HYPERLINK("http://example.org")'
    assert rows[0]["graph"] == screened["graph_hash"][:12]
