"""End to end in a real headless browser (Debian's Chromium, driven by Playwright): screen a shipment
through the form, see the decision and its source links, open the measure, the timeline and a party."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

if CHROMIUM is None:
    if os.environ.get("ECKG_REQUIRE_BROWSER"):
        raise RuntimeError(
            "ECKG_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
        )
    pytest.skip(
        "Chromium is not installed (apt-get install chromium); .ci/run installs it", allow_module_level=True
    )


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(module_server) -> str:  # type: ignore[no-untyped-def]
    return module_server()


def test_screen_a_shipment_and_follow_the_why(browser, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page()
    blocked: list[str] = []
    page.on("request", lambda r: blocked.append(r.url) if not r.url.startswith(server) else None)
    page.goto(f"{server}/")
    expect(page.get_by_role("heading", name="May this shipment go?")).to_be_visible()
    page.get_by_label("Date").fill("2026-03-01")
    page.locator("#item").fill("1C902.b")
    page.locator("#end_user").fill("Japan Maritime Self-Defense Force")
    page.get_by_label("End use", exact=True).select_option("military")
    page.get_by_role("button", name="Screen").click()

    badge = page.locator("#decision-badge")
    expect(badge).to_have_text("Prohibited", timeout=30_000)
    expect(page.locator(".measure-link").first).to_have_text("MOFCOM Announcement 2026 No. 1")
    sources = page.locator("a.source-link")
    assert sources.count() >= 3
    assert all(sources.nth(i).get_attribute("href").startswith("http") for i in range(sources.count()))
    page.screenshot(path=str(tmp_path / "decision.png"), full_page=True)

    page.locator(".measure-link").first.click()
    expect(page.get_by_role("heading", name="MOFCOM Announcement 2026 No. 1", exact=True)).to_be_visible()

    page.goto(f"{server}/#/measures/JP")
    expect(page.locator("#timeline svg rect.period").first).to_be_visible(timeout=30_000)
    assert page.locator("#timeline svg rect.period").count() >= 5
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)

    page.goto(f"{server}/#/party/nda")
    expect(page.get_by_role("heading", name="National Defense Academy of Japan")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("#view-party").get_by_text("MOFCOM Announcement 2026 No. 11").first).to_be_visible()
    page.goto(f"{server}/#/party/mitsubishi-heavy-industries")
    expect(page.get_by_role("heading", name="Related parties on lists")).to_be_visible(timeout=30_000)
    expect(
        page.locator("#view-party").get_by_text("Mitsubishi Heavy Industries Shipbuilding Co.").last
    ).to_be_visible()
    assert blocked == [], f"the page fetched from elsewhere (it must work offline): {blocked}"


def test_the_form_is_usable_with_the_keyboard(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{server}/")
    page.locator("#item").focus()
    page.keyboard.type("samarium oxide")
    page.keyboard.press("Tab")
    page.keyboard.type("SUBARU Corporation")
    page.locator("#date").fill("2026-03-01")
    page.locator("#date").press("Enter")
    expect(page.locator("#decision-badge")).to_have_text("Enhanced review", timeout=30_000)
    for field in (
        "item",
        "end_user",
        "destination",
        "end_use",
        "date",
        "origin",
        "exporter_country",
        "consignee",
    ):
        assert page.locator(f"label[for={field}]").count() == 1, f"{field} has no label"


def test_an_input_error_is_shown(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{server}/")
    page.locator("#item").fill("1C902.b")
    page.locator("#end_user").fill("x")
    page.locator("#destination").fill("ZZ")
    page.get_by_role("button", name="Screen").click()
    expect(page.get_by_role("alert")).to_contain_text("destination")


def test_the_sparql_editor_loads_offline(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server) else None)
    page.goto(f"{server}/sparql")
    expect(page.locator(".yasqe").first).to_be_visible(timeout=30_000)
    assert page.locator(".tabPanel, .tab").count() >= 1
    assert external == [], external
