"""The hosted invoice page in a real browser (Debian's chromium driven by Playwright)
against a real uvicorn server: open the link, pay with a declined card, then a good one.
Screenshots are kept in build/test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import factories as f
from tests.conftest import Tenant
from tests.unit.documents.pdf_support import declares_pdfa3b, text_of

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():  # fail loudly: `make browser` installs it
        pytest.fail(f"{CHROMIUM} is missing; run `make browser`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        yield browser
        browser.close()


def pay(page: Page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay").click()


def test_a_payer_opens_the_link_is_declined_then_pays(
        live_server: str, tenant: Tenant, browser: Browser) -> None:
    rate = f.tax_rate(tenant, "19")
    draft = f.draft(tenant, default_tax_rates=[rate["id"]], lines=[
        {"description": "Design sprint", "quantity": "3", "unit_amount": 80_000},
        {"description": "Hosting (monthly)", "quantity": "1", "unit_amount": 4_900}])
    invoice = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
    path = "/i/" + invoice["hosted_invoice_url"].rsplit("/i/", 1)[1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 390, "height": 900})  # a phone
    page.goto(live_server + path)
    expect(page.get_by_role("heading", name=f"Invoice {invoice['number']}")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Open")
    expect(page.locator("#amount-due")).to_have_text("€2,914.31")  # 244,900 * 1.19
    page.screenshot(path=str(ARTIFACTS / "hosted-invoice-open.png"), full_page=True)
    # htmx pays in the background: the page is swapped in place, never reloaded
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.notReloaded = true; }")

    pay(page, "4000 0000 0000 0002")
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    expect(page.locator("#status")).to_have_text("Open")
    assert tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["status"] == "open"

    pay(page, "4242 4242 4242 4242")
    expect(page.get_by_role("status")).to_contain_text("your payment succeeded")
    expect(page.locator("#status")).to_have_text("Paid")
    expect(page.locator("#amount-due")).to_have_text("€0.00")
    expect(page.get_by_label("Card number")).to_have_count(0)
    assert page.evaluate("() => window.notReloaded") is True
    page.screenshot(path=str(ARTIFACTS / "hosted-invoice-paid.png"), full_page=True)
    with page.expect_download() as download:  # the PDF link, now showing the payment
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{invoice['number']}.pdf"
    assert declares_pdfa3b(pdf)
    assert "PAID" in text_of(pdf)
    page.close()

    paid = tenant.ok("GET", f"/v1/invoices/{invoice['id']}")
    assert (paid["status"], paid["amount_paid"]) == ("paid", 291_431)


def test_the_form_is_usable_from_the_keyboard(
        live_server: str, tenant: Tenant, browser: Browser) -> None:
    invoice = f.open_invoice(tenant)
    path = "/i/" + invoice["hosted_invoice_url"].rsplit("/i/", 1)[1]
    page = browser.new_page()
    page.goto(live_server + path)
    page.get_by_label("Card number").focus()
    page.keyboard.type("4242424242424242")
    page.keyboard.press("Tab")
    page.keyboard.type("12/39")
    page.keyboard.press("Tab")
    page.keyboard.type("123")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Pay")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Paid")
    page.close()


def test_without_javascript_the_form_posts_and_redirects(
        live_server: str, tenant: Tenant, browser: Browser) -> None:
    invoice = f.open_invoice(tenant)
    path = "/i/" + invoice["hosted_invoice_url"].rsplit("/i/", 1)[1]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + path)
    pay(page, "4242 4242 4242 4242")
    expect(page.get_by_role("status")).to_contain_text("your payment succeeded")
    expect(page.locator("#status")).to_have_text("Paid")
    assert "payment=succeeded" in page.url  # post/redirect/get: a reload pays nothing
    context.close()
