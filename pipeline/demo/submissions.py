"""Synthetic monthly submissions in the shapes real offices send.

Used to write the committed demo's submissions and, later, larger data sets for
benchmarks. The figures are random but plausible (seasonality, running totals
that stay consistent, small counts of sanctioned persons), and each institution
keeps one file style: a yearly XLSX with a merged title row and a total row, a
monthly GB18030 CSV with Chinese headers, a long UTF-8 CSV, or JSON.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.xml.functions import tostring

from pipeline.base.periods import BEIJING, month_range
from pipeline.base.registry import Institution, Registry
from pipeline.check.template import HEADER_ROW, monthly_sheet
from pipeline.store import Snapshot, due_date, period_of, store_file, write_manifest

HOSPITAL_TYPES = {"综合医院", "中医医院", "妇幼保健院", "专科医院", "民营医院"}
SMALL_TYPES = {"门诊部", "诊所"}
SMALL_INDICATORS = [
    "complaints_received",
    "complaints_resolved",
    "study_sessions",
    "staff_trained",
    "code_awareness_pct",
    "warning_education_sessions",
    "issues_found",
    "issues_rectified",
]
STYLES = ("xlsx_year", "csv_gbk_month", "csv_long_month", "json_month")


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method is enough for the small rates used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# Cases of each kind a year: one for so many staff (a clinic has none most months).
CASE_RATES = (
    ("cases_red_envelope", 9000),
    ("cases_kickback", 12000),
    ("cases_overtreatment", 8000),
    ("cases_insurance_fraud", 10000),
    ("cases_illegal_practice", 30000),
    ("cases_advertising", 30000),
    ("cases_conduct", 4000),
)


def figures(inst: Institution, months: list[str], rng: random.Random) -> Iterator[dict[str, Any]]:
    """One dict of indicator values per month for one institution."""
    staff = max(inst.staff, 1)
    hospital = inst.type in HOSPITAL_TYPES
    pending_complaints = pending_issues = 0
    trained = 0
    for i, period in enumerate(months):
        month = int(period[5:])
        if month == 1:
            trained = 0
        season = 1.25 if month in (1, 7, 8) else (0.8 if month == 2 else 1.0)
        row: dict[str, Any] = {"period": period}
        received = _poisson(rng, max(0.3, staff / 110) * season)
        pending_complaints += received
        resolved = pending_complaints if rng.random() < 0.75 else max(0, pending_complaints - 1)
        pending_complaints -= resolved
        row["complaints_received"] = received
        row["complaints_resolved"] = resolved
        found = _poisson(rng, max(0.2, staff / (60 if i < 7 else 250)))
        pending_issues += found
        rectified = min(pending_issues, _poisson(rng, pending_issues * 0.7 + 0.2))
        pending_issues -= rectified
        row["issues_found"], row["issues_rectified"] = found, rectified
        trained = min(staff, trained + math.ceil(staff * rng.uniform(0.06, 0.18)))
        row["staff_trained"] = trained
        row["study_sessions"] = (
            rng.choice([1, 1, 1, 2, 2, 3]) if hospital else rng.choice([0, 1, 1])
        )
        row["warning_education_sessions"] = 1 if month in (3, 9) or rng.random() < 0.05 else 0
        row["code_awareness_pct"] = round(min(100.0, 91 + i * 0.3 + rng.uniform(-1.5, 1.5)), 1)
        if inst.type not in SMALL_TYPES:
            row["complaints_transferred"] = sum(rng.random() < 0.3 for _ in range(received))
            row["clues_received"] = _poisson(rng, staff / 500)
            cases = {c: _poisson(rng, staff / r) for c, r in CASE_RATES}
            row.update(cases)
            total = sum(cases.values())
            row["cases_investigated"] = total
            row["sanctioned_education"] = _poisson(rng, total * 1.3)
            row["sanctioned_notice"] = _poisson(rng, total * 0.4)
            row["sanctioned_removal"] = _poisson(rng, total * 0.1)
            row["sanctioned_referral"] = _poisson(rng, total * 0.05)
            row["interviews"] = _poisson(rng, staff / 300 + total)
            money = cases["cases_kickback"] + cases["cases_insurance_fraud"]
            row["funds_recovered_yuan"] = sum(rng.randrange(20, 900) * 100 for _ in range(money))
        if hospital:
            row["red_envelopes_returned"] = _poisson(rng, staff / 180 * season)
            handed = _poisson(rng, staff / 700)
            row["red_envelopes_handed_in"] = handed
            row["red_envelopes_handed_in_yuan"] = sum(
                rng.randrange(2, 30) * 100 for _ in range(handed)
            )
            row["satisfaction_responses"] = _poisson(rng, staff * 0.6)
            row["satisfaction_outpatient_pct"] = round(rng.uniform(90, 99.2), 1)
            row["satisfaction_inpatient_pct"] = round(rng.uniform(92, 99.6), 1)
        elif inst.type not in SMALL_TYPES:
            row["satisfaction_responses"] = _poisson(rng, staff * 0.8)
            row["satisfaction_outpatient_pct"] = round(rng.uniform(89, 98.5), 1)
        yield row


def _headers(registry: Registry, codes: list[str], units: bool) -> list[str]:
    labels = []
    for code in codes:
        ind = registry.indicators[code]
        labels.append(f"{ind.label}（{ind.unit}）" if units else ind.label)
    return labels


def _codes(registry: Registry, inst: Institution) -> list[str]:
    if inst.type in SMALL_TYPES:
        return SMALL_INDICATORS
    return list(registry.indicators)


def xlsx_year(
    registry: Registry, inst: Institution, year: str, rows: list[dict[str, Any]]
) -> bytes:
    """A yearly workbook as offices fill the template in: merged title, notes row, units
    in headers, a month per row, and a 合计 row they add at the bottom."""
    codes = _codes(registry, inst)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年月报"
    title = f"{inst.name}{year}年行风建设工作月报表"
    monthly_sheet(sheet, registry, codes, title, [r["period"] for r in rows])
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, code in enumerate(codes, start=3):
            if code in row:
                sheet.cell(r, col, row[code])
    total = HEADER_ROW + len(rows) + 1
    sheet.cell(total, 1, "合计")
    for col, code in enumerate(codes, start=3):
        if registry.indicators[code].aggregate == "sum":
            sheet.cell(total, col, sum(row.get(code, 0) for row in rows))
    return stable_bytes(book, datetime(int(year), 1, 1))


def stable_bytes(book: Workbook, when: datetime) -> bytes:
    """``book`` saved with ``when`` as its document and file dates, so that the same
    workbook is always the same bytes (openpyxl stamps the time of saving)."""
    buf = io.BytesIO()
    book.save(buf)
    book.properties.created = book.properties.modified = when
    with zipfile.ZipFile(buf) as src:
        parts = [
            (
                info.filename,
                tostring(book.properties.to_tree())
                if info.filename == "docProps/core.xml"
                else src.read(info),
            )
            for info in src.infolist()
        ]
    return zip_parts(parts, when)


def zip_parts(parts: list[tuple[str, bytes]], when: datetime) -> bytes:
    """An XLSX (a zip) of ``parts`` in their order, every entry dated ``when``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            fixed = zipfile.ZipInfo(name, when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


def csv_gbk_month(registry: Registry, inst: Institution, row: dict[str, Any]) -> bytes:
    """A monthly wide CSV as Excel exports it in China: GB18030, Chinese headers,
    percents with %, thousands separators."""
    codes = _codes(registry, inst)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["机构名称", "月份", *_headers(registry, codes, units=False)])
    cells = []
    for code in codes:
        value = row.get(code)
        kind = registry.indicators[code].kind
        if value is None:
            cells.append("")
        elif kind == "percent":
            cells.append(f"{value}%")
        elif kind == "amount":
            cells.append(f"{value:,}")
        else:
            cells.append(str(value))
    writer.writerow([inst.name, f"{row['period'][:4]}/{int(row['period'][5:])}", *cells])
    return buf.getvalue().encode("gb18030")


def csv_long_month(registry: Registry, inst: Institution, row: dict[str, Any]) -> bytes:
    """A monthly long CSV (institution_id, period, indicator, value), UTF-8 with BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["institution_id", "period", "indicator", "value"])
    for code in _codes(registry, inst):
        if code in row:
            writer.writerow([inst.id, row["period"], code, row[code]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def json_month(registry: Registry, inst: Institution, row: dict[str, Any]) -> bytes:
    records = [
        {"period": row["period"], "indicator": code, "value": row[code]}
        for code in _codes(registry, inst)
        if code in row
    ]
    doc = {"institution_id": inst.id, "records": records}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def deliveries(
    registry: Registry,
    inst: Institution,
    style: str,
    months: list[str],
    rng: random.Random,
    skip: frozenset[str] = frozenset(),
) -> list[tuple[str, str, bytes]]:
    """What an institution of ``style`` sends, month by month: (month, file name, bytes).
    A yearly workbook is sent again each month with one more row filled in."""
    active = [m for m in months if inst.active_in(m)]
    rows = [r for r in figures(inst, active, rng) if r["period"] not in skip]
    out = []
    for i, row in enumerate(rows):
        month = row["period"]
        if style == "xlsx_year":
            so_far = [r for r in rows[: i + 1] if r["period"][:4] == month[:4]]
            out.append((month, f"{month[:4]}.xlsx", xlsx_year(registry, inst, month[:4], so_far)))
        elif style == "csv_gbk_month":
            out.append((month, f"{month}.csv", csv_gbk_month(registry, inst, row)))
        elif style == "csv_long_month":
            out.append((month, f"{month}.csv", csv_long_month(registry, inst, row)))
        else:
            out.append((month, f"{month}.json", json_month(registry, inst, row)))
    return out


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


# How the committed demo's submissions were made: each institution's file style, the
# months it did not send, and the mess a few files carry on purpose.
DEMO_STYLES = {
    "xlsx_year": [
        "yunxi-central-qinglan",
        "qinglan-renmin",
        "qinglan-tcm",
        "qinglan-mch",
        "kangning-hospital",
    ],
    "csv_gbk_month": [
        "qinglan-second",
        "qinglan-stomatology",
        "chengdong-chc",
        "chengxi-chc",
        "beishan-thc",
        "nanxi-thc",
        "heyue-eye",
        "anhe-clinic",
        "xinyuan-clinic",
    ],
    "csv_long_month": ["qinglan-mental", "qinglan-rehab", "chengnan-chc", "minkang-outpatient"],
    "json_month": ["renhe-tcm-outpatient", "songling-thc"],
}
DEMO_SKIPPED = {
    "songling-thc": {"2025-02", "2026-01"},
    "minkang-outpatient": {"2026-10"},
    "anhe-clinic": {"2025-08", "2026-09", "2026-10"},
}


def _edit_gbk_csv(content: bytes, edit: Any) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("gb18030"))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(edit(rows))
    return buf.getvalue().encode("gb18030")


def _guessed(rows: list[list[str]]) -> list[list[str]]:
    # Refused: a guessed figure, and more complaints resolved than ever received.
    rows[1][rows[0].index("受理投诉举报")] = "约12"
    rows[1][rows[0].index("办结投诉举报")] = "40"
    return rows


def _full_width(rows: list[list[str]]) -> list[list[str]]:
    # Accepted: full-width digits and a trailing blank row, as some input methods make.
    table = str.maketrans("0123456789.", "０１２３４５６７８９．")
    rows[1] = [c.translate(table) if i > 1 else c for i, c in enumerate(rows[1])]
    return [*rows, [""] * len(rows[0])]


def _corrected(rows: list[list[str]]) -> list[list[str]]:
    # A resubmission: two complaints had been left out of the first file.
    col = rows[0].index("受理投诉举报")
    rows[1][col] = str(int(rows[1][col]) + 2)
    return rows


# Files sent again a week after the first version, corrected.
DEMO_RESUBMITTED = {("qinglan-second", "2026-09.csv"): _corrected}


def _renmin_channels(channels: list[Any]) -> bytes:
    # The night-duty number changed and the WeChat entry was dropped.
    fields = ["kind", "value", "department", "hours", "address", "postcode", "verified_on", "note"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for c in channels:
        if c.kind == "wechat":
            continue
        row = {f: str(getattr(c, f)) for f in fields}
        if c.department == "总值班室":
            row["value"] = "0000-81239999"
        row["verified_on"] = "2026-10-12"
        writer.writerow([row[f] for f in fields])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


DEMO_CHANNELS = {
    "qinglan-renmin": (datetime(2026, 10, 12, 9, 30, tzinfo=BEIJING), _renmin_channels)
}

DEMO_MESS = {
    ("heyue-eye", "2026-08.csv"): _guessed,
    ("chengxi-chc", "2025-05.csv"): _full_width,
}


def arrival(month: str, due_day: int, rng: random.Random, until: datetime) -> datetime:
    """When a month's report arrives: mostly before the due day of the next month, one
    in eight late, never after ``until``."""
    next_month = due_date(month, 1)
    day = rng.randint(3, due_day) if rng.random() > 0.12 else rng.randint(due_day + 1, 28)
    at = datetime(
        next_month.year,
        next_month.month,
        day,
        rng.randint(8, 17),
        rng.randint(0, 59),
        tzinfo=BEIJING,
    )
    return min(at, until)


def snapshot_of(inst: Institution, kind: str, name: str, content: bytes, at: datetime) -> Snapshot:
    """The snapshot record of ``content`` as if collected from ``inst``'s source at ``at``."""
    return Snapshot(
        institution_id=inst.id,
        kind=kind,
        name=name,
        source=f"{inst.source}/{name}",
        fetched_at=at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        http_status="",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        period=period_of(name) if kind == "statistics" else "",
    )


def write_demo_sources(
    registry: Registry, first: str, last: str, until: datetime, seed: int = 20241
) -> None:
    """Regenerate the demo: each institution's files under its source folder, and the
    snapshot store as if every report had been collected when it arrived."""
    rng, clock = random.Random(seed), random.Random(seed + 1)
    months = month_range(first, last)
    due_day = registry.campaigns[0].report_due_day
    sent: list[tuple[datetime, str, str, bytes]] = []
    for style, ids in DEMO_STYLES.items():
        for inst_id in ids:
            inst = registry.institutions[inst_id]
            skip = frozenset(DEMO_SKIPPED.get(inst_id, ()))
            for month, name, content in deliveries(registry, inst, style, months, rng, skip):
                if edit := DEMO_MESS.get((inst_id, name)):
                    content = _edit_gbk_csv(content, edit)
                at = arrival(month, due_day, clock, until)
                sent.append((at, inst_id, name, content))
                if fix := DEMO_RESUBMITTED.get((inst_id, name)):
                    sent.append(
                        (at + timedelta(days=7), inst_id, name, _edit_gbk_csv(content, fix))
                    )
    snapshots = []
    for at, inst_id, name, content in sorted(sent, key=lambda s: (s[0], s[1], s[2])):
        inst = registry.institutions[inst_id]
        snap = snapshot_of(inst, "statistics", f"statistics/{name}", content, at)
        store_file(registry.data_dir, snap, content)
        snapshots.append(snap)
        write_files(registry.data_dir / inst.source / "statistics", {name: content})
    for inst_id, (at, make) in DEMO_CHANNELS.items():
        inst = registry.institutions[inst_id]
        content = make([c for c in registry.channels if c.owner == inst_id])
        snap = snapshot_of(inst, "channels", "channels.csv", content, at)
        store_file(registry.data_dir, snap, content)
        snapshots.append(snap)
        (registry.data_dir / inst.source / "channels.csv").write_bytes(content)
    write_manifest(registry.data_dir, snapshots)
