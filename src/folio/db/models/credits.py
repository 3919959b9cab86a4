"""The customer credit balance: grants of credit and their applications to invoices."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.catalog import Customer
from folio.db.models.invoices import Invoice


class CreditGrant(TenantOwned, Base):
    """Credit granted to a customer in one currency. `remaining` is the part neither
    applied to invoices nor revoked; applied history lives in credit_applications."""

    __tablename__ = "credit_grants"
    __table_args__ = (
        # the usable grants of a customer in a currency, oldest first (finalize)
        Index("ix_credit_grants_balance", "customer_id", "currency", "created", "id"),
        # a customer's grants, newest first (lists)
        Index("ix_credit_grants_customer_list", "customer_id", "id"),
    )
    id_prefix = "ccg"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(500))
    expires_at: Mapped[int | None] = mapped_column(BigInteger)
    # the invoice whose negative total became this credit (none for a granted credit)
    source_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"),
                                                          index=True)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_amount: Mapped[int] = mapped_column(BigInteger, default=0)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    source_invoice: Mapped[Invoice | None] = relationship(lazy="joined")
    applications: Mapped[list[CreditApplication]] = relationship(
        back_populates="grant", order_by="CreditApplication.id", lazy="selectin")


class CreditApplication(TenantOwned, Base):
    """`amount` of one grant applied to one invoice at its finalization."""

    __tablename__ = "credit_applications"
    __table_args__ = (UniqueConstraint("grant_id", "invoice_id"),)
    id_prefix = "cca"

    # (grant_id, invoice_id) is unique: one application per grant and invoice, and the
    # unique index also serves lookups by grant
    grant_id: Mapped[int] = mapped_column(ForeignKey("credit_grants.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[CreditGrant] = relationship(back_populates="applications")
    invoice: Mapped[Invoice] = relationship(lazy="joined", innerjoin=True)
