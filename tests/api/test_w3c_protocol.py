"""The W3C SPARQL 1.1 Protocol test suite, run over HTTP against a real eckg server.

The manifest (tests/w3c/protocol/manifest.ttl) describes each test as ordered HTTP requests and the
response each must get: status class, result format (boolean, tabular, RDF) and, for ASK, the boolean.
Graphs a test names with ut:graphData are loaded first. Paths under /sparql/ are mapped to /sparql.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import rdflib
from rdflib.collection import Collection

pytestmark = pytest.mark.slow

W3C = Path(__file__).resolve().parent.parent / "w3c" / "protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    fmt: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    label: str
    steps: list[Step]
    graphs: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")

    @property
    def is_negative(self) -> bool:
        return self.name.startswith("bad_")


def load_tests() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(
        W3C / "manifest.ttl", format="turtle", publicID=(W3C / "manifest.ttl").as_uri()
    )
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for node in Collection(graph, graph.value(manifest, MF.entries)):
        name = str(node).rsplit("#", 1)[1]
        action = graph.value(node, MF.action)
        steps = [_step(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
        data = [
            (
                Path(rdflib.URIRef(str(graph.value(d, UT.graph))).replace("file://", "")),
                str(graph.value(d, rdflib.RDFS.label)),
            )
            for d in graph.objects(node, UT.graphData)
        ]
        tests.append(ProtocolTest(name, str(graph.value(node, MF.name)), steps, data))
    return tests


def _step(graph: rdflib.Graph, request: rdflib.term.Node) -> Step:
    headers = {}
    header_list = graph.value(request, HT.headers)
    if header_list is not None:
        for h in Collection(graph, header_list):
            headers[str(graph.value(h, HT.fieldName))] = str(graph.value(h, HT.fieldValue))
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    return Step(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
        headers=headers,
        body=body,
        statuses={str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus)},
        fmt=None if fmt is None else str(fmt),
        boolean=None if boolean is None else bool(boolean.toPython()),
    )


TESTS = load_tests()


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return bool(json.loads(response.content)["boolean"])
    if media == "application/sparql-results+xml":
        return b"<boolean>true</boolean>" in response.content
    rows = list(csv.reader(io.StringIO(response.text), delimiter="\t" if "tab" in media else ","))
    return rows[1][0] == "true"


def check(response: httpx.Response, step: Step, label: str) -> None:
    status_class = f"{response.status_code // 100}xx"
    assert status_class in step.statuses, (
        f"{label}: {step.method} {step.path} -> {response.status_code} {response.text[:300]}"
    )
    media = response.headers.get("content-type", "").split(";")[0]
    if step.fmt in ("boolean", "tabular"):
        assert media in RESULT_TYPES, f"{label}: results served as {media}"
    if step.fmt == "RDF":
        assert media in RDF_TYPES, f"{label}: graph served as {media}"
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media])
    if step.boolean is not None:
        assert _boolean(response) is step.boolean, (
            f"{label}: expected {step.boolean}, got {response.text[:300]}"
        )
    if status_class == "4xx":
        assert response.headers["content-type"].startswith("application/problem+json"), label


def load_graphs(client: httpx.Client, test: ProtocolTest) -> None:
    for path, iri in test.graphs:
        nt = (W3C / path.name).read_text()
        update = f"DROP SILENT GRAPH <{iri}> ; INSERT DATA {{ GRAPH <{iri}> {{ {nt} }} }}"
        response = client.post(
            "/sparql", content=update.encode(), headers={"content-type": "application/sparql-update"}
        )
        assert response.status_code == 204, response.text


def run(client: httpx.Client, test: ProtocolTest) -> None:
    for step in test.steps:
        response = client.request(step.method, step.path, content=step.body, headers=step.headers)
        check(response, step, f"{test.name} ({test.label})")


@pytest.fixture(scope="module")
def trig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manifest's graphs as one TriG file, for a server started with --data."""
    path = tmp_path_factory.mktemp("w3c") / "protocol-data.trig"
    graphs = {iri: W3C / p.name for t in TESTS for p, iri in t.graphs}
    path.write_text("".join(f"<{iri}> {{\n{file.read_text()}}}\n" for iri, file in sorted(graphs.items())))
    return path


def test_manifest_is_complete() -> None:
    assert len(TESTS) == 34
    assert sum(t.is_negative for t in TESTS) == 14 and sum(t.is_update for t in TESTS) == 7


def test_query_and_negative_tests_with_update_disabled(live_server, trig: Path) -> None:
    url = live_server("--data", str(trig))
    with httpx.Client(base_url=url, timeout=30) as client:
        for test in TESTS:
            if not test.is_update:
                run(client, test)


def test_every_test_with_update_enabled(live_server) -> None:
    url = live_server("--allow-anonymous-update")
    with httpx.Client(base_url=url, timeout=30) as client:
        for test in TESTS:
            load_graphs(client, test)
            run(client, test)


def test_paths_are_mapped_and_encoded() -> None:
    step = TESTS[0].steps[0]
    assert step.path.startswith("/sparql?") and quote("http://kasei.us", safe="") in step.path
