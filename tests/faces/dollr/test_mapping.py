"""Dollr's mappings: statuses, money in major units as exact JSON numbers."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from folio.domain.money import to_major
from folio.faces.dollr import mapping as m


def test_every_folio_status_has_a_dollr_status() -> None:
    assert m.STATUS == {"draft": "IDLE", "open": "ACTIVE", "uncollectible": "ACTIVE",
                        "paid": "PAID", "void": "CANCELED"}
    for dollr, folio in m.STATUS_FILTER.items():
        assert all(m.STATUS[f] == dollr for f in folio)
    assert m.STATUS_FILTER["PROCESSING"] == ()


@given(st.integers(min_value=0, max_value=10**15 - 1),
       st.sampled_from(["JPY", "USD", "KWD", "CLF"]))
def test_money_json_text_is_the_exact_decimal(amount: int, currency: str) -> None:
    text = json.dumps(m.money(amount, currency))
    assert Decimal(text) == to_major(amount, currency)
    assert m.minor(Decimal(text), currency) == amount


def test_phone_out() -> None:
    assert m.phone_out("+231 770 000 001") == "231770000001"
    assert m.phone_out("12345") is None
    assert m.phone_out("call me") is None
    assert m.phone_out(None) is None
