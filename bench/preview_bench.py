"""How long the press office waits for `portal serve` to show a case edit.

    python bench/preview_bench.py DATA_DIR [--edits 3]

Copies DATA_DIR (made by `portal demo`, e.g. the one bench/scale_bench.py keeps), builds
the preview once, then edits a published case's text the way an editor would and times
each reload until the page shows the new words. Prints the first build and each reload.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from pipeline.serve import Preview

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data, data)
        preview = Preview(data, Path(tmp) / "preview", ROOT / "mkdocs.yml")
        first = preview.rebuild()
        pages = sum(1 for _ in preview.site.rglob("index.html"))
        print(f"first build: {first:.1f} s, {pages:,} pages")
        case = next(
            p
            for p in sorted((data / "cases").glob("*.md"))
            if "status: published" in p.read_text(encoding="utf-8")
            and "embargo" not in p.read_text(encoding="utf-8")
        )
        for n in range(1, args.edits + 1):
            text = case.read_text(encoding="utf-8")
            marker = f"（第{n}次修改）"
            case.write_text(text.rstrip("\n") + marker + "\n", encoding="utf-8")
            took = preview.poll()
            page = preview.site / "cases" / case.stem / "index.html"
            assert took is not None and marker in page.read_text(encoding="utf-8")
            print(f"reload after editing {case.name}: {took:.2f} s")


if __name__ == "__main__":
    main()
