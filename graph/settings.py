"""Typed settings, read once from ECKG_* environment variables (every one is documented in docs/settings.md).

Library code takes a `Settings` argument; only the CLI and the API call `get_settings()`. A bad value is a
FieldError naming the variable (exit 2), not a traceback. The variables are read here rather than by
pydantic-settings, whose import (asyncio among others) took ~0.18 s of every command's start.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from graph.errors import FieldError, validation_message

PREFIX = "ECKG_"


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


class Settings(BaseModel):
    """The settings. `Settings.from_env()` reads them from the environment; `Settings(...)` takes only what
    it is given (tests, the benchmark), every other setting at its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Where built graphs (one Oxigraph store per content hash) and source snapshots are kept.
    cache_dir: Path = Field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache") / "eckg")
    # Where the audit log and the SPARQL endpoint's store live.
    data_dir: Path = Field(default_factory=lambda: _xdg("XDG_DATA_HOME", ".local/share") / "eckg")
    # OWL RL reasoner for builds: owlrl (reference) or reasonable (Rust, for large graphs).
    reasoner: Literal["owlrl", "reasonable"] = "owlrl"
    # Rule engine for screening: fast (the shapes' SPARQL on Oxigraph) or reference (pySHACL).
    engine: Literal["fast", "reference"] = "fast"
    # A SPARQL 1.1 server's query endpoint to keep the graph in instead of the embedded store (eckg load).
    store_url: str | None = None
    # That server's update endpoint and Graph Store Protocol endpoint (both default to store_url).
    store_update_url: str | None = None
    store_graph_url: str | None = None
    # A bearer token the server wants (sent on every request to it, never logged).
    store_token: SecretStr | None = None
    # Seconds a SPARQL query may run before it is stopped.
    query_timeout: float = Field(default=30.0, gt=0)
    # Most result rows a SPARQL query may return.
    max_result_rows: int = Field(default=100_000, gt=0)
    # Allow SERVICE (federated queries leaving the server).
    allow_service: bool = False
    # Allow LOAD in SPARQL Update (fetching URLs from the server).
    allow_load: bool = False
    # Bearer token that enables SPARQL Update and other writes; unset means writes are off.
    update_token: SecretStr | None = None
    # Enable SPARQL Update without a token (local test stores only).
    allow_anonymous_update: bool = False
    # Largest request body or uploaded file accepted, in bytes.
    max_request_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Origins allowed by CORS; empty means CORS is off.
    cors_origins: list[str] = Field(default_factory=list)
    # Extra RDF files (Turtle, N-Triples, TriG...) loaded beside the graph, as a JSON list of paths.
    data_files: list[Path] = Field(default_factory=list)
    # Processes screening a batch file (eckg validate): 0 means one per core for batches of 10,000 or more.
    batch_workers: int = Field(default=0, ge=0)
    # Processes `eckg serve` answers with, sharing the port (graph.serving): one per core uses every core.
    # Above 1, SPARQL Update must be off (each process keeps its own copy of the endpoint's store).
    serve_workers: int = Field(default=1, ge=1)
    # Name-match score (0-100) at or above which a party or item name is taken as a match.
    match_threshold: float = Field(default=90.0, ge=0, le=100)
    # Name-match score (0-100) at or above which a near miss is reported as a possible match; names scoring
    # less are not reported (nor scored, in a long list).
    weak_match_threshold: float = Field(default=75.0, ge=0, le=100)

    @field_validator("store_url", "store_update_url", "store_graph_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("not an http(s) URL of a SPARQL server (e.g. http://host:7878/query)")
        return url

    @property
    def audit_log(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @property
    def updates_enabled(self) -> bool:
        return self.update_token is not None or self.allow_anonymous_update

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the ECKG_* variables of `environ` (default: this process's) give, their names in
        any case; a list is given as JSON. FieldError naming every variable whose value is wrong, with the
        value (a token's aside)."""
        given = {name.upper(): value for name, value in (os.environ if environ is None else environ).items()}
        texts = {n: t for n in cls.model_fields if (t := given.get(PREFIX + n.upper())) is not None}
        values: dict[str, Any] = {}
        wrong: dict[str, str] = {}
        for name, text in texts.items():
            if get_origin(cls.model_fields[name].annotation) is not list:
                values[name] = text
                continue
            try:
                values[name] = json.loads(text)
            except ValueError:
                wrong[name] = 'not JSON; give a list, e.g. [] or ["a"]'
        try:
            settings = cls.model_validate(values)
        except ValidationError as e:
            for error in e.errors():
                wrong.setdefault(str(error["loc"][0]), validation_message(error))
        if wrong:
            raise _invalid({n: m if n in _SECRET else f"{m} (given {texts[n]!r})" for n, m in wrong.items()})
        return settings


_SECRET = {"store_token", "update_token"}  # never repeated in an error


def _invalid(wrong: dict[str, str]) -> FieldError:
    """A FieldError naming each setting's variable and what is wrong with its value."""
    problems = [{"field": PREFIX + name.upper(), "message": message} for name, message in wrong.items()]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return FieldError(f"invalid setting: {summary} (docs/settings.md)", errors=problems)


def made_data_dir(settings: Settings) -> Path:
    """The data directory, made if it is not there yet; FieldError naming ECKG_DATA_DIR if it cannot be (a
    server checks this before it starts, rather than failing in its start-up with a traceback)."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"cannot make the directory {settings.data_dir}: {error.strerror or error}"
        raise _invalid({"data_dir": message}) from None
    return settings.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings.from_env()
