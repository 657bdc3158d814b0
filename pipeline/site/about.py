"""The about page: how the figures are made, every correction and retraction of a case
and every figure an institution corrected after publication, and what this build
read."""

from __future__ import annotations

from typing import Any

from pipeline.cases import visible
from pipeline.privacy.suppression import display_value
from pipeline.site.context import Site


def about_page(site: Site) -> None:
    """``about/index.md``."""
    site.page(
        "about/index.md",
        "about.md.j2",
        "关于本平台",
        about=site.hand_written("about.md"),
        corrections=corrections(site),
        figure_changes=figure_changes(site),
        snapshots=len(site.checked.submissions),
        quarantined=site.checked.quarantined,
    )


def figure_changes(site: Site) -> list[dict[str, Any]]:
    """Figures an institution corrected after publication, newest first. A count of
    sanctioned persons is never shown, not even in a correction."""
    threshold = site.fig.threshold
    out = []
    for c in sorted(site.punctuality.changes, key=lambda c: c.date, reverse=True):
        ind = site.reg.indicators[c.indicator]
        hidden = ind.sensitive
        out.append(
            {
                "date": c.date,
                "institution": site.reg.institutions[c.institution_id],
                "period": c.period,
                "label": ind.label,
                "old": "不公开" if hidden else display_value(c.old, False, threshold),
                "new": "不公开" if hidden else display_value(c.new, False, threshold),
                "file": c.file,
            }
        )
    return out


def corrections(site: Site) -> list[dict[str, Any]]:
    """Corrections and retractions of the visible cases, newest first."""
    out = []
    for case in site.cases:
        n = case.notice
        if n is None or not visible(case, site.now):
            continue
        for c in n.corrections:
            # A retracted notice's corrections held its facts: they go with it.
            note = "更正内容随原通报一并撤下" if n.status == "retracted" else c.note
            out.append({"date": c.date, "case": n, "note": note, "kind": "更正"})
        if n.retraction:
            out.append(
                {
                    "date": n.retraction.date,
                    "case": n,
                    "note": n.retraction.reason,
                    "kind": "撤回",
                }
            )
    return sorted(out, key=lambda c: c["date"], reverse=True)
