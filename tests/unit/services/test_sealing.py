"""Sealed secrets: what goes in comes out under the same secret and owner, and nothing
else opens it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from folio.services.sealing import PREFIX, SealBroken, Sealer, smtp_password_sealer

SEALER = smtp_password_sealer("server-secret")


@given(st.text(max_size=255), st.text(min_size=1, max_size=40))
def test_a_sealed_value_opens_to_itself_and_never_shows_it(plaintext: str, owner: str) -> None:
    sealed = SEALER.seal(plaintext, owner)
    assert sealed.startswith(PREFIX)
    assert SEALER.open(sealed, owner) == plaintext
    if len(plaintext) >= 4:
        assert plaintext not in sealed
    assert len(sealed) <= 512 or len(plaintext.encode()) > 255  # fits the column


def test_sealing_twice_gives_different_values() -> None:
    assert SEALER.seal("p", "acct") != SEALER.seal("p", "acct")


@pytest.mark.parametrize("other", [
    smtp_password_sealer("another-secret"),   # the server secret was changed
    Sealer("server-secret", "another-purpose"),
])
def test_another_key_cannot_open_it(other: Sealer) -> None:
    with pytest.raises(SealBroken):
        other.open(SEALER.seal("s3cret", "acct"), "acct")


def test_a_value_copied_to_another_owner_does_not_open() -> None:
    with pytest.raises(SealBroken):
        SEALER.open(SEALER.seal("s3cret", "acct-a"), "acct-b")


@pytest.mark.parametrize("mangle", [
    lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1],
    lambda s: s[:20],
    lambda s: s + "!!",
])
def test_an_altered_value_does_not_open(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SealBroken):
        SEALER.open(mangle(SEALER.seal("s3cret", "acct")), "acct")


def test_a_value_stored_before_sealing_is_read_as_it_is() -> None:
    assert SEALER.open("legacy-password", "acct") == "legacy-password"
