"""E-mail settings through the account (SMTP server, reminder days), per-invoice reminder
days, and an invoice's deliveries read through the API; a whole send through the API to a
real SMTP listener."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import Account
from folio.mail.smtp import smtp_config
from folio.services.sealing import SealBroken
from folio.worker import email_jobs
from folio.worker.registry import Registry
from folio.worker.runner import Worker
from tests.conftest import Tenant
from tests.integration.smtp_listener import SmtpListener, smtp_listener

__all__ = ["smtp_listener"]  # the fixture, used by name

SMTP = {"host": "smtp.example.com", "port": 2525, "tls": "starttls", "username": "mailer",
        "password": "s3cret-Pa55", "from_email": "billing@me.example", "from_name": "Me"}


def sent_invoice(tenant: Tenant, email: str, **extra: object) -> dict:  # type: ignore[type-arg]
    customer = tenant.ok("POST", "/v1/customers", {
        "name": "Buyer", "email": email,
        "contacts": [{"name": "AP", "email": f"ap.{email}", "roles": ["billing"]}]})
    invoice = tenant.ok("POST", "/v1/invoices", {
        "customer": customer["id"], "currency": "eur", "collection_method": "send_invoice",
        "days_until_due": 30, "lines": [{"description": "Work", "unit_amount": 5000}],
        **extra})
    return tenant.ok("POST", f"/v1/invoices/{invoice['id']}/send")


class TestSmtpSettings:
    def test_the_password_is_never_returned(self, tenant: Tenant) -> None:
        response = tenant.post("/v1/account", {"smtp": SMTP})
        assert response.status_code == 200, response.text
        assert response.json()["smtp"] == {
            "host": "smtp.example.com", "port": 2525, "tls": "starttls",
            "username": "mailer", "password_set": True, "from_email": "billing@me.example",
            "from_name": "Me"}
        assert "s3cret" not in response.text
        read = tenant.get("/v1/account")
        assert "s3cret" not in read.text
        assert read.json()["smtp"]["password_set"] is True
        events = tenant.get("/v1/events", type="account.updated")
        assert "s3cret" not in events.text

    def test_the_password_is_sealed_at_rest_and_opened_for_sending(
            self, tenant: Tenant, db: Database, settings: Settings) -> None:
        tenant.ok("POST", "/v1/account", {"smtp": SMTP})
        with db.transaction(write=False) as session:
            account = session.get(Account, tenant.keys.account.id)
            assert account is not None
            stored = account.smtp_password
            assert stored is not None
            assert stored.startswith("sealed:v1:")
            assert "s3cret" not in stored
            config = smtp_config(account, settings)
            rotated = Settings(**{**settings.__dict__, "secret": "a-new-server-secret"})
            with pytest.raises(SealBroken):  # the worker fails the delivery, saying why
                smtp_config(account, rotated)
        assert config is not None
        assert config.password == "s3cret-Pa55"

    def test_an_omitted_password_is_kept_and_null_removes_the_server(
            self, tenant: Tenant) -> None:
        tenant.ok("POST", "/v1/account", {"smtp": SMTP})
        without = {k: v for k, v in SMTP.items() if k != "password"}
        changed = tenant.ok("POST", "/v1/account", {"smtp": {**without, "port": 587}})
        assert (changed["smtp"]["port"], changed["smtp"]["password_set"]) == (587, True)
        cleared = tenant.ok("POST", "/v1/account", {"smtp": {**without, "password": None}})
        assert cleared["smtp"]["password_set"] is False
        assert tenant.ok("POST", "/v1/account", {"smtp": None})["smtp"] is None

    def test_bad_settings_are_refused_and_change_nothing(self, tenant: Tenant) -> None:
        for smtp in ({**SMTP, "tls": "ssl3"}, {**SMTP, "port": 70000},
                     {**SMTP, "host": "bad host"}, {**SMTP, "from_email": "nope"},
                     {"port": 25}):
            response = tenant.post("/v1/account", {"smtp": smtp})
            assert response.status_code in (400, 422), response.text
            assert "error" in response.json()
        assert tenant.ok("GET", "/v1/account")["smtp"] is None


class TestReminderOffsets:
    def test_the_default_is_dolfins_and_an_account_sets_its_own(self, tenant: Tenant) -> None:
        assert tenant.ok("GET", "/v1/account")["reminder_offsets"] == [-7, -2, 0, 2, 7]
        account = tenant.ok("POST", "/v1/account", {"reminder_offsets": [3, -3, 3, 0]})
        assert account["reminder_offsets"] == [-3, 0, 3]
        assert tenant.ok("POST", "/v1/account", {"reminder_offsets": []})[
            "reminder_offsets"] == []
        for bad in ([400], list(range(11)), ["soon"]):
            response = tenant.post("/v1/account", {"reminder_offsets": bad})
            assert response.status_code in (400, 422), response.text

    def test_an_invoice_has_its_own_and_its_deliveries_list_them(
            self, tenant: Tenant, other_tenant: Tenant) -> None:
        invoice = sent_invoice(tenant, "own@buyer.example", reminder_offsets=[-1, 1])
        listed = tenant.ok("GET", f"/v1/invoices/{invoice['id']}/deliveries")
        rows = sorted((d["kind"], d["offset_days"], d["status"]) for d in listed["data"])
        assert rows == [("invoice", None, "scheduled"), ("reminder", -1, "scheduled"),
                        ("reminder", 1, "scheduled")]
        (sent,) = [d for d in listed["data"] if d["kind"] == "invoice"]
        assert sent["recipients"] == ["ap.own@buyer.example"]
        assert other_tenant.get(f"/v1/invoices/{invoice['id']}/deliveries").status_code == 404
        assert tenant.get(f"/v1/invoices/{invoice['id']}/deliveries",
                          live=True).status_code == 404


class TestSendIsIdempotent:
    def test_a_replayed_send_request_records_no_second_delivery(self, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {"name": "B", "email": "b@b.example"})
        invoice = tenant.ok("POST", "/v1/invoices", {
            "customer": customer["id"], "currency": "eur",
            "collection_method": "send_invoice", "days_until_due": 30,
            "lines": [{"description": "Work", "unit_amount": 5000}]})
        path = f"/v1/invoices/{invoice['id']}/send"
        first = tenant.post(path, **{"Idempotency-Key": "send-once"})
        again = tenant.post(path, **{"Idempotency-Key": "send-once"})
        assert first.status_code == again.status_code == 200
        listed = tenant.ok("GET", f"/v1/invoices/{invoice['id']}/deliveries")
        assert [d["kind"] for d in listed["data"]].count("invoice") == 1


class TestSendThroughTheApi:
    def test_send_then_the_worker_delivers_and_the_feed_says_so(
            self, tenant: Tenant, db: Database, settings: Settings,
            smtp_listener: SmtpListener, client: TestClient) -> None:
        tenant.ok("POST", "/v1/account", {"smtp": {
            "host": smtp_listener.host, "port": smtp_listener.port, "tls": "none",
            "from_email": "billing@me.example"}})
        invoice = sent_invoice(tenant, "api@buyer.example")
        registry = Registry()
        email_jobs.register(registry)
        # the API ran on the system clock; the worker reads the same clock
        Worker(db=db, settings=settings, registry=registry,
               clock=lambda: int(time.time())).tick()
        (message,) = smtp_listener.to("ap.api@buyer.example")
        body = message.get_body(("plain",))
        assert body is not None
        assert invoice["hosted_invoice_url"] in body.get_content()
        listed = tenant.ok("GET", f"/v1/invoices/{invoice['id']}/deliveries")
        (sent,) = [d for d in listed["data"] if d["kind"] == "invoice"]
        assert (sent["status"], sent["message_id"]) == ("sent", message["Message-ID"])
        events = tenant.ok("GET", "/v1/events?type=invoice.email_sent")
        assert [e["data"]["object"]["id"] for e in events["data"]] == [sent["id"]]
