"""The build's memory stage by stage (Linux): each stage's own peak of the build process
and the most the build and every process it forked held together (sum of PSS).

    python bench/stage_memory.py DATA [--cold] [--cache DIR]

Builds ``DATA`` (made by ``portal demo``) as ``bench/scale_bench.py`` does, in a child
process that resets its peak (``/proc/self/clear_refs``) before each stage and reads it
(``VmHWM``) after; this process samples the PSS of the child and its descendants twice a
second and gives each sample to the stage that was running. ``--cold`` empties the
parsed layer (and the channel findings kept beside it) first. ``--cache`` sets
``XDG_CACHE_HOME`` for the child (where the layer lives). Prints one line per stage
and the floor (the process after importing the pipeline, before building), in MB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from scale_bench import NOW, _pss_kb, _tree  # noqa: E402


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def child(data: Path, out: Path, marks: Path) -> None:
    from datetime import datetime

    from pipeline.base.parallel import collector_paused
    from pipeline.build import compute, mkdocs_site, prepare, render_docs

    now = datetime.fromisoformat(NOW)

    def mark(stage: str, **extra: float) -> None:
        with marks.open("a") as f:
            f.write(json.dumps({"stage": stage, "t": time.time(), **extra}) + "\n")

    mark("floor", own=_hwm_mb())
    docs = out.parent / "docs"
    with collector_paused():
        _reset_peak()
        mark("prepare")
        prep = prepare(data, now)
        mark("compute", own_before=_hwm_mb())
        _reset_peak()
        computed = compute(prep, now, lambda _m: None)
        mark("render", own_before=_hwm_mb())
        _reset_peak()
        render_docs(prep, computed, now, docs, ROOT / "site")
        del computed  # as the build does
        mark("mkdocs", own_before=_hwm_mb())
        _reset_peak()
        mkdocs_site(ROOT / "mkdocs.yml", docs, out, prep.registry, now)
        mark("end", own_before=_hwm_mb())


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    env = dict(os.environ)
    if args.cache:
        env["XDG_CACHE_HOME"] = str(args.cache)
    if args.cold:
        os.environ.update(env)
        from pipeline.check.layer import layer_dir

        shutil.rmtree(layer_dir(args.data.resolve()), ignore_errors=True)
        for kept in layer_dir(args.data.resolve()).parent.glob("channels-*"):
            kept.unlink()
    with tempfile.TemporaryDirectory(prefix="stage-mem-") as tmp:
        marks = Path(tmp) / "marks.jsonl"
        start = time.time()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(args.data), str(Path(tmp) / "site"), marks],
            cwd=ROOT,
            env=env,
        )
        samples: list[tuple[float, float]] = []
        while proc.poll() is None:
            samples.append((time.time(), sum(_pss_kb(p) for p in _tree(proc.pid)) / 1024))
            time.sleep(0.5)
        if proc.returncode:
            sys.exit(f"build failed ({proc.returncode})")
        rows = [json.loads(line) for line in marks.read_text().splitlines()]
    took = rows[-1]["t"] - rows[1]["t"]
    print(f"floor (imports): own {rows[0]['own']:.0f} MB; build {took:.1f} s")
    for begin, end in itertools.pairwise(rows[1:]):
        tree = max((mb for t, mb in samples if begin["t"] <= t < end["t"]), default=float("nan"))
        print(
            f"{begin['stage']:8} {end['t'] - begin['t']:6.1f} s"
            f"  own peak {end['own_before']:6.0f} MB  all processes {tree:6.0f} MB"
        )
    print(f"wall {time.time() - start:.0f} s; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
