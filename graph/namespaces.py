"""Every namespace eckg uses, its named graphs, and one function that binds the prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

ECKG = Namespace("https://w3id.org/eckg/ontology#")
ECKG_SHAPES = Namespace("https://w3id.org/eckg/shapes#")
ID = Namespace("https://w3id.org/eckg/id/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

COUNTRY = Namespace(ID + "country/")
PARTY = Namespace(ID + "party/")
ITEM = Namespace(ID + "item/")
MEASURE = Namespace(ID + "measure/")
INSTRUMENT = Namespace(ID + "instrument/")
LISTING = Namespace(ID + "listing/")
SOURCE = Namespace(ID + "source/")
DECISION = Namespace(ID + "decision/")
TRANSACTION = Namespace(ID + "transaction/")
PERIOD = Namespace(ID + "period/")
PARTY_LIST = Namespace(ID + "list/")
MATERIAL = Namespace(ID + "material/")
CLASSIFICATION = Namespace(ID + "classification/")

ONTOLOGY_IRI = "https://w3id.org/eckg/ontology"
DATASET_IRI = ID + "dataset"

# Named graphs of the store. The default graph of queries is their union (see graph.store).
GRAPH_ONTOLOGY = ID + "graph/ontology"
GRAPH_FACTS = ID + "graph/facts"
GRAPH_INFERRED = ID + "graph/inferred"
GRAPH_PERIODS = ID + "graph/periods"
GRAPH_SHAPES = ID + "graph/shapes"
GRAPH_DECISIONS = ID + "graph/decisions"
GRAPH_EXTRA = ID + "graph/extra/"
GRAPH_SCRATCH = ID + "graph/scratch/"

PREFIXES: dict[str, str] = {
    "cls": str(CLASSIFICATION),
    "ctry": str(COUNTRY),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "eckg": str(ECKG),
    "eckgsh": str(ECKG_SHAPES),
    "eli": str(ELI),
    "ins": str(INSTRUMENT),
    "itm": str(ITEM),
    "lsg": str(LISTING),
    "lst": str(PARTY_LIST),
    "mat": str(MATERIAL),
    "msr": str(MEASURE),
    "owl": str(OWL),
    "prov": str(PROV),
    "pty": str(PARTY),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "skos": str(SKOS),
    "src": str(SOURCE),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind eckg's prefixes on an rdflib graph (for readable serialisations) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX declarations for every eckg prefix, for queries typed by people (CLI, editor)."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in sorted(PREFIXES.items()))
