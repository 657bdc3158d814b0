"""The institutions: a page each (figures, punctuality, channels, cases) and the
directory that lists them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.base.parallel import each
from pipeline.base.registry import Channel, Institution
from pipeline.cases import Case
from pipeline.site.charts import chart_csv, trend_chart
from pipeline.site.context import Site


def institution_pages(site: Site, meanwhile: Callable[[], None]) -> None:
    """Write ``institutions/<id>.md`` of every institution (with ``site.touched``, of the
    touched ones only) and its chart's CSV. Thousands of pages, each on its own: written
    by several processes while this one runs ``meanwhile`` (all the other pages)."""
    touched = site.touched
    status = report_status(site)
    channels: dict[str, list[Channel]] = {}
    for ch in site.every_channel:
        channels.setdefault(ch.owner, []).append(ch)
    no_notes: dict[str, list[Any]] = {"changes": [], "vanished": []}
    cases_of: dict[str, list[Case]] = {}
    for c in site.public_cases:
        if c.notice and c.notice.institution:
            cases_of.setdefault(c.notice.institution, []).append(c)

    def institution_page(inst: Institution) -> None:
        closed = site.closed(inst)
        chart = trend_chart(
            site.fig,
            f"institution-{inst.id}",
            ["complaints_received"],
            "institution",
            inst.id,
            until=inst.active_to if closed else None,
        )
        site.page(
            f"institutions/{inst.id}.md",
            "institution.md.j2",
            inst.name,
            inst=inst,
            year=site.year,
            chart=chart,
            status=status.get(inst.id, {}),
            channels=channels.get(inst.id, []),
            # A closed institution's channels are no longer in use: nothing to update.
            notes=no_notes if closed else site.channel_notes(inst.id),
            cases=cases_of.get(inst.id, []),
            closed=closed,
            # Below its own: the supervising authority's channels and the national lines.
            authority_channels=channels.get(site.reg.authority.id, []),
            national_channels=channels.get("national", []),
        )
        if touched is None:
            chart_csv(site, chart)

    each(
        institution_page,
        [i for i in site.directory_order if touched is None or i.id in touched.institutions],
        meanwhile=meanwhile,
    )


def report_status(site: Site) -> dict[str, list[dict[str, Any]]]:
    """Per institution, newest month first: its punctuality status, arrival and due
    dates; a month whose only file was refused says so."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in site.punctuality.table.sort_values("period", ascending=False).itertuples():
        status = site.fig.status_of(row.institution_id, row.period, row.status)
        out.setdefault(row.institution_id, []).append(
            {"period": row.period, "status": status, "arrived": row.arrived, "due": row.due}
        )
    return out


def directory_page(site: Site) -> None:
    """``institutions/index.md``: every institution, those that closed after the others
    (still listed, with their history)."""
    site.page(
        "institutions/index.md",
        "institutions.md.j2",
        "医疗机构",
        institutions=[i for i in site.directory_order if not site.closed(i)]
        + site.closed_institutions,
        closed=site.closed_institutions,
    )
