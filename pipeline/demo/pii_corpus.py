"""Measure the PII gate against a labelled corpus: recall per kind, false-positive rate."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.cases import published_findings
from pipeline.privacy.pii import find_pii, normalise_for_gate


@dataclass
class Measurement:
    caught: Counter[str]
    planted: Counter[str]
    clean: int
    flagged: int
    misses: list[str]
    false_positives: list[str]

    def table(self) -> str:
        """A Markdown table of the figures, for the docs."""
        lines = ["| kind | caught / planted | recall |", "| --- | --- | --- |"]
        for kind in sorted(self.planted):
            rate = self.caught[kind] / self.planted[kind]
            lines.append(f"| {kind} | {self.caught[kind]} / {self.planted[kind]} | {rate:.0%} |")
        fp = self.flagged / self.clean if self.clean else 0.0
        lines.append(f"| clean texts flagged | {self.flagged} / {self.clean} | {fp:.1%} |")
        return "\n".join(lines)


def measure(corpus: Path, allowed: frozenset[str] = frozenset()) -> Measurement:
    """Run the gate over every text of ``corpus``. A name counts as caught only when the
    whole name is found (not a part of it)."""
    texts = yaml.safe_load(corpus.read_text(encoding="utf-8"))["texts"]
    m = Measurement(Counter(), Counter(), 0, 0, [], [])
    for t in texts:
        # As the gate reads a case: the source, and the text as it will be shown.
        raw = find_pii(t["text"], allowed)
        found = raw + [f for _, f in published_findings(t["text"], allowed, frozenset(), raw)]
        if not t["pii"]:
            m.clean += 1
            if found:
                m.flagged += 1
                m.false_positives.append(t["text"])
            continue
        kinds = {f.kind for f in found}
        for kind in t["pii"]:
            m.planted[kind] += 1
            ok = kind in kinds
            if kind == "person_name":
                names = {_plain(f.text) for f in found if f.kind == kind}
                ok = all(_plain(n) in names for n in t.get("names", []))
            if ok:
                m.caught[kind] += 1
            else:
                m.misses.append(f"{kind}: {t['text']}")
    return m


def _plain(name: str) -> str:
    """A name as compared: as the public reads it (entities decoded) and normalised as the
    gate reads it, no spaces, lower case."""
    return re.sub(r"\W", "", normalise_for_gate(html.unescape(name))).lower()
