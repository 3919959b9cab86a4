"""Client credentials and access tokens (POST /{version}/jwt/client/obtain/token), the
service behind them and the `folio accounts credentials` command."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from folio.db.engine import Database
from folio.db.models import ClientCredential
from folio.domain.errors import NotFound, Unauthenticated
from folio.services.accounts import authenticate_access_token, exchange_client_credentials
from tests.conftest import SECRET, Tenant
from tests.faces.dollr.support import BASE, Dollr, credentials

TOKEN = BASE + "/v1/jwt/client/obtain/token"
NOW = 1_900_000_000


def _token(db: Database, tenant: Tenant, now: int = NOW, live: bool = False) -> str:
    cred = credentials(db, tenant, live)
    with db.transaction(write=False) as session:
        return exchange_client_credentials(session, SECRET, cred.client_id,
                                           cred.client_secret, now).access_token


class TestService:
    def test_token_carries_account_and_mode(self, db: Database, tenant: Tenant) -> None:
        token = _token(db, tenant, live=True)
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        assert payload["livemode"] is True
        assert payload["exp"] == NOW + 3600
        with db.transaction(write=False) as session:
            principal = authenticate_access_token(session, SECRET, token, NOW + 3599)
        assert principal.account_id == tenant.keys.account.id
        assert principal.livemode

    def test_expired(self, db: Database, tenant: Tenant) -> None:
        token = _token(db, tenant)
        with db.transaction(write=False) as session, pytest.raises(Unauthenticated) as exc:
            authenticate_access_token(session, SECRET, token, NOW + 3600)
        assert exc.value.code == "access_token_expired"

    def test_tampered_or_other_secret(self, db: Database, tenant: Tenant) -> None:
        token = _token(db, tenant)
        header, payload, sig = token.split(".")
        forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
        forged["account_id"] += 1
        body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
        with db.transaction(write=False) as session:
            for bad, secret in ((f"{header}.{body}.{sig}", SECRET), (token, "other-secret"),
                                ("a.b", SECRET), (f"{header}.{payload}.", SECRET)):
                with pytest.raises(Unauthenticated):
                    authenticate_access_token(session, secret, bad, NOW)

    def test_revoked_credentials_stop_working(self, db: Database, tenant: Tenant) -> None:
        cred = credentials(db, tenant)
        with db.transaction(write=False) as session:
            token = exchange_client_credentials(session, SECRET, cred.client_id,
                                                cred.client_secret, NOW).access_token
        with db.transaction() as session:
            session.execute(update(ClientCredential).where(
                ClientCredential.client_id == cred.client_id).values(revoked=True))
        with db.transaction(write=False) as session:
            with pytest.raises(Unauthenticated):
                authenticate_access_token(session, SECRET, token, NOW)
            with pytest.raises(Unauthenticated):
                exchange_client_credentials(session, SECRET, cred.client_id,
                                            cred.client_secret, NOW)

    def test_secret_is_stored_hashed(self, db: Database, tenant: Tenant) -> None:
        cred = credentials(db, tenant)
        with db.transaction(write=False) as session:
            row = session.query(ClientCredential).filter_by(client_id=cred.client_id).one()
            assert cred.client_secret not in row.secret_hash
            assert len(row.secret_hash) == 64

    def test_unknown_account(self, db: Database) -> None:
        from folio.services.accounts import issue_client_credentials

        with db.transaction() as session, pytest.raises(NotFound):
            issue_client_credentials(session, SECRET, "acct_nope", False)


class TestEndpoint:
    def test_wrong_credentials(self, db: Database, tenant: Tenant) -> None:
        cred = credentials(db, tenant)
        for body in ({"client_id": cred.client_id, "client_secret": "wrong"},
                     {"client_id": "cli_unknown", "client_secret": cred.client_secret}):
            r = tenant.client.post(TOKEN, json=body)
            assert r.status_code == 401
            assert r.json() == {"detail": "Could not validate credentials"}

    def test_validation(self, tenant: Tenant) -> None:
        r = tenant.client.post(TOKEN, json={"client_id": "x"})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "client_secret"]
        r = tenant.client.post(BASE + "/v2/jwt/client/obtain/token",
                               json={"client_id": "x", "client_secret": "y"})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["path", "version"]

    def test_live_credentials_see_live_data_only(self, db: Database, tenant: Tenant) -> None:
        cred = credentials(db, tenant, live=True)
        token = tenant.client.post(TOKEN, json={"client_id": cred.client_id,
                                                "client_secret": cred.client_secret}).json()
        live = Dollr(tenant, token["access_token"])
        test_invoice = Dollr.with_key(tenant).invoice()
        assert live.ok("GET", "/v1/invoices/list") == []
        assert live.call("GET", f"/v1/invoices/retrieve/{test_invoice['id']}"
                         ).status_code == 404
        mine = live.invoice()
        assert Dollr.with_key(tenant, live=True).ok(
            "GET", f"/v1/invoices/retrieve/{mine['id']}")["id"] == mine["id"]

    def test_another_tenants_token(self, db: Database, tenant: Tenant,
                                   other_tenant: Tenant) -> None:
        mine = Dollr.with_key(tenant).invoice()
        theirs = Dollr(other_tenant, _token(db, other_tenant, now=2_000_000_000))
        assert theirs.call("GET", f"/v1/invoices/retrieve/{mine['id']}").status_code == 404

    def test_expired_token_is_refused(self, db: Database, tenant: Tenant) -> None:
        expired = Dollr(tenant, _token(db, tenant, now=1_000_000_000))
        r = expired.call("GET", "/v1/invoices/list")
        assert r.status_code == 401
        assert r.json() == {"detail": "Could not validate credentials"}


def test_cli_prints_credentials_once(db: Database, tenant: Tenant,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from folio.cli.main import app

    monkeypatch.setenv("FOLIO_DATABASE_URL", str(db.engine.url.render_as_string(
        hide_password=False)))
    monkeypatch.setenv("FOLIO_SECRET", SECRET)
    result = CliRunner().invoke(app, ["accounts", "credentials", "--account", tenant.id])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.splitlines() if "=" in line)
    token = tenant.client.post(TOKEN, json={"client_id": lines["client_id"],
                                            "client_secret": lines["client_secret"]})
    assert token.status_code == 200
    assert Dollr(tenant, token.json()["access_token"]).ok("GET", "/v1/parties/list") == []
    missing = CliRunner().invoke(app, ["accounts", "credentials", "--account", "acct_nope"])
    assert missing.exit_code == 1
