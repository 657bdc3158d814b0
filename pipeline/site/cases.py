"""The cases: their list, a page each (or, in the press office's preview, what to fix
in a draft the checks refuse), ``data/cases.json`` and the Atom feed."""

from __future__ import annotations

import json
import re

import jinja2

from pipeline.cases import Case, shown_text, visible
from pipeline.site.context import TEMPLATES, Site
from pipeline.site.files import write_if_changed


def case_pages(site: Site) -> None:
    """``cases/index.md`` and a page per visible case (with ``site.touched``, of the
    touched categories only)."""
    public_cases = site.public_cases
    site.page("cases/index.md", "cases.md.j2", "典型案例", cases=public_cases)
    for case in site.cases:
        if case.preview_draft and case.refused and case.notice:
            # The press office's preview of a draft the checks refuse: what to fix,
            # in place of the page (a real build never sets preview_draft).
            site.page(
                f"cases/{case.notice.id}.md",
                "case_refused.md.j2",
                "【草稿，未通过检查】" + case.notice.title,
                case=case,
                problems=[p for p in case.problems if p.blocking],
            )
            continue
        if not (visible(case, site.now) and case.notice):
            continue
        if site.touched is not None and case.notice.category not in site.touched.categories:
            continue
        related = [
            c
            for c in public_cases
            if c.notice and c is not case and c.notice.category == case.notice.category
        ][:3]
        site.page(
            f"cases/{case.notice.id}.md",
            "case.md.j2",
            ("【草稿】" if case.preview_draft else "") + case.notice.title,
            case=case,
            n=case.notice,
            related=related,
        )


def cases_json(site: Site, cases: list[Case]) -> None:
    """``data/cases.json``: every listed case as published, its text as the page shows
    it."""
    records = []
    for c in cases:
        assert c.notice is not None
        record = c.notice.model_dump(mode="json", exclude={"status", "embargo", "published_by"})
        record["category_label"] = c.notice.category_label
        # The text as the page shows it (sanitised, then plain), never raw Markdown.
        record["facts"] = re.sub(r"\n{3,}", "\n\n", shown_text(c.body_html())).strip()
        record["url"] = f"cases/{c.notice.id}/"
        records.append(record)
    write_if_changed(
        site.docs / "data" / "cases.json", json.dumps(records, ensure_ascii=False, indent=1)
    )


def feed(site: Site, cases: list[Case]) -> None:
    """``feed.xml``: the listed cases as an Atom feed."""
    xml_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    text = xml_env.get_template("feed.xml.j2").render(
        cases=cases,
        config=site.reg.config,
        now=site.now,
        site_url=(site.reg.config.public_url or "").rstrip("/"),
    )
    write_if_changed(site.docs / "feed.xml", text)
