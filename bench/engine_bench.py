"""The compute stage (aggregate + suppress) in SQL against the pandas code it replaced.

    python bench/engine_bench.py [N ...] [--months 36] [--repeat 2] [--work DIR]

For each N (default 300 1000) a data directory made by `portal demo` (kept in --work and
reused, the same as bench/scale_bench.py's) is checked in a child process, then the
compute stage runs there with one engine: ``sql`` (pipeline.aggregate and
pipeline.privacy.suppression) or ``pandas`` (tests/reference_aggregate.py). Reported: wall time
of the stage (the best of --repeat runs, the engines taking turns) and its peak memory
(the process's peak resident size during the stage, reset after the check; Linux), and
the floor of bench/scale_bench.py (the site's Markdown pages through Markdown + jinja2)
from the same run, with the ratio of each stage to it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-22T12:00:00+08:00"


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one(engine: str, data: Path) -> dict[str, float]:
    """Check ``data``, then time the compute stage with ``engine`` (in the child)."""
    from datetime import datetime

    from pipeline.build import latest_month, prepare

    if engine == "sql":
        from pipeline.aggregate import aggregate
        from pipeline.privacy.suppression import suppress
    else:
        sys.path.insert(0, str(ROOT))
        from tests.reference_aggregate import aggregate, suppress  # type: ignore[no-redef]

    now = datetime.fromisoformat(NOW)
    prep = prepare(data, now)
    registry = prep.registry
    until = latest_month(prep.checked, now)
    assert until is not None
    base = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    start = time.perf_counter()
    agg = aggregate(registry, prep.checked.table, registry.campaigns[0], until)
    middle = time.perf_counter()
    agg.table = suppress(agg.table, registry)
    # A look-up builds what the pages use to find a cell: part of the stage's cost.
    agg.cell("complaints_received", "month", until)
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "aggregate_s": middle - start,
        "suppress_s": end - middle,
        "peak_mb": _status_mb("VmHWM"),
        "before_mb": base,
        "rows": len(agg.table),
        "hidden": int(agg.table.suppressed.sum()),
    }


def floor(data: Path) -> dict[str, float]:
    """The floor of bench/scale_bench.py: the pages of a build of ``data``, rendered again
    with Markdown + jinja2 and nothing else (in the child)."""
    from datetime import datetime

    import jinja2
    import markdown

    from pipeline.build import compute, prepare, render_docs

    now = datetime.fromisoformat(NOW)
    prep = prepare(data, now)
    computed = compute(prep, now, lambda _m: None)
    with tempfile.TemporaryDirectory(prefix="engine-floor-") as tmp:
        docs = Path(tmp) / "docs"
        render_docs(prep, computed, now, docs, ROOT / "site")
        page = jinja2.Template(
            "<!doctype html><html lang=zh><title>{{ title }}</title><body>{{ body }}</body></html>",
            autoescape=True,
        )
        out = Path(tmp) / "floor"
        start = time.perf_counter()
        pages = 0
        for md in docs.rglob("*.md"):
            text = md.read_text(encoding="utf-8")
            body = markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html"])
            target = out / md.relative_to(docs).with_suffix(".html")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page.render(title=md.stem, body=jinja2.filters.Markup(body)), "utf-8")
            pages += 1
        return {"floor": time.perf_counter() - start, "pages": pages}


def _child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{args} failed:\n{done.stderr[-4000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(n: int, months: int, repeat: int, work: Path) -> dict[str, object]:
    data = work / f"data-{n}"
    if not (data / "config.yaml").exists():
        subprocess.run(
            [
                *(sys.executable, "-m", "pipeline", "demo", "--institutions", str(n)),
                *("--months", str(months), "--out", str(data)),
            ],
            check=True,
            cwd=ROOT,
        )
    runs: dict[str, list[dict[str, float]]] = {"pandas": [], "sql": []}
    for _ in range(repeat):
        for engine in runs:
            runs[engine].append(_child("--one", engine, str(data)))
            print(n, engine, json.dumps(runs[engine][-1]), file=sys.stderr)
    best = {e: min(r, key=lambda x: x["seconds"]) for e, r in runs.items()}
    for e, r in runs.items():
        best[e]["peak_mb"] = max(x["peak_mb"] for x in r)
    return {"institutions": n, "floor": _child("--floor", str(data)), **best}


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| institutions | rows | engine | compute s (aggregate + suppress) | peak MB "
        "(before) | floor s | ratio to floor |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        fl = row["floor"]
        assert isinstance(fl, dict)
        for engine in ("pandas", "sql"):
            r = row[engine]
            assert isinstance(r, dict)
            lines.append(
                f"| {row['institutions']:,} | {r['rows']:,} | {engine} "
                f"| {r['seconds']:.1f} ({r['aggregate_s']:.1f} + {r['suppress_s']:.1f}) "
                f"| {r['peak_mb']:,.0f} ({r['before_mb']:,.0f}) | {fl['floor']:.1f} "
                f"| {r['seconds'] / fl['floor']:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], Path(sys.argv[3]))))
        return
    if sys.argv[1:2] == ["--floor"]:
        print(json.dumps(floor(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[300, 1000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "scale-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [measure(n, args.months, args.repeat, args.work) for n in args.sizes]
    print(table(rows))


if __name__ == "__main__":
    main()
