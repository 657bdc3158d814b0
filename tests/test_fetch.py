"""Collection over HTTP from a real server on 127.0.0.1 that misbehaves in every way an
institution's server can; each test checks what is on disk and what the report says."""

from __future__ import annotations

import csv
import http.server
import socket
import threading
import time
from pathlib import Path

import pytest

from pipeline.collect import collect, read_manifest
from pipeline.fetch import Fetcher, FetchError, sniff
from pipeline.registry import load_registry

GOOD = "月份,受理投诉举报\n2026-10,3\n".encode()


class Server:
    """Serves ``routes[path]``: a list of behaviours, one per request (the last repeats)."""

    def __init__(self):
        self.routes: dict[str, list[tuple]] = {}
        self.hits: dict[str, list[dict[str, str]]] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                plan = server.routes.get(self.path, [("status", 404)])
                seen = server.hits.setdefault(self.path, [])
                seen.append(dict(self.headers))
                kind, *args = plan[min(len(seen) - 1, len(plan) - 1)]
                getattr(self, f"_{kind}")(*args)

            def _ok(self, body, headers=None):
                self.send_response(200)
                for k, v in (headers or {"Content-Type": "text/csv"}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _status(self, code, headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _etag(self, body, tag):
                if self.headers.get("If-None-Match") == tag:
                    self._status(304, {"ETag": tag})
                else:
                    self._ok(body, {"Content-Type": "text/csv", "ETag": tag})

            def _hang(self, seconds):
                time.sleep(seconds)

            def _stream(self, size):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()  # no Content-Length: the cap must hold while reading
                for _ in range(size // 1000):
                    self.wfile.write(b"1," * 500)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def slept():
    return []


@pytest.fixture
def fetcher(slept):
    return Fetcher(
        connect_timeout=1,
        read_timeout=0.5,
        attempts=3,
        backoff=0.01,
        max_bytes=50_000,
        sleep=slept.append,
    )


def remote_registry(data_dir: Path, server: Server, institution: str = "qinglan-renmin"):
    """The demo registry with one institution publishing at ``server``."""
    path = data_dir / "registry" / "institutions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["id"] == institution:
            row["source"] = f"{server.url}/{institution}/"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return load_registry(data_dir)


def publish(server: Server, files: dict[str, list[tuple]], institution: str = "qinglan-renmin"):
    names = ",".join(f'"{n}"' for n in files)
    server.routes[f"/{institution}/index.json"] = [
        ("ok", f'{{"files": [{names}]}}'.encode(), {"Content-Type": "application/json"})
    ]
    for name, plan in files.items():
        server.routes[f"/{institution}/{name}"] = plan


def run(registry, fetcher):
    results = collect(registry, month="2026-10", fetcher=fetcher)
    return next(r for r in results if r.institution_id == "qinglan-renmin")


def mine(registry):
    return [s for s in read_manifest(registry.data_dir) if s.source.startswith("http")]


def test_500_then_200_is_retried_and_stored_with_provenance(data_dir, server, fetcher, slept):
    registry = remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("status", 500), ("ok", GOOD)]})
    result = run(registry, fetcher)
    assert result.received == ["statistics/2026-10.csv"] and not result.failed
    assert len(slept) == 1
    [snap] = mine(registry)
    assert snap.http_status == "200" and snap.size == len(GOOD) and snap.period == "2026-10"
    assert snap.source == f"{server.url}/qinglan-renmin/statistics/2026-10.csv"
    assert snap.path(data_dir).read_bytes() == GOOD


def test_503_with_retry_after_is_honoured(data_dir, server, fetcher, slept):
    registry = remote_registry(data_dir, server)
    publish(
        server, {"statistics/2026-10.csv": [("status", 503, {"Retry-After": "2"}), ("ok", GOOD)]}
    )
    assert run(registry, fetcher).received
    assert slept == [2.0]


def test_unchanged_file_is_not_downloaded_again(data_dir, server, fetcher):
    registry = remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("etag", GOOD, '"v1"')]})
    assert run(registry, fetcher).received
    result = run(registry, fetcher)
    assert result.unchanged == ["statistics/2026-10.csv"] and not result.received
    hits = server.hits["/qinglan-renmin/statistics/2026-10.csv"]
    assert hits[1].get("If-None-Match") == '"v1"'
    assert len(mine(registry)) == 1


def test_a_file_that_changes_between_runs_keeps_both_snapshots(data_dir, server, fetcher):
    registry = remote_registry(data_dir, server)
    changed = "月份,受理投诉举报\n2026-10,4\n".encode()
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD), ("ok", changed)]})
    run(registry, fetcher)
    assert run(registry, fetcher).received
    first, second = mine(registry)
    assert first.path(data_dir).read_bytes() == GOOD
    assert second.path(data_dir).read_bytes() == changed


@pytest.mark.parametrize(
    "plan, reason",
    [
        ([("hang", 3)], "超时"),
        ([("stream", 200_000)], "文件过大"),
        ([("ok", b"x" * 60_000)], "文件过大"),
        ([("ok", b"<!DOCTYPE html><html><body>404 Not Found</body></html>")], "网页"),
        ([("ok", b"a,b\n1,2\n", {"Content-Type": "text/html; charset=utf-8"})], "网页"),
        ([("ok", b"")], "文件为空"),
        ([("status", 404)], "HTTP 404"),
        ([("status", 302, {"Location": "http://example.org/2026-10.csv"})], "非 https"),
        ([("status", 500)], "已重试 2 次"),
    ],
)
def test_failures_never_touch_what_was_stored(data_dir, server, fetcher, plan, reason):
    registry = remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]})
    run(registry, fetcher)
    [before] = mine(registry)
    manifest = (data_dir / "snapshots" / "manifest.csv").read_bytes()
    server.hits.clear()
    publish(server, {"statistics/2026-10.csv": plan})
    result = run(registry, fetcher)
    assert not result.received
    assert [n for n, _ in result.failed] == ["statistics/2026-10.csv"]
    assert reason in result.failed[0][1]
    assert (data_dir / "snapshots" / "manifest.csv").read_bytes() == manifest
    assert before.path(data_dir).read_bytes() == GOOD
    assert not [p for p in (data_dir / "snapshots").rglob("*.tmp")]


def test_redirect_within_the_same_host_is_followed(data_dir, server, fetcher):
    registry = remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("status", 301, {"Location": "/moved.csv"})]})
    server.routes["/moved.csv"] = [("ok", GOOD)]
    assert run(registry, fetcher).received == ["statistics/2026-10.csv"]


def test_connection_refused_and_a_broken_index_are_reported(data_dir, fetcher):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there

    class Nowhere:
        url = f"http://127.0.0.1:{port}"

    registry = remote_registry(data_dir, Nowhere())
    result = run(registry, fetcher)
    assert result.failed and "无法连接" in result.failed[0][1]
    others = [
        r
        for r in collect(registry, month="2026-10", fetcher=fetcher)
        if r.institution_id != "qinglan-renmin"
    ]
    assert all(not r.failed for r in others)


def test_index_lists_only_safe_names(data_dir, server, fetcher):
    registry = remote_registry(data_dir, server)
    publish(
        server, {"statistics/2026-10.csv": [("ok", GOOD)], "../../etc/passwd.csv": [("ok", GOOD)]}
    )
    result = run(registry, fetcher)
    assert result.received == ["statistics/2026-10.csv"]
    assert "文件名不符合要求" in result.failed[0][1]


def test_fetcher_raises_with_a_reason(server, fetcher):
    server.routes["/x.csv"] = [("status", 403)]
    with pytest.raises(FetchError) as err:
        fetcher.get(server.url + "/x.csv")
    assert err.value.status == 403


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("a.csv", "月份,受理投诉举报\n".encode("gb18030"), True),
        ("a.xlsx", b"PK\x03\x04rest", True),
        ("a.xlsx", b"not a zip", False),
        ("a.json", b'{"records": []}', True),
        ("a.json", b"{broken", False),
        ("a.csv", b"\x00\x01\x02", False),
        ("a.csv", b"  \n", False),
    ],
)
def test_sniffing(name, content, ok):
    assert (sniff(name, content) is None) == ok


def test_collect_command_reports_and_exits_zero_when_an_institution_fails(data_dir, server):
    from tests.test_build import portal

    remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("ok", b"<html>login</html>")]})
    done = portal("collect", "--data", str(data_dir), "--month", "2026-10")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("qinglan-renmin"))
    assert "失败" in line and "网页" in line
    assert portal("collect", "--data", str(data_dir), "--month", "2026-13").returncode == 2
    (data_dir / "registry" / "institutions.csv").write_text("id,name\n", encoding="utf-8")
    assert portal("collect", "--data", str(data_dir)).returncode == 1


def test_collect_exits_1_when_the_data_directory_cannot_be_written(data_dir, server):
    from tests.test_build import portal

    remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]})
    store = data_dir / "snapshots" / "qinglan-renmin"
    store.rename(data_dir / "moved")
    store.write_text("not a folder", encoding="utf-8")  # writing a snapshot here must fail
    done = portal("collect", "--data", str(data_dir), "--month", "2026-10")
    assert done.returncode == 1 and "无法写入" in done.stderr
