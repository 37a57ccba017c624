"""Extra data beside the graph (`--data`): reasoned with the graph by either reasoner, and all or nothing —
a load that fails part way leaves the store as it was."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import graph.kg as kg_module
from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_FACTS, GRAPH_ONTOLOGY
from graph.reasoning import inferred_triples

PARTY = """@prefix eckg: <https://w3id.org/eckg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/party/x> a eckg:MilitaryEndUser ; rdfs:label "Example Defence Works"@en .
"""
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _counts(kg: KnowledgeGraph) -> dict[str, int]:
    return {g: kg.store.count(g) for g in kg.store.graph_names()}


def test_reasonable_gives_the_same_closure_whoever_says_what_is_asserted(kg: KnowledgeGraph) -> None:
    store = kg.store.oxigraph  # type: ignore[union-attr]
    graphs = [ox.NamedNode(GRAPH_ONTOLOGY), ox.NamedNode(GRAPH_FACTS)]
    asserted = [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]

    def in_store(quad: ox.Quad) -> bool:
        return any(ox.Quad(quad.subject, quad.predicate, quad.object, g) in store for g in graphs)

    own = inferred_triples(asserted, "reasonable")
    told = inferred_triples(iter(asserted), "reasonable", asserted_in=in_store)
    assert set(own) == set(told) and len(own) > 100 and len(own) == len(told)
    assert not {(q.subject, q.predicate, q.object) for q in asserted} & {
        (t.subject, t.predicate, t.object) for t in own
    }


def test_extra_data_is_reasoned_over_with_the_graph(fresh_kg: KnowledgeGraph, tmp_path: Path) -> None:
    data = tmp_path / "party.ttl"
    data.write_text(PARTY)
    extra = fresh_kg.add_data(data)
    types = {
        q.object.value
        for q in fresh_kg.store.quads(extra.graph)
        if q.subject == ox.NamedNode("https://example.org/party/x") and q.predicate.value.endswith("#type")
    }
    assert "https://w3id.org/eckg/ontology#MilitaryEndUser" in types
    assert len(types) > 1, "the superclasses were inferred into the file's graph"


def test_a_load_that_fails_part_way_leaves_the_store_as_it_was(
    fresh_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = fresh_kg.store.oxigraph  # type: ignore[union-attr]
    existing = next(iter(facts.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_FACTS))))
    data = tmp_path / "named.trig"
    data.write_text(  # into the facts graph: one triple it has, one it has not; and a graph of its own
        f"<{GRAPH_FACTS}> {{ {existing.subject} {existing.predicate} {existing.object} .\n"
        f'  <https://example.org/party/y> {LABEL} "Y"@en . }}\n'
        f'<https://example.org/graph/new> {{ <https://example.org/party/z> {LABEL} "Z"@en . }}\n'
        f'<https://example.org/party/w> {LABEL} "W"@en .\n'
    )
    before = _counts(fresh_kg)

    def fails(*args: object, **kwargs: object) -> list[ox.Triple]:
        raise MemoryError("the reasoner ran out of memory")

    monkeypatch.setattr(kg_module, "inferred_triples", fails)
    with pytest.raises(MemoryError):
        fresh_kg.add_data(data)
    assert _counts(fresh_kg) == before and fresh_kg.extra == []
