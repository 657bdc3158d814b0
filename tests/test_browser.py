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
