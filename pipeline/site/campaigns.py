"""The campaigns: their list, the campaign's page with its targets, and its printable
summaries (a year's, a quarter's and a month's) with the campaign's coverage."""

from __future__ import annotations

from typing import Any

from pipeline.base.periods import label as period_label
from pipeline.base.periods import quarter_of, year_of
from pipeline.site.context import Site
from pipeline.site.figures import within


def campaign_pages(site: Site) -> None:
    """``campaigns/index.md``, the campaign's page and every summary of it."""
    site.page("campaigns/index.md", "campaigns.md.j2", "专项行动", campaigns=site.reg.campaigns)
    site.page(
        f"campaigns/{site.agg.campaign.id}.md",
        "campaign.md.j2",
        site.agg.campaign.title,
        year=site.year,
        targets=site.fig.targets(site.year),
        summaries=summaries(site),
    )
    summary_pages(site)


def summaries(site: Site) -> list[tuple[str, str, str]]:
    """The campaign's summaries: (period type, period, name such as 2025年度总结,
    2026年第3季度进展, 2026年10月工作月报), newest first within each kind."""
    months = list(site.agg.months)
    quarters = sorted({quarter_of(m) for m in months})
    years = sorted({year_of(m) for m in months})
    return [
        *(("year", y, f"{y}年度总结") for y in reversed(years)),
        *(("quarter", q, f"{period_label(q)}进展") for q in reversed(quarters)),
        *(("month", m, f"{period_label(m)}工作月报") for m in reversed(months)),
    ]


def summary_pages(site: Site) -> None:
    """``campaigns/<id>/<period>.md``: a printable summary per year, quarter and month."""
    campaign = site.agg.campaign
    fig = site.fig
    reported = _reported(site)
    for period_type, period, name in summaries(site):
        site.page(
            f"campaigns/{campaign.id}/{period}.md",
            "summary.md.j2",
            f"{campaign.short_title or campaign.title}{name}",
            campaign=campaign,
            period_type=period_type,
            period=period,
            targets=fig.targets(period, period_type),
            coverage=coverage(site, period_type, period, reported),
            complete=fig.completeness(period_type, period),
            partial=not fig.period_complete(period_type, period),
            **(annual_summary(site, period) if period_type == "year" else {}),
        )


def coverage(
    site: Site, period_type: str, period: str, reported: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    """For each scope of the campaign: institutions of those types taking part in the
    period, how many reported in it (``reported``: institution-months with accepted
    figures), and whether the coverage target is met."""
    months = [m for m in site.agg.months if within(m, period_type, period)]
    out = []
    for scope in site.agg.campaign.scope:
        members = [
            i
            for i in site.reg.reporting_institutions
            if i.type in scope.types and any(i.active_in(m) for m in months)
        ]
        reporting = [i for i in members if any((i.id, m) in reported for m in months)]
        share = 100 * len(reporting) / len(members) if members else None
        out.append(
            {
                "types": scope.types,
                "target": scope.coverage,
                "members": len(members),
                "reporting": len(reporting),
                "share": share,
                "met": share is not None and share >= scope.coverage,
            }
        )
    return out


def annual_summary(site: Site, year: str) -> dict[str, Any]:
    """What only a year's summary shows: the cases published for the year and the
    authority's own narrative and next year's plan, when written by hand in
    ``site/pages/summaries/<campaign>/<year>.md``. (Not re-rendered by the preview
    after a case edit.)"""
    name = f"summaries/{site.agg.campaign.id}/{year}.md"
    narrative = site.hand_written(name) if (site.site_dir / "pages" / name).is_file() else ""
    cases = [
        c for c in site.public_cases if c.notice is not None and str(c.notice.date.year) == year
    ]
    return {"narrative": narrative, "year_cases": cases}


def _reported(site: Site) -> set[tuple[str, str]]:
    """(institution, month) pairs with accepted figures."""
    # Each pair once before any text is made: the canonical table has a row per figure
    # (2.2 million at 3,000 institutions), and a text per cell of two columns took 330
    # MB for a moment.
    t = site.checked.sources()[["institution_id", "period"]].drop_duplicates()
    return set(zip(t.institution_id.tolist(), t.period.tolist(), strict=True))
