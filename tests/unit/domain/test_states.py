"""Unit and property tests for folio.domain.states."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.errors import DomainError, InvalidState
from folio.domain.states import (
    CREDIT_NOTE_TRANSITIONS,
    FINAL_INVOICE_STATUSES,
    INVOICE_TRANSITIONS,
    CreditNoteAction,
    CreditNoteStatus,
    InvoiceAction,
    InvoiceStatus,
    PaymentState,
    can,
    next_credit_note_status,
    next_invoice_status,
    payment_state,
)

SETTINGS = settings(max_examples=200, deadline=None)

ALL_PAIRS = list(itertools.product(InvoiceStatus, InvoiceAction))
ALLOWED = [pair for pair in ALL_PAIRS if pair in INVOICE_TRANSITIONS]
REFUSED = [pair for pair in ALL_PAIRS if pair not in INVOICE_TRANSITIONS]


def _id(pair: tuple[InvoiceStatus, InvoiceAction]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


# --------------------------------------------------------------------------- invoice machine


def test_transition_table_is_exactly_the_documented_one() -> None:
    S, A = InvoiceStatus, InvoiceAction  # noqa: N806
    assert INVOICE_TRANSITIONS == {
        (S.DRAFT, A.FINALIZE): S.OPEN,
        (S.DRAFT, A.VOID_DRAFT): S.VOID,
        (S.OPEN, A.PAY): S.PAID,
        (S.OPEN, A.VOID): S.VOID,
        (S.OPEN, A.MARK_UNCOLLECTIBLE): S.UNCOLLECTIBLE,
        (S.UNCOLLECTIBLE, A.PAY): S.PAID,
        (S.UNCOLLECTIBLE, A.VOID): S.VOID,
    }
    assert len(ALL_PAIRS) == 25
    assert len(ALLOWED) == 7
    assert len(REFUSED) == 18


@pytest.mark.parametrize("pair", ALLOWED, ids=_id)
def test_allowed_transitions(pair: tuple[InvoiceStatus, InvoiceAction]) -> None:
    status, action = pair
    assert can(status, action) is True
    assert next_invoice_status(status, action) is INVOICE_TRANSITIONS[pair]


@pytest.mark.parametrize("pair", REFUSED, ids=_id)
def test_refused_transitions_raise_invalid_state(
    pair: tuple[InvoiceStatus, InvoiceAction],
) -> None:
    status, action = pair
    assert can(status, action) is False
    with pytest.raises(InvalidState) as exc:
        next_invoice_status(status, action)
    err = exc.value
    assert isinstance(err, DomainError)
    assert err.code.startswith("invoice_not_")
    assert status.value in err.message
    assert action.value.replace("_", " ") in err.message
    # the code names the statuses the action *is* allowed from
    sources = sorted(s.value for (s, a) in INVOICE_TRANSITIONS if a is action)
    assert err.code == "invoice_not_" + "_or_".join(sources)
    assert status.value not in sources


@pytest.mark.parametrize(
    ("status", "action", "code", "message"),
    [
        (InvoiceStatus.OPEN, InvoiceAction.FINALIZE, "invoice_not_draft",
         "Cannot finalize an invoice that is open."),
        (InvoiceStatus.DRAFT, InvoiceAction.PAY, "invoice_not_open_or_uncollectible",
         "Cannot pay an invoice that is draft."),
        (InvoiceStatus.PAID, InvoiceAction.VOID, "invoice_not_open_or_uncollectible",
         "Cannot void an invoice that is paid."),
        (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.MARK_UNCOLLECTIBLE, "invoice_not_open",
         "Cannot mark uncollectible an invoice that is uncollectible."),
        (InvoiceStatus.DRAFT, InvoiceAction.VOID, "invoice_not_open_or_uncollectible",
         "Cannot void an invoice that is draft."),
    ],
)
def test_refused_transition_codes_and_messages(
    status: InvoiceStatus, action: InvoiceAction, code: str, message: str
) -> None:
    with pytest.raises(InvalidState) as exc:
        next_invoice_status(status, action)
    assert exc.value.code == code
    assert exc.value.message == message
    assert str(exc.value) == message


@pytest.mark.parametrize("status", sorted(FINAL_INVOICE_STATUSES, key=lambda s: s.value))
def test_final_statuses_have_no_outgoing_transitions(status: InvoiceStatus) -> None:
    assert not any(s is status for (s, _a) in INVOICE_TRANSITIONS)
    for action in InvoiceAction:
        assert not can(status, action)
        with pytest.raises(InvalidState):
            next_invoice_status(status, action)


def test_final_statuses_are_paid_and_void() -> None:
    assert frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}) == FINAL_INVOICE_STATUSES


def test_non_final_statuses_can_move_and_every_status_is_reachable() -> None:
    for status in InvoiceStatus:
        if status not in FINAL_INVOICE_STATUSES:
            assert any(s is status for (s, _a) in INVOICE_TRANSITIONS)
    reachable = {InvoiceStatus.DRAFT}
    frontier = [InvoiceStatus.DRAFT]
    while frontier:
        current = frontier.pop()
        for (s, _a), target in INVOICE_TRANSITIONS.items():
            if s is current and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(InvoiceStatus)


def test_nothing_returns_to_draft() -> None:
    assert InvoiceStatus.DRAFT not in INVOICE_TRANSITIONS.values()


def test_enum_values_are_stable() -> None:
    assert [s.value for s in InvoiceStatus] == ["draft", "open", "paid", "void", "uncollectible"]
    assert [a.value for a in InvoiceAction] == ["finalize", "pay", "void", "mark_uncollectible",
                                               "void_draft"]
    assert [p.value for p in PaymentState] == ["unpaid", "partially_paid", "paid", "credited"]
    assert [c.value for c in CreditNoteStatus] == ["issued", "void", "draft"]


@SETTINGS
@given(actions=st.lists(st.sampled_from(InvoiceAction), max_size=12))
def test_random_action_sequences_follow_the_table(actions: list[InvoiceAction]) -> None:
    status = InvoiceStatus.DRAFT
    for action in actions:
        if can(status, action):
            new = next_invoice_status(status, action)
            assert new is INVOICE_TRANSITIONS[(status, action)]
            assert new is not status
            status = new
        else:
            with pytest.raises(InvalidState):
                next_invoice_status(status, action)
    if status in FINAL_INVOICE_STATUSES:
        assert not any(can(status, a) for a in InvoiceAction)


# --------------------------------------------------------------------------- payment state


@pytest.mark.parametrize(
    ("total", "paid", "credited", "expected"),
    [
        (1000, 0, 0, PaymentState.UNPAID),
        (1000, 1, 0, PaymentState.PARTIALLY_PAID),
        (1000, 0, 1, PaymentState.PARTIALLY_PAID),
        (1000, 500, 499, PaymentState.PARTIALLY_PAID),
        (1000, 999, 0, PaymentState.PARTIALLY_PAID),
        (1000, 1000, 0, PaymentState.PAID),
        (1000, 500, 500, PaymentState.PAID),
        (1000, 1, 999, PaymentState.PAID),
        (1000, 1500, 0, PaymentState.PAID),  # overpaid
        (1000, 0, 1000, PaymentState.CREDITED),
        (1000, 0, 1200, PaymentState.CREDITED),
        (0, 0, 0, PaymentState.PAID),  # nothing to pay
        (0, 100, 0, PaymentState.PAID),
        (0, 0, 100, PaymentState.PAID),
    ],
)
def test_payment_state_examples(
    total: int, paid: int, credited: int, expected: PaymentState
) -> None:
    assert payment_state(total, paid, credited) is expected


nonneg = st.integers(min_value=0, max_value=10**12)


@SETTINGS
@given(total=nonneg, paid=nonneg, credited=nonneg)
def test_payment_state_properties(total: int, paid: int, credited: int) -> None:
    state = payment_state(total, paid, credited)
    settled = paid + credited >= total
    if state is PaymentState.UNPAID:
        assert paid == 0
        assert credited == 0
        assert total > 0
    elif state is PaymentState.PARTIALLY_PAID:
        assert paid + credited > 0
        assert not settled
    elif state is PaymentState.CREDITED:
        assert settled
        assert paid == 0
        assert credited > 0
        assert total > 0
    else:
        assert state is PaymentState.PAID
        assert settled
        assert paid > 0 or total == 0
    # settled invoices are exactly the PAID / CREDITED ones
    assert settled == (state in {PaymentState.PAID, PaymentState.CREDITED})


@SETTINGS
@given(total=st.integers(min_value=1, max_value=10**12), data=st.data())
def test_paying_in_instalments_moves_forward(total: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(min_value=1, max_value=total))
    before = payment_state(total, 0, 0)
    middle = payment_state(total, first, 0)
    after = payment_state(total, total, 0)
    assert before is PaymentState.UNPAID
    assert middle is (PaymentState.PAID if first == total else PaymentState.PARTIALLY_PAID)
    assert after is PaymentState.PAID


# --------------------------------------------------------------------------- credit notes


def test_credit_note_issued_can_be_voided() -> None:
    assert next_credit_note_status(CreditNoteStatus.ISSUED) is CreditNoteStatus.VOID
    assert CREDIT_NOTE_TRANSITIONS == {
        (CreditNoteStatus.DRAFT, CreditNoteAction.ISSUE): CreditNoteStatus.ISSUED,
        (CreditNoteStatus.ISSUED, CreditNoteAction.VOID): CreditNoteStatus.VOID,
    }


def test_credit_note_draft_is_issued_then_voidable() -> None:
    issued = next_credit_note_status(CreditNoteStatus.DRAFT, CreditNoteAction.ISSUE)
    assert issued is CreditNoteStatus.ISSUED
    assert next_credit_note_status(issued) is CreditNoteStatus.VOID
    with pytest.raises(InvalidState) as exc:
        next_credit_note_status(CreditNoteStatus.DRAFT)
    assert exc.value.code == "credit_note_not_issued"
    with pytest.raises(InvalidState) as exc:
        next_credit_note_status(CreditNoteStatus.ISSUED, CreditNoteAction.ISSUE)
    assert exc.value.code == "credit_note_not_draft"


def test_a_draft_invoice_is_voided_only_by_void_draft() -> None:
    assert next_invoice_status(InvoiceStatus.DRAFT, InvoiceAction.VOID_DRAFT) \
        is InvoiceStatus.VOID
    assert not can(InvoiceStatus.DRAFT, InvoiceAction.VOID)
    assert not can(InvoiceStatus.OPEN, InvoiceAction.VOID_DRAFT)


def test_credit_note_void_is_final() -> None:
    with pytest.raises(InvalidState) as exc:
        next_credit_note_status(CreditNoteStatus.VOID)
    assert exc.value.code == "credit_note_void"
    assert "void" in exc.value.message
