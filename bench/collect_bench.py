"""Collect from N institutions served over HTTP on 127.0.0.1, one in twenty of them
misbehaving; report seconds, peak memory, the failures and whether every good file was
stored within the run's time budget.

    python bench/collect_bench.py [N] [--deadline S] [--budget S] [--workers W]

Each institution publishes index.json and two monthly CSV files. Institution i with
i % 20 == 7 misbehaves, in turn: its 2026-10 file comes one byte a second, is cut short
of its Content-Length, answers 503 with Retry-After: 100000, or redirects to ftp:// on
the same host or to a malformed address; or its index.json is nested 100,000 levels
deep, or answers 500 every time. Its other files are good and must be stored.

The server runs in its own process (this file with ``serve``), so the figures are the
collector's alone. The second run finds every good file unchanged (same bytes, nothing
stored). The defaults shorten the per-file deadline (5 s instead of 60) and the run's
budget (120 s instead of 45 minutes) so that a run takes a minute or two.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.server
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pipeline.base.registry import Institution, load_registry
from pipeline.cases import gate
from pipeline.collect import collect
from pipeline.collect.fetch import Fetcher
from pipeline.store import read_manifest

ROOT = Path(__file__).resolve().parent.parent

MONTHS = ("2026-09", "2026-10")
KINDS = ("slow", "truncated", "retry-after", "ftp", "malformed", "nested-index", "500")


def misbehaviour(i: int) -> str | None:
    """How institution ``i`` misbehaves, or None: one in twenty, each way in turn."""
    return KINDS[(i // 20) % len(KINDS)] if i % 20 == 7 else None


def body(i: int, month: str) -> bytes:
    return f"月份,受理投诉举报\n{month},{i % 7}\n".encode()


def good_files(n: int) -> dict[tuple[str, str], bytes]:
    """Every (institution, file name) that must end up stored, with its bytes."""
    out = {}
    for i in range(n):
        kind = misbehaviour(i)
        if kind in ("nested-index", "500"):
            continue
        for month in MONTHS:
            if kind is None or month != "2026-10":
                out[(f"inst-{i:05d}", f"statistics/{month}.csv")] = body(i, month)
    return out


def serve(port: int) -> None:
    """The institutions' servers, all on one port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with contextlib.suppress(OSError):  # the collector gave up on a slow answer
                self._answer()

        def _answer(self) -> None:
            parts = self.path.strip("/").split("/")
            if not parts[0].startswith("inst-"):
                return self._send(404, b"")
            i = int(parts[0][5:])
            kind, name = misbehaviour(i), "/".join(parts[1:])
            if name == "index.json":
                if kind == "nested-index":
                    return self._send(200, b"[" * 100_000 + b"]" * 100_000)
                if kind == "500":
                    return self._send(500, b"")
                files = ", ".join(f'"statistics/{m}.csv"' for m in MONTHS)
                return self._send(200, f'{{"files": [{files}]}}'.encode())
            month = name.removeprefix("statistics/").removesuffix(".csv")
            if month not in MONTHS:
                return self._send(404, b"")
            content = body(i, month)
            if kind is None or month != "2026-10":
                return self._send(200, content)
            if kind == "slow":
                content += b"\n" * 3600  # an hour at this pace
                self._head(200, {"Content-Length": str(len(content))})
                for k in range(len(content)):
                    self.wfile.write(content[k : k + 1])
                    time.sleep(1)
            elif kind == "truncated":
                self._head(200, {"Content-Length": str(len(content) + 1000)})
                self.wfile.write(content)
            elif kind == "retry-after":
                self._send(503, b"", {"Retry-After": "100000"})
            elif kind == "ftp":
                host = self.headers.get("Host", "")
                self._send(302, b"", {"Location": f"ftp://{host}/{parts[0]}/{name}"})
            elif kind == "malformed":
                self._send(302, b"", {"Location": "http://[::1"})

        def _head(self, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/csv")
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()

        def _send(self, status: int, content: bytes, headers: dict[str, str] | None = None):
            self._head(status, {**(headers or {}), "Content-Length": str(len(content))})
            self.wfile.write(content)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    httpd.serve_forever()


def write_registry(data: Path, n: int, port: int) -> None:
    (data / "registry").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "config.yaml", data)
    for name in ("indicators.yaml", "campaigns.yaml"):
        shutil.copy(ROOT / "data" / "registry" / name, data / "registry")
    authority = ["qinglan-wjw", "卫生健康委员会", "", "卫生健康行政部门", "未定级", "public"]
    with (data / "registry" / "institutions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(Institution.model_fields))
        w.writerow([*authority, "城东", "", "", 10, "", "2020-01", ""])
        for i in range(n):
            inst = f"inst-{i:05d}"
            source = f"http://127.0.0.1:{port}/{inst}/"
            row = [inst, f"机构{inst}", "", "社区卫生服务中心", "一级", "public", "城东"]
            w.writerow([*row, "", "", 50, source, "2020-01", ""])
    (data / "registry" / "channels.csv").write_text(
        "owner,kind,value,department,hours,address,postcode,verified_on,note\n", encoding="utf-8"
    )


def main(n: int, fetcher: Fetcher) -> bool:
    work = Path(tempfile.mkdtemp(prefix="collect-bench-"))
    data = work / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_registry(data, n, port)
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wanted = good_files(n)
    bad = sum(1 for i in range(n) if misbehaviour(i))
    print(
        f"{n} institutions, {bad} misbehaving ({', '.join(KINDS)}), {len(wanted)} good files; "
        f"deadline {fetcher.deadline:g} s a file, budget {fetcher.run_budget:g} s, "
        f"{fetcher.workers} workers"
    )
    ok = True
    try:
        time.sleep(1.0)
        registry = load_registry(data)
        for run in ("first run", "second run"):
            start = time.perf_counter()
            results = collect(registry, fetcher=fetcher, gate=gate)
            seconds = time.perf_counter() - start
            received = sum(len(r.received) for r in results)
            failed = [r for r in results if r.failed]
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            within = seconds <= fetcher.run_budget
            ok &= within and len(failed) == bad
            print(
                f"{run}: {received} files stored, {len(failed)} institutions failed, "
                f"{seconds:.2f} s ({seconds / n * 1000:.1f} ms per institution, "
                f"{'within' if within else 'OVER'} the budget), peak memory {peak:.0f} MB"
            )
            reasons = Counter(
                f"{name}: {why.split('（')[0]}" for r in failed for name, why in r.failed
            )
            for reason, count in sorted(reasons.items()):
                print(f"    {count:>3} × {reason}")
        stored = {(s.institution_id, s.name): s for s in read_manifest(data)}
        missing = [k for k in wanted if k not in stored]
        wrong = [
            k for k in wanted if k in stored and stored[k].path(data).read_bytes() != wanted[k]
        ]
        extra = [k for k in stored if k not in wanted]
        ok &= not (missing or wrong or extra)
        print(
            f"manifest rows: {len(read_manifest(data))}; good files stored: "
            f"{len(wanted) - len(missing) - len(wrong)} of {len(wanted)}"
            f" (missing {len(missing)}, wrong bytes {len(wrong)}, unexpected {len(extra)})"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print("OK" if ok else "FAILED")
    return ok


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--deadline", type=float, default=5.0, help="seconds a file (60)")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds a run (2,700)")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    settings = Fetcher(
        connect_timeout=2,
        read_timeout=2,
        deadline=args.deadline,
        backoff=0.2,
        max_wait=5,
        run_budget=args.budget,
        workers=args.workers,
    )
    sys.exit(0 if main(args.n, settings) else 1)
