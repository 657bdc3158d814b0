"""The open-data page and the files it lists in ``/data/``: the figures (CSV, JSON and
Parquet), the institutions, the channels in service, the cases, the punctuality of
every month, the provenance of every file, and their ``datapackage.json``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.cases import Case
from pipeline.site.cases import cases_json
from pipeline.site.context import Site
from pipeline.site.files import number, write_csv
from pipeline.site.opendata import (
    descriptor,
    institution_months_table,
    integer_codes,
    statistics_table,
    write_parquet,
)

PUNCTUALITY_HEADER = ["institution_id", "period", "due", "arrived", "status"]


def data_page(site: Site) -> None:
    """``data/index.md``: what each file of ``/data/`` holds."""
    site.page("data/index.md", "data.md.j2", "开放数据")


def open_data(site: Site, cases: list[Case]) -> None:
    """Every file of ``/data/`` but the charts' (``cases``: the listed ones)."""
    out = site.docs / "data"
    header = statistics(site, out)
    months_header = institution_months(site, out)
    inst_header = [
        "id",
        "name",
        "short_name",
        "type",
        "level",
        "ownership",
        "district",
        "address",
        "website",
        "staff",
        "active_from",
        "active_to",
    ]
    write_csv(
        out / "institutions.csv",
        inst_header,
        ([getattr(i, f) or "" for f in inst_header] for i in site.reg.institutions.values()),
    )
    ch_header = [
        "owner",
        "kind",
        "value",
        "department",
        "hours",
        "address",
        "postcode",
        "verified_on",
        "note",
    ]
    write_csv(
        out / "channels.csv",
        ch_header,
        ([str(getattr(c, f)) for f in ch_header] for c in site.channels_in_service()),
    )
    cases_json(site, cases)
    # fetched_at: when the portal first had the bytes; received_at: earlier evidence
    # of arrival (a commit, an officer's record); last_modified: what the server said.
    provenance_header = [
        "institution_id",
        "file",
        "sha256",
        "size",
        "fetched_at",
        "received_at",
        "last_modified",
        "accepted",
    ]
    write_csv(
        out / "provenance.csv",
        provenance_header,
        (
            [
                s.institution_id,
                s.file,
                s.snapshot.sha256 if s.snapshot else "",
                s.snapshot.size if s.snapshot else "",
                s.snapshot.fetched_at if s.snapshot else "",
                s.snapshot.received_at if s.snapshot else "",
                s.snapshot.last_modified if s.snapshot else "",
                "yes" if s.accepted else "no",
            ]
            for s in site.checked.submissions
        ),
    )
    write_csv(
        out / "punctuality.csv",
        PUNCTUALITY_HEADER,
        (
            [
                r.institution_id,
                r.period,
                r.due,
                r.arrived or "",
                site.fig.status_of(r.institution_id, r.period, r.status),
            ]
            for r in site.punctuality.table.itertuples()
        ),
    )
    headers = {
        "statistics": header,
        "institution-months": months_header,
        "institutions": inst_header,
        "channels": ch_header,
        "punctuality": PUNCTUALITY_HEADER,
        "provenance": provenance_header,
    }
    package = descriptor(site.reg, headers, site.now.isoformat(timespec="seconds"))
    (out / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def statistics(site: Site, out: Path) -> list[str]:
    """``statistics.csv`` / ``.json``: the authority, each district and each type, by
    month, quarter, year and campaign, long format (one figure per row). Its size
    does not grow with the number of institutions."""
    names = {i.id: i.name for i in site.reg.institutions.values()}
    header = [
        "level",
        "entity_id",
        "entity_name",
        "period_type",
        "period",
        "indicator",
        "indicator_label",
        "unit",
        "value",
        "status",
        "reporting",
        "expected",
    ]
    t = site.agg.table
    rows = [
        [
            r.level,
            r.entity,
            names.get(r.entity, r.entity),
            r.period_type,
            r.period,
            r.indicator,
            site.fig.label(r.indicator),
            site.fig.unit(r.indicator),
            "" if r.suppressed else number(r.value),
            "suppressed" if r.suppressed else "reported",
            r.reporting,
            r.expected,
        ]
        for r in t[t.level != "institution"].itertuples(index=False)
    ]
    write_csv(out / "statistics.csv", header, rows)
    write_parquet(out / "statistics.parquet", statistics_table(header, rows))
    (out / "statistics.json").write_text(
        json.dumps({"fields": header, "rows": rows}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
    return header


def institution_months(site: Site, out: Path) -> list[str]:
    """``institution-months.csv``: one row per institution and month it reported, one
    column per indicator ("<5" where suppressed), and the files the figures came
    from. Wide, so that 3,000 institutions x 36 months stay a download of megabytes,
    not hundreds of them."""
    t = site.agg.table
    # The institutions' monthly rows by position, and only the columns read (copying
    # those rows whole took the step to +210 MB at 3,000 institutions; now +160).
    keep = np.flatnonzero(((t.level == "institution") & (t.period_type == "month")).to_numpy())
    entity, period, indicator = (t[name].array for name in ("entity", "period", "indicator"))
    assert isinstance(entity, pd.Categorical) and isinstance(period, pd.Categorical)
    assert isinstance(indicator, pd.Categorical)
    # One row per (institution, month), by id then month (the categories are sorted),
    # one column per indicator; numbers until a row is written (millions of cells).
    # The pairs are marked among all (entity, period) pairs, not sorted out of the
    # cells (np.unique's sort of 2.4 million cells at 3,000 institutions: +97 MB).
    months = period.categories
    cell_pair = entity.codes[keep].astype(np.int64) * len(months) + period.codes[keep]
    marked = np.zeros(len(entity.categories) * len(months), dtype=bool)
    marked[cell_pair] = True
    pairs = np.flatnonzero(marked)
    row = (np.cumsum(marked) - 1)[cell_pair]  # each cell's pair, among the pairs
    del cell_pair, marked
    indicator_codes = indicator.codes[keep]
    present = set(indicator.categories[np.unique(indicator_codes[indicator_codes >= 0])])
    codes = [c for c in (*site.reg.indicators, *site.reg.measures) if c in present]
    where = {c: i for i, c in enumerate(codes)}
    column = np.array([where.get(c, -1) for c in indicator.categories], dtype=np.int64)[
        indicator_codes
    ]
    values = np.full((len(pairs), len(codes)), np.nan)
    values[row, column] = t.value.to_numpy()[keep]
    hidden = np.zeros((len(pairs), len(codes)), dtype=bool)
    hidden[row, column] = t.suppressed.to_numpy()[keep]
    del keep, row, column, indicator_codes  # a number per cell (2.4 million at 3,000)
    institution_ids = entity.categories[pairs // len(months)].tolist()
    periods = months[pairs % len(months)].tolist()
    suppressed = f"<{site.fig.threshold}"

    def cell(value: float, hide: bool) -> str:
        return suppressed if hide else number(value)

    src = site.checked.sources()
    sources: dict[tuple[str, str], list[str]] = {}
    for key_inst, key_period, file in zip(
        src.institution_id.tolist(), src.period.tolist(), src.file.tolist(), strict=True
    ):
        sources.setdefault((key_inst, key_period), []).append(file)
    joined = {key: " ; ".join(names) for key, names in sources.items()}
    names = {i.id: i.name for i in site.reg.institutions.values()}
    institution_names = [names.get(inst, inst) for inst in institution_ids]
    files = [joined.get(key, "") for key in zip(institution_ids, periods, strict=True)]
    header = ["institution_id", "institution_name", "period", *codes, "source_file"]
    rows = (
        [
            inst,
            name,
            period,
            *map(cell, figures.tolist(), hide.tolist()),  # a row at a time
            file,
        ]
        for inst, name, period, figures, hide, file in zip(
            institution_ids, institution_names, periods, values, hidden, files, strict=True
        )
    )
    write_csv(out / "institution-months.csv", header, rows)
    write_parquet(
        out / "institution-months.parquet",
        institution_months_table(
            (institution_ids, institution_names, periods),
            codes,
            values,
            hidden,
            files,
            integer_codes(site.reg),
        ),
    )
    return header
