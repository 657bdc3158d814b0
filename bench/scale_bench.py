"""Build synthetic portals of growing size; compare with a plain Markdown + jinja2 floor.

    python bench/scale_bench.py [N ...] [--months 36] [--cases 500] [--work DIR]

For each N (default 300 3000 10000) a data directory made by `portal demo` (kept in
--work and reused) is built in a child process, stage by stage, and the same Markdown
pages are rendered again with Markdown + jinja2 and nothing else (the floor); a second
build is watched for memory. Reported: wall time per stage, peak memory of the child
(its own, and with the processes it forks: the sum of their PSS, sampled; Linux), pages,
pages per second, site size, search-index size (as stored and gzip-compressed), the
bytes a first visit to the home page transfers (gzip, as a server sends them) and the
ratio of the build to the floor. ``--no-memory`` skips the second build.

    python bench/scale_bench.py 300 --layer

times the parsed layer (pipeline/check/layer.py) instead, each build with its floor: "cold"
(no layer: every file read), "month" (the layer holds everything but the newest month's
arrivals, then they arrive: one month changed for every institution) and "unchanged"
(the layer holds every file), each built stage by stage; then "unchanged, `portal
build`": the command run twice with the build clock fixed, the second run timed (it
finds the site built from the same inputs and leaves it alone). A first run collects
and checks once, so that the source hashes and the page cache are warm in every mode.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-22T12:00:00+08:00"


def one(data: Path, out: Path, floor: bool = True) -> dict[str, float]:
    """Build ``data`` into ``out``, timing each stage (runs in the child process)."""
    from datetime import datetime

    import jinja2
    import markdown

    from pipeline.build import compute, mkdocs_site, prepare, render_docs

    now = datetime.fromisoformat(NOW)
    times: dict[str, float] = {}
    start = time.perf_counter()
    prep = prepare(data, now)
    times["check"] = time.perf_counter() - start
    t = time.perf_counter()
    computed = compute(prep, now, lambda _m: None)
    times["aggregate"] = time.perf_counter() - t
    docs = out.parent / "docs"
    t = time.perf_counter()
    render_docs(prep, computed, now, docs, ROOT / "site")
    times["render"] = time.perf_counter() - t
    t = time.perf_counter()
    mkdocs_site(ROOT / "mkdocs.yml", docs, out, prep.registry, now)
    times["mkdocs"] = time.perf_counter() - t
    times["build"] = time.perf_counter() - start
    # The floor: the same Markdown pages through Markdown + jinja2, written out.
    page = jinja2.Template(
        "<!doctype html><html lang=zh><title>{{ title }}</title><body>{{ body }}</body></html>",
        autoescape=True,
    )
    floor_out = out.parent / "floor"
    t = time.perf_counter()
    for md in docs.rglob("*.md") if floor else ():
        text = md.read_text(encoding="utf-8")
        body = markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html"])
        target = floor_out / md.relative_to(docs).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.render(title=md.stem, body=jinja2.filters.Markup(body)), "utf-8")
    times["floor"] = time.perf_counter() - t
    times["pages"] = sum(1 for _ in docs.rglob("*.md"))
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The forked processes that check files and write pages (their shared pages counted).
    times["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times


def first_visit_bytes(site: Path, url: str = "") -> int:
    """What a first visit to a page (the home page by default) downloads, gzip-compressed:
    the page, its stylesheets and scripts, and plotly.js when the page has a chart
    (counted although a phone fetches it only once the chart nears the screen)."""
    page = site / url / "index.html"
    html = page.read_text(encoding="utf-8")
    files = {page}
    for ref in re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))', html):
        if not ref.startswith(("http:", "https:", "//")):
            files.add((page.parent / ref).resolve())
    if "portal-chart" in html:
        files |= set(site.glob("assets/js/plotly*.js"))
    return sum(len(gzip.compress(f.read_bytes(), 6)) for f in files if f.exists())


class _TreePeak(threading.Thread):
    """The most memory the build and every process it started held together, sampled
    once a second: the sum of their proportional set sizes (PSS), in which a page
    forked processes share is counted once, not once per process as RSS counts it."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.mb = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.mb = max(self.mb, sum(_pss_kb(p) for p in _tree(self.pid)) / 1024)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:  # the process ended between listing and reading
        pass
    return 0


def measure(n: int, months: int, cases: int, work: Path, memory: bool = True) -> dict[str, float]:
    data = work / f"data-{n}"
    if not (data / "config.yaml").exists():
        t = time.perf_counter()
        subprocess.run(
            [
                *(sys.executable, "-m", "pipeline", "demo", "--institutions", str(n)),
                *("--months", str(months), "--cases", str(cases), "--out", str(data)),
            ],
            check=True,
            cwd=ROOT,
        )
        print(f"generated {n} institutions in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    # Two builds: one timed, one watched for memory. Reading the processes' PSS walks
    # their page tables and stalls them meanwhile (at 10,000 institutions the check
    # took 122 s watched, 80 s not), so the watched build's times are not reported.
    result = _build_child(data, watch=False)
    if memory:
        result["all_processes_mb"] = _build_child(data, watch=True)["all_processes_mb"]
    result["institutions"] = n
    result["pages_per_s"] = result["pages"] / result["build"]
    result["ratio_to_floor"] = result["build"] / result["floor"]
    return result


def _build_child(data: Path, watch: bool, env: dict[str, str] | None = None) -> dict[str, float]:
    """Build ``data`` in a child process; with ``watch``, sample its memory (and skip
    the floor)."""
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        out = Path(tmp) / "site"
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--one",
                str(data),
                str(out),
                *(["--no-floor"] if watch else []),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        peak = _TreePeak(child.pid) if watch else None
        if peak:
            peak.start()
        stdout, stderr = child.communicate()
        if peak:
            peak.stop.set()
            peak.join()
        if child.returncode != 0:
            sys.exit(f"building {data} failed:\n{stderr[-4000:]}")
        result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
        index = (out / "search" / "search_index.json").read_bytes()
        result.update(
            all_processes_mb=peak.mb if peak else float("nan"),
            site_mb=sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6,
            search_index_mb=len(index) / 1e6,
            search_index_gzip_mb=len(gzip.compress(index, 6)) / 1e6,
            home_first_visit_kb=first_visit_bytes(out) / 1024,
            # The report page must weigh the same at any size (its finder index loads on use).
            report_first_visit_kb=first_visit_bytes(out, "report") / 1024,
            finder_index_gzip_kb=len(
                gzip.compress((out / "report/institutions.json").read_bytes(), 6)
            )
            / 1024,
        )
    return result


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| institutions | pages | build s | check | aggregate | render | mkdocs | peak MB "
        "| all processes MB | site MB | search index MB (gzip) | home first visit KB (gzip) "
        "| report first visit KB (gzip) | finder index KB (gzip) | pages/s | floor s | ratio |"
    )
    lines = [head, "| " + " | ".join(["---"] * 17) + " |"]
    for r in rows:
        lines.append(
            f"| {r['institutions']:,} | {r['pages']:,.0f} | {r['build']:.0f} | {r['check']:.0f} "
            f"| {r['aggregate']:.0f} | {r['render']:.0f} | {r['mkdocs']:.0f} "
            f"| {r['peak_mb']:,.0f} | {r['all_processes_mb']:,.0f} | {r['site_mb']:,.0f} "
            f"| {r['search_index_mb']:.1f} ({r['search_index_gzip_mb']:.1f}) "
            f"| {r['home_first_visit_kb']:,.0f} | {r['report_first_visit_kb']:,.1f} "
            f"| {r['finder_index_gzip_kb']:,.0f} | {r['pages_per_s']:.0f} | {r['floor']:.1f} "
            f"| {r['ratio_to_floor']:.1f}x |"
        )
    return "\n".join(lines)


def _prime(data: Path, run_collect: bool) -> None:
    """Check ``data`` as a build does (filling the parsed layer), without building."""
    from datetime import datetime

    from pipeline.build import prepare

    checked = prepare(data, datetime.fromisoformat(NOW), run_collect=run_collect).checked
    print(f"primed: {checked.files_checked} files checked", file=sys.stderr)


def measure_layer(n: int, months: int, cases: int, work: Path) -> list[dict[str, Any]]:
    """Build ``n`` institutions in the three modes of ``--layer``."""
    from pipeline.check.layer import layer_dir
    from pipeline.store import read_manifest, write_manifest

    data = work / f"data-{n}"
    if not (data / "config.yaml").exists():
        measure(n, months, cases, work, memory=False)
    env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cache-{n}"))
    os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]  # layer_dir below
    folder = layer_dir(data)

    def prime(run_collect: bool) -> None:
        command = [sys.executable, __file__, "--prime", str(data)]
        command += [] if run_collect else ["--no-collect"]
        subprocess.run(command, check=True, cwd=ROOT, env=env)

    prime(True)  # source hashes and page cache warm
    rows: list[dict[str, Any]] = []
    shutil.rmtree(folder, ignore_errors=True)
    rows.append({"mode": "cold", **_build_child(data, False, env)})
    # One month changed for every institution: the layer holds all but the newest
    # month's arrivals (the yearly workbooks sent again that month too).
    shutil.rmtree(folder, ignore_errors=True)
    every = read_manifest(data)
    newest = max(s.fetched_at[:7] for s in every if s.kind == "statistics")
    manifest = data / "snapshots" / "manifest.csv"
    saved = manifest.read_bytes()
    try:
        write_manifest(data, [s for s in every if s.fetched_at[:7] != newest])
        prime(False)
    finally:
        manifest.write_bytes(saved)
    arrived = sum(1 for s in every if s.kind == "statistics" and s.fetched_at[:7] == newest)
    rows.append({"mode": "month", "files_new": arrived, **_build_child(data, False, env)})
    rows.append({"mode": "unchanged", **_build_child(data, False, env)})
    # `portal build` as CI runs it (the clock from SOURCE_DATE_EPOCH): once to write the
    # site, then again with nothing changed, when it leaves the site alone
    # (pipeline/uptodate.py). Only the second is timed.
    from datetime import datetime

    epoch = str(int(datetime.fromisoformat(NOW).timestamp()))
    command = [sys.executable, "-m", "pipeline", "build", "--data", str(data)]
    command += ["--out", str(work / f"site-{n}"), "--quiet"]
    cli_env = dict(env, SOURCE_DATE_EPOCH=epoch)
    subprocess.run(command, check=True, cwd=ROOT, env=cli_env, capture_output=True)
    t = time.perf_counter()
    done = subprocess.run(command[:-1], check=True, cwd=ROOT, env=cli_env, capture_output=True)
    took = time.perf_counter() - t
    assert "网站已是最新" in done.stderr.decode(), done.stderr.decode()[-500:]
    nan = float("nan")
    rows.append(
        {
            "mode": "unchanged, `portal build`",
            **dict.fromkeys(("check", "aggregate", "render", "mkdocs"), nan),
            "build": took,
            "floor": rows[-1]["floor"],
        }
    )
    for r in rows:
        r["institutions"] = n
        r["ratio_to_floor"] = r["build"] / r["floor"]
        r["ratio_to_cold"] = r["build"] / rows[0]["build"]
        r["check_ratio_to_cold"] = r["check"] / rows[0]["check"]
        print(json.dumps(r), file=sys.stderr)
    return rows


def layer_table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| institutions | mode | build s | check | aggregate | render | mkdocs | floor s "
        "| build / floor | build / cold | check / cold |"
    )
    lines = [head, "| " + " | ".join(["---"] * 11) + " |"]
    for r in rows:
        lines.append(
            f"| {r['institutions']:,} | {r['mode']} | {r['build']:.1f} | {r['check']:.1f} "
            f"| {r['aggregate']:.1f} | {r['render']:.1f} | {r['mkdocs']:.1f} "
            f"| {r['floor']:.1f} | {r['ratio_to_floor']:.1f}x | {r['ratio_to_cold']:.0%} "
            f"| {r['check_ratio_to_cold']:.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        from pipeline.base.parallel import collector_paused

        with collector_paused():  # as the command runs a build (pipeline.cli)
            times = one(Path(sys.argv[2]), Path(sys.argv[3]), "--no-floor" not in sys.argv)
        print(json.dumps(times))
        return
    if sys.argv[1:2] == ["--prime"]:
        _prime(Path(sys.argv[2]), "--no-collect" not in sys.argv)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[300, 3000, 10000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "scale-bench")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the second build that samples memory"
    )
    parser.add_argument(
        "--layer", action="store_true", help="time cold, one-month and unchanged builds"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.layer:
        found: list[dict[str, Any]] = []
        for n in args.sizes:
            found += measure_layer(n, args.months, args.cases, args.work)
        print(layer_table(found))
        return
    rows = []
    for n in args.sizes:
        rows.append(measure(n, args.months, args.cases, args.work, not args.no_memory))
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(rows))


if __name__ == "__main__":
    main()
