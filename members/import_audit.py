"""The member import in the audit log (portal.audit): what its bulk writes did, row by row.

``import_apply`` saves a changed company with ``save()``, which django-auditlog
records with the old and new values as for any save. The rest it writes in
bulk, which sends no signals: new companies, council seats, users and
contacts. For these ``log_rows`` writes one entry per row, on the row's
company: a new company's fields, its seat's role and its contact; for a
known company, the role and the contact's fields as the preview showed them,
old → new (columns named by the list's headers, a contact's by its email).
The import's call sites run it in ``audit_source(Source.IMPORT)``.
"""

from array import array
from datetime import date

from auditlog.models import LogEntry
from django.db import models

from portal import audit

from .models import Company


def _text(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _contact_key(column: str, email: str) -> str:
    return f"{column}（{email}）"


def _row_changes(row) -> dict:
    from . import importing

    changes = {}
    if row.company is None:
        changes.update({name: ["None", _text(value)] for name, value in row.values.items()})
        if row.role is not None:
            changes[importing.ROLE] = ["", importing.role_label(row.role)]
    else:
        changes.update(
            {
                change.column: [change.old, change.new]
                for change in row.changes
                if change.column == importing.ROLE
            }
        )
    plan = row.contact
    if plan is not None:
        email = plan["email"]
        if plan["contact"] is None:
            changes[importing.CONTACT_EMAIL] = ["", email]
            columns = {
                "name": importing.CONTACT_NAME,
                "job_title": importing.JOB_TITLE,
                "phone": importing.MOBILE,
            }
            for name, value in plan["fields"].items():
                changes[_contact_key(columns[name], email)] = ["", _text(value)]
        else:
            for change in row.changes:
                if change.column in importing.CONTACT_COLUMNS:
                    changes[_contact_key(change.column, email)] = [change.old, change.new]
    return changes


def log_rows(rows, written: array) -> int:
    """Entries for a chunk of rows ``_write`` wrote; ``written`` has, by group, the company."""
    entries = []
    for row in rows:
        changes = _row_changes(row)
        if not changes:
            continue
        created = row.company is None and row.index == row.group and bool(row.values)
        name = row.company.name if row.company is not None else row.values.get("name", row.name)
        entries.append(
            audit.entry_for(
                Company(pk=written[row.group]),
                LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE,
                changes,
                object_repr=name,
            )
        )
    return audit.write(entries)
