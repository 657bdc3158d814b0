"""A case notice as a file: its YAML front matter (read strictly, written back with
the body untouched), the model of its fields, the body as the public sees it
(Markdown rendered and sanitised), the digest the ledger records, and when the
public sees it."""

from __future__ import annotations

import datetime as dt
import hashlib
import html as htmllib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import markdown
import nh3
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.base.periods import BEIJING
from pipeline.base.problems import Problem
from pipeline.base.readers import decode_text
from pipeline.base.registry import ID_PATTERN, vocabulary

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


# PyYAML's commonest complaints, as the writer would understand them.
_YAML_SAID = (
    (
        "mapping values are not allowed",
        "这里不能再写“字段: 值”：值里有冒号时请给整个值加引号，或检查缩进",
    ),
    ("could not find expected ':'", "缺少冒号：每行应为“字段: 值”"),
    ("cannot start any token", "含有不能出现在这里的字符（如制表符缩进，请改用空格）"),
    ("expected <block end>", "缩进不一致：同一层的字段应对齐"),
    ("found duplicate anchor", "不允许使用 YAML 锚点（&…）"),
    ("found unexpected end of stream", "引号没有配对"),
    ("while scanning a quoted scalar", "引号没有配对"),
    ("found undefined alias", "不允许使用 YAML 别名（*…），请直接写出内容"),
)


def _yaml_message(exc: yaml.YAMLError) -> str:
    """One line for the writer: where (the line of the file) and what."""
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if "could not determine a constructor" in problem:
        problem = "不支持的 YAML 标签（以 ! 开头的写法）"
    problem = next((said for english, said in _YAML_SAID if english in problem), problem)
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


@lru_cache(maxsize=1024)
def render_body(body: str) -> str:
    """A case body as the public sees it: Markdown rendered, then sanitised (raw HTML,
    comments and scripts removed; only safe link schemes). Remembered: the gate, the
    care checks and the page each read the same body's rendering."""
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


LINK_TARGET = re.compile(r'\b(?:href|src)="([^"]*)"')


_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h3|h4|blockquote|table|thead|tbody|tr|th|td)\b[^>]*>")


def shown_text(html: str, rows: bool = False) -> str:
    """The text a reader sees in sanitised ``html``: inline tags (emphasis, links) join
    what they split, block tags break lines, entities are decoded. With ``rows``, a
    table's row is one line, its cells a tab apart (as the reader sees them side by side)."""
    # A footnote mark ([^a]: a link when defined, text when not) is not read as text.
    html = re.sub(r"<a\b[^>]*>\^[^<]{0,20}</a>", "", html)
    if rows:
        html = re.sub(r"</t[dh]>\s*<t[dh]\b[^>]*>", "\t", html)
    text = _BLOCK_TAG.sub("\n", html)
    text = htmllib.unescape(re.sub(r"<[^>]*>", "", text))
    return re.sub(r"\[\^[^\]\n]{1,20}\]", "", text)


def digest(text: str) -> str:
    """The digest of a case file's content: its front matter as data and its body with
    line endings and trailing spaces normalised, so re-saving in another editor is not
    a change but any edit of a field or a word is."""
    meta, body, _ = parse_case_text(text.lstrip("\ufeff").replace("\r\n", "\n"))
    return content_digest(meta, body)


def parse_case_text(text: str) -> tuple[Any, str, FrontMatterError | None]:
    """Front matter and body; where the front matter cannot be read, its raw text (or
    None without one) and why."""
    try:
        meta, body = read_front_matter(text)
    except FrontMatterError as exc:
        match = FRONT_MATTER.match(text)
        meta, body = (match.group(1), text[match.end() :]) if match else (None, text)
        return meta, body, exc
    return meta, body, None


def content_digest(meta: Any, body: str) -> str:
    lines = [line.rstrip() for line in body.strip("\n").split("\n")]
    canonical = json.dumps([meta, lines], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def body_start(text: str) -> int:
    """The line of a case file its body starts on (after the front matter)."""
    match = FRONT_MATTER.match(text)
    return text.count("\n", 0, match.end()) + 1 if match else 1


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
