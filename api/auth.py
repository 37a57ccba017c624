"""Who may write: reading is open; SPARQL Update and other writes need the bearer token from settings
(compared in constant time), or ECKG_ALLOW_ANONYMOUS_UPDATE for local test stores."""

from __future__ import annotations

import hmac

from fastapi import Request

from graph.errors import EckgError, Unauthorized
from graph.settings import Settings


class WritesDisabled(EckgError):
    status = 403
    exit_code = 2
    slug = "writes-disabled"
    title = "Writes are disabled"


def require_writer(request: Request, settings: Settings) -> None:
    """Return if the request may write; raise otherwise. The token never appears in errors or logs."""
    if settings.allow_anonymous_update:
        return
    if settings.update_token is None:
        raise WritesDisabled(
            "SPARQL Update and other writes are disabled on this server "
            "(start it with --update-token, or set ECKG_UPDATE_TOKEN)"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = settings.update_token.get_secret_value()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("this write needs a valid bearer token (Authorization: Bearer <token>)")
