"""Collect from N institutions served over HTTP on 127.0.0.1; report seconds and peak memory.

    python bench/collect_bench.py [N]      (default 1000)

Each institution publishes index.json and two monthly CSV files. The server is
`python -m http.server` in its own process, so the figures are the collector's alone.
The second run finds every file unchanged (same bytes, nothing stored).
"""

from __future__ import annotations

import csv
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.collect import collect, read_manifest
from pipeline.registry import Institution, load_registry

ROOT = Path(__file__).resolve().parent.parent


def main(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="collect-bench-"))
    served, data = work / "served", work / "data"
    (data / "registry").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "config.yaml", data)
    for name in ("indicators.yaml", "campaigns.yaml"):
        shutil.copy(ROOT / "data" / "registry" / name, data / "registry")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ids = [f"inst-{i:05d}" for i in range(n)]
    with (data / "registry" / "institutions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(Institution.model_fields))
        w.writerow(
            [
                "qinglan-wjw",
                "卫生健康委员会",
                "",
                "卫生健康行政部门",
                "未定级",
                "public",
                "城东",
                "",
                "",
                10,
                "",
                "2020-01",
                "",
            ]
        )
        for i in ids:
            w.writerow(
                [
                    i,
                    f"机构{i}",
                    "",
                    "社区卫生服务中心",
                    "一级",
                    "public",
                    "城东",
                    "",
                    "",
                    50,
                    f"http://127.0.0.1:{port}/{i}/",
                    "2020-01",
                    "",
                ]
            )
    (data / "registry" / "channels.csv").write_text(
        "owner,kind,value,department,hours,address,postcode,verified_on,note\n", encoding="utf-8"
    )
    for i in ids:
        folder = served / i / "statistics"
        folder.mkdir(parents=True)
        for month in ("2026-09", "2026-10"):
            (folder / f"{month}.csv").write_text(
                f"月份,受理投诉举报\n{month},3\n", encoding="utf-8"
            )
        (served / i / "index.json").write_text(
            '{"files": ["statistics/2026-09.csv", "statistics/2026-10.csv"]}', encoding="utf-8"
        )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(served),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        registry = load_registry(data)
        for run in ("first run", "second run"):
            start = time.perf_counter()
            results = collect(registry)
            seconds = time.perf_counter() - start
            received = sum(len(r.received) for r in results)
            failed = sum(1 for r in results if r.failed)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{run}: {n} institutions, {received} files stored, {failed} failed, "
                f"{seconds:.1f} s ({seconds / n * 1000:.1f} ms per institution), "
                f"peak memory {peak:.0f} MB"
            )
        print(f"manifest rows: {len(read_manifest(data))}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
