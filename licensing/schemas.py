"""Read models the service returns: plain, immutable, serialisable to JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from licensing.calendar import Interval
from licensing.model import Status

SYSTEM_ACTOR = "licensebot"  # the actor of what licensebot does by itself (period ends, notices)


class ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class AccountKey(ReadModel):
    """Which Slack installation an account belongs to: a workspace (with its Enterprise Grid
    org, if any), or a whole org when licensebot was installed org-wide; then `team_id` is
    the org's id too."""

    team_id: str
    enterprise_id: str = ""

    @classmethod
    def of_installation(
        cls, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> AccountKey:
        if org_wide and enterprise_id:
            return cls(team_id=enterprise_id, enterprise_id=enterprise_id)
        return cls(team_id=team_id or "", enterprise_id=enterprise_id or "")

    @property
    def org_wide(self) -> bool:
        return bool(self.enterprise_id) and self.team_id == self.enterprise_id


class Actor(ReadModel):
    """Who asks. `workspace_admin` is what Slack says of the user (owner or admin) where
    licensebot is installed; `external`, a user of another organisation in a shared channel,
    who is a member at most, whatever roles name them."""

    user_id: str
    workspace_admin: bool = False
    external: bool = False


class SeatCounts(ReadModel):
    purchased: int
    scheduled_for_removal: int
    assigned: int
    available: int


class PoolSummary(ReadModel):
    office: str
    product_id: str
    product_name: str
    seats: SeatCounts
    unit_price: Decimal
    idle_cost: Decimal  # what the unassigned seats cost each period


class SubscriptionSummary(ReadModel):
    status: Status
    interval: Interval
    next_interval: Interval | None = None  # billed so from the next period on
    period_start: datetime
    period_end: datetime | None
    trial_end: datetime | None
    time_zone: str


class OfficeChoices(ReadModel):
    """The account's offices, oldest first, and `default`, where a request of this actor that
    names no office goes (None when the account has no office)."""

    names: list[str]
    default: str | None


class HeldSeat(ReadModel):
    office: str
    product_id: str
    product_name: str


class PaymentView(ReadModel):
    """An invoice's collection: `state` is due (to be charged, or retried after a failure),
    paid, failed (the retries ran out) or void."""

    invoice_id: int
    amount: Decimal
    currency: str
    state: str
    failures: int
    next_attempt_at: datetime | None = None
    reason: str | None = None
    hosted_url: str | None = None
    time_zone: str = "UTC"


class ContactView(ReadModel):
    """Who invoices name, as entered; empty fields where nothing was entered yet."""

    company: str = ""
    email: str = ""
    address: str = ""
    vat_id: str = ""
    one_line: str | None = None  # the billing details, however they were entered


class BillingStanding(ReadModel):
    """What a company admin sees of payments where invoices are collected."""

    card: str | None  # "visa ending 4242, expires 12/2030"
    owed: Decimal  # invoices whose charge failed and are not paid
    unpaid: list[PaymentView]
    past_due_since: datetime | None
    retry_days: list[int] = []  # after the first failure, when a charge is tried again


class AccountStatus(ReadModel):
    team_id: str
    currency: str
    subscription: SubscriptionSummary
    offices: list[str]
    pools: list[PoolSummary]  # empty for members
    next_invoice_estimate: Decimal | None  # None for members
    your_seats: list[HeldSeat]
    notice_channel: str | None
    notice_lead_days: int  # reminders go out this many days before a period ends
    is_company_admin: bool
    admin_of_offices: list[str]
    billing: BillingStanding | None = None  # company admins, where invoices are collected
    contact: ContactView | None = None  # company admins


class PurchaseQuote(ReadModel):
    office: str
    product_id: str
    product_name: str
    requested: int
    restored: int
    charged_seats: int
    amount: Decimal
    currency: str
    covers_start: datetime
    covers_end: datetime
    priced_at: datetime
    free_trial: bool
    pool_after: SeatCounts
    next_invoice_estimate: Decimal
    time_zone: str  # the account's, to show the times in
    assigned_user: str | None = None  # who is assigned one of the seats in the same step
    period_start: datetime | None = None  # of the period the charge is a share of
    by_days: bool = False  # prorated by whole days (else by the second)
    invoice_id: int | None = None


class SeatChange(ReadModel):
    """A removal or a restore: no money moves."""

    office: str
    product_id: str
    product_name: str
    count: int
    takes_effect: datetime  # the period end for a scheduled removal; now otherwise
    immediate: bool
    pool_after: SeatCounts
    next_invoice_estimate: Decimal
    currency: str
    time_zone: str
    assigned_user: str | None = None  # who is assigned one of the seats in the same step


class AssignmentChange(ReadModel):
    user_id: str
    office: str
    product_id: str
    product_name: str
    also_revoked: list[str]  # names of add-ons revoked with a license
    pool_after: SeatCounts


class InvoiceLineView(ReadModel):
    product_id: str
    office: str
    seats: int
    unit_price: Decimal
    amount: Decimal
    product_name: str = ""  # the catalog's display name ("" in lines stored before it was)


class InvoiceView(ReadModel):
    id: int
    kind: str
    created_at: datetime
    currency: str
    total: Decimal
    covers_start: datetime
    covers_end: datetime
    lines: list[InvoiceLineView]
    payment: PaymentView | None = None  # None where invoices are records only


class InvoiceHistory(ReadModel):
    """One page of an account's invoices, newest first: page 1 holds the latest."""

    time_zone: str
    invoices: list[InvoiceView]
    total: int  # invoices in all
    page: int
    per_page: int


class PoolTarget(ReadModel):
    """How many seats a pool should keep when a trial converts."""

    product: str
    office: str | None = None
    seats: int


class PoolHolders(ReadModel):
    office: str
    product_id: str
    product_name: str
    user_ids: list[str]
    more: bool  # the list stopped at its limit


class SubscribeQuote(ReadModel):
    interval: Interval
    period_start: datetime
    period_end: datetime
    currency: str
    lines: list[InvoiceLineView]
    total: Decimal
    time_zone: str
    priced_at: datetime | None = None  # when quoted
    # Subscribing during the free trial keeps it (`keeps_trial`): the first period starts and is
    # charged at `trial_end`; otherwise it starts now, and `trial_end` is what is given up.
    keeps_trial: bool = False
    trial_end: datetime | None = None
    invoice_id: int | None = None


class SubscriptionChange(ReadModel):
    """A cancellation or a reactivation."""

    status: Status
    ends_at: datetime | None
    next_invoice_estimate: Decimal | None
    currency: str
    time_zone: str
    next_interval: Interval | None = None  # billed so from the next period on


class RoleView(ReadModel):
    user_id: str
    role: str
    office: str | None


class LedgerView(ReadModel):
    id: int
    at: datetime
    event: str
    actor: str
    office: str | None
    product_id: str | None
    user_id: str | None
    seats: int
    amount: Decimal
    currency: str | None
    invoice_id: int | None
    detail: str
    product_name: str = ""


class AuditTrail(ReadModel):
    """One page of an account's ledger: page 1 holds the latest entries, oldest of them
    first, as the log reads."""

    time_zone: str
    entries: list[LedgerView]
    total: int  # entries in all
    page: int
    per_page: int


class RemovedSeats(ReadModel):
    office: str
    product_id: str
    seats: int
    product_name: str = ""


class PeriodClosed(ReadModel):
    """What one period end did to one account."""

    team_id: str
    enterprise_id: str
    period_end: datetime
    outcome: str  # renewed, started, canceled, ended_unpaid (past due at its end), expired
    removed: list[RemovedSeats]
    invoice: InvoiceView | None


class RemovalPool(ReadModel):
    office: str
    product_id: str
    product_name: str
    seats: int  # scheduled to leave at the period end
    purchased: int


class DataToDelete(ReadModel):
    """What a cancellation deletes at the period end (invoices and the ledger stay)."""

    offices: list[str]
    seats: int
    assigned: int
    admins: int


class NoticeFacts(ReadModel):
    """What a notice says, fixed when it is written. Which fields are set depends on `kind`."""

    kind: str
    period_end: datetime  # of the period the notice is about
    interval: str
    currency: str
    removals: list[RemovalPool] = []
    lines: list[InvoiceLineView] = []
    total: Decimal | None = None
    previous_total: Decimal | None = None  # what an earlier notice of the period said
    to_delete: DataToDelete | None = None
    closed: PeriodClosed | None = None
    # How the period the notice is about closed, once it has, for a notice whose buttons acted
    # on it: they no longer apply.
    ended: PeriodClosed | None = None
    activity: str | None = None  # the operation an activity log is about
    actor: str | None = None
    result: dict[str, Any] | None = None  # what the operation returned
    payment: PaymentFacts | None = None

    @property
    def buttons_closed(self) -> bool:
        """Whether what the notice's buttons offered is over: the period they acted on has
        closed, or the failed charge it reports has been paid or voided since."""
        settled = self.payment is not None and self.payment.state in ("paid", "void")
        return self.ended is not None or (self.kind == "payment_failed" and settled)


class PaymentFacts(ReadModel):
    """A charge's outcome, as a payment notice states it."""

    invoice_id: int
    amount: Decimal
    state: str  # due (a retry is coming), paid, failed (the retries ran out)
    failures: int
    reason: str | None = None
    next_attempt_at: datetime | None = None
    hosted_url: str | None = None
    card: str | None = None  # "visa ending 4242"
    subscription_ends_at: datetime | None = None  # when past due: the period end it ends at


class NoticeView(ReadModel):
    id: int
    team_id: str
    enterprise_id: str
    time_zone: str
    facts: NoticeFacts


class Delivery(ReadModel):
    """One claimed attempt to deliver a notice to one target (a channel, or a user's DM)."""

    id: int
    target: str
    to_user: bool
    attempts: int
    maybe_posted: bool  # an earlier attempt may have posted it: look before posting again
    first_attempt_at: datetime
    notice: NoticeView
    lane: int  # 0: prompt (a person's change, a retry), 1: bulk (the sweeps)
    due_at: datetime  # when it was due before this claim, so it can be given back unsent
    action: str = "post"  # or "close": edit the message posted at (channel, ts)
    channel: str | None = None
    ts: str | None = None
