"""Words shown for codes (categories, states, roles, facet names, audit actions, ...).

Templates show a code with ``label(code)``: the code's English label, translated. A value
that is not a code (a tag, a product, a year) is shown as it is, never looked up, so a user's
tag can neither be translated by accident nor be marked safe HTML by Jinja's gettext.
"""

from __future__ import annotations

from flask_babel import gettext

from docservice.errors import N_

LABELS: dict[str, str] = {
    # facet and filter names
    "category": N_("category"), "subtype": N_("subtype"), "type": N_("file type"),
    "tag": N_("tag"), "year": N_("year"), "customer": N_("customer"),
    "product": N_("product"), "status": N_("status"), "version": N_("version"),
    "industry": N_("industry"), "region": N_("region"), "stage": N_("buying stage"),
    "customertype": N_("customer type"),
    # categories and subtypes (the category "customer" shares the facet name's label)
    "contract": N_("contract"), "campaign": N_("campaign"), "other": N_("other"),
    "manual": N_("manual"), "spec": N_("spec"), "price_list": N_("price list"),
    "draft": N_("draft"), "pending_signature": N_("pending signature"), "signed": N_("signed"),
    "expired": N_("expired"), "terminated": N_("terminated"),
    "research_report": N_("research report"), "plan": N_("plan"), "summary": N_("summary"),
    # ingestion and upload states
    "stored": N_("stored"), "queued": N_("queued"), "extracting": N_("extracting"),
    "indexed": N_("indexed"), "failed": N_("failed"), "sending": N_("sending"),
    "duplicate": N_("duplicate"), "rejected": N_("rejected"),
    # scheduled runs
    "running": N_("running"), "done": N_("done"),
    # roles, visibility, permissions, document statuses
    "admin": N_("admin"), "editor": N_("editor"), "viewer": N_("viewer"),
    "visibility_private": N_("private (owner only)"), "visibility_team": N_("team"),
    "visibility_org": N_("whole organisation"), "visibility_custom": N_("named people and teams"),
    "read": N_("read"), "write": N_("write"), "active": N_("active"), "archived": N_("archived"),
    # customer types and buying stages (an installation's own stage codes show as they are)
    "prospect": N_("prospect"), "current": N_("current customer"), "churned": N_("churned"),
    "partner": N_("partner"), "first_contact": N_("first contact"),
    "qualified": N_("qualified"), "proposal": N_("proposal"), "negotiation": N_("negotiation"),
    "won": N_("won"), "lost": N_("lost"),
    "zoho": N_("Zoho CRM"), "fxiaoke": N_("Fxiaoke (纷享销客)"), "csv": N_("CSV file"),
    "overdue": N_("out of date"), "expiring_30": N_("expiring within 30 days"),
    "expiring_60": N_("expiring within 60 days"), "expiring_90": N_("expiring within 90 days"),
    "status_current": N_("current (not out of date)"),
    # audit actions
    "action_upload": N_("upload"), "action_new_version": N_("new version"),
    "action_download": N_("download"), "action_view": N_("view"),
    "action_metadata": N_("metadata change"), "action_permissions": N_("permission change"),
    "action_share_create": N_("share link created"), "action_share_open": N_("share link opened"),
    "action_share_download": N_("share link download"),
    "action_share_revoke": N_("share link revoked"), "action_login": N_("sign-in"),
    "action_login_failed": N_("failed sign-in"), "action_delete": N_("deletion"),
    "action_password_change": N_("password change"),
    "action_password_reset": N_("password reset by an admin"), "action_logout": N_("sign-out"),
    "action_share_password_failed": N_("wrong share link password"),
    "action_token_create": N_("API token created"), "action_token_revoke": N_("API token revoked"),
    "action_team_create": N_("team created"), "action_user_create": N_("user created"),
    "action_user_update": N_("user changed"), "action_customer_create": N_("customer created"),
    "action_customer_update": N_("customer changed"), "action_text": N_("text read"),
    "action_retry": N_("work retried by an admin"),
    "action_save_search": N_("search saved"),
    "action_delete_saved_search": N_("saved search deleted"),
    "action_follow": N_("follow"), "action_unfollow": N_("unfollow"),
    "action_notification_read": N_("notification read"),
    "action_notifications_read": N_("all notifications read"),
    "action_email_preference": N_("e-mail choice"),
    "action_webhook_create": N_("webhook added"), "action_webhook_delete": N_("webhook removed"),
    # notifications, follows, team webhooks
    "notice_new_document": N_("new document"), "notice_new_version": N_("new version"),
    "notice_review_due": N_("review due"), "notice_expiring": N_("expiring"),
    "follow_document": N_("document"), "follow_customer": N_("customer"),
    "follow_product": N_("product"), "follow_search": N_("saved search"),
    "webhook_slack": N_("Slack"), "webhook_teams": N_("Microsoft Teams"),
    "webhook_generic": N_("generic JSON (signed)"),
    "delivery_pending": N_("retrying"), "delivery_delivered": N_("delivered"),
    "delivery_failed": N_("failed"), "delivery_withheld": N_("withheld"),
    "action_export": N_("exported"), "action_restore": N_("restored from a backup"),
    "action_query_history_export": N_("query history exported"),
    "action_query_history_delete": N_("query history deleted"),
    "action_team_lead": N_("team lead named"), "action_team_lead_end": N_("team lead ended"),
    "action_still_current": N_("confirmed still current"), "action_trash": N_("moved to trash"),
    "action_trash_restore": N_("restored from trash"), "action_purge": N_("purged from trash"),
    "action_restore_version": N_("older version restored"),
    "action_contract_expired": N_("contract expired"),
    "action_integrity_repair": N_("integrity repair"),
    # what the integrity check finds
    "missing_file": N_("file missing"), "damaged_file": N_("file damaged"),
    "orphan_file": N_("file without a version"),
    "leftover_upload": N_("leftover of an interrupted upload"),
    "missing_entry": N_("missing from the index"), "outdated_entry": N_("out of date in the index"),
    "stale_entry": N_("in the index but deleted"), "doubled_entry": N_("twice in the index"),
}


def label(code: object) -> str:
    """The translated label of ``code``, or ``code`` as text when it is not a code."""
    text = str(code)
    return gettext(LABELS[text]) if text in LABELS else text


def facet_label(field: str, value: object) -> str:
    """A facet or filter value's label: its own in that field (``status_current``: a
    status, not a customer type), else the code's."""
    own = f"{field}_{value}"
    return gettext(LABELS[own]) if own in LABELS else label(value)
