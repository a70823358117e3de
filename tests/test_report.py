"""``englake report``: the HTML page renders in headless Chromium, every chart drawn from a built lake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from englake.models import query_local
from englake.report import build_charts, render_html, sync_runs

pytestmark = pytest.mark.dbt

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the screenshot goes, so a person (or CI's artefacts) can look at the page.
ARTEFACTS = Path(__file__).resolve().parent.parent / "tests-artefacts"


@pytest.fixture(scope="module")
def report_page(built_lake, tmp_path_factory) -> tuple[Path, list]:
    settings, _, store = built_lake
    from segmentation.embedded import sync_embedded

    sync_embedded(settings, refresh=False)  # one sync run, so the segment chart has a point
    charts = build_charts(lambda sql: query_local(sql, settings), sync_runs(store))
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(render_html(charts, title="englake report"), encoding="utf-8")
    return page, charts


def test_every_chart_has_data_from_the_built_lake(report_page) -> None:
    _, charts = report_page
    assert [chart.title for chart in charts if not chart.populated] == []


def test_the_page_is_self_contained(report_page) -> None:
    page, _ = report_page
    text = page.read_text(encoding="utf-8")
    assert "<script src=" not in text  # plotly.js is inline: the page opens with no network
    assert text.count('class="plotly-graph-div"') == 5


def test_empty_models_give_a_page_that_says_so() -> None:
    charts = build_charts(lambda _sql: [], [])
    text = render_html(charts, title="empty")
    assert text.count("No data yet.") == 5
    assert "<script" not in text


@pytest.mark.skipif(CHROMIUM is None, reason="make test installs Debian's chromium; not on this machine")
def test_the_report_renders_in_headless_chromium_without_console_errors(report_page) -> None:
    from playwright.sync_api import sync_playwright

    page_file, _ = report_page
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_file.as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg")
        drawn = page.eval_on_selector_all(".plotly-graph-div", "divs => divs.map(d => d.data.length)")
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert len(drawn) == 5
    assert all(traces > 0 for traces in drawn), drawn
