"""The e-mail pieces without a network: which SMTP server an account uses and the
deterministic Message-ID."""

from __future__ import annotations

from folio.config import Settings
from folio.db.models import Account
from folio.mail.compose import message_id
from folio.mail.smtp import smtp_config

BASE = Settings(database_url="sqlite://", secret="s", host="127.0.0.1", port=8000,
                log_level="info", migrate_on_start=False, access_log=False)


def account(**fields: object) -> Account:
    return Account(name="Acme", email="owner@acme.example", **fields)


class TestSmtpConfig:
    def test_nothing_configured_means_no_server(self) -> None:
        assert smtp_config(account(), BASE) is None

    def test_server_defaults_apply_to_accounts_without_their_own(self) -> None:
        settings = Settings(**{**BASE.__dict__, "smtp_host": "mail.example", "smtp_tls": "tls",
                               "smtp_from_email": "noreply@host.example"})
        config = smtp_config(account(), settings)
        assert config is not None
        assert (config.host, config.port, config.tls, config.from_email,
                config.from_name) == ("mail.example", 465, "tls", "noreply@host.example",
                                      "Acme")

    def test_the_accounts_own_server_wins(self) -> None:
        settings = Settings(**{**BASE.__dict__, "smtp_host": "mail.example"})
        config = smtp_config(account(smtp_host="smtp.acme.example", smtp_tls="starttls",
                                     smtp_username="u", smtp_password="p",
                                     smtp_from_name="Acme Billing"), settings)
        assert config is not None
        assert (config.host, config.port, config.username, config.password,
                config.from_email, config.from_name) == (
            "smtp.acme.example", 587, "u", "p", "owner@acme.example", "Acme Billing")


def test_the_message_id_depends_only_on_the_delivery_key() -> None:
    first = message_id("send:in_1:abc", "billing@acme.example")
    assert first == message_id("send:in_1:abc", "billing@acme.example")
    assert first != message_id("send:in_1:abd", "billing@acme.example")
    assert first.startswith("<")
    assert first.endswith("@acme.example>")
