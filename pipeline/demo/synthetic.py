"""A synthetic data directory of any size (``portal demo``), for benchmarks and tests.

Same shape and mess as the committed demo: every institution type, the four file
styles (yearly XLSX re-sent each month, GB18030 CSV, long CSV, JSON), months not
sent, late reports, full-width digits, a refused file now and then, stale channels,
and case notices in every category and status with their publication ledger. The
registries (indicators, campaign) are the demo's, the campaign's dates moved to the
months generated. Everything is fictional: numbers start with 0000 and mail goes to
``.example``. The same arguments and seed give the same files on the same day, with any
number of processes.

Every figure, style, skipped month, arrival time and planted mistake is drawn first, for
all institutions and months at once (numpy, one generator seeded with ``--seed``); the
files are then written institution by institution in forked processes that draw
nothing, from strings, with the bytes the writers of :mod:`pipeline.demo.submissions`
make (:mod:`pipeline.demo.files`).
"""

from __future__ import annotations

import csv
import functools
import math
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from pipeline.base.parallel import pmap
from pipeline.base.periods import BEIJING, month_range
from pipeline.base.registry import Institution, Registry, load_registry
from pipeline.cases import digest, ledger
from pipeline.demo.files import Shape
from pipeline.demo.submissions import (
    CASE_RATES,
    HOSPITAL_TYPES,
    SMALL_INDICATORS,
    SMALL_TYPES,
    _edit_gbk_csv,
    _full_width,
    _guessed,
    snapshot_of,
)
from pipeline.store import Snapshot, due_date, snapshot_dir, write_manifest

DEMO_DATA = Path(__file__).resolve().parents[2] / "data"

# Institution types: share of institutions, level, staff range, id prefix, name word.
TYPES = [
    ("综合医院", 0.06, "二级", (250, 1800), "gh", "人民医院"),
    ("中医医院", 0.03, "二级", (150, 700), "tcm", "中医医院"),
    ("妇幼保健院", 0.02, "二级", (120, 500), "mch", "妇幼保健院"),
    ("专科医院", 0.04, "二级", (80, 400), "sp", "专科医院"),
    ("民营医院", 0.08, "一级", (40, 300), "pvt", "民营医院"),
    ("社区卫生服务中心", 0.20, "一级", (30, 160), "chc", "社区卫生服务中心"),
    ("乡镇卫生院", 0.22, "一级", (20, 120), "thc", "卫生院"),
    ("门诊部", 0.12, "未定级", (6, 40), "op", "门诊部"),
    ("诊所", 0.23, "未定级", (2, 12), "cl", "诊所"),
]
PRIVATE_TYPES = {"民营医院", "门诊部", "诊所"}
PLACE_CHARS = "青岚云溪松桐柳竹梅兰桂枫杉梧榆槐桦石泉湖江河山峰岭川原丰安宁康泰和平"
STYLE_SHARES = [("xlsx_year", 0.03), ("csv_gbk_month", 0.42), ("csv_long_month", 0.3)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

# One case story per category: title, role, sanction and body, with {place} for the
# institution, {who} for the person (surname + 某) and {amount} in yuan.
STORIES = {
    "red_envelope": (
        "{place}医生收受患者红包被处理",
        "医生",
        "退还红包，给予警告处分",
        "{place}医生{who}在诊疗期间收受患者家属红包{amount}元。经调查核实，{who}已全额退还。",
    ),
    "kickback": (
        "{place}采购人员收受医药企业回扣",
        "行政",
        "没收违规所得，移送纪检监察机关",
        "{place}设备科工作人员{who}在耗材采购中收受企业回扣{amount}元，已移送纪检监察机关。",
    ),
    "overtreatment": (
        "{place}违规开展不必要检查",
        "医技",
        "退还患者费用，约谈科室负责人",
        "专项检查发现，{place}影像科存在重复检查、过度检查问题，涉及费用{amount}元。",
    ),
    "insurance_fraud": (
        "{place}虚记诊疗项目套取医保基金",
        "行政",
        "追回医保基金，暂停医保结算资格三个月",
        "{place}通过虚记诊疗项目套取医保基金{amount}元，负责人{who}被免职。",
    ),
    "illegal_practice": (
        "{place}聘用无资质人员从事诊疗活动",
        "医生",
        "罚款并责令整改",
        "卫生监督机构检查发现，{place}聘用未取得执业资格的{who}从事诊疗活动。",
    ),
    "advertising": (
        "{place}发布违规医疗广告",
        "行政",
        "责令停止发布，罚款{amount}元",
        "{place}在网络平台发布夸大疗效的医疗广告，被责令立即停止发布并罚款{amount}元。",
    ),
    "conduct": (
        "{place}工作人员服务态度生硬被通报",
        "护士",
        "批评教育，全院通报",
        "患者通过12345政务服务便民热线反映，{place}护士{who}接诊时态度生硬、推诿患者。",
    ),
    "bribery_enterprise": (
        "医药企业向{place}人员行贿被查处",
        "医药代表",
        "列入医药价格和招采失信名单",
        "某医药企业医药代表{who}向{place}相关人员行贿{amount}元，企业已被列入失信名单。",
    ),
    "other": (
        "{place}违规收费问题被通报",
        "行政",
        "退还违规收费，责令整改",
        "{place}存在超标准收费问题，涉及金额{amount}元，已全部退还患者。",
    ),
    "commendation": (
        "{place}医生拒收红包获通报表扬",
        "医生",
        "通报表扬",
        "{place}医生{who}多次婉拒患者家属红包，累计退还{amount}元，获全区通报表扬。",
    ),
}


def _districts(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        stem = "".join(rng.sample(PLACE_CHARS, 2))
        name = stem + rng.choice(["街道", "镇", "街道", "乡"])
        if name not in names and all(n[:2] != stem for n in names):
            names.append(name)
    return names


def _registry_rows(
    n: int, first: str, rng: random.Random
) -> tuple[list[dict[str, Any]], list[str]]:
    districts = _districts(max(4, math.ceil(n / 50)), rng)
    rows = []
    counters: dict[tuple[str, str], int] = {}
    weights = [t[1] for t in TYPES]
    for i in range(n):
        # One of each type first, so that even a small directory has them all.
        kind, _, level, staff, prefix, word = (
            TYPES[i] if i < len(TYPES) else rng.choices(TYPES, weights)[0]
        )
        district = districts[i % len(districts)]
        number = counters[(district, kind)] = counters.get((district, kind), 0) + 1
        stem = district.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        ordinal = "" if number == 1 else f"第{number}"
        starts_late = rng.random() < 0.02
        rows.append(
            {
                "id": f"{prefix}-{i + 1:05d}",
                "name": f"{stem}{ordinal}{word}",
                "short_name": f"{stem}{number}{word[-2:]}" if kind != "诊所" else "",
                "type": kind,
                "level": "三级" if kind == "综合医院" and rng.random() < 0.2 else level,
                "ownership": "private" if kind in PRIVATE_TYPES else "public",
                "district": district,
                "address": f"示例市{district}健康路{rng.randint(1, 999)}号",
                "website": f"https://{prefix}{i + 1}.example/" if kind not in PRIVATE_TYPES else "",
                "staff": rng.randint(*staff),
                "source": f"sources/{prefix}-{i + 1:05d}",
                "active_from": first if not starts_late else _later(first, rng.randint(3, 12)),
                "active_to": "",
            }
        )
    return rows, districts


def _later(month: str, by: int) -> str:
    year, mon = divmod(int(month[:4]) * 12 + int(month[5:]) - 1 + by, 12)
    return f"{year:04d}-{mon + 1:02d}"


def _write_csv(path: Path, rows: list[dict[str, Any]], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _registries(
    out: Path, n: int, months: list[str], until: datetime, rng: random.Random
) -> tuple[list[dict[str, Any]], list[str]]:
    """Write config and registries; return the institutions and districts."""
    (out / "registry").mkdir(parents=True)
    config = yaml.safe_load((DEMO_DATA / "config.yaml").read_text(encoding="utf-8"))
    config.update(
        site_name="示例市医疗卫生行风建设信息公开平台（合成数据）",
        site_short_name="示例市行风公开",
        authority_id="example-wjw",
        demo=True,
    )
    (out / "config.yaml").write_text(
        "# Synthetic data made by `portal demo`: every name and number is fictional.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    shutil.copyfile(DEMO_DATA / "registry" / "indicators.yaml", out / "registry/indicators.yaml")
    campaigns = yaml.safe_load((DEMO_DATA / "registry/campaigns.yaml").read_text("utf-8"))
    campaign = campaigns["campaigns"][0]
    start = date.fromisoformat(months[0] + "-01")
    end_month = _later(months[-1], 2)
    end = date.fromisoformat(end_month + "-01") + timedelta(days=-1)
    span = (end - start).days
    phases = campaign["phases"]
    for i, phase in enumerate(phases):
        phase["start"] = start + timedelta(days=span * i // len(phases))
        phase["end"] = start + timedelta(days=span * (i + 1) // len(phases) - 1)
    phases[-1]["end"] = end
    campaign.update(
        id="example-campaign",
        title="示例市医疗领域行风建设和廉洁从业专项行动",
        issuer="示例市卫生健康委员会",
        document_number=f"示例卫发〔{start.year}〕1号",
        start=start,
        end=end,
        office="示例市卫生健康委员会行风建设办公室",
        office_contact="0000-80000001",
    )
    campaigns["campaigns"] = [campaign]
    (out / "registry/campaigns.yaml").write_text(
        yaml.safe_dump(campaigns, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    rows, districts = _registry_rows(n, months[0], rng)
    authority = {
        **{k: "" for k in rows[0]},
        "id": "example-wjw",
        "name": "示例市卫生健康委员会",
        "short_name": "市卫健委",
        "type": "卫生健康行政部门",
        "level": "未定级",
        "ownership": "public",
        "district": districts[0],
        "address": "示例市政和路1号",
        "website": "https://wjw.example/",
        "staff": 120,
        "active_from": months[0],
    }
    _write_csv(out / "registry/institutions.csv", [authority, *rows], list(rows[0]))
    _channels(out, rows, until.date(), rng)
    return rows, districts


def _channels(out: Path, rows: list[dict[str, Any]], today: date, rng: random.Random) -> None:
    fields = ["owner", "kind", "value", "department", "hours", "address", "postcode"]
    fields += ["verified_on", "note"]
    with (DEMO_DATA / "registry/channels.csv").open(encoding="utf-8") as f:
        national = [r for r in csv.DictReader(f) if r["owner"] == "national"]
    channels = [{**r, "verified_on": today - timedelta(days=20)} for r in national]
    channels.append(
        {
            "owner": "example-wjw",
            "kind": "phone",
            "value": "0000-80000001",
            "department": "市卫健委行风建设办公室",
            "hours": "工作日 8:30-17:30",
            "verified_on": today - timedelta(days=20),
        }
    )
    for i, row in enumerate(rows):
        stale = rng.random() < 0.05
        verified = today - timedelta(days=rng.randint(100, 400) if stale else rng.randint(5, 80))
        channels.append(
            {
                "owner": row["id"],
                "kind": "phone",
                "value": f"0000-8{i + 1:07d}",
                "department": "行风建设办公室" if row["staff"] > 40 else "负责人",
                "hours": "工作日 8:00-17:30",
                "verified_on": verified,
            }
        )
        if row["website"]:
            channels.append(
                {
                    "owner": row["id"],
                    "kind": "email",
                    "value": f"xingfeng@{row['id']}.example",
                    "department": "行风建设办公室",
                    "hours": "全天受理，工作日回复",
                    "verified_on": verified,
                }
            )
    _write_csv(out / "registry/channels.csv", channels, fields)


STYLES = [*(style for style, _ in STYLE_SHARES), "json_month"]
# Institutions whose files one worker process writes before progress is told.
BATCH = 500


def _figures(
    insts: list[Institution], months: list[str], codes: list[str], gen: np.random.Generator
) -> np.ndarray:
    """Every institution's figures for every month at once, as
    :func:`pipeline.demo.submissions.figures` draws them one institution and month at a
    time (the same rates, seasons and running totals): an array (institution, month,
    indicator) with NaN where there is no figure (a month not active, an indicator the
    institution's type does not report)."""
    n, m_count = len(insts), len(months)
    col = {c: j for j, c in enumerate(codes)}
    out = np.full((n, m_count, len(codes)), np.nan)
    staff = np.array([max(i.staff, 1) for i in insts], dtype=float)
    hospital = np.array([i.type in HOSPITAL_TYPES for i in insts])
    large = np.array([i.type not in SMALL_TYPES for i in insts])
    active = np.array([[i.active_in(p) for p in months] for i in insts]).reshape(n, m_count)
    start = np.where(active.any(axis=1), active.argmax(axis=1), m_count)
    pending_complaints = np.zeros(n, dtype=np.int64)
    pending_issues = np.zeros(n, dtype=np.int64)
    trained = np.zeros(n, dtype=np.int64)
    hospital_sessions, other_sessions = np.array([1, 1, 1, 2, 2, 3]), np.array([0, 1, 1])

    def pct(low: float, high: float) -> np.ndarray:
        return np.round(gen.uniform(low, high, n), 1)

    for m, period in enumerate(months):
        month = int(period[5:])
        row: dict[str, np.ndarray] = {}
        on = active[:, m]
        if month == 1:
            trained[:] = 0
        index = m - start  # the month's place among the institution's own
        season = 1.25 if month in (1, 7, 8) else (0.8 if month == 2 else 1.0)
        received = gen.poisson(np.maximum(0.3, staff / 110) * season)
        pending_complaints += received
        all_resolved = gen.random(n) < 0.75
        resolved = np.where(all_resolved, pending_complaints, np.maximum(0, pending_complaints - 1))
        pending_complaints -= resolved
        row["complaints_received"], row["complaints_resolved"] = received, resolved
        found = gen.poisson(np.maximum(0.2, staff / np.where(index < 7, 60, 250)))
        pending_issues += found
        rectified = np.minimum(pending_issues, gen.poisson(pending_issues * 0.7 + 0.2))
        pending_issues -= rectified
        row["issues_found"], row["issues_rectified"] = found, rectified
        trained[:] = np.minimum(staff, trained + np.ceil(staff * gen.uniform(0.06, 0.18, n)))
        row["staff_trained"] = trained.copy()
        row["study_sessions"] = np.where(
            hospital,
            hospital_sessions[gen.integers(0, 6, n)],
            other_sessions[gen.integers(0, 3, n)],
        )
        row["warning_education_sessions"] = (month in (3, 9)) | (gen.random(n) < 0.05)
        awareness = np.minimum(100.0, 91 + index * 0.3 + gen.uniform(-1.5, 1.5, n))
        row["code_awareness_pct"] = np.round(awareness, 1)
        # Institutions larger than a clinic.
        row["complaints_transferred"] = gen.binomial(received, 0.3)
        row["clues_received"] = gen.poisson(staff / 500)
        cases = {c: gen.poisson(staff / r) for c, r in CASE_RATES}
        row.update(cases)
        total = np.sum(list(cases.values()), axis=0)
        row["cases_investigated"] = total
        row["sanctioned_education"] = gen.poisson(total * 1.3)
        row["sanctioned_notice"] = gen.poisson(total * 0.4)
        row["sanctioned_removal"] = gen.poisson(total * 0.1)
        row["sanctioned_referral"] = gen.poisson(total * 0.05)
        row["interviews"] = gen.poisson(staff / 300 + total)
        money = cases["cases_kickback"] + cases["cases_insurance_fraud"]
        row["funds_recovered_yuan"] = _sum_of_draws(gen, money, 20, 900)
        # Hospitals; the satisfaction survey of the other larger institutions.
        row["red_envelopes_returned"] = gen.poisson(staff / 180 * season)
        handed = gen.poisson(staff / 700)
        row["red_envelopes_handed_in"] = handed
        row["red_envelopes_handed_in_yuan"] = _sum_of_draws(gen, handed, 2, 30)
        row["satisfaction_responses"] = np.where(
            hospital, gen.poisson(staff * 0.6), gen.poisson(staff * 0.8)
        )
        row["satisfaction_outpatient_pct"] = np.where(hospital, pct(90, 99.2), pct(89, 98.5))
        row["satisfaction_inpatient_pct"] = pct(92, 99.6)
        for code, values in row.items():
            if code in SMALL_INDICATORS:
                kept = on
            elif code.startswith("red_envelopes") or code == "satisfaction_inpatient_pct":
                kept = on & hospital
            else:
                kept = on & large
            out[:, m, col[code]] = np.where(kept, values, np.nan)
        # An institution's running totals start at its first month.
        for state in (pending_complaints, pending_issues, trained):
            state[~on] = 0
    return out


def _sum_of_draws(gen: np.random.Generator, counts: np.ndarray, low: int, high: int) -> np.ndarray:
    """For each count, the sum of that many amounts drawn from ``low``..``high`` hundred yuan."""
    draws = gen.integers(low, high, int(counts.sum())) * 100
    owner = np.repeat(np.arange(counts.size), counts)
    return np.bincount(owner, weights=draws, minlength=counts.size).astype(np.int64)


@dataclass
class _Plan:
    """Everything drawn for the submissions, before any file is written: the workers that
    write them draw nothing, so the files are the same with any number of processes."""

    registry: Registry
    institutions: list[Institution]
    months: list[str]
    until: datetime
    figures: np.ndarray
    shapes: dict[bool, tuple[Shape, list[int]]]  # by "is small": the shape, its columns
    percent: list[bool]  # by column of ``figures``
    styles: list[str]
    sent: np.ndarray  # (institution, month): active and not skipped
    day: np.ndarray
    hour: np.ndarray
    minute: np.ndarray
    guessed: np.ndarray
    full_width: np.ndarray


def _plan(
    registry: Registry, months: list[str], until: datetime, gen: np.random.Generator
) -> _Plan:
    institutions = [i for i in registry.institutions.values() if i.source]
    codes = list(registry.indicators)
    n, shape = len(institutions), (len(institutions), len(months))
    figures = _figures(institutions, months, codes, gen)
    # One institution of each file style first, then the styles by their shares.
    draw = gen.random(n)
    edges = np.cumsum([share for _, share in STYLE_SHARES])
    styles = [
        STYLES[k] if k < len(STYLES) else STYLES[int(np.searchsorted(edges, d, side="right"))]
        for k, d in enumerate(draw)
    ]
    skipped = gen.random(shape) < 0.03
    due_day = registry.campaigns[0].report_due_day
    # Mostly before the due day of the next month, one in eight late.
    late = gen.random(shape) < 0.12
    day = np.where(late, gen.integers(due_day + 1, 29, shape), gen.integers(3, due_day + 1, shape))
    hour, minute = gen.integers(8, 18, shape), gen.integers(0, 60, shape)
    # A GB18030 CSV now and then carries a guessed figure (refused) or full-width digits.
    guessed = gen.random(shape) < 0.004
    full_width = ~guessed & (gen.random(shape) < 0.01)
    sent = ~np.isnan(figures[:, :, 0]) & ~skipped
    # However small the directory, the second institution (the first of that style)
    # sends both: full-width digits first, a guessed figure last.
    if n > 1 and len(own := np.flatnonzero(sent[1])) > 1:
        full_width[1, own[0]], guessed[1, own[0]] = True, False
        guessed[1, own[-1]], full_width[1, own[-1]] = True, False
    return _Plan(
        registry=registry,
        institutions=institutions,
        months=months,
        until=until,
        figures=figures,
        shapes={
            small: (Shape(registry, c), [codes.index(x) for x in c])
            for small, c in ((True, SMALL_INDICATORS), (False, codes))
        },
        percent=[registry.indicators[c].kind == "percent" for c in codes],
        styles=styles,
        sent=sent,
        day=day,
        hour=hour,
        minute=minute,
        guessed=guessed,
        full_width=full_width,
    )


def _arrival(plan: _Plan, k: int, m: int) -> datetime:
    """When institution ``k``'s report for month ``m`` arrived, never after ``until``."""
    after = due_date(plan.months[m], 1)
    at = datetime(
        after.year,
        after.month,
        int(plan.day[k, m]),
        int(plan.hour[k, m]),
        int(plan.minute[k, m]),
        tzinfo=BEIJING,
    )
    return min(at, plan.until)


def _institution_files(plan: _Plan, k: int) -> list[Snapshot]:
    """Write institution ``k``'s files into its source folder and the snapshot store, as
    collected on arrival; return their snapshots (in the order sent)."""
    inst, style = plan.institutions[k], plan.styles[k]
    shape, columns = plan.shapes[inst.type in SMALL_TYPES]
    table = plan.figures[k][:, columns].tolist()
    percent = [plan.percent[c] for c in columns]
    data_dir = plan.registry.data_dir
    store = snapshot_dir(data_dir) / inst.id
    store.mkdir(parents=True, exist_ok=True)
    folder = data_dir / inst.source / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    snapshots: list[Snapshot] = []
    year_rows: list[tuple[str, list[int | float | None]]] = []
    for m in np.flatnonzero(plan.sent[k]).tolist():
        period = plan.months[m]
        values: list[int | float | None] = [
            None if v != v else (v if p else int(v)) for v, p in zip(table[m], percent, strict=True)
        ]
        if style == "xlsx_year":
            name = f"{period[:4]}.xlsx"
            if not year_rows or year_rows[-1][0][:4] != period[:4]:
                year_rows = []
            year_rows.append((period, values))
            content = shape.xlsx_year(inst.name, period[:4], year_rows)
        elif style == "csv_gbk_month":
            name = f"{period}.csv"
            content = shape.csv_gbk_month(inst.name, period, values)
            if plan.guessed[k, m]:
                content = _edit_gbk_csv(content, _guessed)
            elif plan.full_width[k, m]:
                content = _edit_gbk_csv(content, _full_width)
        elif style == "csv_long_month":
            name = f"{period}.csv"
            content = shape.csv_long_month(inst.id, period, values)
        else:
            name = f"{period}.json"
            content = shape.json_month(inst.id, period, values)
        snap = snapshot_of(inst, "statistics", f"statistics/{name}", content, _arrival(plan, k, m))
        # A new store: each file written once, without the fsync a collection does.
        _write(f"{store}/{snap.sha256}{Path(name).suffix}", content)
        snapshots.append(snap)
        files[name] = content
    for name, content in files.items():
        _write(f"{folder}/{name}", content)
    return snapshots


def _write(path: str, content: bytes) -> None:
    """``Path(path).write_bytes(content)`` without its objects: 200,000 files at 3,000."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _sources(
    registry: Registry,
    months: list[str],
    until: datetime,
    seed: int,
    progress: Callable[[str], None],
) -> None:
    """Each institution's files and the snapshot store, as if collected on arrival."""
    plan = _plan(registry, months, until, np.random.default_rng(seed))
    n = len(plan.institutions)
    snapshots: list[Snapshot] = []
    for first in range(0, n, BATCH):
        done = min(n, first + BATCH)
        for part in pmap(functools.partial(_institution_files, plan), range(first, done)):
            snapshots += part
        progress(f"报送文件：{done}/{n} 个机构")
    write_manifest(registry.data_dir, sorted(snapshots, key=lambda s: s.fetched_at))


def _cases(
    out: Path,
    institutions: list[Institution],
    count: int,
    months: list[str],
    until: datetime,
    rng: random.Random,
) -> None:
    folder = out / "cases"
    folder.mkdir()
    categories = list(STORIES)
    entries = []
    for i in range(count):
        category = categories[i % len(categories)]
        inst = rng.choice(institutions)
        title, role, sanction, body = STORIES[category]
        amount = rng.randrange(5, 500) * 100
        who = rng.choice(SURNAMES) + rng.choice(["某", "某某"])
        day = date.fromisoformat(rng.choice(months) + "-01") + timedelta(days=rng.randint(0, 27))
        case_id = f"{day.year}-{category.replace('_', '-')}-{i + 1:05d}"
        # The first four are a draft, a retraction, an embargo and a correction; the
        # rest are drawn (4% drafts, 2% retracted, 2% embargoed, 5% corrected).
        draw = [0.0, 0.05, 0.07, 0.1][i] if i < 4 else rng.random()
        status = "draft" if draw < 0.04 else "retracted" if draw < 0.06 else "published"
        meta: dict[str, Any] = {
            "id": case_id,
            "title": title.format(place=inst.name),
            "date": day.isoformat(),
            "category": category,
            "district": inst.district,
            "institution": inst.id,
            "role": role,
            "sanctions": sanction.format(amount=amount),
            "amount_yuan": amount,
            "issuer": "示例市卫生健康委员会",
            "document_number": f"示例卫通〔{day.year}〕{i + 1}号",
            "status": status,
        }
        if status != "draft":
            meta.update(published_by="市卫健委宣传科", published_on=day.isoformat())
        if status == "published" and 0.06 <= draw < 0.08:
            meta["embargo"] = (until + timedelta(days=rng.randint(1, 20))).strftime(
                "%Y-%m-%d 09:00"
            )
        if status == "published" and 0.08 <= draw < 0.13:
            meta["corrections"] = [
                {"date": (day + timedelta(days=3)).isoformat(), "note": "更正处理结果表述。"}
            ]
        if status == "retracted":
            meta["retraction"] = {
                "date": (day + timedelta(days=10)).isoformat(),
                "reason": "经复核与事实不符，予以撤回。",
            }
        text = (
            "---\n"
            + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            + "---\n\n"
            + body.format(place=inst.name, who=who, amount=amount)
            + "\n"
        )
        (folder / f"{case_id}.md").write_text(text, encoding="utf-8")
        if status != "draft":
            action: ledger.Action = (
                "retracted"
                if status == "retracted"
                else ("corrected" if "corrections" in meta else "published")
            )
            entries.append(
                ledger.Entry(
                    case_id=case_id,
                    action=action,
                    recorded_at=f"{day.isoformat()}T09:00:00+08:00",
                    by="市卫健委宣传科",
                    sha256=digest(text),
                    corrections=len(meta.get("corrections", [])),
                    note="",
                )
            )
    for entry in sorted(entries, key=lambda e: e.recorded_at):
        ledger.append(out, entry)


def generate(
    out: Path,
    institutions: int,
    months: int,
    cases: int,
    until: datetime | None = None,
    seed: int = 1,
    progress: Callable[[str], None] = lambda _: None,
) -> Path:
    """Write a synthetic data directory into ``out`` (which must not exist or be empty)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} 不是空目录")
    # Files arrive until the start of today (not "now"): the same day, the same files.
    today = datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    until = (until or today).astimezone(BEIJING)
    last = _later(f"{until.year:04d}-{until.month:02d}", -1)
    month_list = month_range(_later(last, 1 - months), last)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows, _ = _registries(out, institutions, month_list, until, rng)
    registry = load_registry(out)
    progress(f"名录：{len(rows)} 个机构，{len(month_list)} 个月")
    _sources(registry, month_list, until, seed, progress)
    members = [i for i in registry.institutions.values() if i.source]
    _cases(out, members, cases, month_list, until, rng)
    progress(f"典型案例：{cases} 个")
    return out
