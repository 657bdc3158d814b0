"""How the site stage writes its files: CSV that a spreadsheet opens safely, pages
rewritten only when they change, JSON safe inside a page's script element."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A negative number is a figure, not a formula: it stays a number for every reader.
NUMBER = re.compile(r"-\d+(\.\d+)?")


def csv_safe(row: Iterable[Any]) -> list[Any]:
    """The row with every text cell a spreadsheet would run as a formula neutralised
    (OWASP). A row at a time: the open-data files hold millions of cells."""
    return [
        "'" + v
        if type(v) is str and v.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(v)
        else v
        for v in row
    ]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A UTF-8 CSV with BOM (so Excel shows Chinese), every text cell formula-safe;
    written as the rows come (the largest is tens of megabytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(map(csv_safe, rows))


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it, so an incremental MkDocs build
    (the preview's) redoes only pages that really changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def number(value: float) -> str:
    """A figure in a download: integers as such, others to four decimals, never in
    scientific notation; nothing when there is no figure (a rate over zero)."""
    if value is None or value != value:  # NaN
        return ""
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def copy_tree(src: Path, dst: Path) -> None:
    """Copy ``src`` into ``dst`` (nothing when ``src`` is missing)."""
    if src.exists():
        shutil.copytree(src, dst, dirs_exist_ok=True)
