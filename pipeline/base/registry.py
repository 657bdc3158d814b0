"""Registries: the authority's settings, institutions, channels, campaigns and indicators.

Everything here is loaded once from ``data/`` and validated; every problem of
every registry file is collected before :class:`DataError` is raised.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.base.periods import month_range
from pipeline.base.problems import DataError, Problem, validation_problems
from pipeline.base.readers import ReadLimits

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
# Bounds for an indicator without its own ``max``; counts and amounts stay far below
# 2**53, where a double still holds every whole number exactly.
# The rules an indicator may carry (see indicators.yaml); pipeline.check applies them.
RULE_KINDS = frozenset(
    {"at_most", "cumulative_at_most", "at_most_staff", "needs_positive", "non_decreasing_in_year"}
)
DEFAULT_UPPER_BOUNDS = {"count": 10_000_000.0, "amount": 100_000_000_000.0, "percent": 100.0}
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@cache
def vocabulary() -> dict[str, Any]:
    """The fixed vocabulary of the data contract (types, channel kinds, case categories)."""
    path = Path(__file__).with_name("schemas") / "vocabulary.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


# White space between two Chinese characters or marks: what a folded YAML block (>-)
# leaves where a line of Chinese text was broken. Chinese is written without spaces.
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)


def join_chinese_lines(text: str) -> str:
    """``text`` without the spaces a folded YAML block put between Chinese lines."""
    return _CJK_GAP.sub("", text)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_folded_gaps(cls, value: Any) -> Any:
        return join_chinese_lines(value) if isinstance(value, str) else value


class Config(_Model):
    site_name: str
    site_short_name: str
    authority_id: str = Field(pattern=ID_PATTERN)
    demo: bool = False
    # Every date and time the portal decides by or shows is Beijing time
    # (pipeline.base.periods.BEIJING): the one value accepted, so that no setting says
    # otherwise.
    timezone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    suppression_threshold: int = Field(default=5, ge=1)
    stale_channel_days: int = Field(default=90, ge=1)
    site_url: str | None = None

    @property
    def public_url(self) -> str | None:
        """Where the site is published: ``site_url``, or else ``PORTAL_SITE_URL`` from the
        environment (the publishing workflow sets the Pages address), or None."""
        return self.site_url or os.environ.get("PORTAL_SITE_URL") or None

    headline_indicators: tuple[str, ...] = ()
    trend_indicators: tuple[str, ...] = ()
    limits: ReadLimits = ReadLimits()


def _in_vocabulary(value: str, key: str, unknown: str) -> str:
    """``value`` if the vocabulary's list ``key`` has it, else the error an office reads
    (未知等级，应为：…)."""
    if value not in vocabulary()[key]:
        raise ValueError(f"{unknown}，应为：{'、'.join(vocabulary()[key])}")
    return value


class Institution(_Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=2)
    short_name: str = ""
    type: str
    level: str
    ownership: Literal["public", "private"]
    district: str
    address: str = ""
    website: str = ""
    staff: int = Field(ge=0)
    source: str = ""
    active_from: str = Field(pattern=PERIOD_PATTERN)
    active_to: str | None = Field(default=None, pattern=PERIOD_PATTERN)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return _in_vocabulary(value, "institution_types", "未知机构类型")

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        return _in_vocabulary(value, "levels", "未知等级")

    @field_validator("website")
    @classmethod
    def _https_only(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("网址应以 https:// 开头")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if "://" in value:
            parts = urlsplit(value)
            local = parts.hostname in ("127.0.0.1", "localhost", "::1")
            if parts.scheme != "https" and not (parts.scheme == "http" and local):
                raise ValueError("来源网址应以 https:// 开头")
        elif value.startswith("/") or ".." in Path(value).parts:
            raise ValueError("来源目录应为数据目录内的相对路径")
        return value

    def active_in(self, period: str) -> bool:
        """Whether the institution is expected to report for ``period`` (YYYY-MM)."""
        return self.active_from <= period and (self.active_to is None or period <= self.active_to)


class Channel(_Model):
    owner: str
    kind: Literal["phone", "sms", "email", "letter", "visit", "web", "wechat"]
    value: str = Field(min_length=3)
    department: str = ""
    hours: str = ""
    address: str = ""
    postcode: str = ""
    verified_on: date
    note: str = ""

    @field_validator("value")
    @classmethod
    def _no_markup(cls, value: str) -> str:
        if re.search(r"[<>]", value):
            raise ValueError("不能包含 < 或 >")
        return value

    @model_validator(mode="after")
    def _visit_has_address_and_hours(self) -> Channel:
        # 来访 (信访接待): a reader needs to know where to go and when someone is there.
        if self.kind == "visit" and not (self.address and self.hours):
            raise ValueError("来访渠道须填写接待地址（address）和接待时间（hours）")
        return self


class Indicator(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    unit: str
    kind: Literal["count", "amount", "percent"]
    aggregate: Literal["sum", "last", "weighted_mean"]
    weight: str | None = None
    sensitive: bool = False
    group: str = ""
    description: str = ""
    rules: tuple[dict[str, Any], ...] = ()
    # The largest plausible value for one institution in one month; above it a figure is
    # refused with the bound named. Without one, a bound by kind applies.
    max: float | None = Field(default=None, gt=0)

    @property
    def upper_bound(self) -> float:
        if self.max is not None:
            return self.max
        return DEFAULT_UPPER_BOUNDS[self.kind]


class Measure(_Model):
    code: str
    label: str
    numerator: str
    denominator: str
    # The denominator also counts what was still open at the start of the period (the
    # running total of the denominator less that of the numerator, before the period):
    # 办结率 = resolved / (received + carried backlog), so never over 100 %.
    carry_backlog: bool = False
    description: str = ""


class Phase(_Model):
    name: str
    start: date
    end: date
    description: str = ""


class Target(_Model):
    measure: str
    comparator: Literal[">=", "<=", ">", "<", "=="]
    value: float
    unit: str = ""
    per: Literal["authority", "institution_month", "institution_year"] = "authority"
    label: str
    # Judged only once the year (within the campaign) is over; before then, progress.
    annual: bool = False


class Scope(_Model):
    types: tuple[str, ...]
    coverage: float = Field(ge=0, le=100)


class Campaign(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    short_title: str = ""
    issuer: str
    document_number: str
    start: date
    end: date
    summary: str = ""
    phases: tuple[Phase, ...] = ()
    focus_areas: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    report_due_day: int = Field(default=20, ge=1, le=28)
    scope: tuple[Scope, ...] = ()
    office: str = ""
    office_contact: str = ""

    def months(self, until: str | None = None) -> list[str]:
        """The campaign's months as YYYY-MM, optionally cut at ``until``."""
        return list(_months(self.start, self.end, until))


@lru_cache(maxsize=256)
def _months(start: date, end: date, until: str | None) -> tuple[str, ...]:
    last = f"{end.year:04d}-{end.month:02d}"
    if until is not None:
        last = min(last, until)
    return tuple(month_range(f"{start.year:04d}-{start.month:02d}", last))


T = TypeVar("T")


@dataclass
class Registry:
    """All registries of one data directory, validated."""

    data_dir: Path
    config: Config
    institutions: dict[str, Institution]
    channels: list[Channel]
    campaigns: list[Campaign]
    indicators: dict[str, Indicator]
    measures: dict[str, Measure]
    _by_label: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, computed once per registry (registries are not changed once
        loaded)."""
        if name not in self._memo:
            self._memo[name] = make()
        return cast(T, self._memo[name])

    @property
    def authority(self) -> Institution:
        return self.institutions[self.config.authority_id]

    @property
    def reporting_institutions(self) -> list[Institution]:
        """Institutions that send monthly figures (everyone but the authority)."""
        return [i for i in self.institutions.values() if i.id != self.config.authority_id]

    def indicator_code(self, header: str) -> str | None:
        """The indicator code for a column header: a code, or a Chinese label with or
        without its unit in brackets."""
        if not self._by_label:
            for ind in self.indicators.values():
                for name in (ind.code, ind.label, f"{ind.label}（{ind.unit}）"):
                    self._by_label[_header_key(name)] = ind.code
        return self._by_label.get(_header_key(header))


@lru_cache(maxsize=16384)
def _header_key(text: str) -> str:
    # Remembered: a province's files repeat the same few dozen headers millions of times.
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"\(([^()]*)\)$", r"(\1)", text)


def _rows_from_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _validate_rows(
    model: type[_Model],
    rows: list[dict[str, Any]],
    file: str,
    problems: list[Problem],
    first_row: int,
) -> list[Any]:
    out = []
    for n, row in enumerate(rows, start=first_row):
        clean = {k: (None if v == "" and k in _OPTIONAL_EMPTY else v) for k, v in row.items()}
        try:
            out.append(model.model_validate(clean))
        except ValidationError as exc:
            problems += validation_problems(exc, file, "registry_invalid", row=n)
    return out


_OPTIONAL_EMPTY = {"active_to", "site_url"}


def _load_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(file=str(path), code="missing_file", message="文件不存在"))
    except yaml.YAMLError as exc:
        problems.append(
            Problem(file=str(path), code="yaml_invalid", message=f"YAML 格式错误：{exc}")
        )
    return None


def load_registry(data_dir: Path) -> Registry:
    """Load and validate every registry of ``data_dir``; raise :class:`DataError` listing
    every problem found."""
    data_dir = Path(data_dir)
    reg = data_dir / "registry"
    problems: list[Problem] = []

    raw_config = _load_yaml(data_dir / "config.yaml", problems) or {}
    configs = _validate_rows(Config, [raw_config], "config.yaml", problems, 1)

    institutions: list[Institution] = []
    channels: list[Channel] = []
    for name, model, target in (
        ("institutions.csv", Institution, institutions),
        ("channels.csv", Channel, channels),
    ):
        path = reg / name
        if not path.exists():
            problems.append(
                Problem(file=f"registry/{name}", code="missing_file", message="文件不存在")
            )
            continue
        target.extend(_validate_rows(model, _rows_from_csv(path), f"registry/{name}", problems, 2))

    raw_ind = _load_yaml(reg / "indicators.yaml", problems) or {}
    indicators = _validate_rows(
        Indicator, raw_ind.get("indicators", []), "registry/indicators.yaml", problems, 1
    )
    measures = _validate_rows(
        Measure, raw_ind.get("measures", []), "registry/indicators.yaml", problems, 1
    )
    raw_camp = _load_yaml(reg / "campaigns.yaml", problems) or {}
    campaigns = _validate_rows(
        Campaign, raw_camp.get("campaigns", []), "registry/campaigns.yaml", problems, 1
    )

    by_id: dict[str, Institution] = {}
    for n, inst in enumerate(institutions, start=2):
        if inst.id in by_id:
            problems.append(
                Problem(
                    "registry/institutions.csv", "duplicate_id", "机构编号重复", n, "id", inst.id
                )
            )
        by_id[inst.id] = inst
    owners = set(by_id) | {"national"}
    for n, ch in enumerate(channels, start=2):
        if ch.owner not in owners:
            problems.append(
                Problem(
                    "registry/channels.csv",
                    "unknown_owner",
                    "未知的渠道所属单位",
                    n,
                    "owner",
                    ch.owner,
                    "机构名录中的编号或 national",
                )
            )
    ind_by_code = {i.code: i for i in indicators}
    known = set(ind_by_code) | {m.code for m in measures} | {"staff"}
    for ind in indicators:
        refs = [ind.weight] if ind.weight else []
        refs += [v for rule in ind.rules for v in rule.values() if isinstance(v, str)]
        for rule in ind.rules:
            for kind in set(rule) - RULE_KINDS:
                problems.append(
                    Problem(
                        "registry/indicators.yaml",
                        "unknown_rule",
                        f"指标 {ind.code} 的规则未知",
                        value=kind,
                        expected="、".join(sorted(RULE_KINDS)),
                    )
                )
        for ref in refs:
            if ref not in known:
                problems.append(
                    Problem(
                        "registry/indicators.yaml",
                        "unknown_reference",
                        f"指标 {ind.code} 引用了未知指标",
                        value=ref,
                    )
                )
    for camp in campaigns:
        for t in camp.targets:
            if t.measure not in known:
                problems.append(
                    Problem(
                        "registry/campaigns.yaml",
                        "unknown_reference",
                        f"专项行动 {camp.id} 的目标引用了未知指标",
                        value=t.measure,
                    )
                )
    for code in [*configs[0].headline_indicators, *configs[0].trend_indicators] if configs else []:
        if code not in known:
            problems.append(
                Problem("config.yaml", "unknown_reference", "引用了未知指标", value=code)
            )
    if configs and configs[0].authority_id not in by_id:
        problems.append(
            Problem(
                "config.yaml",
                "unknown_authority",
                "authority_id 不在机构名录中",
                column="authority_id",
                value=configs[0].authority_id,
            )
        )
    if problems:
        raise DataError(problems)
    return Registry(
        data_dir=data_dir,
        config=configs[0],
        institutions=by_id,
        channels=channels,
        campaigns=campaigns,
        indicators=ind_by_code,
        measures={m.code: m for m in measures},
    )
