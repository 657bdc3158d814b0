"""The channel directory the plain way, as pipeline/channels.py wrote it at 1d09cff: every
stored version of every list read, parsed and checked, every field of every channel read
by the PII detector, every time. Kept as the reference :func:`pipeline.history.channels.directory`
must agree with in every field (tests/test_channels.py compares the two). ``_personal``
and the reading part of ``directory`` copied unchanged; what follows the reading (the
version history, :func:`pipeline.history.channels.assemble`) has no trick in it and is
shared, so the two differ only where the cached detector does. Do not improve them.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.base.problems import Problem
from pipeline.base.registry import Channel, Registry
from pipeline.cases import PII_LABELS, place_names
from pipeline.history.channels import (
    _INSTEAD,
    _REGISTRY,
    _SAID,
    Directory,
    _expected,
    _personal_account,
    _vouched,
    assemble,
    parse_channels,
)
from pipeline.privacy.pii import Finding, find_pii, normalise_for_gate
from pipeline.store import beijing_time, read_manifest


def _personal(
    channels: list[Channel],
    file: str,
    places: frozenset[str],
    vouched: frozenset[str] | None = None,
) -> list[Problem]:
    """A problem for each personal detail in a list of channels (row numbers as in the
    file: the header is row 1). ``vouched``: see :func:`_expected`."""
    problems = []
    for n, channel in enumerate(channels, start=2):
        for column in _SAID:
            text = getattr(channel, column) or ""
            found = find_pii(text, places=places) + find_pii(
                normalise_for_gate(text), places=places
            )
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


def directory(registry: Registry, today: date | None = None) -> Directory:
    """Every published channel, with the history of institutions' own channel lists;
    the channels of institutions closed by ``today`` (Beijing's, by default) apart."""
    versions: dict[str, list[tuple[date, list[Channel]]]] = {}
    problems: list[Problem] = []
    newest: dict[str, tuple[str, list[Problem]]] = {}
    vouched = _vouched(registry)
    for snap in sorted(read_manifest(registry.data_dir), key=lambda s: s.fetched_at):
        if snap.kind != "channels":
            continue
        file = f"{snap.institution_id}/{snap.name}"
        parsed, found = parse_channels(
            snap.path(registry.data_dir).read_bytes(), snap.institution_id, file
        )
        found += _personal(parsed, file, place_names(registry), vouched)
        # Only the newest list's problems are told: one a later good list replaced is done.
        newest[snap.institution_id] = (file, found)
        if parsed and not found:  # an invalid list never replaces a valid one
            at = beijing_time(snap.fetched_at)
            versions.setdefault(snap.institution_id, []).append((at.date(), parsed))
    problems += [p for _, found in newest.values() for p in found]
    # The authority's own list: a row that names a person is left out alone.
    mine = _personal(list(registry.channels), _REGISTRY, place_names(registry))
    problems += mine
    named = {p.row for p in mine}
    own = [c for n, c in enumerate(registry.channels, start=2) if n not in named]
    return assemble(registry, own, versions, problems, newest, today)
