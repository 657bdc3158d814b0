"""Render: turn the checked, aggregated and suppressed data into MkDocs pages, chart
data and open-data files inside a staging ``docs`` folder, one page group after
another in a fixed order (each group is a module of this package)."""

from __future__ import annotations

from pipeline.site.about import about_page
from pipeline.site.campaigns import campaign_pages
from pipeline.site.cases import case_pages, cases_json, feed
from pipeline.site.charts import Chart, chart_csv
from pipeline.site.context import Site
from pipeline.site.data import data_page, open_data
from pipeline.site.home import home_page
from pipeline.site.institutions import directory_page, institution_pages
from pipeline.site.report import report_pages
from pipeline.site.statistics import statistics_page


def render(site: Site) -> None:
    """Write every page and data file; with ``site.touched`` (for the preview, after
    case edits) only the pages a case edit can change: home, the case list, feed and
    cases.json, the corrections log, the cases of the touched categories and the pages
    of the touched institutions."""
    charts = home_page(site)
    if site.touched is None:
        # Before the page workers are forked: the open-data files are the render's
        # largest allocations (+100-150 MB for a moment at 3,000 institutions), which
        # beside the workers came on top of theirs.
        open_data(site, site.public_cases)
    # The institutions' pages are written by worker processes meanwhile.
    institution_pages(site, meanwhile=lambda: _other_pages(site, charts))


def _other_pages(site: Site, home_charts: list[Chart]) -> None:
    """Every page but the home page and the institutions', and the data files but the
    open-data ones (written before)."""
    if site.touched is None:
        _figure_pages(site, home_charts)
    case_pages(site)
    about_page(site)
    if site.touched is not None:
        cases_json(site, site.public_cases)
    feed(site, site.public_cases)


def _figure_pages(site: Site, home_charts: list[Chart]) -> None:
    """The pages made of figures and registries only (no case on them)."""
    report_pages(site)
    statistics_charts = statistics_page(site)
    campaign_pages(site)
    directory_page(site)
    data_page(site)
    for chart in home_charts + statistics_charts:
        chart_csv(site, chart)
