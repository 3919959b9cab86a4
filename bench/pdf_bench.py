"""PDF benchmark: Folio's typst renderer against headless Chromium, in the same run.

    .venv/bin/python bench/pdf_bench.py [-n N]

Starts the real server (`folio serve`) on a fresh SQLite database, seeds an account
with seller details and a typical finalized 20-line invoice (two tax rates, a discount),
then:

1. Folio: renders that invoice's PDF N times in-process the way GET /v1/invoices/{id}/pdf
   does (rows -> view model -> typst source -> PDF/A-3b), with the PDF cache off.
2. Folio, cached: the same with the in-process PDF cache on (what a repeat download of
   an unchanged invoice costs).
3. Chromium: Playwright drives /usr/bin/chromium (launched once, not timed) to open the
   same invoice's hosted page on the running server and print it with page.pdf(), N times.

Prints pages per second for each and the ratio Folio / Chromium (target >= 3). Pages
are counted in the PDFs produced. A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

import httpx
from pypdf import PdfReader
from sqlalchemy import text

BIN = Path(sys.executable).parent
SECRET = "folio-bench-secret"
CHROMIUM = "/usr/bin/chromium"
TARGET = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def seed(url: str, base: str) -> tuple[str, str, str]:
    """An account (created in the database) and a finalized 20-line invoice (over HTTP);
    returns the secret key, the invoice id and its hosted page URL."""
    from folio.db.engine import Database
    from folio.services.accounts import create_account

    db = Database(url)
    with db.transaction() as session:
        keys = create_account(session, SECRET, name="Bench GmbH")
    db.dispose()
    headers = {"Authorization": f"Bearer {keys.test_key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        def post(path: str, body: dict[str, object]) -> dict[str, object]:
            response = http.post(path, json=body)
            response.raise_for_status()
            return dict(response.json())

        post("/v1/account", {
            "legal_name": "Bench GmbH", "vat_id": "DE136695976",
            "email": "billing@bench.test", "iban": "DE89370400440532013000",
            "bic": "COBADEFFXXX", "payment_terms": "Payable within 30 days.",
            "address": {"line1": "Hauptstrasse 1", "city": "Berlin",
                        "postal_code": "10115", "country": "DE"}})
        customer = post("/v1/customers", {
            "name": "Acheteur SARL", "email": "compta@acheteur.test", "locale": "de",
            "address": {"line1": "1 rue de la Paix", "city": "Paris",
                        "postal_code": "75002", "country": "FR"}})["id"]
        vat19 = post("/v1/tax_rates", {"display_name": "USt.", "percentage": "19",
                                       "inclusive": False})["id"]
        vat7 = post("/v1/tax_rates", {"display_name": "USt.", "percentage": "7",
                                      "inclusive": False})["id"]
        lines = [{"description": f"Consulting, work package {i + 1}", "quantity": str(1 + i % 4),
                  "unit_amount": 4500 + 250 * i, "tax_rates": [vat19 if i % 3 else vat7]}
                 for i in range(20)]
        draft = post("/v1/invoices", {"customer": customer, "lines": lines,
                                      "collection_method": "send_invoice",
                                      "days_until_due": 30, "reference": "PO-4711",
                                      "discounts": [{"percent_off": "5"}]})
        invoice = post(f"/v1/invoices/{draft['id']}/finalize", {})
    return keys.test_key, str(invoice["id"]), str(invoice["hosted_invoice_url"])


def folio_rate(url: str, invoice_id: str, n: int, cached: bool) -> tuple[float, int]:
    """Pages per second rendering in-process as the PDF route does."""
    from folio.db.engine import Database
    from folio.documents import pdf as pdf_module
    from folio.services import pdfs
    from folio.services.context import Ctx

    db = Database(url)
    pdf_module.cache.clear()
    pdf_module.cache.enabled = cached
    try:
        with db.transaction(write=False) as session:
            account_id = session.execute(text(
                "SELECT account_id FROM invoices WHERE public_id = :p"),
                {"p": invoice_id}).scalar_one()
        first = b""
        for _ in range(3):  # warm-up: the compiler's first document loads its fonts
            with db.transaction(write=False) as session:
                first = pdfs.invoice_pdf(Ctx(session, account_id=account_id,
                                             livemode=False), invoice_id)
        count = pages(first)
        started = time.perf_counter()
        for _ in range(n):
            with db.transaction(write=False) as session:
                pdfs.invoice_pdf(Ctx(session, account_id=account_id, livemode=False),
                                 invoice_id)
        elapsed = time.perf_counter() - started
    finally:
        pdf_module.cache.enabled = True
        db.dispose()
    return n * count / elapsed, count


def chromium_rate(hosted_url: str, n: int) -> tuple[float, int]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(hosted_url)
        count = pages(page.pdf(format="A4"))  # warm-up
        started = time.perf_counter()
        for _ in range(n):
            page.goto(hosted_url)
            page.pdf(format="A4", print_background=True)
        elapsed = time.perf_counter() - started
        browser.close()
    return n * count / elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=50, help="documents per renderer")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="folio-pdf-bench-"))
    url = f"sqlite:///{work / 'bench.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FOLIO_DATABASE_URL": url, "FOLIO_SECRET": SECRET,
           "FOLIO_PORT": str(port), "FOLIO_LOG_LEVEL": "warning", "FOLIO_ACCESS_LOG": "0",
           "FOLIO_PUBLIC_URL": base}
    server = subprocess.Popen([str(BIN / "folio"), "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        os.environ["FOLIO_SECRET"] = SECRET
        _, invoice_id, hosted_url = seed(url, base)
        folio, folio_pages = folio_rate(url, invoice_id, args.n, cached=False)
        cached, _ = folio_rate(url, invoice_id, args.n, cached=True)
        chromium, chromium_pages = chromium_rate(hosted_url, args.n)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    ratio = folio / chromium
    per_document = (folio / folio_pages) / (chromium / chromium_pages)
    print(f"PDF of a 20-line invoice, {args.n} documents each (2-core figures vary with load)")
    print(f"  Folio (typst, no cache)   {folio:8.1f} pages/s  ({folio_pages} page(s) per PDF)")
    print(f"  Folio (cached PDF)        {cached:8.1f} pages/s")
    print(f"  Chromium (page.pdf())     {chromium:8.1f} pages/s  ({chromium_pages} page(s) "
          "per PDF)")
    verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
    print(f"  ratio Folio / Chromium    {ratio:8.2f}x per page  (target >= {TARGET:.0f}x: "
          f"{verdict}); {per_document:.1f}x per document")


if __name__ == "__main__":
    main()
