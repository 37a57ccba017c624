"""The one exception tree of eckg. Each error knows its HTTP status, CLI exit code and problem type.

    EckgError                      500  exit 3   something went wrong inside eckg
    ├── InputError                 400  exit 2   the input is wrong: say what, where
    │   ├── ParseError             400  exit 2   RDF/CSV/JSON syntax, with file, line, column
    │   ├── FieldError             422  exit 2   request fields (one entry per field in .errors)
    │   ├── QuerySyntaxError       400  exit 2   SPARQL syntax, with line and column
    │   ├── QueryRefused           400  exit 2   SERVICE, LOAD or update where not allowed
    │   └── PayloadTooLarge        413  exit 2   a body or file above the configured limit
    ├── NotFound                   404  exit 2   no such query, decision, party, item, measure...
    ├── Unauthorized               401  exit 2   a write without a valid bearer token
    ├── MethodNotAllowed           405  exit 2
    ├── UnsupportedMediaType       415  exit 2
    ├── NotAcceptable              406  exit 2
    ├── QueryTimeout               503  exit 3   stopped at the time limit
    ├── ResultTooLarge             413  exit 2   more result rows than the configured cap
    ├── StoreUnavailable           503  exit 3   a remote store that does not answer
    ├── AuditUnavailable           503  exit 3   the audit log cannot be written: no decision is given
    └── BuildError                 500  exit 3   the graph could not be built

`graph.errors.problem()` turns any of them into an RFC 9457 problem document; the CLI maps
`exit_code`, the API maps `status` (see api/problems.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_BASE = "https://w3id.org/eckg/problems/"


class EckgError(Exception):
    """Base of every error eckg raises on purpose."""

    status = 500
    exit_code = 3
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug

    def __str__(self) -> str:
        return self.detail


class InputError(EckgError):
    status = 400
    exit_code = 2
    slug = "bad-input"
    title = "Bad input"


class ParseError(InputError):
    """A syntax error in a file or body, pointing at where it is."""

    slug = "parse-error"
    title = "Syntax error"

    def __init__(
        self,
        detail: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        **extra: Any,
    ) -> None:
        location = {
            k: v for k, v in (("source", source), ("line", line), ("column", column)) if v is not None
        }
        where = ":".join(str(v) for v in location.values())
        super().__init__(
            f"{where}: {detail}" if where else detail,
            errors=[{**location, "message": detail}],
            **extra,
        )
        self.source, self.line, self.column = source, line, column


class FieldError(InputError):
    """One or more request fields are missing, unknown or invalid."""

    status = 422
    slug = "invalid-fields"
    title = "Invalid fields"


class QuerySyntaxError(InputError):
    slug = "query-syntax-error"
    title = "SPARQL syntax error"


class QueryRefused(InputError):
    slug = "query-refused"
    title = "Query refused"


class PayloadTooLarge(InputError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class NotFound(EckgError):
    status = 404
    exit_code = 2
    slug = "not-found"
    title = "Not found"


class Unauthorized(EckgError):
    status = 401
    exit_code = 2
    slug = "unauthorized"
    title = "Unauthorized"


class MethodNotAllowed(EckgError):
    status = 405
    exit_code = 2
    slug = "method-not-allowed"
    title = "Method not allowed"


class UnsupportedMediaType(EckgError):
    status = 415
    exit_code = 2
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class NotAcceptable(EckgError):
    status = 406
    exit_code = 2
    slug = "not-acceptable"
    title = "Not acceptable"


class QueryTimeout(EckgError):
    status = 503
    exit_code = 3
    slug = "query-timeout"
    title = "Query timed out"


class ResultTooLarge(EckgError):
    status = 413
    exit_code = 2
    slug = "result-too-large"
    title = "Result too large"


class StoreUnavailable(EckgError):
    status = 503
    exit_code = 3
    slug = "store-unavailable"
    title = "Store unavailable"


class AuditUnavailable(EckgError):
    status = 503
    exit_code = 3
    slug = "audit-log-unavailable"
    title = "Audit log unavailable"


class ShuttingDown(EckgError):
    status = 503
    exit_code = 3
    slug = "shutting-down"
    title = "Shutting down"


class BuildError(EckgError):
    status = 500
    exit_code = 3
    slug = "build-error"
    title = "Graph build failed"


def validation_message(item: Mapping[str, Any]) -> str:
    """One error of a pydantic validation, as we write it: a validator's own message ("'XX' is not an ISO
    3166-1 alpha-2 country code") without the "Value error, " pydantic puts before it."""
    error = item.get("ctx", {}).get("error")
    if item.get("type") == "value_error" and error is not None:
        return str(error)
    return str(item["msg"])


def problem(error: EckgError) -> dict[str, Any]:
    """The RFC 9457 problem document for an error: type, title, status, detail, plus errors."""
    body: dict[str, Any] = {
        "type": error.type_uri,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = error.errors
    body.update({k: v for k, v in error.extra.items() if v is not None})
    return body
