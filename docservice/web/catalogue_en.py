"""English labels for codes shown in the UI (other English text is its own message id)."""

EN: dict[str, str] = {
    "price_list": "price list", "pending_signature": "pending signature",
    "research_report": "research report", "type": "file type", "stage": "buying stage",
    "visibility_private": "private (owner only)", "visibility_team": "team",
    "visibility_org": "whole organisation", "visibility_custom": "named people and teams",
    "action_upload": "upload", "action_new_version": "new version", "action_download": "download",
    "action_view": "view", "action_metadata": "metadata change",
    "action_permissions": "permission change", "action_share_create": "share link created",
    "action_share_open": "share link opened", "action_share_download": "share link download",
    "action_share_revoke": "share link revoked", "action_login": "sign-in",
    "action_login_failed": "failed sign-in",
    "action_delete": "deletion", "action_password_change": "password change",
    "action_password_reset": "password reset by an admin",
}
