"""`eckg info` and `eckg build` from the command line, on an empty cache (as on a fresh install)."""

from __future__ import annotations

import json
from pathlib import Path


def test_info_on_an_empty_cache_builds_and_reports(run_cli, tmp_path: Path) -> None:
    env = {"ECKG_CACHE_DIR": str(tmp_path / "cache"), "ECKG_DATA_DIR": str(tmp_path / "data")}
    done = run_cli("info", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert len(info["content_hash"]) == 64
    assert info["triples"]["asserted"] > 0 and info["triples"]["inferred"] > 0
    assert info["counts"]["measures"] >= 20 and info["counts"]["countries"] == 249
    assert set(info["counts"]) == {
        "measures",
        "listings",
        "parties",
        "items",
        "countries",
        "sources",
        "instruments",
        "provisions",
    }


def test_info_text(run_cli) -> None:
    done = run_cli("info")
    assert done.returncode == 0, done.stderr
    assert "content hash" in done.stdout and "listings" in done.stdout


def test_info_rejects_an_unknown_format(run_cli) -> None:
    done = run_cli("info", "--format", "yaml")
    assert done.returncode == 2
    assert "--format" in done.stderr


def test_info_with_extra_data(run_cli, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    done = run_cli("info", "-f", "json", "--data", str(extra))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["triples"]["extra"] == 1


def test_info_with_broken_extra_data_names_the_line(run_cli, tmp_path: Path) -> None:
    extra = tmp_path / "broken.ttl"
    extra.write_text("<http://example.org/a> <http://example.org/b> .\n")
    done = run_cli("info", "--data", str(extra))
    assert done.returncode == 2
    assert f"{extra}:1:" in done.stderr


def test_broken_trig_names_the_line(run_cli, tmp_path: Path) -> None:
    extra = tmp_path / "broken.trig"
    extra.write_text(
        "<http://example.org/g> {\n  <http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    )
    done = run_cli("info", "--data", str(extra))
    assert done.returncode == 2
    assert f"{extra}:3:" in done.stderr and "Traceback" not in done.stderr
