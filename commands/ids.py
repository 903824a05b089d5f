"""Callback, action and block ids, shared by handlers, views and tests."""

SEATS_ENTRY = "seats_entry"
SEATS_REVIEW = "seats_review"
SEATS_DONE = "seats_done"

COUNT_BLOCK, COUNT_ACTION = "count", "count_value"
PRODUCT_BLOCK, PRODUCT_ACTION = "product", "product_value"
OFFICE_BLOCK, OFFICE_ACTION = "office", "office_value"

OPEN_BUY = "open_buy"
OPEN_RESTORE = "open_restore"
OPEN_REMOVE = "open_remove"

SUBSCRIPTION_ENTRY = "subscription_entry"
SUBSCRIPTION_REVIEW = "subscription_review"
INTERVAL_BLOCK, INTERVAL_ACTION = "interval", "interval_value"
START_BLOCK, START_ACTION = "start", "start_value"  # during the trial: at its end, or now
START_AT_TRIAL_END, START_NOW = "trial_end", "now"
POOL_SEATS_PREFIX = "pool_seats_"  # then the pool's index in the modal's metadata


def pool_seats_block(index: int) -> str:
    return f"{POOL_SEATS_PREFIX}{index}"


PEOPLE_ENTRY = "people_entry"
USER_BLOCK, USER_ACTION = "user", "user_value"

# buttons on notices; each actions block's id names what it acts on
NOTICE_RESTORE = "notice_restore"
NOTICE_REACTIVATE = "notice_reactivate"
NOTICE_SUBSCRIBE = "notice_subscribe"
RESTORE_BLOCK_PREFIX = "restore_"  # then the pool's index on the notice
REACTIVATE_BLOCK = "reactivate"
SUBSCRIBE_BLOCK = "subscribe"
ENDED_BLOCK = "ended"  # in place of the buttons, once the period they acted on has closed

# payments: a failed charge's buttons, and the link to the provider's card page (a URL
# button, which Slack reports as an action too)
NOTICE_UPDATE_CARD = "notice_update_card"
NOTICE_RETRY_PAYMENT = "notice_retry_payment"
CARD_PAGE = "card_page"
PAYMENT_BLOCK_PREFIX = "payment_"  # then the invoice number


def payment_block(invoice: int) -> str:
    return f"{PAYMENT_BLOCK_PREFIX}{invoice}"


# the billing contact: the button that opens its modal, the modal, and its fields
OPEN_BILLING_CONTACT = "open_billing_contact"
BILLING_CONTACT = "billing_contact"
COMPANY_BLOCK, COMPANY_ACTION = "company", "company_value"
EMAIL_BLOCK, EMAIL_ACTION = "email", "email_value"
ADDRESS_BLOCK, ADDRESS_ACTION = "address", "address_value"
VAT_BLOCK, VAT_ACTION = "vat_id", "vat_id_value"
CONTACT_FIELDS = {
    "company": (COMPANY_BLOCK, COMPANY_ACTION),
    "email": (EMAIL_BLOCK, EMAIL_ACTION),
    "address": (ADDRESS_BLOCK, ADDRESS_ACTION),
    "vat_id": (VAT_BLOCK, VAT_ACTION),
}
