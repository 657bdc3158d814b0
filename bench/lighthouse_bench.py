"""Lighthouse (mobile) on a built portal, served with gzip as a real server would.

    python bench/lighthouse_bench.py SITE_DIR [--lighthouse PATH] [URL ...]

Needs Lighthouse (npm install lighthouse) and Chromium (CHROME_PATH, default
/usr/bin/chromium). Serves SITE_DIR on 127.0.0.1 with gzip for text files, runs
Lighthouse's mobile preset on each URL (default: the home page, an institution page, a
case page and the statistics page) and prints the performance score, the bytes
transferred and the largest contentful paint, as a Markdown table. Charts draw when
they near the screen, which Lighthouse does not scroll to: the last column adds the
gzip size of plotly.js to pages that have a chart, the weight once a reader scrolls.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

TEXT = (".html", ".css", ".js", ".json", ".xml", ".csv", ".svg", ".txt")
DEFAULT = ["", "institutions/qinglan-renmin/", "cases/2024-renmin-red-envelope/", "statistics/"]


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text compressed with gzip when the client accepts it."""

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (
            path.suffix in TEXT
            and path.is_file()
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("urls", nargs="*", default=DEFAULT)
    parser.add_argument("--lighthouse", default=shutil.which("lighthouse") or "lighthouse")
    args = parser.parse_args()
    handler = functools.partial(GzipHandler, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    plotly = sum(
        len(gzip.compress(f.read_bytes(), 6)) for f in args.site.glob("assets/js/plotly*.js")
    )
    print(
        "| page | performance | transferred KB | largest contentful paint | with charts drawn KB |"
    )
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for url in args.urls:
            report = Path(tmp) / "report.json"
            subprocess.run(
                [
                    args.lighthouse,
                    base + url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance",
                    "--chrome-flags=--headless=new --no-sandbox",
                ],
                check=True,
                env=env,
            )
            data = json.loads(report.read_text(encoding="utf-8"))
            score = round(data["categories"]["performance"]["score"] * 100)
            weight = data["audits"]["total-byte-weight"]["numericValue"] / 1024
            lcp = data["audits"]["largest-contentful-paint"]["displayValue"]
            html = (args.site / url / "index.html").read_text(encoding="utf-8")
            drawn = weight + (plotly / 1024 if "portal-chart" in html else 0)
            print(f"| /{url} | {score} | {weight:,.0f} | {lcp} | {drawn:,.0f} |")
            sys.stdout.flush()
    server.shutdown()


if __name__ == "__main__":
    main()
