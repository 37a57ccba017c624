"""The OpenAPI document: FastAPI's, plus the schemas that operations refer to by name but that no handler's
signature declares (the Problem document; the body of POST /screen, which its handler validates itself)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import PROBLEM_SCHEMA
from graph.screening.request import ScreeningRequest


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    request = ScreeningRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(request.pop("$defs", {}))
    components["ScreeningRequest"] = request
    components["Problem"] = PROBLEM_SCHEMA
    return schema
