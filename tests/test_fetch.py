"""Collection over HTTP from a real server on 127.0.0.1 that misbehaves in every way an
institution's server can; each test checks what is on disk and what the report says."""

from __future__ import annotations

import contextlib
import csv
import http.server
import socket
import threading
import time
from pathlib import Path

import pytest

from pipeline.base.registry import load_registry
from pipeline.cases import gate
from pipeline.collect import collect
from pipeline.collect.fetch import Fetcher, FetchError, sniff
from pipeline.store import read_manifest

GOOD = "月份,受理投诉举报\n2026-10,3\n".encode()
STATUS_LINE = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nX-Padding: " + b"x" * 200


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
                # The client hanging up on a slow or broken answer is expected here.
                with contextlib.suppress(OSError):
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

            def _trickle(self, body, every):
                """Content-Length first, then the body a byte at a time: every read
                returns within the read timeout, so only an overall deadline ends it."""
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    time.sleep(every)

            def _trickle_head(self, every):
                for i in range(len(STATUS_LINE)):
                    self.wfile.write(STATUS_LINE[i : i + 1])
                    time.sleep(every)

            def _truncated(self, body, claimed):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(claimed))
                self.end_headers()
                self.wfile.write(body)  # then the connection closes (HTTP/1.0)

            def _gzip(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _raw(self, data):
                self.wfile.write(data)

            def _late(self, seconds, body):
                time.sleep(seconds)
                self._ok(body)

            def _redirect_to_self(self):
                self._status(302, {"Location": self.path})

            def _stream(self, size):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()  # no Content-Length: the cap must hold while reading
                for _ in range(size // 1000):
                    self.wfile.write(b"1," * 500)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # (polling every 50 ms: shutdown waits for the next poll, 0.5 s by default)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

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
        max_wait=5,
        max_bytes=50_000,
        deadline=3,
        sleep=slept.append,
    )


def remote_registry(data_dir: Path, server: Server, institutions=("qinglan-renmin",)):
    """The demo registry with ``institutions`` publishing at ``server``."""
    path = data_dir / "registry" / "institutions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["id"] in institutions:
            row["source"] = f"{server.url}/{row['id']}/"
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
    results = collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
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
        ([("truncated", GOOD[:10], 1000)], "不完整"),
        ([("gzip", b"not gzip at all, only a claim")], "解压"),
        ([("trickle", GOOD, 0.2)], "超时"),
        ([("trickle_head", 0.2)], "超时"),
        ([("status", 503, {"Retry-After": "100000"})], "超过上限"),
        ([("redirect_to_self",)], "跳转次数"),
        ([("status", 503, {"Retry-After": "²"})], "HTTP 503（已重试 2 次）"),
        ([("raw", b"HTTP/1.0 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")], "文件过大"),
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


@pytest.mark.parametrize(
    "location, reason",
    [
        ("ftp://{netloc}/2026-10.csv", "不支持的协议（ftp）"),
        ("file:///etc/passwd", "不支持的协议（file）"),
        ("javascript:alert(1)", "不支持的协议（javascript）"),
        ("http://[::1", "跳转地址格式错误"),
        ("http://{host}:99999/2026-10.csv", "跳转地址格式错误"),
        ("https://exa mple/2026-10.csv", "跳转地址格式错误"),
        ("http://exa mple/2026-10.csv", "跳转地址格式错误"),
        ("", "没有给出跳转地址"),
        ("  ", "没有给出跳转地址"),
    ],
)
def test_bad_redirects_are_failures_with_a_reason(data_dir, server, fetcher, location, reason):
    registry = remote_registry(data_dir, server)
    netloc = server.url.removeprefix("http://")
    target = location.format(netloc=netloc, host="127.0.0.1")
    publish(server, {"statistics/2026-10.csv": [("status", 302, {"Location": target})]})
    result = run(registry, fetcher)
    assert not result.received and not mine(registry)
    assert [n for n, _ in result.failed] == ["statistics/2026-10.csv"]
    assert reason in result.failed[0][1], result.failed


def test_a_slow_server_is_cut_at_the_deadline_not_at_each_read(server, slept):
    # Each byte comes well within the read timeout: only an overall deadline ends this.
    fetcher = Fetcher(read_timeout=1, deadline=1.5, sleep=slept.append)
    server.routes["/slow.csv"] = [("trickle", GOOD * 10, 0.1)]
    server.routes["/slow-head.csv"] = [("trickle_head", 0.1)]
    for path in ("/slow.csv", "/slow-head.csv"):
        start = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetcher.get(server.url + path)
        assert time.monotonic() - start < 3
        assert "下载超时" in err.value.reason and not slept
    server.routes["/fine.csv"] = [("ok", GOOD)]
    assert fetcher.get(server.url + "/fine.csv").content == GOOD  # the fetcher still works


def test_waiting_for_one_file_is_bounded_in_total(server):
    # Retry-After: 1 each time is within the cap, but the waits add up: the file's
    # deadline ends them, not the number of attempts.
    fetcher = Fetcher(attempts=50, deadline=2.5)
    server.routes["/busy.csv"] = [("status", 503, {"Retry-After": "1"})]
    start = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetcher.get(server.url + "/busy.csv")
    assert time.monotonic() - start < 3.5
    assert len(server.hits["/busy.csv"]) == 3
    assert "时限" in err.value.reason and err.value.status == 503


def test_a_retry_after_beyond_the_cap_gives_up_at_once(server, fetcher, slept):
    server.routes["/later.csv"] = [("status", 429, {"Retry-After": "100000"}), ("ok", GOOD)]
    with pytest.raises(FetchError) as err:
        fetcher.get(server.url + "/later.csv")
    assert err.value.reason == "服务器要求 100000 秒后重试，超过上限 5 秒"
    assert slept == [] and len(server.hits["/later.csv"]) == 1


HOSTILE_INDEXES = {
    "nested": (b"[" * 100_000 + b"]" * 100_000, "嵌套"),
    "not a list": (b'{"files": "statistics/2026-10.csv"}', "格式错误"),
    "names not strings": (b'{"files": [1, null, {"a": 2}]}', "格式错误"),
    "a number": (b"42", "格式错误"),
    "not JSON": (b"\xff\xfe{", "格式错误"),
}


@pytest.mark.parametrize("kind", HOSTILE_INDEXES)
def test_a_bad_index_fails_that_institution_only(data_dir, server, fetcher, kind):
    body, reason = HOSTILE_INDEXES[kind]
    fetcher.max_bytes = 1_000_000
    registry = remote_registry(data_dir, server, ("qinglan-renmin", "yunxi-central-qinglan"))
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]}, "yunxi-central-qinglan")
    server.routes["/qinglan-renmin/index.json"] = [("ok", body, {"Content-Type": "text/plain"})]
    results = {
        r.institution_id: r for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
    }
    bad, good = results["qinglan-renmin"], results["yunxi-central-qinglan"]
    assert [n for n, _ in bad.failed] == ["index.json"] and reason in bad.failed[0][1]
    assert good.received == ["statistics/2026-10.csv"] and not good.failed
    assert [s.institution_id for s in mine(registry)] == ["yunxi-central-qinglan"]
    assert all(not r.failed for i, r in results.items() if i != "qinglan-renmin")


@pytest.mark.parametrize(
    "index",
    [
        lambda _: [("truncated", b'{"files": ["statistics/2026-10.csv"', 500)],
        lambda _: [("trickle", b'{"files": ["statistics/2026-10.csv"]}', 0.2)],
        lambda netloc: [("status", 302, {"Location": f"ftp://{netloc}/index.json"})],
        lambda _: [("status", 302, {"Location": "http://[::1"})],
        lambda _: [("status", 503, {"Retry-After": "100000"})],
    ],
)
def test_an_index_that_cannot_be_had_fails_that_institution_only(data_dir, server, fetcher, index):
    registry = remote_registry(data_dir, server, ("qinglan-renmin", "yunxi-central-qinglan"))
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]}, "yunxi-central-qinglan")
    plan = index(server.url.removeprefix("http://"))
    server.routes["/qinglan-renmin/index.json"] = plan
    start = time.monotonic()
    results = {
        r.institution_id: r for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
    }
    assert time.monotonic() - start < 10
    bad, good = results["qinglan-renmin"], results["yunxi-central-qinglan"]
    assert [n for n, _ in bad.failed] == ["index.json"] and bad.failed[0][1]
    assert good.received == ["statistics/2026-10.csv"]
    assert [s.institution_id for s in mine(registry)] == ["yunxi-central-qinglan"]


class Faulty(Fetcher):
    """A fetcher with a bug for one file: no server behaviour is left that makes the
    real one raise anything but FetchError, and the guard must still hold."""

    def get(self, url, *args, **kwargs):
        if url.endswith("/qinglan-renmin/statistics/2026-10.csv"):
            raise KeyError("etag")
        return super().get(url, *args, **kwargs)


def test_an_error_nobody_foresaw_fails_that_institution_only(data_dir, server, slept):
    registry = remote_registry(data_dir, server, ("qinglan-renmin", "yunxi-central-qinglan"))
    for inst in ("qinglan-renmin", "yunxi-central-qinglan"):
        publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]}, inst)
    fetcher = Faulty(read_timeout=1, deadline=3, sleep=slept.append)
    results = {
        r.institution_id: r for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
    }
    assert results["qinglan-renmin"].failed == [
        ("statistics/2026-10.csv", "采集时出错（KeyError：'etag'）")
    ]
    assert results["yunxi-central-qinglan"].received == ["statistics/2026-10.csv"]
    assert [s.institution_id for s in mine(registry)] == ["yunxi-central-qinglan"]


def test_one_bad_file_leaves_the_institutions_other_files(data_dir, server, fetcher):
    registry = remote_registry(data_dir, server)
    publish(
        server,
        {
            "statistics/2026-10.csv": [("truncated", GOOD[:5], 900)],
            "statistics/2026.csv": [("ok", GOOD)],
        },
    )
    result = run(registry, fetcher)
    assert result.received == ["statistics/2026.csv"]
    assert [n for n, _ in result.failed] == ["statistics/2026-10.csv"]


def test_a_slow_institution_does_not_hold_up_the_others(data_dir, server, slept):
    fetcher = Fetcher(read_timeout=1, deadline=3, workers=2, sleep=slept.append)
    others = ("yunxi-central-qinglan", "qinglan-second", "qinglan-tcm")
    registry = remote_registry(data_dir, server, ("qinglan-renmin", *others))
    publish(server, {"statistics/2026-10.csv": [("trickle", GOOD * 20, 0.2)]})
    for inst in others:
        publish(server, {"statistics/2026-10.csv": [("late", 0.3, GOOD)]}, inst)
    done = []
    start = time.monotonic()
    results = {
        r.institution_id: r
        for r in collect(
            registry, month="2026-10", fetcher=fetcher, progress=done.append, gate=gate
        )
    }
    assert time.monotonic() - start < 5
    # The others came in (on the second worker) while the slow one was still trickling.
    assert done[-1].institution_id == "qinglan-renmin"
    assert "下载超时" in results["qinglan-renmin"].failed[0][1]
    assert all(results[i].received == ["statistics/2026-10.csv"] for i in others)


def test_the_run_ends_within_its_budget(data_dir, server, slept):
    fetcher = Fetcher(read_timeout=1, deadline=30, run_budget=3, workers=1, sleep=slept.append)
    others = ("yunxi-central-qinglan", "qinglan-second")
    registry = remote_registry(data_dir, server, ("qinglan-renmin", *others))
    publish(server, {"statistics/2026-10.csv": [("trickle", GOOD * 20, 0.2)]})
    for inst in others:
        publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]}, inst)
    start = time.monotonic()
    results = {
        r.institution_id: r for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
    }
    assert time.monotonic() - start < 3.5  # the slow file alone would take 30 s
    slow = results["qinglan-renmin"]
    assert slow.failed == [("statistics/2026-10.csv", "本次采集时间已用完，下载未完成")]
    for inst in others:
        assert results[inst].failed == [("index.json", "本次采集时间已用完，未采集")]
    assert all(not r.failed for i, r in results.items() if i not in (*others, slow.institution_id))
    assert not mine(registry)
    fetcher.run_budget, fetcher.deadline = 60, 1
    results = {
        r.institution_id: r for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
    }
    assert all(results[i].received for i in others)


def test_a_content_length_that_is_not_a_number_is_ignored(server, fetcher):
    # "²" passes str.isdigit() but not int().
    head = "HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\nContent-Length: ²\r\n\r\n"
    server.routes["/odd.csv"] = [("raw", head.encode("latin-1") + GOOD)]
    assert fetcher.get(server.url + "/odd.csv").content == GOOD


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
        for r in collect(registry, month="2026-10", fetcher=fetcher, gate=gate)
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
    from tests.conftest import portal_here as portal

    remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("ok", b"<html>login</html>")]})
    done = portal("collect", "--data", str(data_dir), "--month", "2026-10")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("qinglan-renmin"))
    assert "失败" in line and "网页" in line
    # The failures again after the table, with their reasons.
    summary = done.stdout.split("有失败的机构（1 家）：\n")[1]
    assert summary.startswith("  qinglan-renmin：statistics/2026-10.csv：") and "网页" in summary
    assert portal("collect", "--data", str(data_dir), "--month", "2026-13").returncode == 2
    (data_dir / "registry" / "institutions.csv").write_text("id,name\n", encoding="utf-8")
    assert portal("collect", "--data", str(data_dir)).returncode == 1


def test_a_name_no_terminal_can_print_is_reported_not_raised(data_dir, server):
    from tests.conftest import run_portal as portal

    remote_registry(data_dir, server)
    publish(server, {"\\ud800.csv": [("ok", GOOD)], "statistics/2026-10.csv": [("ok", GOOD)]})
    done = portal("collect", "--data", str(data_dir), "--month", "2026-10")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("qinglan-renmin"))
    assert "?.csv：文件名不符合要求" in line and "Traceback" not in done.stderr


def test_collect_exits_1_when_the_data_directory_cannot_be_written(data_dir, server):
    from tests.conftest import portal_here as portal

    remote_registry(data_dir, server)
    publish(server, {"statistics/2026-10.csv": [("ok", GOOD)]})
    store = data_dir / "snapshots" / "qinglan-renmin"
    store.rename(data_dir / "moved")
    store.write_text("not a folder", encoding="utf-8")  # writing a snapshot here must fail
    done = portal("collect", "--data", str(data_dir), "--month", "2026-10")
    assert done.returncode == 1 and "无法写入" in done.stderr
