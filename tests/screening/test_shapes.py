"""The shapes: valid SHACL, every constraint traceable to a measure kind with a message and an outcome."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate

from graph import paths
from graph.errors import BuildError
from graph.kg import KnowledgeGraph, load_graph
from graph.screening.reads import reads
from graph.screening.shapes import load_constraints
from graph.settings import Settings

SEVERITY = {
    "prohibited": "Violation",
    "undetermined": "Violation",
    "enhanced_review": "Warning",
    "license_required": "Info",
}


def _shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(paths.shapes_dir().glob("*.ttl")):
        graph.parse(path)
    return graph


def test_shapes_conform_to_shacl_for_shacl() -> None:
    conforms, _, text = validate(_shapes(), shacl_graph=_shapes(), meta_shacl=True)
    assert conforms, text


def test_every_constraint_has_a_message_an_outcome_and_the_kind_it_implements(kg: KnowledgeGraph) -> None:
    constraints = load_constraints(kg)
    assert len(constraints) >= 10
    for c in constraints:
        assert c.message and c.implements and c.outcome, c.constraint
        assert c.severity.endswith(SEVERITY[c.notation]), (c.constraint, c.severity)
        assert kg.query(f"ASK {{ <{c.implements}> rdfs:subClassOf* eckg:Measure }}").boolean, c.implements


def test_every_constraint_restricts_its_focus_to_transactions(kg: KnowledgeGraph) -> None:
    """The fast engine runs constraints unbound over a whole batch; a required `$this eckg:transactionDate`
    pattern keeps $this to transactions as sh:targetClass does for pySHACL."""
    for c in load_constraints(kg):
        found = reads(c.select, dict(c.prefixes))
        assert found is not None and ("https://w3id.org/eckg/ontology#transactionDate",) in found.required, (
            c.constraint
        )


def test_the_fast_engine_refuses_shapes_it_cannot_run(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(paths.ontology_dir(), ontology)
    (ontology / "shapes" / "core_rule.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix eckg: <https://w3id.org/eckg/ontology#> .\n"
        "<urn:x:CoreShape> a sh:NodeShape ; sh:targetClass eckg:ExportTransaction ;\n"
        "  sh:property [ sh:path eckg:item ; sh:minCount 1 ] .\n"
    )
    monkeypatch.setattr(paths, "ontology_dir", lambda: ontology)
    kg = load_graph(settings.model_copy(update={"cache_dir": tmp_path / "cache"}))
    with pytest.raises(BuildError, match="SHACL-SPARQL constraints only"):
        load_constraints(kg)
