"""What the app holds while it runs: settings, the knowledge graph, the screener and the SPARQL service."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from fastapi import Request

from graph.audit import AuditLog
from graph.endpoint import QueryService
from graph.endpoint_remote import RemoteQueryService
from graph.kg import KnowledgeGraph
from graph.screening import Screener
from graph.screening.coalesce import Coalescer
from graph.screening.explain import Explainer
from graph.settings import Settings


@dataclass
class AppState:
    settings: Settings
    kg: KnowledgeGraph
    endpoint: QueryService | RemoteQueryService
    audit: AuditLog = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditLog(self.settings.audit_log)

    @cached_property
    def screener(self) -> Screener:
        return Screener(self.kg)

    @cached_property
    def coalescer(self) -> Coalescer:
        """/screen's requests, screened in groups as they arrive together (graph.screening.coalesce)."""
        return Coalescer(self.screener, self.audit, source="api")

    @cached_property
    def explainer(self) -> Explainer:
        return self.screener.explainer

    def close(self) -> None:
        if "coalescer" in self.__dict__:
            self.coalescer.close()
        self.endpoint.close()


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.eckg
    return state
