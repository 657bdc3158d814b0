"""The demo portal in a real Chromium: charts draw, search finds Chinese words, filters
and the large-text mode work, and no page asks any host but its own for anything."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_build import SPEC_URLS

CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: CI must install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.foreign, pg.errors = [], []
    host = base_url.rstrip("/")

    def route(r):
        if r.request.url.startswith(host) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            pg.foreign.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    yield pg
    context.close()


def test_home_draws_its_chart_and_asks_no_other_host(page, base_url):
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    # On a phone the chart is below the fold: the chart library waits until it is near.
    assert not any("plotly" in url for url in asked), asked
    page.locator(".portal-chart__plot").first.scroll_into_view_if_needed()
    page.wait_for_selector(".portal-chart__plot .main-svg", timeout=20000)
    assert any(url.endswith("plotly-basic.min.js") for url in asked)
    assert page.locator(".portal-report-button").is_visible()
    assert page.foreign == [] and page.errors == []


def test_every_page_type_loads_without_errors_or_foreign_requests(page, base_url):
    for url in [*SPEC_URLS, "cases/2025-nanxi-conduct/"]:
        page.goto(base_url + url)
        page.wait_for_load_state("networkidle")
    assert page.foreign == [] and page.errors == []


def test_search_finds_cases_by_a_chinese_word(page, base_url):
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    # The index grows with the site: a first visit never downloads it.
    assert not any("search_index" in url for url in asked), asked
    page.locator("label.md-search__icon, .md-header__button[for='__search']").first.click()
    box = page.locator("input.md-search__input")
    box.fill("红包")
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=20000)
    results = page.locator(".md-search-result__item").all_inner_texts()
    assert any("收受" in r and "红包" in r for r in results), results[:5]
    assert any("search_index" in url for url in asked)


def test_institution_filter_and_case_filter_work_without_a_server(page, base_url):
    page.goto(base_url + "institutions/")
    page.fill("#institution-filter", "卫生院")
    visible = page.locator(".portal-institution-row:visible").all_inner_texts()
    assert visible and all("卫生院" in row for row in visible)
    page.goto(base_url + "cases/")
    page.select_option("#case-category", "red_envelope")
    shown = page.locator(".portal-case:visible").count()
    assert shown >= 2
    assert page.locator("[data-case-count]").inner_text() == f"共 {shown} 个案例"


def test_large_text_mode_persists_across_pages(page, base_url):
    page.goto(base_url)
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click("[data-large-toggle]")
    page.goto(base_url + "report/")
    larger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger >= size * 1.4
    assert page.get_attribute("[data-large-toggle]", "aria-pressed") == "true"


SUMMARY = "campaigns/xingfeng-2024/2026-Q3/"
PAGE_TYPES = [*SPEC_URLS, "campaigns/", "cases/2025-nanxi-conduct/", SUMMARY]
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


def _violations(page) -> list[tuple[str, int, list[str]]]:
    """axe-core's violations on the page, once its charts (drawn when near the screen)
    are drawn."""
    from axe_playwright_python.sync_playwright import Axe

    for plot in page.locator(".portal-chart__plot").all():
        plot.scroll_into_view_if_needed()
        plot.locator(".main-svg").first.wait_for(timeout=20000)

    found = Axe().run(page).response["violations"]
    return [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in found]


def test_every_page_type_has_no_axe_violation_in_either_text_size(page, base_url):
    failures = {}
    for url in PAGE_TYPES:
        page.goto(base_url + url)
        page.wait_for_load_state("networkidle")
        if found := _violations(page):
            failures[url] = found
    page.goto(base_url)
    page.click("[data-large-toggle]")  # large text and high contrast, for older readers
    for url in PAGE_TYPES:
        page.goto(base_url + url)
        page.wait_for_load_state("networkidle")
        if found := _violations(page):
            failures[f"{url} (大字)"] = found
    assert failures == {}


def test_a_375_px_phone_sees_the_report_entry_first_and_nothing_overflows(browser, base_url):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for url in PAGE_TYPES:
            page.goto(base_url + url)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (url, width)
            entry = page.get_by_role("link", name="我要举报").first
            box = entry.bounding_box()
            assert entry.is_visible() and box is not None and box["y"] + box["height"] <= 667, url
            name = url.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(SHOTS / f"375-{name}.png"), full_page=True)
    finally:
        context.close()


def test_a_summary_prints_its_tables_without_the_site_s_furniture(page, base_url):
    page.goto(base_url + SUMMARY)
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator("[data-large-toggle]").is_visible()
    assert page.locator("table caption", has_text="各类机构参与和报送情况").is_visible()
    assert page.locator("table caption", has_text="目标完成情况").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SHOTS / "summary-2026-Q3.pdf"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("回扣", "回扣"),  # a case category word
        ("青岚区人民医院", "青岚区人民医院"),  # an institution by its full name
        ("区二院", "青岚区第二人民医院"),  # ... by its short name
        ("市中心医院青岚院区", "云溪市中心医院青岚院区"),
        ("区卫健委", "青岚区卫生健康委员会"),
        ("举报电话", "举报"),  # a page by its words
    ],
)
def test_search_finds_chinese_queries(page, base_url, query, expected):
    page.goto(base_url)
    page.locator("label.md-search__icon, .md-header__button[for='__search']").first.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=20000)
    # Material marks its word boundaries with zero-width spaces.
    results = [
        r.replace("\u200b", "") for r in page.locator(".md-search-result__item").all_inner_texts()
    ]
    assert any(expected in r for r in results[:3]), results[:5]


FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName, text: (e.getAttribute("aria-label") || e.textContent || "").trim(),
          outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth),
          shown: r.width > 0 && r.height > 0};
}"""


def test_a_reader_without_a_mouse_can_do_everything(page, base_url):
    page.goto(base_url)
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    texts = [s["text"] for s in stops]
    # The first stops: skip to the content, then how to report.
    assert texts[0].startswith("跳转至") and texts[1] == "我要举报", texts[:3]
    for stop in stops:
        if stop["tag"] != "INPUT":  # the search box shows focus by opening
            assert stop["shown"] and stop["outline"] >= 2, stop
    # Large text, switched on with the keyboard, stays on the next page.
    page.goto(base_url)
    toggle = page.locator("[data-large-toggle]")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    # A chart's data table opens from the keyboard.
    summary = page.locator(".portal-chart__table summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(".portal-chart__table table").first.is_visible()
    # The directory filter is reached with Tab and narrows the list as one types.
    page.goto(base_url + "institutions/")
    assert page.evaluate("document.documentElement.classList.contains('portal-large')")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "institution-filter":
            break
    else:
        pytest.fail("the institution filter cannot be reached with Tab")
    page.keyboard.type("卫生院")
    rows = page.locator(".portal-institution-row")
    assert 0 < sum(r.is_visible() for r in rows.all()) < rows.count()
    # The report entry opens with Enter.
    page.locator(".portal-announce__report").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/report/")
    assert page.errors == []


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_report_finds_a_named_institution_and_dials_it_on_a_375_px_phone(browser, base_url, script):
    """From /report/ to the 区人民医院's number: with script through the finder (its
    index fetched only once the finder is used), without through the district list."""
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, locale="zh-CN", java_script_enabled=script
    )
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base_url + "report/")
        page.wait_for_load_state("networkidle")
        assert not [u for u in asked if not u.startswith(base_url)]
        assert not [u for u in asked if u.endswith("institutions.json")]  # not before use
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        if script:
            finder = page.get_by_label("医院、诊所名称")
            finder.fill("区人民医院")
            result = page.locator("#finder-results li").first
            result.wait_for()
            assert result.get_by_role("link", name="青岚区人民医院").is_visible()
            tel = result.locator('a[href^="tel:"]')
            assert tel.get_attribute("href") == "tel:000081439563"
            # Pinyin initials find it too; nothing found says so and offers the authority.
            finder.fill("qlqrmyy")
            page.locator("#finder-results li").first.wait_for()
            assert "青岚区人民医院" in page.locator("#finder-results").inner_text()
            finder.fill("不存在的医院")
            empty = page.locator(".portal-finder__empty")
            empty.wait_for()
            assert "没有找到" in empty.inner_text()
            assert empty.locator('a[href="tel:000081230001"]').is_visible()
            finder.fill("区人民医院")
            page.locator("#finder-results li").first.get_by_role("link").first.click()
            page.wait_for_url("**/institutions/qinglan-renmin/**")
        else:
            assert not page.locator("#finder-input").is_visible()  # no dead input
            page.get_by_role("link", name="城东街道").click()
            page.wait_for_url("**/report/districts/chengdongjiedao/")
            item = page.locator("#qinglan-renmin")
            assert item.locator('a[href="tel:000081439563"]').is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            item.get_by_role("link", name="青岚区人民医院").click()
            page.wait_for_url("**/institutions/qinglan-renmin/**")
        dial = page.locator('a[href="tel:000081439563"]').first
        assert dial.is_visible()
        assert page.locator('a[href="tel:12393"]').first.is_visible()
        assert errors == []
    finally:
        context.close()


def test_report_finder_and_district_pages_have_no_axe_violation(page, base_url):
    page.goto(base_url + "report/")
    page.get_by_label("医院、诊所名称").fill("医院")
    page.locator("#finder-results li").first.wait_for()
    assert _violations(page) == []
    page.get_by_label("医院、诊所名称").fill("不存在的医院")
    page.locator(".portal-finder__empty").wait_for()
    assert _violations(page) == []
    page.goto(base_url + "report/districts/chengdongjiedao/")
    assert _violations(page) == []
    page.goto(base_url + "report/districts/")
    assert _violations(page) == []
