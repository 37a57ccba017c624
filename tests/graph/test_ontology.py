"""The ontology: every file parses, every term is labelled and commented, and OWL RL does real work."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate
from rdflib.namespace import OWL, RDF

from graph import paths
from graph.kg import KnowledgeGraph
from graph.namespaces import ECKG, GRAPH_ONTOLOGY, PARTY
from graph.parsing import parse_file
from graph.reasoning import inferred_triples

TURTLE = sorted(
    [*paths.ontology_dir().glob("*.ttl"), *paths.shapes_dir().glob("*.ttl"), *paths.facts_dir().glob("*.ttl")]
)


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_turtle_file_parses(path: Path) -> None:
    assert parse_file(path), f"{path} holds no triples"


def _ontology_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_every_eckg_term_has_an_english_label_and_a_comment() -> None:
    shapes = rdflib.Graph().parse(Path(__file__).parent.parent / "resources" / "namespace_hygiene.ttl")
    conforms, _, text = validate(_ontology_graph(), shacl_graph=shapes, advanced=True)
    assert conforms, text


def test_the_hygiene_shape_catches_an_unlabelled_term() -> None:
    graph = _ontology_graph()
    graph.add((ECKG.Undocumented, RDF.type, OWL.Class))
    shapes = rdflib.Graph().parse(Path(__file__).parent.parent / "resources" / "namespace_hygiene.ttl")
    conforms, _, text = validate(graph, shacl_graph=shapes, advanced=True)
    assert not conforms and "Undocumented" in text


def test_ontology_declares_itself_an_owl_ontology(kg: KnowledgeGraph) -> None:
    assert kg.query(
        "ASK { <https://w3id.org/eckg/ontology> a owl:Ontology }", default_graph=[GRAPH_ONTOLOGY]
    ).boolean


def test_owlrl_infers_that_a_part_of_a_military_end_user_is_one() -> None:
    """The MSDF is part of the SDF, part of the Ministry of Defense, which is a military end user."""
    asserted = [q for p in TURTLE if "shapes" not in str(p) for q in parse_file(p)]
    inferred = {(t.subject, t.predicate, t.object) for t in inferred_triples(asserted, "owlrl")}
    msdf, rdf_type = ox.NamedNode(PARTY + "jmsdf"), ox.NamedNode(str(RDF.type))
    assert (msdf, rdf_type, ox.NamedNode(ECKG + "MilitaryEndUser")) in inferred
    assert (msdf, ox.NamedNode(ECKG + "partOf"), ox.NamedNode(PARTY + "jp-mod")) in inferred  # transitive
    assert (ox.NamedNode(PARTY + "jp-mod"), ox.NamedNode(ECKG + "hasPart"), msdf) in inferred  # inverse


def test_a_company_on_the_control_list_is_not_made_a_military_end_user(kg: KnowledgeGraph) -> None:
    assert not kg.query("ASK { pty:mhi-aero-engines a eckg:MilitaryEndUser }").boolean
    assert not kg.query("ASK { pty:jaxa a eckg:MilitaryEndUser }").boolean


def test_closure_is_consistent(kg: KnowledgeGraph) -> None:
    """No owl:Nothing members and no owl:sameAs between distinct resources (a functional-property slip
    would merge, say, two statuses)."""
    assert not kg.query("ASK { ?x a owl:Nothing }").boolean
    assert not kg.query("ASK { ?a owl:sameAs ?b FILTER(?a != ?b) }").boolean


def test_closure_keeps_no_tautologies(kg: KnowledgeGraph) -> None:
    assert not kg.query("ASK { ?x owl:sameAs ?x }").boolean
    assert not kg.query("ASK { ?x a owl:Thing }").boolean


def test_skos_and_eli_alignments_are_materialised(kg: KnowledgeGraph) -> None:
    assert kg.query(
        'ASK { itm:1C902.b skos:broaderTransitive itm:1C902 ; rdfs:label "samarium oxide and mixtures thereof"@en }'
    ).boolean
    assert kg.query('ASK { msr:mofcom-2026-1 eli:first_date_entry_in_force "2026-01-06"^^xsd:date }').boolean


def test_listings_are_reachable_from_their_designation_by_the_inverse(kg: KnowledgeGraph) -> None:
    assert kg.query("ASK { msr:mofcom-2026-11 eckg:hasListing lsg:mofcom-2026-11-19 }").boolean


def test_every_country_from_pycountry_is_in_the_graph(kg: KnowledgeGraph) -> None:
    import pycountry

    count = kg.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a eckg:Country }").rows[0]["n"].value
    assert int(count) == len(pycountry.countries)
    labels = kg.query("SELECT ?l WHERE { ctry:JP skos:prefLabel ?l }").values("l")
    assert {"Japan", "日本"} <= set(labels)
