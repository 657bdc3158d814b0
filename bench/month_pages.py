"""How many of a site's files change when one month arrives for every institution.

    python bench/month_pages.py DATA WORK

Builds ``DATA`` twice with the clock fixed: once from a copy whose manifest leaves out the
statistics fetched in the newest month, once as it is; then compares the two sites' file
lists (``site-files.sha256``) and counts the files and pages that changed, by folder.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.store import read_manifest, write_manifest  # noqa: E402


def _files(site: Path) -> dict[str, str]:
    lines = (site / "site-files.sha256").read_text(encoding="utf-8").splitlines()
    return {
        name: digest for digest, name in (line.split("  ", 1) for line in lines if "  " in line)
    }


def main() -> None:
    data, work = Path(sys.argv[1]), Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    before = work / "before"
    shutil.rmtree(before, ignore_errors=True)
    shutil.copytree(data, before)
    every = read_manifest(before)
    newest = max(s.fetched_at[:7] for s in every if s.kind == "statistics")
    kept = [s for s in every if not (s.kind == "statistics" and s.fetched_at[:7] == newest)]
    write_manifest(before, kept)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795782600", XDG_CACHE_HOME=str(work / "cache"))
    sites = {}
    for name, source in (("before", before), ("after", data)):
        out = sites[name] = work / f"site-{name}"
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "pipeline", "build", "--data", str(source)]
        subprocess.run([*command, "--out", str(out), "--quiet"], env=env, check=True, cwd=ROOT)
    a, b = _files(sites["before"]), _files(sites["after"])
    changed = [f for f in b if a.get(f) != b[f]]
    pages = [f for f in b if f.endswith(".html")]
    print(f"newest month fetched {newest}: {len(every) - len(kept)} files arrive")
    print(f"files {len(b)}, changed {len(changed)}; pages {len(pages)}, changed", end=" ")
    print(sum(f.endswith(".html") for f in changed))
    print("changed by folder:", collections.Counter(f.split("/")[0] for f in changed).most_common())
    kept_by = collections.Counter(f.split("/")[0] for f in b if f not in changed)
    print("unchanged by folder:", kept_by.most_common())


if __name__ == "__main__":
    main()
