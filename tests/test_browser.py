"""A person's view: headless Chromium opens the page, visits every tab, acts once, checks the output."""
import os
import shutil
import time

import pytest

from core.i18n import t
from demos import load_tabs

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        page = context.new_page()
        page.goto(app_url, wait_until="domcontentloaded")
        page.wait_for_selector("#distillation-temperature", timeout=60_000)
        yield page
        browser.close()


def plot_pixels(page, elem_id) -> bytes:
    """A screenshot of the plot as drawn in the browser (native plots are canvases, not images)."""
    plot = page.locator(f"#{elem_id}")
    plot.locator("canvas, svg").first.wait_for(timeout=30_000)
    time.sleep(0.5)  # let the chart's transition finish
    return plot.screenshot()


def test_every_tab_opens(page):
    for tab in load_tabs():
        page.get_by_role("tab", name=t(f"{tab.TOPIC}.tab", "en")).click()
        assert page.locator(f"#tab-{tab.TOPIC}").is_visible()


def test_temperature_slider_changes_the_plot(page, app_url):
    page.get_by_role("tab", name="Knowledge distillation").click()
    number = page.locator("#distillation-temperature input[type=number]")
    number.fill("1")
    number.press("Enter")
    page.wait_for_function("document.querySelector('#distillation-stats').innerText.includes('at T = 1')", timeout=30_000)
    before = plot_pixels(page, "distillation-soft-plot")
    number.fill("12")
    number.press("Enter")
    page.wait_for_function("document.querySelector('#distillation-stats').innerText.includes('at T = 12')", timeout=30_000)
    after = plot_pixels(page, "distillation-soft-plot")
    assert before != after
    assert "ms" in page.locator("#distillation-timing").inner_text()
    os.makedirs("tests/artifacts", exist_ok=True)
    page.screenshot(path="tests/artifacts/distillation.png", full_page=False)


def test_train_button_fills_the_table(page):
    page.get_by_role("tab", name="Knowledge distillation").click()
    page.locator("#distillation-train").click()
    page.wait_for_function("document.querySelector('#distillation-table') && "
                           "document.querySelector('#distillation-table').innerText.includes('Hard labels only')",
                           timeout=120_000)
    assert "%" in page.locator("#distillation-table").inner_text()


def test_a_chinese_browser_gets_the_traditional_chinese_ui(page, app_url):
    context = page.context.browser.new_context(locale="zh-TW", extra_http_headers={"Accept-Language": "zh-TW,zh"})
    chinese = context.new_page()
    chinese.goto(app_url, wait_until="domcontentloaded")
    chinese.wait_for_selector("#distillation-temperature", timeout=60_000)
    for tab in load_tabs():
        assert chinese.get_by_role("tab", name=t(f"{tab.TOPIC}.tab", "zh")).is_visible()
    chinese.wait_for_function("document.querySelector('#distillation-stats').innerText.includes('老師的預測')",
                              timeout=30_000)
    context.close()
