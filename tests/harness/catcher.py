"""A catcher: a small real HTTP server that stands for a stranger's host (or a vendor's) and keeps
every request it receives, so a test can say which secrets reached it.

    catcher = Catcher().start()            # catcher.url: http://127.0.0.1:<port>
    ...
    assert not catcher.saw("canary-…")     # in the path, a header (HTTP Basic decoded) or the body
    catcher.stop()

It answers 401 with a JSON error unless `answer` says otherwise (a redirect, for instance).
"""

from __future__ import annotations

import base64
import binascii

from vendors.core.simulator import Request, Response, Simulator


class Catcher(Simulator):
    vendor = "catcher"

    def __init__(self, answer: Response | None = None):
        super().__init__()
        self.answer = answer or Response(401, {"error": "who are you?"})
        self.requests: list[Request] = []

    def start(self) -> Catcher:
        self.serve()
        return self

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
        return self.answer

    def seen(self) -> str:
        """Everything received, as text: each request line, its headers (with HTTP Basic credentials
        decoded, since a client sends a token that way) and its body."""
        parts = []
        with self.lock:
            requests = list(self.requests)
        for request in requests:
            parts += [request.method, request.path, request.raw_query, request.body.decode("utf-8", "replace")]
            for name, value in request.headers.items():
                parts.append(f"{name}: {value}")
                scheme, _, credentials = value.partition(" ")
                if scheme.lower() == "basic":
                    try:
                        parts.append(base64.b64decode(credentials).decode("utf-8", "replace"))
                    except (binascii.Error, ValueError):
                        pass
        return "\n".join(parts)

    def saw(self, *texts: str) -> list[str]:
        """Which of `texts` reached this server."""
        seen = self.seen()
        return [text for text in texts if text in seen]
