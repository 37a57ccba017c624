"""The graph in a remote SPARQL server: a real Oxigraph server (the `oxigraph` package from PyPI) on
127.0.0.1, filled by `eckg load`. The query catalogue's golden cases and the rule cases give the same
answers as on the embedded store; the CLI and the API run against it too."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.http import free_port
from graph.errors import InputError, StoreUnavailable
from graph.kg import KnowledgeGraph, load_graph, load_into, open_remote, remote_store
from graph.screening import Screener, ScreeningRequest
from graph.settings import Settings

from ..rules.test_rule_cases import CASES as RULE_CASES
from ..rules.test_rule_cases import load_case
from .goldens import CASES, check_golden, golden_graph

pytestmark = [pytest.mark.remote, pytest.mark.xdist_group("remote-store")]

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server on a free port of 127.0.0.1; its base URL."""
    assert OXIGRAPH, "the oxigraph server (pip package 'oxigraph', a dev dependency) is not installed"
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the oxigraph server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(20)


def _remote(settings: Settings, url: str) -> Settings:
    return settings.model_copy(
        update={
            "store_url": f"{url}/query",
            "store_update_url": f"{url}/update",
            "store_graph_url": f"{url}/store",
        }
    )


@pytest.fixture(scope="module")
def remote_settings(settings: Settings, server: str) -> Settings:
    remote = _remote(settings, server)
    load_into(remote, remote_store(remote))
    return remote


@pytest.fixture(scope="module")
def remote_kg(remote_settings: Settings) -> KnowledgeGraph:
    return golden_graph(open_remote(remote_settings))


def test_the_loaded_graph_is_the_built_one(remote_kg: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    assert remote_kg.content_hash == kg.content_hash
    for graph in ("urn:eckg:graph:ontology", "urn:eckg:graph:facts"):
        if graph in kg.store.graph_names():
            assert remote_kg.store.count(graph) == kg.store.count(graph)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_golden_on_the_remote_store(case: dict, remote_kg: KnowledgeGraph) -> None:  # type: ignore[type-arg]
    check_golden(remote_kg, case)


@pytest.mark.parametrize("path", RULE_CASES, ids=lambda p: p.name.removesuffix(".test.ttl"))
def test_rule_case_on_the_remote_store(path: Path, remote_kg: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    case = load_case(path)
    if case.extra is not None:
        pytest.skip("the case adds data to the graph; a remote store takes data through eckg load --data")
    request = ScreeningRequest.parse(case.input)
    remote, embedded = Screener(remote_kg).screen(request), Screener(kg).screen(request)
    assert remote.decision == case.decision, case.label
    assert [r["message"] for r in remote.reasons] == [r["message"] for r in embedded.reasons]


def test_screening_leaves_no_scratch_graph(remote_kg: KnowledgeGraph) -> None:
    Screener(remote_kg).screen_many(
        [ScreeningRequest.parse({"item": "1C902.b", "destination": "JP", "end_user": "JMSDF"})] * 3
    )
    assert not [g for g in remote_kg.store.graph_names() if g.startswith("urn:eckg:graph:scratch")]


def test_extra_data_goes_through_eckg_load(remote_settings: Settings, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("<urn:ex:a> <urn:ex:p> <urn:ex:b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="eckg load"):
        load_graph(remote_settings, data=[extra])


def test_an_empty_store_says_to_load_it(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = settings.model_copy(update={"store_url": "http://127.0.0.1:9/query"})
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        open_remote(empty)


def test_cli_screens_against_the_remote_store(run_cli, remote_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    env = {
        "ECKG_STORE_UPDATE_URL": remote_settings.store_update_url,
        "ECKG_STORE_GRAPH_URL": remote_settings.store_graph_url,
    }
    done = run_cli(
        "--store",
        remote_settings.store_url,
        "screen",
        "--item",
        "1C902.b",
        "--destination",
        "JP",
        "--end-user",
        "Japan Maritime Self-Defense Force",
        "--date",
        "2026-03-01",
        "--format",
        "json",
        env=env,
    )
    assert done.returncode == 1, done.stderr
    assert '"decision": "prohibited"' in done.stdout


def test_api_and_sparql_endpoint_on_the_remote_store(live_server, remote_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = live_server(
        "--store",
        remote_settings.store_url,
        env={
            "ECKG_STORE_UPDATE_URL": remote_settings.store_update_url,
            "ECKG_STORE_GRAPH_URL": remote_settings.store_graph_url,
        },
    )
    screened = httpx.post(
        f"{url}/screen",
        json={"item": "1C902.b", "destination": "JP", "end_user": "JMSDF", "date": "2026-03-01"},
    )
    assert screened.status_code == 200 and screened.json()["decision"] == "prohibited"
    answer = httpx.get(
        f"{url}/sparql",
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/eckg/ontology#EndUseProhibition> }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0
    refused = httpx.get(
        f"{url}/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 400


def test_cli_queries_send_the_remote_store_only_the_decisions_new_since_the_last(
    remote_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`eckg query --store URL` sends the server the decisions recorded here since its last run (before,
    the whole log at every query); a rotated log, or a server whose decisions graph was dropped, is sent
    the log anew."""
    from graph import query_store
    from graph.audit import AuditLog
    from graph.namespaces import GRAPH_DECISIONS

    data = tmp_path / "data"
    settings = remote_settings.model_copy(update={"data_dir": data})
    kg = open_remote(settings)
    kg.store.drop_graph(GRAPH_DECISIONS)
    screener = Screener(load_graph(settings.model_copy(update={"store_url": None})))
    log = AuditLog(settings.audit_log)

    def record(end_user: str) -> str:
        request = ScreeningRequest(item="1C902.b", destination="JP", end_user=end_user, date="2026-03-01")
        decision = screener.screen(request)
        log.append([decision], source="cli")
        return decision.id

    sent: list[int] = []  # quads of each batch sent
    real = query_store.decision_quad_batches

    def counted(*args: Any, **kwargs: Any) -> Iterator[tuple[list[Any], int]]:
        for quads, reached in real(*args, **kwargs):
            sent.append(len(quads))
            yield quads, reached

    monkeypatch.setattr(query_store, "decision_quad_batches", counted)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d a eckg:Decision } }"

    def decisions() -> int:
        query_store.push_decisions(kg)
        return int(kg.query(count).rows[0]["n"].value)

    record("JMSDF")
    record("Japan Ground Self-Defense Force")
    assert decisions() == 2
    first = sum(sent)
    sent.clear()
    assert decisions() == 2 and sent == []  # nothing new: nothing sent
    record("JMSDF")
    assert decisions() == 3 and 0 < sum(sent) < first  # only the new one

    kg.store.drop_graph(GRAPH_DECISIONS)  # dropped at the server: sent anew
    assert decisions() == 3
    settings.audit_log.rename(settings.audit_log.with_name("audit.jsonl.1"))
    record("JMSDF")
    assert decisions() == 4  # the new log's decision; the server keeps those sent before
