"""eckg's HTTP API (FastAPI): screening, lookups, decisions and a SPARQL 1.1 endpoint."""

from api.app import create_app

__all__ = ["create_app"]
