"""The OpenAPI document: FastAPI's, plus POST /screen (served outside FastAPI's routing, see
api.routers.screen) and the schemas that operations refer to by name but that no handler's signature
declares (the Problem document; the body and the decision of POST /screen)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import PROBLEM_SCHEMA
from api.routers import screen
from api.schemas import Decision
from graph.screening.request import ScreeningRequest

REF = "#/components/schemas/{model}"


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema["paths"] = {screen.PATH: {"post": screen.OPERATION}, **schema.get("paths", {})}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    request = ScreeningRequest.model_json_schema(ref_template=REF)
    components.update(request.pop("$defs", {}))
    components["ScreeningRequest"] = request
    decision = Decision.model_json_schema(mode="serialization", ref_template=REF)
    for name, definition in {**decision.pop("$defs", {}), "Decision": decision}.items():
        components.setdefault(name, definition)  # as FastAPI wrote it, if another operation returns it too
    components["Problem"] = PROBLEM_SCHEMA
    return schema
