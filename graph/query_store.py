"""The store `eckg query` and `eckg sparql` run over: the built graph, the extra data given and every
decision in the audit log, as the SPARQL endpoint's worker has it (graph.endpoint), in this process.

It is kept on disk between runs (<data_dir>/query/store), so that a run adds only the decisions recorded
since the last one: turning the whole log into RDF in memory for every query does not do once it holds
millions (500,000 decisions are 15 million triples). It is a store of its own, not the endpoint's: SPARQL
Update at the endpoint does not reach it. Two runs at once take two copies (store, store-1 ...).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import replace

from graph.decisions_view import sync_decisions
from graph.endpoint import QueryService, claim_store, open_store
from graph.errors import StoreUnavailable
from graph.kg import KnowledgeGraph
from graph.store import EmbeddedStore


@contextlib.contextmanager
def query_store(kg: KnowledgeGraph) -> Iterator[EmbeddedStore]:
    """The kept store, opened and brought up to date with the audit log; closed and let go after."""
    config = QueryService.for_graph(kg).config
    path, claim = claim_store(kg.settings.data_dir / "query" / "store")
    store = None
    try:
        config = replace(config, store_path=str(path))
        try:
            store = open_store(config)
        except OSError as e:
            raise StoreUnavailable(f"the query store {path} could not be opened: {e}") from None
        sync_decisions(store, config.audit_path)
        yield store
    finally:
        if store is not None:
            store.close()
        os.close(claim)
