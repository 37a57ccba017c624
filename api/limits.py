"""A request-size limit for every route (ECKG_MAX_REQUEST_BYTES), as pure ASGI middleware."""

from __future__ import annotations

import json
from typing import Any

from graph.errors import PayloadTooLarge, problem

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        seen = 0
        rejected = False

        async def limited() -> dict[str, Any]:
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    rejected = True
                    raise PayloadTooLarge(self._detail())
            return message

        try:
            await self.app(scope, limited, send)
        except PayloadTooLarge:
            if rejected:
                await self._reject(send)
            else:
                raise

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes (setting ECKG_MAX_REQUEST_BYTES)"

    async def _reject(self, send: Any) -> None:
        body = json.dumps(problem(PayloadTooLarge(self._detail()))).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
