"""The SPARQL 1.1 Service Description of the endpoint (GET /sparql without a query)."""

from __future__ import annotations

import pyoxigraph as ox

from graph.terms import OxTriple

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(
    endpoint: str, graphs: dict[str, int], *, update: bool, service: bool
) -> list[ox.Triple]:
    """Triples describing the endpoint: languages, formats, features and the default dataset's graphs."""
    node, dataset, default = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples: list[OxTriple] = [
        (node, RDF_TYPE, _sd("Service")),
        (node, _sd("endpoint"), node),
        (node, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        (node, _sd("feature"), _sd("UnionDefaultGraph")),
        (node, _sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        (node, _sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, _sd("Dataset")),
        (dataset, _sd("defaultGraph"), default),
        (default, RDF_TYPE, _sd("Graph")),
        (
            default,
            ox.NamedNode(VOID + "triples"),
            ox.Literal(
                str(sum(graphs.values())), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            ),
        ),
    ]
    triples += [(node, _sd("resultFormat"), ox.NamedNode(FORMATS + f)) for f in _RESULT_FORMATS]
    if update:
        triples.append((node, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if service:
        triples.append((node, _sd("feature"), _sd("BasicFederatedQuery")))
    for index, (name, count) in enumerate(sorted(g for g in graphs.items() if g[0])):
        named, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            (dataset, _sd("namedGraph"), named),
            (named, RDF_TYPE, _sd("NamedGraph")),
            (named, _sd("name"), ox.NamedNode(name)),
            (named, _sd("graph"), graph),
            (graph, RDF_TYPE, _sd("Graph")),
            (
                graph,
                ox.NamedNode(VOID + "triples"),
                ox.Literal(str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ),
        ]
    return [ox.Triple(s, p, o) for s, p, o in triples]
