"""The demo portal end to end: every public URL, figures equal to the submissions,
every channel, no draft or embargoed case, safe downloads, atomic output."""

import csv
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from pipeline.base.registry import load_registry
from pipeline.build import BuildRefused, build, prepare
from pipeline.cases import listed, visible
from pipeline.history.punctuality import LATE, ON_TIME
from tests.conftest import NOW, ROOT, portal_here, record_edit, run_portal

SPEC_URLS = [
    "",
    "report/",
    "statistics/",
    "campaigns/xingfeng-2024/",
    "institutions/",
    "institutions/qinglan-renmin/",
    "cases/",
    "cases/2024-renmin-red-envelope/",
    "data/",
    "about/",
]
DATA_FILES = [
    "statistics.csv",
    "statistics.json",
    "institution-months.csv",
    "cases.json",
    "channels.csv",
    "institutions.csv",
    "datapackage.json",
]


class Text(HTMLParser):
    """The visible text of a page, and every URL it would load."""

    def __init__(self):
        super().__init__()
        self.parts, self.loads, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page(site: Path, url: str) -> Text:
    parser = Text()
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    parser.text = re.sub(r"\s+", " ", "".join(parser.parts))
    return parser


def test_every_public_url_exists(site):
    for url in SPEC_URLS:
        assert (site / url / "index.html").exists(), url
    for name in DATA_FILES:
        assert (site / "data" / name).stat().st_size > 0, name
    assert (site / "feed.xml").exists()
    registry = load_registry(site.parent / "data")
    for inst in registry.reporting_institutions:
        assert (site / "institutions" / inst.id / "index.html").exists()


def test_home_figures_equal_the_submitted_figures(site, site_data):
    prep = prepare(site_data, NOW, run_collect=False)
    t = prep.checked.table
    october = t[(t.period == "2026-10")]
    received = october[october.indicator == "complaints_received"].value.sum()
    resolved = october[october.indicator == "complaints_resolved"].value.sum()
    year = t[t.period.str.startswith("2026") & (t.indicator == "complaints_received")].value.sum()
    text = page(site, "").text
    assert f"受理投诉举报 {received:,.0f} 件" in text
    # Over what was received in October and what was still open when October began.
    before = t[(t.period.astype(str) < "2026-10") & t.institution_id.isin(october.institution_id)]
    sums = before.groupby(["institution_id", "indicator"]).value.sum().unstack()
    open_ = (sums["complaints_received"] - sums["complaints_resolved"]).clip(lower=0).sum()
    assert f"投诉举报办结率 {resolved / (received + open_) * 100:.1f}%" in text
    assert f"2026年累计 受理投诉举报 {year:,.0f} 件" in text
    reporting = october.institution_id.nunique()
    expected = sum(i.active_in("2026-10") for i in prep.registry.reporting_institutions)
    assert f"{reporting}/{expected} 家机构已报送" in text


def test_institution_page_shows_its_own_figures_and_quarantine(site, site_data):
    prep = prepare(site_data, NOW, run_collect=False)
    t = prep.checked.table
    mine = t[(t.institution_id == "qinglan-renmin") & t.period.str.startswith("2026")]
    total = mine[mine.indicator == "complaints_received"].value.sum()
    assert f"受理投诉举报 {total:,.0f} 件" in page(site, "institutions/qinglan-renmin/").text
    heyue = page(site, "institutions/heyue-eye/").text
    assert "2026年8月 已提交，未通过校验" in heyue
    assert re.search(r"2026年10月 (按时|逾期)报送", heyue)
    assert "2026年10月 未报送" in page(site, "institutions/minkang-outpatient/").text


def test_every_channel_is_on_the_report_page_or_its_institution_s_pages(site, site_data):
    """The report page carries the national and the authority's channels; every
    institution's are on its own page and its phones on its district's page."""
    from pipeline.history.channels import directory

    registry = load_registry(site_data)
    authority = registry.config.authority_id
    html = (site / "report" / "index.html").read_text(encoding="utf-8")
    text = page(site, "report/").text
    districts = "".join(
        p.read_text(encoding="utf-8") for p in (site / "report" / "districts").glob("*/index.html")
    )
    for ch in directory(registry).channels:
        tel = f'href="tel:{ch.value.replace("-", "")}"'
        if ch.owner in ("national", authority):
            assert ch.value in text, ch.value
            assert ch.kind != "phone" or tel in html
        else:
            assert ch.value in page(site, f"institutions/{ch.owner}/").text, ch.value
            assert ch.kind != "phone" or tel in districts, ch.value
    assert "超过90天未核实" in page(site, "institutions/songling-thc/").text  # stale: flagged
    assert "诬告" in text and "保密" in text and "匿名" in text


def test_draft_embargoed_and_retracted_cases(site, site_data):
    registry = load_registry(site_data)
    from pipeline.cases import load_cases

    cases = {c.notice.id: c for c in load_cases(registry)}
    draft, embargoed, retracted = (
        "2026-second-red-envelope-draft",
        "2026-q4-insurance-fraud-embargoed",
        "2025-nanxi-conduct",
    )
    assert not visible(cases[draft], NOW) and not visible(cases[embargoed], NOW)
    everything = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    everything += (site / "feed.xml").read_text(encoding="utf-8")
    everything += (site / "search" / "search_index.json").read_text(encoding="utf-8")
    for hidden in (draft, embargoed):
        assert not (site / "cases" / hidden).exists()
        assert hidden not in everything
        assert cases[hidden].notice.title not in everything
    assert "本通报已于 2025-12-02 撤回" in page(site, f"cases/{retracted}/").text
    listing = (site / "cases" / "index.html").read_text(encoding="utf-8")
    assert retracted not in listing
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo
    ids = {e.link.rstrip("/").rsplit("/", 1)[-1] for e in feed.entries}
    assert ids == {c.notice.id for c in cases.values() if listed(c, NOW)}
    assert retracted not in ids


def test_no_page_loads_anything_from_another_host(site):
    for html_file in site.rglob("*.html"):
        parser = Text()
        parser.feed(html_file.read_text(encoding="utf-8"))
        for url in parser.loads:
            assert not re.match(r"^(https?:)?//", url), (html_file, url)
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def read_csv(path):
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_downloads_are_safe_and_suppressed(site):
    rows = read_csv(site / "data" / "statistics.csv")
    assert {r["level"] for r in rows} == {"authority", "district", "type"}
    sensitive = [r for r in rows if r["indicator"].startswith("sanctioned_")]
    assert sensitive
    for r in sensitive:
        if r["status"] == "suppressed":
            assert r["value"] == ""
        else:
            assert not (1 <= float(r["value"]) < 5), r
    # Institutions by month, wide: suppressed as "<5", each row traced to its files.
    months = read_csv(site / "data" / "institution-months.csv")
    sanctioned = [r[c] for r in months for c in r if c.startswith("sanctioned_") and r[c]]
    assert "<5" in sanctioned
    assert all(v == "<5" or not (1 <= float(v) < 5) for v in sanctioned)
    keys = [(r["institution_id"], r["period"]) for r in months]
    assert keys == sorted(keys)  # a journalist's diff between two months stays small
    # A rate over nothing (resolved, none received) is left blank, never "inf".
    for r in (*rows, *months):
        for value in r.values():
            assert value.lower() not in ("inf", "-inf", "nan", "none"), r
    blank = [r for r in rows if r["indicator"] == "complaint_resolution_rate" and not r["value"]]
    assert blank and all(r["status"] == "reported" for r in blank)
    provenance = {r["file"]: r["sha256"] for r in read_csv(site / "data" / "provenance.csv")}
    assert all(r["source_file"] for r in months)
    for r in months:
        for file in r["source_file"].split(" ; "):
            assert file.startswith(r["institution_id"] + "/") and file in provenance, r
    punctual = read_csv(site / "data" / "punctuality.csv")
    arrived = {
        (r["institution_id"], r["period"]) for r in punctual if r["status"] in (ON_TIME, LATE)
    }
    assert {(r["institution_id"], r["period"]) for r in months} <= arrived
    for name in ("statistics.csv", "institution-months.csv", "channels.csv", "institutions.csv"):
        with (site / "data" / name).open(encoding="utf-8-sig") as f:
            for row in csv.reader(f):
                assert not any(c[:1] in ("=", "+", "-", "@") for c in row), (name, row)
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert paths >= {"statistics.csv", "institution-months.csv", "cases.json"}


def test_text_from_data_cannot_inject_markup(data_dir, tmp_path):
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    text = case.read_text(encoding="utf-8")
    text = text.replace(
        "title: 区人民医院外科医生收受患者红包被严肃处理",
        'title: "红包<script>alert(1)</script>[x](javascript:alert(2))"',
    )
    case.write_text(text, encoding="utf-8")
    record_edit(case)
    out = tmp_path / "out"
    build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    for f in out.rglob("*.html"):
        html = f.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, f
        assert 'href="javascript:' not in html, f


def test_a_refused_build_leaves_the_previous_site_untouched(data_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("previous site", encoding="utf-8")
    # A site built before: every file is in its list.
    (out / "site-files.sha256").write_text(f"{'0' * 64}  index.html\n", encoding="utf-8")
    (data_dir / "registry" / "campaigns.yaml").write_text("campaigns: []\n", encoding="utf-8")
    with pytest.raises(BuildRefused) as err:
        build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    assert [p.code for p in err.value.problems] == ["no_campaign"]
    assert (out / "index.html").read_text(encoding="utf-8") == "previous site"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_case_that_names_a_person_is_left_out_alone(data_dir, tmp_path):
    out = tmp_path / "out"
    case = data_dir / "cases" / "2025-chengdong-conduct.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("护士许某", "护士许文静"), encoding="utf-8"
    )
    # No recorded version to show instead (a case recorded before they were kept).
    (data_dir / "cases" / "recorded" / case.name).unlink()
    prep = build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    assert [c.path.name for c in prep.left_out] == [case.name]
    assert any(p.value == "许文静" for p in prep.blocking)
    # The rest of the site is published; the name is nowhere in it.
    assert (out / "cases" / "2025-mch-conduct" / "index.html").exists()
    assert not (out / "cases" / "2025-chengdong-conduct").exists()
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml", ".csv"):
            assert "许文静" not in f.read_text(encoding="utf-8"), f


def test_cli_exit_codes(data_dir, tmp_path):
    reports = ("--reports", str(tmp_path / "reports"))
    ok = portal_here("check", "--data", str(data_dir), *reports)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "约12" in ok.stdout  # the quarantined file is listed
    bad = tmp_path / "2026-10.csv"
    bad.write_text("月份,受理投诉举报,九项准则知晓率\n2026-10,-1,0.98\n", encoding="utf-8")
    refused = portal_here(
        "check", "--data", str(data_dir), *reports, "--institution", "qinglan-renmin", str(bad)
    )
    assert refused.returncode == 1
    assert "受理投诉举报" in refused.stdout and "九项准则知晓率" in refused.stdout
    good = tmp_path / "2026-09.csv"
    good.write_text("月份,受理投诉举报\n2026-09,3\n", encoding="utf-8")
    accepted = portal_here(
        "check", "--data", str(data_dir), *reports, "--institution", "qinglan-renmin", str(good)
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert run_portal("build", "--data", str(tmp_path / "nowhere")).returncode == 2
    assert run_portal("no-such-command").returncode == 2
    case = data_dir / "cases" / "2025-chengdong-conduct.md"
    case.write_text(
        case.read_text(encoding="utf-8") + "\n身份证号 11010519491231002X\n", encoding="utf-8"
    )
    pii = portal_here("check", "--data", str(data_dir), *reports)
    assert pii.returncode == 1 and "身份证号" in pii.stdout


def test_every_command_has_help():
    from pipeline.cli import main

    for name, command in main.commands.items():
        assert command.help and len(command.help) > 10, name


def test_module_and_console_script_agree():
    assert "build" in run_portal("--help").stdout
    exe = shutil.which("portal", path=str(Path(sys.executable).parent))
    assert exe and "build" in subprocess.run([exe, "--help"], capture_output=True, text=True).stdout


def test_search_index_is_segmented_chinese_with_institutions_and_cases(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    titles = {d["location"]: d["title"].replace("\u200b", "") for d in docs}
    assert titles["institutions/qinglan-renmin/"] == "青岚区人民医院"
    assert titles["cases/2024-renmin-red-envelope/"].startswith("区人民医院外科医生")
    assert any("\u200b红包\u200b" in d["text"] for d in docs)  # a word of its own, findable
    assert "2025-nanxi-conduct" not in "".join(titles)  # retracted: out of search


def test_no_page_shows_a_small_count_of_sanctioned_persons(site, site_data):
    registry = load_registry(site_data)
    labels = [i.label for i in registry.indicators.values() if i.sensitive]
    shown = 0
    for html_file in site.rglob("*.html"):
        for row in re.findall(r"<tr>(.*?)</tr>", html_file.read_text(encoding="utf-8"), re.S):
            cells = [
                re.sub(r"<[^>]+>", "", c).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
            if cells and any(cells[0].startswith(label) for label in labels):
                for value in cells[1:]:
                    shown += 1
                    assert (
                        value in ("<5", "&lt;5", "未报送")
                        or int(value.replace(",", "")) == 0
                        or int(value.replace(",", "")) >= 5
                    ), (html_file, cells)
    assert shown > 0


def test_targets_are_evaluated_against_actuals(site, site_data):
    prep = prepare(site_data, NOW, run_collect=False)
    t = prep.checked.table
    study = t[(t.indicator == "study_sessions") & t.period.str.startswith("2026")]
    met = int((study.value >= 1).sum())
    text = page(site, "statistics/").text
    assert f"（{met}/{len(study)} 份月报达标）" in text


def test_same_data_and_code_give_the_same_bytes(site, site_data, tmp_path):
    again = tmp_path / "again"
    build(site_data, again, now=NOW, config_file=ROOT / "mkdocs.yml")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_site_file_list_matches_the_files(site):
    import hashlib

    lines = (site / "site-files.sha256").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert set(listed) == files - {"site-files.sha256"}
    for rel in ("index.html", "data/statistics.csv"):
        assert listed[rel] == hashlib.sha256((site / rel).read_bytes()).hexdigest()
    assert 'href="../site-files.sha256"' in (site / "about" / "index.html").read_text(
        encoding="utf-8"
    )


def test_search_index_holds_words_not_each_institution_s_tables(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    places = {d["location"] for d in index["docs"]}
    # Findable by name and channels; figures and month lists stay out of the index, which
    # would otherwise grow by kilobytes for every institution.
    assert "institutions/qinglan-renmin/" in places
    assert "institutions/qinglan-renmin/#举报渠道" in places
    assert not any(p.endswith(("#报送情况", "主要数据")) for p in places if "institutions/" in p)


def test_charts_load_plotly_s_basic_bundle_of_the_same_version(site):
    def version(path):
        head = path.read_text(encoding="utf-8")[:200]
        return re.search(r"plotly\.js (?:\(basic - minified\) )?v(\d+\.\d+\.\d+)", head).group(1)

    import plotly

    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    bundle = site / "assets" / "js" / "plotly-basic.min.js"
    assert version(bundle) == version(shipped)
    assert not (site / "assets" / "js" / "plotly.min.js").exists()
    assert bundle.stat().st_size < shipped.stat().st_size / 3
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in home and "unsafe-eval" not in home


def test_a_chart_summary_reads_well_when_the_last_month_is_missing(site):
    text = page(site, "institutions/anhe-clinic/").text
    assert "为未报送" not in text
    assert re.search(r"\d{4}年\d{1,2}月受理投诉举报未报送", text)


def test_yearly_quarterly_and_monthly_summaries_carry_figures_targets_and_coverage(site, site_data):
    reg = load_registry(site_data)
    campaign = reg.campaigns[0]
    html = (site / "campaigns" / campaign.id / "index.html").read_text(encoding="utf-8")
    for period in ("2025", "2026-Q3", "2026-10"):
        assert f'href="{period}/"' in html
    text = page(site, f"campaigns/{campaign.id}/2025/").text
    assert "2025年度总结" in text and "目标完成情况" in text
    rows = read_csv(site / "data" / "statistics.csv")
    received = next(
        r["value"]
        for r in rows
        if (r["level"], r["period_type"], r["period"], r["indicator"])
        == ("authority", "year", "2025", "complaints_received")
    )
    assert f"受理投诉举报 {int(received):,} 件" in text
    assert "✓ 已达标" in text and "✗ 未达标" in text
    # Coverage: the institutions of the scope's types that took part in 2025.
    scope = campaign.scope[0]
    members = [
        i
        for i in reg.reporting_institutions
        if i.type in scope.types and any(i.active_in(f"2025-{m:02d}") for m in range(1, 13))
    ]
    assert f"{'、'.join(scope.types)} {len(members)} " in text
    assert "2026年第3季度进展" in page(site, f"campaigns/{campaign.id}/2026-Q3/").text


def test_pages_written_by_several_processes_are_the_pages_one_process_writes(
    site_data, tmp_path, processes
):
    from pipeline.build import compute, render_docs

    trees = {}
    for jobs in (1, 2):
        processes(jobs)
        prep = prepare(site_data, NOW, run_collect=False)
        docs = tmp_path / f"docs-{jobs}"
        render_docs(prep, compute(prep, NOW, lambda _m: None), NOW, docs, ROOT / "site")
        trees[jobs] = {
            p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()
        }
    assert any(name.startswith("institutions/") for name in trees[2])
    assert trees[2].keys() == trees[1].keys()
    assert [n for n in trees[1] if trees[1][n] != trees[2][n]] == []


def _demo_docs(site_data: Path, docs: Path) -> object:
    """The demo's generated Markdown in ``docs``; returns the registry."""
    from pipeline.build import compute, render_docs

    prep = prepare(site_data, NOW, run_collect=False)
    render_docs(prep, compute(prep, NOW, lambda _m: None), NOW, docs, ROOT / "site")
    return prep.registry


def test_site_built_by_worker_processes_is_byte_for_byte_mkdocs_own_build(
    site_data, tmp_path, processes, monkeypatch
):
    import mkdocs.commands.build

    from pipeline.build import mkdocs_site
    from pipeline.site import mkdocs_build

    processes(2)
    docs = tmp_path / "docs"
    registry = _demo_docs(site_data, docs)
    shared = tmp_path / "shared"
    mkdocs_site(ROOT / "mkdocs.yml", docs, shared, registry, NOW)
    monkeypatch.setattr(mkdocs_build, "build", mkdocs.commands.build.build)
    own = tmp_path / "own"
    mkdocs_site(ROOT / "mkdocs.yml", docs, own, registry, NOW)

    def tree(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    ours, theirs = tree(shared), tree(own)
    assert len(ours) > 100 and "search/search_index.json" in ours
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_a_warning_on_a_page_a_worker_writes_still_fails_the_build(site_data, tmp_path, processes):
    from mkdocs.exceptions import Abort

    from pipeline.build import mkdocs_site

    processes(2)
    docs = tmp_path / "docs"
    registry = _demo_docs(site_data, docs)
    page = next(p for p in (docs / "institutions").glob("*.md") if p.name != "index.md")
    page.write_text(page.read_text(encoding="utf-8") + "\n[旧链接](missing.md)\n", "utf-8")
    with pytest.raises(Abort, match="1 warnings"):
        mkdocs_site(ROOT / "mkdocs.yml", docs, tmp_path / "out", registry, NOW)


def _first_load_kb(site: Path, url: str) -> tuple[float, float]:
    """What a page and its stylesheets and scripts weigh gzip-compressed (as a server
    sends them), and the same with the chart library a chart page loads on scrolling."""
    import gzip

    page = site / url / "index.html"
    html = page.read_text(encoding="utf-8")
    files = {page}
    for ref in re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))', html):
        files.add((page.parent / ref).resolve())
    size = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    charts = 0
    if "portal-chart" in html:
        charts = sum(len(gzip.compress(f.read_bytes(), 6)) for f in site.glob("assets/js/plotly*"))
    return size / 1024, (size + charts) / 1024


def test_page_weight_budgets(site):
    home, home_drawn = _first_load_kb(site, "")
    _, stats_drawn = _first_load_kb(site, "statistics")
    assert home < 400, home  # what a phone downloads on opening the home page
    assert stats_drawn < 700, stats_drawn  # a chart page with its charts drawn
    assert home_drawn > home  # the home page has a chart, loaded only when needed


def test_finished_html_blocks_reach_the_pages_but_not_the_search_index(site):
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert not [p for p, html in pages.items() if "portal-raw-" in html]
    institution = pages[site / "institutions" / "qinglan-renmin" / "index.html"]
    assert "<caption>各月报送情况</caption>" in institution
    assert 'class="portal-figures"' in institution
    home = pages[site / "index.html"]
    assert "查看数据表" in home and 'type="application/json"' in home
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] for d in index["docs"]).replace("\u200b", "")
    assert "查看数据表" not in text and "各月报送情况" not in text
    # What a reader searches for is still there.
    assert "区二院" in text and "回扣" in text


def test_the_404_page_works_under_a_project_path(data_dir, tmp_path, monkeypatch):
    """GitHub Pages serves a project site under /<repository>/ and shows 404.html for any
    missing address: its links must start from the site's root, not the server's."""
    monkeypatch.setenv("PORTAL_SITE_URL", "https://example.github.io/portal/")
    out = tmp_path / "out"
    build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    page = (out / "404.html").read_text(encoding="utf-8")
    assert "找不到这个页面" in page
    assert 'href="https://example.github.io/portal/report/"' in page
    assert 'href="/report/"' not in page and 'src="/assets' not in page


def test_a_month_sent_in_a_refused_file_reads_the_same_everywhere(site):
    """heyue-eye's 2026-08 file was refused (约12): the on-time table, the chart's data
    table and the open data all say 已提交，未通过校验, none says 未报送."""
    refused = "已提交，未通过校验"
    [row] = [
        r
        for r in read_csv(site / "data" / "punctuality.csv")
        if (r["institution_id"], r["period"]) == ("heyue-eye", "2026-08")
    ]
    assert row["status"] == refused
    august = [
        r
        for chart in (site / "data" / "charts").glob("*heyue-eye*.csv")
        for r in read_csv(chart)
        if next(iter(r.values())) in ("2026年8月", "2026-08")
    ]
    assert august
    for r in august:
        assert "未报送" not in r.values() and refused in r.values(), r
    page = (site / "institutions" / "heyue-eye" / "index.html").read_text(encoding="utf-8")
    assert refused in page
