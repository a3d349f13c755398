"""A stand-in CDN on 127.0.0.1: the host a replica's stylesheet takes its web fonts from.

Its robots.txt disallows /private/; everything under /fonts/ is a small WOFF2 stand-in
with an ETag. `requests` lists the paths asked for, in order. Give its `base_url` to a
replica as `site.cdn_url` (tests/site/server.py `stylesheet`).
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROBOTS = "User-agent: *\nDisallow: /private/\n"
FONT = b"wOF2" + bytes(60)


class CdnServer:
    """The CDN, served from a thread while used as a context manager."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, kind, body = server.answer(self.path)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if kind.startswith("font/"):
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @staticmethod
    def answer(path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET."""
        if path == "/robots.txt":
            return 200, "text/plain", ROBOTS.encode()
        if path.split("/")[1] in ("fonts", "private") and path.endswith(".woff2"):
            return 200, "font/woff2", FONT
        return 404, "text/plain", b"Not Found"

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT, no trailing slash."""
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self) -> CdnServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
