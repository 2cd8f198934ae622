"""Where each table lives once the database is sharded by school (docs/scaling.md, "The Citus step").

Every table not named here grows with graduates and is distributed by school: it must carry `school_id`.
"""
from __future__ import annotations

from django.apps import apps

# small, read everywhere, written rarely: replicated to every node
REFERENCE = {
    "codes.CodeEntry": "code tables: a few thousand rows",
    "codes.Region": "GB/T 2260 regions: a few thousand rows",
    "organisations.Province": "34 rows",
    "organisations.School": "about 3,000 rows; the distribution column's own table",
    "organisations.Department": "tens of thousands of rows, read by every list's join",
    "organisations.Major": "tens of thousands of rows, read by every roster join",
    "organisations.Employer": "an employer signs with graduates of many schools: no one school's shard can hold it; "
                              "registrations and reviews are rare writes, signings join to it everywhere",
    "organisations.EmployerWarning": "a school's flag is shown to every school's reviewers once enough schools flag "
                                     "the employer (WARN_PUBLIC_THRESHOLD): read across schools, a few rows per employer",
}

# neither: each with where it goes instead
OTHER = {
    "accounts.User": "coordinator-local: a login names a username before any school is known; the row carries the "
                     "school (graduates' too), which routes everything after the login",
    "sessions.Session": "moves to the cache (Redis); no database rows at scale",
    "axes.AccessAttempt": "login lockout counters keyed by username and address, before any school is known: "
                          "coordinator-local, pruned",
    "axes.AccessAttemptExpiration": "as axes.AccessAttempt",
    "axes.AccessFailureLog": "as axes.AccessAttempt",
    "axes.AccessLog": "as axes.AccessAttempt",
    "admin.LogEntry": "operators' admin edits: small, coordinator-local",
    "auth.Permission": "Django's own: tiny, reference",
    "auth.Group": "Django's own: tiny, reference",
    "contenttypes.ContentType": "Django's own: tiny, reference",
}


def distributed_models() -> list:
    return [m for m in apps.get_models() if m._meta.label not in REFERENCE and m._meta.label not in OTHER]


def distributed_tables() -> set[str]:
    return {m._meta.db_table for m in distributed_models()}
