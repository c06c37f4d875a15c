"""Another organisation's web page that embeds the widget with one script tag (served on a free port)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from bot.processes.ports import free_port


class _EmbeddingSite(BaseHTTPRequestHandler):
    script_url = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = (
            "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>某区企业服务中心</title>"
            "<body><h1>某区企业服务中心</h1><p>欢迎咨询惠企政策。</p>"
            f"<script src='{self.script_url}'></script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def embedding_site(script_url: str) -> Iterator[str]:
    """The URL of a page that embeds ``script_url``, served while the block runs."""
    handler = type("Site", (_EmbeddingSite,), {"script_url": script_url})
    site = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{site.server_address[1]}/"
    finally:
        site.shutdown()
