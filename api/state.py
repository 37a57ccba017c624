"""What the app holds while it runs: settings, the knowledge graph, the screener and the SPARQL service."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from fastapi import Request

from graph.endpoint import QueryService
from graph.kg import KnowledgeGraph
from graph.screening import Screener
from graph.settings import Settings


@dataclass
class AppState:
    settings: Settings
    kg: KnowledgeGraph
    endpoint: QueryService
    extra: dict[str, object] = field(default_factory=dict)

    @cached_property
    def screener(self) -> Screener:
        return Screener(self.kg)


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.eckg
    return state
