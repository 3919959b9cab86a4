"""The acting account's own settings: its seller details on documents and whether it
requires e-invoicing. Identifiers are validated (python-stdnum) and stored compact."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from stdnum import bic, get_cc_module, iban, vatin
from stdnum.exceptions import ValidationError as StdnumError

from folio.db.models import Account
from folio.documents.logo import logo_media_type
from folio.documents.pdf import check_logo
from folio.domain.dunning import check_retry_days
from folio.domain.errors import InvalidInput
from folio.services import events, mail_settings
from folio.services.context import Ctx
from folio.services.inputs.account import LOGO_MAX_BYTES, AccountUpdate
from folio.services.inputs.common import merge_metadata, provided
from folio.services.views import account_view

# None leaves these unchanged
_UNSETTABLE = ("name", "einvoice_required", "dunning_final_action",
               "subscription_dunning_action")


def _compact(value: str) -> str:
    return "".join(ch for ch in value if ch not in " .-/").upper()


def validate_vat_id(value: str, country: str | None, param: str = "vat_id") -> str:
    """A VAT identifier with its country prefix (EN 16931 BR-CO-09; Greece uses EL),
    checked with python-stdnum where it knows the country."""
    compact = _compact(value)
    if not compact[:2].isalpha():
        if not country:
            raise InvalidInput("A VAT id needs its country prefix (e.g. DE136695976), or "
                               "the account's address country.", param=param,
                               code="vat_id_invalid")
        compact = ("EL" if country.upper() == "GR" else country.upper()) + compact
    prefix = compact[:2]
    if get_cc_module("gr" if prefix == "EL" else prefix.lower(), "vat") is None:
        return compact  # a country python-stdnum does not know: kept as given
    try:
        return str(vatin.validate(compact))
    except StdnumError:
        raise InvalidInput(f"'{value}' is not a valid VAT id.", param=param,
                           code="vat_id_invalid") from None


def _iban(value: str) -> str:
    try:
        return str(iban.validate(value))
    except StdnumError:
        raise InvalidInput(f"'{value}' is not a valid IBAN.", param="iban",
                           code="iban_invalid") from None


def _bic(value: str) -> str:
    try:
        return str(bic.validate(value))
    except StdnumError:
        raise InvalidInput(f"'{value}' is not a valid BIC.", param="bic",
                           code="bic_invalid") from None


def _address(data: AccountUpdate) -> dict[str, Any] | None:
    address = data.address.model_dump(exclude_none=True) if data.address else None
    if address and address.get("country"):
        address["country"] = address["country"].upper()
    return address or None


def _logo(text: str) -> tuple[bytes, str]:
    """A base64 logo: decoded, at most LOGO_MAX_BYTES, a PNG or SVG typst can draw."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("logo must be base64 (a PNG or SVG image).", param="logo",
                           code="logo_invalid") from None
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidInput(f"The logo is larger than {LOGO_MAX_BYTES // 1024} KiB.",
                           param="logo", code="logo_too_large")
    media_type = logo_media_type(data)
    check_logo(data, media_type)
    return data, media_type


def _branding(changes: dict[str, Any]) -> None:
    if "logo" in changes:
        logo = changes.pop("logo")
        changes["logo"], changes["logo_media_type"] = _logo(logo) if logo else (None, None)
    if changes.get("brand_color"):
        changes["brand_color"] = changes["brand_color"].lower()


def update_account(ctx: Ctx, data: AccountUpdate, *, secret: str | None = None) -> Account:
    """`secret` (the server secret) is needed only to set an SMTP password (sealed)."""
    account = ctx.account
    changes = provided(data)
    _branding(changes)
    if "address" in changes:
        changes["address"] = _address(data)
        if changes["address"] and changes["address"].get("country"):
            changes["country"] = changes["address"]["country"]
    country = (changes.get("address") or account.address or {}).get("country") \
        or changes.get("country") or account.country
    if changes.get("vat_id"):
        changes["vat_id"] = validate_vat_id(changes["vat_id"], country)
    if changes.get("iban"):
        changes["iban"] = _iban(changes["iban"])
    if changes.get("bic"):
        changes["bic"] = _bic(changes["bic"])
    if changes.get("dunning_retry_days") is not None:
        changes["dunning_retry_days"] = check_retry_days(changes["dunning_retry_days"])
    mail_settings.apply(account, changes, data, secret)
    if "metadata" in changes:
        account.metadata_ = merge_metadata(account.metadata_, changes.pop("metadata"))
    for key, value in changes.items():
        if value is None and key in _UNSETTABLE:
            continue
        setattr(account, key, value)
    ctx.session.flush()
    events.record(ctx, "account.updated", account_view(account, ctx.livemode))
    return account
