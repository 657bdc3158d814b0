"""Memory and time of reading hostile files: every file of the hostile corpus, and the
largest files the default limits accept, each checked in a fresh process.

    python bench/hostile_bench.py [--out docs/hostile-bench.md]

For each file: the checking process's peak resident memory above its resident memory
just before the check (a process that loaded the pipeline and checked one small valid
file; the same figure for a small valid file is the floor, measured in the same run),
the time, and the outcome. The ceiling the limits
promise is 500 MB above that baseline for any file whatever its content.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile import CORPUS, INST, huge_shared_strings, rezip, xlsx  # noqa: E402

CEILING_MB = 500


def _dense_xlsx(rows: int, columns: int) -> bytes:
    """A sheet full to the row and column limits (written as XML: openpyxl would take
    minutes), just under the unzipped-size limit."""
    from pipeline.base.readers import column_index  # noqa: F401 (the same A1 notation)

    letters = []
    for c in range(columns):
        name, n = "", c + 1
        while n:
            n, rem = divmod(n - 1, 26)
            name = chr(65 + rem) + name
        letters.append(name)
    body = b"".join(
        f'<row r="{r}">'.encode()
        + b"".join(f'<c r="{col}{r}"><v>1</v></c>'.encode() for col in letters)
        + b"</row>"
        for r in range(1, rows + 1)
    )
    dimension = f'<dimension ref="A1:{letters[-1]}{rows}"/>'.encode()
    return rezip(
        xlsx(lambda ws: ws.append(["月份"])),
        {
            "xl/worksheets/sheet1.xml": lambda xml: (
                xml.split(b"<dimension")[0]
                + dimension
                + b"<sheetData>"
                + body
                + b"</sheetData></worksheet>"
            )
        },
    )


def _largest_accepted() -> dict[str, tuple[str, bytes]]:
    """Files at (just under) the default limits, valid or not: the worst an accepted
    reader has to hold."""
    from pipeline.base.readers import ReadLimits

    limits = ReadLimits()
    rows = limits.max_rows - 1
    wide = ["月份"] + ["受理投诉举报"] * (limits.max_columns - 1)
    csv_rows = ",".join(wide) + "\n" + ("2026-01," + ",".join(["1"] * 199) + "\n") * 100
    full_csv = "x" * (limits.max_file_bytes - 10)
    cells = [["1"] * limits.max_columns for _ in range(200)]
    book = xlsx(lambda ws: [ws.append(r) for r in cells])
    records = [
        {"institution_id": INST, "period": "2026-01", "indicator": "interviews", "value": 1}
    ] * (limits.max_rows - 1)
    return {
        "limit-csv-10000-rows": (
            "2026-01.csv",
            (
                "institution_id,period,indicator,value\n" + f"{INST},2026-01,interviews,1\n" * rows
            ).encode(),
        ),
        "limit-csv-200-columns": ("2026-01.csv", csv_rows.encode()),
        "limit-csv-10mb-one-line": ("2026-01.csv", full_csv.encode()),
        "limit-csv-10000x200-cells": (
            "2026-01.csv",
            ("月份," + ",".join(["x"] * 199) + "\n" + ("1," * 199 + "1\n") * rows).encode(),
        ),
        "limit-xlsx-8000x200-cells": ("2026.xlsx", _dense_xlsx(8_000, limits.max_columns)),
        "limit-xlsx-200x200": ("2026.xlsx", book),
        "limit-xlsx-shared-strings-19mb": ("2026.xlsx", huge_shared_strings(19)),
        "limit-json-10000-records": ("2026-01.json", json.dumps(records).encode()),
        "limit-json-10mb-numbers": ("2026-01.json", ("[" + "1," * 5_000_000 + "1]").encode()),
    }


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(f"{field}:"))


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the current resident size (Linux)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def _measure(name: str, content: bytes, queue: mp.Queue) -> None:
    from pipeline.base.registry import load_registry
    from pipeline.check import check_file

    registry = load_registry(ROOT / "data")
    warm = "月份,受理投诉举报\n2026-01,3\n".encode()
    check_file(registry, warm, "warm.csv", INST)
    before = _status_kb("VmRSS")
    _reset_peak()  # the file's own peak, not the import's
    started = time.perf_counter()
    sub = check_file(registry, content, name, INST)
    took = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    first = next((str(p) for p in sub.problems if p.blocking), "")
    queue.put((before / 1024, (peak - before) / 1024, took, sub.accepted, first))


def run(name: str, file: str, content: bytes) -> tuple[float, float, float, bool, str]:
    ctx = mp.get_context("spawn")  # a fresh process: its peak is this file's alone
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(f"{INST}/{file}", content, queue))
    proc.start()
    result = queue.get(timeout=600)
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    files = {k: (f, make()) for k, (f, make, _) in sorted(CORPUS.items())}
    files.update(_largest_accepted())
    floor = run("floor", "2026-01.csv", "月份,受理投诉举报\n2026-01,3\n".encode())
    lines = [
        "| file | size | peak above baseline | time | outcome |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    worst = 0.0
    for key, (file, content) in files.items():
        _, peak, took, accepted, first = run(key, file, content)
        worst = max(worst, peak)
        outcome = "accepted" if accepted else first.split("：", 1)[-1][:70]
        size = f"{len(content) / 1024:,.0f} KB"
        lines.append(f"| {key} | {size} | {peak:,.0f} MB | {took:.2f} s | {outcome} |")
        print(lines[-1], flush=True)
    summary = (
        f"\nBaseline (pipeline loaded, one small file checked): {floor[0]:,.0f} MB; "
        f"the small file itself: {floor[1]:,.0f} MB, {floor[2] * 1000:.1f} ms.\n"
        f"Worst peak above baseline: {worst:,.0f} MB (ceiling {CEILING_MB} MB).\n"
    )
    print(summary)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        head = (
            "# Reading hostile files: memory and time\n\n"
            "Written by `python bench/hostile_bench.py --out docs/hostile-bench.md` (each\n"
            "file checked in a fresh process on a 2-core machine; `peak above baseline` is the\n"
            "process's peak resident memory during the check minus its resident memory\n"
            "just before). `limit-*` files sit at the default limits of `config.yaml`.\n\n"
        )
        args.out.write_text(head + "\n".join(lines) + "\n" + summary, encoding="utf-8")
    if worst > CEILING_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
