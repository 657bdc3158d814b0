"""What every page group shares: the inputs of one render, the jinja2 environment the
pages are written with, and the lookups of the registry and the channel directory
that several page groups and templates make.

Pages are jinja2 templates with autoescape on: every value that came from a
submission, a registry or a case is escaped. Dynamic parts are written as HTML
blocks (Markdown does not touch them); page titles go into front matter already
escaped, because MkDocs' own templates do not escape.
"""

from __future__ import annotations

import functools
import json
import posixpath
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from pipeline.aggregate import Aggregates
from pipeline.base.periods import label as period_label
from pipeline.base.registry import Channel, Institution, Registry, vocabulary
from pipeline.cases import Case, listed
from pipeline.check import CheckResult
from pipeline.history.channels import Directory, closed_by
from pipeline.history.punctuality import Punctuality
from pipeline.site.figures import Figures, month_after, refused_months
from pipeline.site.files import write_if_changed

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Touched:
    """What a case edit can change: the institutions and categories of the edited cases,
    before and after the edit."""

    cases: frozenset[str]
    institutions: frozenset[str]
    categories: frozenset[str]


class Site:
    """The inputs of one render into ``docs``; with ``touched`` (the preview, after case
    edits) only the pages a case edit can change are written. Templates see it as
    ``site`` and its figures as ``fig``."""

    def __init__(
        self,
        registry: Registry,
        checked: CheckResult,
        aggregates: Aggregates,
        punctuality: Punctuality,
        directory: Directory,
        cases: list[Case],
        docs: Path,
        site_dir: Path,
        now: datetime,
        touched: Touched | None = None,
    ):
        self.reg = registry
        self.checked = checked
        self.agg = aggregates
        self.punctuality = punctuality
        self.directory = directory
        self.cases = cases
        self.docs = docs
        self.site_dir = site_dir
        self.now = now
        self.touched = touched
        self.fig = Figures(registry, aggregates, refused_months(checked))
        # The year of the latest month: the one the home, statistics and campaign pages show.
        self.year = aggregates.months[-1][:4]
        self.public_cases = [c for c in cases if listed(c, now)]
        # Institutions whose last month (``active_to``) is over: as of this build's clock.
        self.closed_ids = closed_by(registry, now.date())
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["period"] = period_label
        self.env.filters["month_after"] = month_after
        self.env.globals.update(
            vocab=vocabulary(),
            reg=registry,
            config=registry.config,
            campaign=aggregates.campaign,
            ind=registry.indicators,
            measures=registry.measures,
            now=now,
            latest=aggregates.months[-1],
            site=self,
            fig=self.fig,
        )

    def page(self, path: str, template: str, title: str, **ctx: Any) -> None:
        """Render ``template`` to ``docs/path``; links in the page are relative to it."""
        url_dir = posixpath.dirname(path) if path.endswith("index.md") else path[:-3]
        depth = 0 if url_dir in ("", ".") else url_dir.count("/") + 1
        text = self.env.get_template(template).render(
            base="../" * depth,
            title_json=Markup(json.dumps(str(escape(title)), ensure_ascii=False)),
            **ctx,
        )
        write_if_changed(self.docs / path, text)

    def hand_written(self, name: str) -> Markup:
        """A page section the press office writes by hand (trusted Markdown in ``site/``)."""
        return Markup((self.site_dir / "pages" / name).read_text(encoding="utf-8"))

    # -- the directory of institutions and channels ------------------------------------

    @functools.cached_property
    def directory_order(self) -> list[Institution]:
        """The reporting institutions by type (in the vocabulary's order), district, id."""
        types = vocabulary()["institution_types"]
        return sorted(
            self.reg.reporting_institutions, key=lambda i: (types.index(i.type), i.district, i.id)
        )

    def closed(self, inst: Institution) -> bool:
        """Whether ``inst`` closed: its last month (``active_to``) is over."""
        return inst.id in self.closed_ids

    @functools.cached_property
    def closed_institutions(self) -> list[Institution]:
        """The institutions that closed, in directory order."""
        return [i for i in self.directory_order if self.closed(i)]

    @functools.cached_property
    def every_channel(self) -> list[Channel]:
        """Every channel, of institutions in service and of those that closed."""
        return self.directory.channels + self.directory.closed

    def channels_in_service(self) -> list[Channel]:
        """The channels that are a way to report: none of an institution that closed
        (the directory has set those apart, as of the build's day)."""
        return self.directory.channels

    def channel_notes(self, owner: str) -> dict[str, list[Any]]:
        """Changed numbers (with the old one and the date) and vanished channels of one
        owner, for the report and institution pages."""
        return {
            "changes": [c for c in self.directory.changes if c.owner == owner],
            "vanished": [(c, d) for c, d in self.directory.vanished if c.owner == owner],
        }

    def stale(self, channel: Channel) -> bool:
        age = (self.now.date() - channel.verified_on).days
        return age > self.reg.config.stale_channel_days
