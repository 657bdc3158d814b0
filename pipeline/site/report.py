"""How to report: the report page (the national and the authority's channels, a
finder whose index loads on use) and, for readers without script, a page per
district listing its institutions' channels."""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.base.registry import Channel, Institution
from pipeline.site.context import Site
from pipeline.site.files import write_if_changed

# A group on the report page: its heading, owner id, channels and institution.
ChannelGroup = tuple[str, str | None, list[Channel], Institution | None]


def report_pages(site: Site) -> None:
    """The same light page at any size: ``report/index.md``, the finder's index and a
    page per district."""
    districts = report_districts(site)
    site.page(
        "report/index.md",
        "report.md.j2",
        "我要举报",
        general=channel_groups(site)[0],
        districts=districts,
        guide=site.hand_written("report-guide.md"),
    )
    report_finder(site, districts)


def channel_groups(site: Site) -> tuple[list[ChannelGroup], list[ChannelGroup]]:
    """Channels grouped: the national and the authority's, then each institution's
    in service (one that closed is no longer a way to report)."""
    by_owner: dict[str, list[Channel]] = {}
    for ch in site.channels_in_service():
        by_owner.setdefault(ch.owner, []).append(ch)
    authority = site.reg.authority
    general: list[ChannelGroup] = [
        ("全国统一热线", None, by_owner.get("national", []), None),
        (authority.name, authority.id, by_owner.get(authority.id, []), authority),
    ]
    institutions: list[ChannelGroup] = [
        (inst.name, inst.id, by_owner.get(inst.id, []), inst)
        for inst in sorted(site.reg.reporting_institutions, key=lambda i: i.id)
        if not site.closed(inst)
    ]
    return general, institutions


def report_districts(site: Site) -> list[dict[str, Any]]:
    """Each district (by name) with its URL slug (pinyin, unique) and institutions
    in directory order, each with its channels in service."""
    from pypinyin import lazy_pinyin

    by_owner: dict[str, list[Channel]] = {}
    for ch in site.channels_in_service():
        by_owner.setdefault(ch.owner, []).append(ch)
    members: dict[str, list[tuple[Institution, list[Channel]]]] = {}
    for inst in site.directory_order:
        members.setdefault(inst.district, []).append((inst, by_owner.get(inst.id, [])))
    districts, slugs = [], set()
    for name in sorted(members, key=lambda d: (lazy_pinyin(d), d)):
        stem = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(name)).lower()) or "district"
        slug, n = stem, 1
        while slug in slugs:
            n += 1
            slug = f"{stem}-{n}"
        slugs.add(slug)
        districts.append({"name": name, "slug": slug, "institutions": members[name]})
    return districts


def report_finder(site: Site, districts: list[dict[str, Any]]) -> None:
    """The finder's index (``report/institutions.json``, fetched only when a reader
    uses the finder) and one page per district listing its institutions' numbers."""
    from pypinyin import Style, lazy_pinyin

    rows = []
    for d in districts:
        for inst, chans in d["institutions"]:
            initials = "".join(lazy_pinyin(inst.name, style=Style.FIRST_LETTER)).lower()
            phone = next((c.value for c in chans if c.kind == "phone"), "")
            closed = 1 if site.closed(inst) else 0
            row = [inst.id, inst.name, inst.short_name, inst.district, inst.type, initials]
            rows.append([*row, phone, closed])
    index = {
        "fields": ["id", "name", "short", "district", "type", "initials", "phone", "closed"],
        "rows": rows,
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    write_if_changed(site.docs / "report" / "institutions.json", text)
    site.page(
        "report/districts/index.md", "report_district.md.j2", "按片区查找", districts=districts
    )
    for d in districts:
        site.page(
            f"report/districts/{d['slug']}.md",
            "report_district.md.j2",
            f"{d['name']}医疗机构举报渠道",
            district=d,
        )
