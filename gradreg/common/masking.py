"""Masking of personal numbers in lists (full values only on detail pages, and those views are logged)."""


def mask_id_number(value: str) -> str:
    """110105199001011234 -> 110***********1234 (first 3, last 4)."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """13812341234 -> 138****1234."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(value: str) -> str:
    if "@" not in value:
        return mask_phone(value)
    local, _, domain = value.partition("@")
    return (local[:1] + "***") + "@" + domain
