"""The /sparql endpoint with real clients (SPARQLWrapper, rdflib's SPARQLStore), content negotiation,
the service description, the editor page, access control and limits."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

pytestmark = pytest.mark.slow

MEASURES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX eckg: <https://w3id.org/eckg/ontology#>
SELECT ?m ?id WHERE { ?m a eckg:EndUseProhibition ; dcterms:identifier ?id } ORDER BY ?id"""
EXPECTED = ["MOFCOM Announcement 2024 No. 46 Art. 1", "MOFCOM Announcement 2026 No. 1"]


@pytest.fixture(scope="module")
def server(module_server) -> str:
    return module_server(
        "--update-token",
        "s3cret-token",
        env={"ECKG_QUERY_TIMEOUT": "3", "ECKG_MAX_RESULT_ROWS": "5000", "ECKG_MAX_REQUEST_BYTES": "200000"},
    )


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_in_every_format(server: str, fmt: str, method: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(MEASURES)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    result = client.query()
    converted = result.convert()
    if fmt == JSON:
        ids = [b["id"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == XML:
        ids = [n.firstChild.data for n in converted.getElementsByTagName("literal")]
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        ids = [
            line.split("\t" if fmt == TSV else ",", 1)[1].strip().strip('"')
            for line in text.strip().splitlines()[1:]
        ]
    assert ids == EXPECTED


def test_rdflib_sparqlstore(server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(f"{server}/sparql"))
    rows = list(graph.query(MEASURES))
    assert [str(r.id) for r in rows] == EXPECTED
    assert graph.query(
        "ASK { <https://w3id.org/eckg/id/party/jmsdf> a <https://w3id.org/eckg/ontology#MilitaryEndUser> }"
    ).askAnswer


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        (None, "text/turtle"),
    ],
)
def test_construct_content_negotiation(server: str, accept: str | None, media: str) -> None:
    headers = {"accept": accept} if accept else {}
    response = httpx.get(
        f"{server}/sparql",
        params={"query": "DESCRIBE <https://w3id.org/eckg/id/measure/mofcom-2026-1>"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    fmt = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }[media]
    assert len(rdflib.Graph().parse(data=response.content, format=fmt)) > 10


def test_not_acceptable(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"})
    assert response.status_code == 406 and response.headers["content-type"] == "application/problem+json"


def test_q_values_are_respected(server: str) -> None:
    response = httpx.get(
        f"{server}/sparql",
        params={"query": "ASK {}"},
        headers={"accept": "application/sparql-results+xml;q=0.5, text/csv;q=0.9"},
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_service_description(server: str) -> None:
    response = httpx.get(f"{server}/sparql", headers={"accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) in graph  # a token is configured
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert "https://w3id.org/eckg/id/graph/facts" in names


def test_editor_page_works_offline(server: str) -> None:
    page = httpx.get(f"{server}/sparql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "yasgui.min.js" in page.text and "explain_decision" in page.text
    assert "http" not in page.text.split("<script src=")[1].split(">")[0].replace('"/static', "")  # no CDN
    assert httpx.get(f"{server}/static/vendor/yasgui/yasgui.min.js").status_code == 200


def test_syntax_errors_give_line_and_column(server: str) -> None:
    response = httpx.post(
        f"{server}/sparql",
        content=b"SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }",
        headers={"content-type": "application/sparql-query"},
    )
    problem = response.json()
    assert (
        response.status_code == 400
        and problem["errors"][0]["line"] == 3
        and problem["errors"][0]["column"] >= 1
    )
    assert "line 3" in problem["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SeRvIcE <https://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(server: str, query: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.json()["detail"]


def test_an_update_on_the_query_operation_is_refused(server: str) -> None:
    response = httpx.post(f"{server}/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 400 and "update" in response.json()["detail"].lower()


def test_updates_need_the_token(server: str) -> None:
    update = b"INSERT DATA { GRAPH <urn:eckg:test> { <urn:a> <urn:b> <urn:c> } }"
    headers = {"content-type": "application/sparql-update"}
    assert httpx.post(f"{server}/sparql", content=update, headers=headers).status_code == 401
    wrong = httpx.post(
        f"{server}/sparql", content=update, headers={**headers, "authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401 and "nope" not in wrong.text and "s3cret" not in wrong.text
    ok = httpx.post(
        f"{server}/sparql", content=update, headers={**headers, "authorization": "Bearer s3cret-token"}
    )
    assert ok.status_code == 204
    ask = httpx.get(
        f"{server}/sparql", params={"query": "ASK { GRAPH <urn:eckg:test> { <urn:a> <urn:b> <urn:c> } }"}
    )
    assert ask.json()["boolean"] is True


def test_load_is_refused_even_with_the_token(server: str) -> None:
    response = httpx.post(
        f"{server}/sparql",
        content=b"LOAD <http://127.0.0.1:1/data.ttl>",
        headers={"content-type": "application/sparql-update", "authorization": "Bearer s3cret-token"},
    )
    assert response.status_code == 400 and "LOAD" in response.json()["detail"]


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("bad", ["not an iri", "urn:a>", "\x16F", "relative/path"])
def test_a_dataset_iri_that_is_not_an_iri_is_a_400(server: str, param: str, bad: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "ASK {}", param: bad})
    assert response.status_code == 400, response.text
    assert (
        param in response.json()["detail"] and response.headers["content-type"] == "application/problem+json"
    )


def test_a_using_graph_iri_cannot_inject_sparql(server: str) -> None:
    injected = "urn:eckg:x> } ; CLEAR ALL ; INSERT DATA { <urn:a"
    response = httpx.post(
        f"{server}/sparql",
        data={"update": "INSERT { <urn:a> <urn:b> <urn:c> } WHERE {}", "using-graph-uri": injected},
        headers={"authorization": "Bearer s3cret-token"},
    )
    assert response.status_code == 400 and "using-graph-uri" in response.json()["detail"]
    still = httpx.get(f"{server}/sparql", params={"query": MEASURES}).json()["results"]["bindings"]
    assert [b["id"]["value"] for b in still] == EXPECTED


def test_update_with_get_is_rejected(server: str) -> None:
    assert httpx.get(f"{server}/sparql", params={"update": "CLEAR ALL"}).status_code == 400


def test_result_row_cap(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 413 and "5000" in response.json()["detail"]


def test_oversized_body(server: str) -> None:
    response = httpx.post(
        f"{server}/sparql",
        content=b"ASK {}" + b" " * 300_000,
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"


def test_a_runaway_query_is_stopped_and_the_server_stays_responsive(server: str) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = httpx.get(f"{server}/sparql", params={"query": runaway}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and "3 s" in response.json()["detail"]
    assert elapsed < 15
    assert httpx.get(f"{server}/health", timeout=5).status_code == 200
    again = httpx.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert again.status_code == 200 and json.loads(again.content)["boolean"] is True
