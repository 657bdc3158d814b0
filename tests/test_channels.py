"""Channels institutions send: a changed number keeps a dated record, a vanished channel is
flagged until the authority confirms its removal."""

from datetime import UTC, date, datetime
from pathlib import Path

from pipeline.cases import gate
from pipeline.collect import collect
from pipeline.history.channels import Directory, directory


def test_demo_change_and_vanished_channel(registry):
    d = directory(registry)
    renmin = {(c.kind, c.department): c.value for c in d.channels if c.owner == "qinglan-renmin"}
    assert renmin[("phone", "总值班室")] == "0000-81239999"
    [change] = [c for c in d.changes if c.owner == "qinglan-renmin"]
    assert (change.department, change.new, str(change.date)) == (
        "总值班室",
        "0000-81239999",
        "2026-10-12",
    )
    assert change.old != change.new
    [(gone, when)] = [(c, w) for c, w in d.vanished if c.owner == "qinglan-renmin"]
    assert gone.kind == "wechat" and str(when) == "2026-10-12"
    # Everyone else keeps the registry's channels.
    assert [c for c in d.channels if c.owner == "qinglan-tcm"] == [
        c for c in registry.channels if c.owner == "qinglan-tcm"
    ]


def test_confirmed_removal_is_no_longer_flagged_and_a_bad_list_changes_nothing(registry):
    (registry.data_dir / "registry" / "channel_removals.csv").write_text(
        "owner,kind,value,confirmed_on\nqinglan-renmin,wechat,区人民医院公众号“投诉建议”栏目,2026-10-20\n",
        encoding="utf-8",
    )
    assert not [c for c, _ in directory(registry).vanished if c.owner == "qinglan-renmin"]
    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\nfax,12,x,,,,bad-date,\n",
        encoding="utf-8",
    )
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    d = directory(registry)
    assert d.problems and {p.column for p in d.problems} >= {"kind", "verified_on"}
    renmin = {(c.kind, c.department): c.value for c in d.channels if c.owner == "qinglan-renmin"}
    assert renmin[("phone", "总值班室")] == "0000-81239999"  # the last valid list stands


def test_institution_page_shows_the_change_and_the_flag(site):
    from tests.test_build import page

    text = page(site, "institutions/qinglan-renmin/").text
    assert "已于 2026-10-12 由" in text and "改为 0000-81239999" in text
    assert "不在该机构公布的渠道中，待核实" in text
    assert "0000-81239999" in page(site, "institutions/qinglan-renmin/").text


def test_a_channel_list_that_names_a_person_is_refused_whole(registry):
    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\n"
        "phone,0000-81439563,院长王建军,工作日,,,2026-11-12,\n"
        "phone,0000-81239999,总值班室,24小时,,,2026-11-12,找护士长李秀英或拨13912345678\n",
        encoding="utf-8",
    )
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    d = directory(registry)
    found = {(p.row, p.column, p.value) for p in d.problems if p.code.startswith("pii_")}
    assert {(2, "department", "王建军"), (3, "note", "李秀英")} <= found, d.problems
    assert any(v == "13912345678" for _, _, v in found)
    shown = " ".join(f"{c.department} {c.note}" for c in d.channels)
    assert "王建军" not in shown and "李秀英" not in shown
    renmin = {(c.kind, c.department): c.value for c in d.channels if c.owner == "qinglan-renmin"}
    assert renmin[("phone", "总值班室")] == "0000-81239999"  # the last valid list stands


def test_every_field_of_a_channel_is_read_and_the_registry_too(registry):
    """Found by an attacker (2026-11-27): the value of a letter channel, a home address,
    the authority's own list. What a channel is stays: a duty mobile as a phone's number,
    an account as a WeChat channel's value, the institution's own address."""
    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\n"
        "letter,王建国（收）,行风办,,云溪市青岚区幸福小区3栋2单元501室,999001,2026-11-20,\n",
        encoding="utf-8",
    )
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    own = registry.data_dir / "registry" / "channels.csv"
    rows = own.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    added = [
        "qinglan-wjw,phone,13822223333,行风建设办公室,工作日 8:00-17:30,,,2026-11-05,",
        "qinglan-wjw,phone,0000-81439999,院长王建军,工作日,,,2026-11-05,",
        "qinglan-wjw,phone,0000-81439998,\u202e华建张\u202c 办公室,工作日,,,2026-11-05,",
        "qinglan-wjw,wechat,qlwjw_jb,行风建设办公室,全天,,,2026-11-05,",
    ]
    assert header[:3] == ["owner", "kind", "value"]
    own.write_text("\n".join([*rows, *added]) + "\n", encoding="utf-8")
    from pipeline.base.registry import load_registry

    d = directory(load_registry(registry.data_dir))
    found = {(p.file, p.row, p.column) for p in d.problems if p.code.startswith("pii_")}
    first = len(rows) + 1
    assert ("qinglan-renmin/channels.csv", 2, "value") in found
    assert ("qinglan-renmin/channels.csv", 2, "address") in found
    assert ("registry/channels.csv", first + 1, "department") in found
    assert ("registry/channels.csv", first + 2, "department") in found
    assert not {r for f, r, _ in found if f == "registry/channels.csv"} & {first, first + 3}
    shown = {c.value for c in d.channels}
    assert "13822223333" in shown and "qlwjw_jb" in shown  # what the channels are
    assert "0000-81439999" not in shown and "0000-81439998" not in shown  # left out alone
    assert "王建国（收）" not in shown


def test_a_personal_mobile_or_mailbox_as_an_institutions_channel_is_refused(registry):
    """Tried by an attacker (2026-11-27): a mobile or a mailbox named after a person as
    the value of an institution's channel went onto its page. An office's mailbox at a
    mail provider stays, and a mobile stays where the authority's list vouches for it."""
    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    header = "kind,value,department,hours,address,postcode,verified_on,note\n"
    source.write_text(
        header + "phone,13812345678,行风建设办公室,工作日,,,2026-10-12,\n"
        "email,zhangjianhua1990@163.com,行风建设办公室,全天受理,,,2026-10-12,\n",
        encoding="utf-8",
    )
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    d = directory(registry)
    found = {(p.row, p.column) for p in d.problems if p.code.startswith("pii_")}
    assert {(2, "value"), (3, "value")} <= found, d.problems
    shown = {c.value for c in d.channels}
    assert "13812345678" not in shown and "zhangjianhua1990@163.com" not in shown
    # The office's mailbox at a mail provider is a channel.
    source.write_text(
        header + "email,qlrmyy_jubao@163.com,行风建设办公室,全天受理,,,2026-11-20,\n",
        encoding="utf-8",
    )
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    assert "qlrmyy_jubao@163.com" in {c.value for c in directory(registry).channels}


def test_a_refused_channel_list_is_reported_back_until_a_good_one_replaces_it(registry, tmp_path):
    """The office whose list was refused gets a report it can act on; once its next list
    passes, the report and the complaint are gone (the old list is history, not news)."""
    from pipeline.check.reports import write_channel_reports

    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    good = source.read_bytes()
    source.write_bytes(good + "phone,13812345678,行风办张建华,工作日,,,2026-10-12,\n".encode())
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    found = directory(registry)
    [report] = write_channel_reports(registry, found.newest, tmp_path)
    assert report == tmp_path / "qinglan-renmin" / "channels.txt"
    text = report.read_text(encoding="utf-8")
    assert "整份渠道表不予采用" in text and "13812345678" in text and "第6行" in text
    assert {p.value for p in found.problems} >= {"13812345678", "张建华"}
    source.write_bytes(good.replace(b"81439563", b"81439564"))
    collect(registry, local_only=True, now=datetime(2026, 11, 23, tzinfo=UTC), gate=gate)
    found = directory(registry)
    assert write_channel_reports(registry, found.newest, tmp_path) == [] and not report.exists()
    assert not [p for p in found.problems if p.file.startswith("qinglan-renmin/")]


def test_a_personal_wechat_account_in_a_channel_list_is_refused(registry):
    """An office's public account passes; an account the app gave a person (wxid_…) or
    one named after a person (wang_jianjun_78) does not."""
    source = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    good = source.read_bytes()
    for value in ["wxid_wjj1978", "wang_jianjun_78"]:
        row = f"wechat,{value},行风建设办公室,全天,,,2026-10-12,\n"
        source.write_bytes(good + row.encode())
        collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
        found = directory(registry)
        assert any(p.file.startswith("qinglan-renmin/") for p in found.problems), value
        assert value not in {c.value for c in found.channels}
    source.write_bytes(good + "wechat,qinglanrmyy,行风建设办公室,全天,,,2026-10-12,\n".encode())
    collect(registry, local_only=True, now=datetime(2026, 11, 23, tzinfo=UTC), gate=gate)
    assert "qinglanrmyy" in {c.value for c in directory(registry).channels}


def test_an_office_checks_its_channel_list_before_sending_it(data_dir, tmp_path):
    """``portal check`` on a list of channels reads it as one (not as a month's figures),
    says what a build would refuse, and writes no report over the real one."""
    from tests.conftest import portal_here

    header = "kind,value,department,hours,address,postcode,verified_on,note\n"
    draft = tmp_path / "我们的渠道.csv"
    draft.write_text(header + "phone,13812345678,行风办张建华,工作日,,,2026-10-12,\n", "utf-8")
    done = portal_here(
        "check", "--data", data_dir, "--institution", "qinglan-renmin", draft, cwd=tmp_path
    )
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "13812345678" in said and "张建华" in said, said
    assert "表头" not in said and "整份渠道表不会采用" in said
    assert not (tmp_path / "reports").exists()
    live = data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    done = portal_here("check", "--data", data_dir, "--institution", "qinglan-renmin", live)
    assert done.returncode == 0 and "通过（渠道表）" in done.stderr, done.stdout + done.stderr


def test_the_build_tells_a_refused_channel_list_and_publishes_the_rest(data_dir, tmp_path):
    """A build (what CI runs every month) names the refused list, as `portal check` does;
    the site is built with the institution's last good channels."""
    from tests.conftest import portal_here

    source = data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_bytes(
        source.read_bytes() + "phone,13812345678,行风办张建华,工作日,,,2026-10-12,\n".encode()
    )
    done = portal_here("build", "--data", data_dir, "--out", tmp_path / "site", cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "qinglan-renmin/channels.csv" in said and "整份渠道表不予采用" in said, said
    site = (tmp_path / "site" / "institutions" / "qinglan-renmin" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "13812345678" not in site and "0000-81239999" in site


def test_collect_tells_the_office_a_refused_channel_list_when_it_arrives(data_dir):
    """The daily collection is where an office's new list is first seen: a list with a
    personal mobile is told there (not only at the next check or build), the rest of
    the institution's files are collected, and the list is kept for the history."""
    from tests.conftest import portal_here

    source = data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\n"
        "phone,13812345678,行风建设办公室,工作日,,,2026-10-12,\n",
        encoding="utf-8",
    )
    done = portal_here("collect", "--data", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("qinglan-renmin"))
    assert "channels.csv：渠道表未通过检查（1 处" in line and "仍公布上一份" in line, line
    assert "13812345678" not in done.stdout  # the number is not repeated in a public log
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\n"
        "phone,0000-12345678,行风建设办公室,工作日,,,2026-11-12,\n",
        encoding="utf-8",
    )
    done = portal_here("collect", "--data", str(data_dir))
    line = next(x for x in done.stdout.splitlines() if x.startswith("qinglan-renmin"))
    assert "渠道表" not in line, line


def test_a_public_log_shows_personal_data_masked(data_dir, monkeypatch):
    """The publishing workflow's log may be public (PORTAL_PUBLIC_LOG=1): a personal
    mobile or WeChat account a check finds is shown masked there, whole in the report."""
    from tests.conftest import portal_here

    source = data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    source.write_text(
        "kind,value,department,hours,address,postcode,verified_on,note\n"
        "phone,13987654321,行风建设办公室,工作日,,,2026-10-12,\n"
        "email,zhangwei1980@163.com,行风建设办公室,全天受理,,,2026-10-12,\n",
        encoding="utf-8",
    )
    reports = data_dir.parent / "reports"
    monkeypatch.setenv("PORTAL_PUBLIC_LOG", "1")
    done = portal_here("check", "--data", str(data_dir), "--reports", str(reports))
    assert "13987654321" not in done.stdout and "zhangwei1980" not in done.stdout
    assert "139******21" in done.stdout, done.stdout
    report = (reports / "qinglan-renmin" / "channels.txt").read_text(encoding="utf-8")
    assert "13987654321" in report and "zhangwei1980@163.com" in report
    monkeypatch.delenv("PORTAL_PUBLIC_LOG")
    done = portal_here("check", "--data", str(data_dir), "--reports", str(reports))
    assert "13987654321" in done.stdout  # on the office's own terminal, whole


def _lists_over_time(registry):
    """Stored lists of two institutions over three collections (a changed number, a
    refused list naming a person, a personal mobile, a channel dropped, a list sent again
    as it was), a third's refused list, and the authority's own list with rows naming a
    person and a vouched mobile: what the directory makes of every version."""
    header = "kind,value,department,hours,address,postcode,verified_on,note\n"
    renmin = registry.data_dir / "sources" / "qinglan-renmin" / "channels.csv"
    good = renmin.read_bytes()
    tcm = registry.data_dir / "sources" / "qinglan-tcm" / "channels.csv"
    rounds = [
        (
            good.replace(b"81239999", b"81237777"),
            header + "phone,13812345678,行风建设办公室,工作日,,,2026-11-01,\n"
            "email,tcm_jubao@163.com,行风建设办公室,全天受理,,,2026-11-01,\n",
        ),
        (
            good + "phone,0000-81430000,院长王建军,工作日,,,2026-11-12,\n".encode(),
            header + "phone,0000-81550000,行风建设办公室,工作日 8:00-17:30,,,2026-11-12,\n"
            "email,tcm_jubao@163.com,行风建设办公室,全天受理,,,2026-11-12,\n"
            "wechat,qltcm_jb,行风建设办公室,全天,,,2026-11-12,\n",
        ),
        (
            good.replace(b"81239999", b"81237777"),
            header + "phone,0000-81550001,行风建设办公室,工作日 8:00-17:30,,,2026-11-20,\n"
            "email,tcm_jubao@163.com,行风建设办公室,全天受理,,,2026-11-20,\n",
        ),
    ]
    # A third institution's only list names a person and a mobile: refused, and told.
    second = registry.data_dir / "sources" / "qinglan-second" / "channels.csv"
    second.write_text(
        header
        + "phone,0000-81660000,行风办张建华,工作日,,,2026-11-20,找护士长李秀英或拨13912345678\n",
        encoding="utf-8",
    )
    for day, (renmin_list, tcm_list) in enumerate(rounds, start=22):
        renmin.write_bytes(renmin_list)
        tcm.write_text(tcm_list, encoding="utf-8")
        collect(registry, local_only=True, now=datetime(2026, 11, day, tzinfo=UTC), gate=gate)
    own = registry.data_dir / "registry" / "channels.csv"
    own.write_text(
        own.read_text(encoding="utf-8")
        + "qinglan-wjw,phone,13822223333,行风建设办公室,工作日 8:00-17:30,,,2026-11-05,\n"
        + "qinglan-wjw,phone,0000-81439999,总值班室（申红梅）,工作日,,,2026-11-05,\n"
        # (a name only the gate's reading finds: in traditional characters)
        + "qinglan-wjw,phone,0000-81439998,院长張建華,工作日,,,2026-11-05,\n",
        encoding="utf-8",
    )


def test_the_directory_is_what_the_plain_reading_gives(registry, monkeypatch):
    """Each list and each text read once, and what was found in a text kept between
    builds, change nothing: the directory is the reference's (tests/reference_channels.py:
    every version and every text read every time), field for field, with nothing kept
    and with everything kept; the second run reads no text again."""
    from pipeline.base.registry import load_registry
    from pipeline.history import channels
    from tests.reference_channels import directory as reference

    _lists_over_time(registry)
    days = (date(2026, 11, 27), date(2026, 1, 1))  # (the closed institution open then)
    expected = {day: reference(load_registry(registry.data_dir), day) for day in days}
    for day in days:
        assert expected[day].changes and expected[day].vanished
        assert {p.file for p in expected[day].problems} == {
            "registry/channels.csv",
            "qinglan-second/channels.csv",
        }
        assert directory(load_registry(registry.data_dir), day) == expected[day]
    assert expected[days[0]].closed and not expected[days[1]].closed
    with monkeypatch.context() as patch:
        patch.setattr(channels, "find_pii", _never)
        for day in days:
            assert directory(load_registry(registry.data_dir), day) == expected[day]


def _never(*args, **kwargs):
    raise AssertionError("a text read again")


def test_a_stale_remembered_finding_is_never_used(registry):
    """What an earlier run found is used only for the same text read by the same code
    with the same place names: a file of another version, of other place names, or
    unreadable is ignored (and replaced), and a word the press office allows since is
    allowed at once. A false finding kept under the current key would be used: that is
    what the key guards."""
    import json

    from pipeline.base.registry import load_registry
    from pipeline.cases import place_names
    from pipeline.history import channels
    from pipeline.store import cache_path
    from tests.reference_channels import directory as reference

    _lists_over_time(registry)
    today = date(2026, 11, 27)
    fresh = load_registry(registry.data_dir)
    places = channels._places_digest(place_names(fresh))
    path = cache_path("channels", registry.data_dir, f"-{channels._detector_version()}.json")
    older = path.with_name(path.name.rsplit("-", 1)[0] + "-0123456789abcdef.json")
    # Every text of every list said to hold a name, and nothing in the ones that do.
    texts = {t for c in fresh.channels for t in (c.department, c.hours, c.note, c.value)}
    lie = {"found": {t: [["person_name", 0, 1, t[:1], "x"]] for t in texts if t}}
    lie["found"]["总值班室（申红梅）"] = []
    expected = reference(load_registry(registry.data_dir), today)

    def run(kept: Path, content: str) -> Directory:
        path.unlink(missing_ok=True)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(content, encoding="utf-8")
        return directory(load_registry(registry.data_dir), today)

    assert run(older, json.dumps({**lie, "places": places})) == expected
    assert not older.exists() and path.exists()  # replaced by what this run found
    assert run(path, json.dumps({**lie, "places": "other place names"})) == expected
    assert run(path, '{"places": "' + places + '", "found": {"行风') == expected
    assert run(path, json.dumps({"places": places, "found": [1, 2]})) == expected
    # The key is what guards: the same lie under the current key is believed.
    assert run(path, json.dumps({**lie, "places": places})) != expected
    # A word allowed since: the name in the authority's list is no longer one.
    path.unlink()
    named = directory(load_registry(registry.data_dir), today)
    assert any(p.value == "申红梅" for p in named.problems)
    (registry.data_dir / "registry" / "allowed_words.txt").write_text("申红梅\n", "utf-8")
    allowed = directory(load_registry(registry.data_dir), today)
    assert not any(p.value == "申红梅" for p in allowed.problems)
    assert allowed == reference(load_registry(registry.data_dir), today)
