"""Building: one call, a content hash that follows the inputs, a cache that is reused, clear parse errors."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import build as builder
from graph.errors import ParseError
from graph.kg import load_graph
from graph.parsing import parse_file
from graph.settings import Settings
from graph.store import EmbeddedStore


def test_content_hash_is_stable_across_calls() -> None:
    assert builder.collect_inputs().content_hash == builder.collect_inputs().content_hash


def test_content_hash_depends_on_reasoner() -> None:
    assert builder.collect_inputs("owlrl").content_hash != builder.collect_inputs("reasonable").content_hash


def test_content_hash_changes_when_a_fact_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import paths

    facts = tmp_path / "facts"
    shutil.copytree(paths.facts_dir(), facts)
    monkeypatch.setattr(paths, "facts_dir", lambda: facts)
    before = builder.collect_inputs().content_hash
    with (facts / "measures.ttl").open("a", encoding="utf-8") as f:
        f.write('\nmsr:mofcom-2026-1 eckg:note "changed"@en .\n')
    assert builder.collect_inputs().content_hash != before


def test_warm_start_reuses_the_cached_build(settings: Settings) -> None:
    first = load_graph(settings)
    directory = builder.graph_dir(settings.cache_dir, first.content_hash)
    stamp = (directory / "manifest.json").stat().st_mtime_ns
    second = load_graph(settings)
    assert second.content_hash == first.content_hash
    assert (directory / "manifest.json").stat().st_mtime_ns == stamp
    assert not list(directory.parent.glob("*.tmp-*")), "a build left a temporary directory behind"


def _quads(store: EmbeddedStore) -> set[ox.Quad]:
    return set(store.oxigraph.quads_for_pattern(None, None, None, None))


def test_a_start_loads_the_builds_quads_as_its_store_holds_them(settings: Settings, tmp_path: Path) -> None:
    """From the N-Quads beside the store where they are, with the same blank node labels (every process
    that loads a build must label its nodes alike); from the store where they are not (an older build)."""
    directory = builder.graph_dir(settings.cache_dir, load_graph(settings).content_hash)
    from_store = EmbeddedStore.copy_of(directory / "store")
    from_quads = EmbeddedStore.copy_of(directory / "store", quads=directory / builder.QUADS_FILE)
    assert _quads(from_quads) == _quads(from_store)
    assert any(isinstance(q.subject, ox.BlankNode) for q in _quads(from_store))
    older = EmbeddedStore.copy_of(directory / "store", quads=tmp_path / "no-such.nq")
    assert _quads(older) == _quads(from_store)


def test_manifest_counts_asserted_and_inferred_triples(settings: Settings) -> None:
    inputs = builder.collect_inputs(settings.reasoner)
    manifest = json.loads(
        (builder.graph_dir(settings.cache_dir, inputs.content_hash) / "manifest.json").read_text()
    )
    assert manifest["triples"]["asserted"] > 5000
    assert manifest["triples"]["inferred"] > 1000
    assert manifest["content_hash"] == inputs.content_hash


def test_snapshot_holds_every_input(settings: Settings) -> None:
    inputs = builder.collect_inputs(settings.reasoner)
    load_graph(settings)
    with tarfile.open(builder.snapshot_path(settings.cache_dir, inputs.content_hash)) as tar:
        names = set(tar.getnames())
    assert {f.name for f in inputs.files} | {"generated/countries.nt", "recipe.json"} == names


def test_parse_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    with pytest.raises(ParseError) as caught:
        parse_file(bad)
    error = caught.value
    assert error.source == str(bad) and error.line == 3 and error.column is not None
    assert str(error).startswith(f"{bad}:3:")


def test_a_broken_fact_file_stops_the_build_with_its_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph import paths

    facts = tmp_path / "facts"
    shutil.copytree(paths.facts_dir(), facts)
    (facts / "zz_broken.ttl").write_text(
        "@prefix eckg: <https://w3id.org/eckg/ontology#> .\neckg:x eckg:y .\n"
    )
    monkeypatch.setattr(paths, "facts_dir", lambda: facts)
    cache = tmp_path / "cache"
    with pytest.raises(ParseError, match=r"zz_broken\.ttl:2:"):
        builder.build(builder.collect_inputs(), cache)
    assert not (cache / "graphs").exists() or not any((cache / "graphs").iterdir())
