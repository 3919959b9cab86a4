"""Faces are enabled per configuration and one of them can also be served at `/`."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from folio.api.app import create_app
from folio.config import Settings, _faces
from folio.db.engine import Database
from tests.conftest import Tenant


def test_disabled_faces_are_not_served(settings: Settings, db: Database,
                                       tenant: Tenant) -> None:
    app = create_app(dataclasses.replace(settings, faces=("commet",)), db)
    with TestClient(app) as client:
        key = tenant.keys.test_key
        assert client.get("/compat/commet/invoices", headers={"x-api-key": key}).status_code \
            == 200
        r = client.get("/compat/dollr/v1/invoices/list", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "route_not_found"


def test_a_face_at_the_root(settings: Settings, db: Database, tenant: Tenant) -> None:
    app = create_app(dataclasses.replace(settings, root_face="dollr"), db)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {tenant.keys.test_key}"}
        assert client.get("/v1/invoices/list", headers=headers).json() == []
        # Folio's own routes still win over the face mounted at the root
        assert client.get("/v1/invoices", headers=headers).json()["object"] == "list"
        assert client.get("/compat/dollr/v1/invoices/list", headers=headers).status_code == 200


def test_unknown_face_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown faces"):
        _faces("commet,nope")
