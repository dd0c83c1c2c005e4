"""The audit log: who changed what and when, with the old and new values, and from where.

django-auditlog writes an entry (``auditlog.LogEntry``: the object, created,
changed or deleted, each changed field with its old and new value, the actor,
the time) whenever a model of ``settings.AUDITLOG_INCLUDE_TRACKING_MODELS`` is
saved or deleted. This module adds where the change came from, in the entry's
``additional_data["source"]`` (``Source``):

- ``admin``: a request the back office answered (``AuditMiddleware``);
- ``site``: a request to the portal (a contact registering for an event);
- ``profile change approved``: a contact's edit, approved in the back office
  (``members.services.profile_change_approve``);
- ``import``: a member list, a list of honours or a bank statement, whose call
  sites run in ``audit_source(Source.IMPORT)``;
- ``system``: anything else (management commands, tasks, the demo).

With the actor (the signed-in user) and the client's address of the request.

Bulk writes (``bulk_create``, ``bulk_update``, ``QuerySet.update``) send no
signals, so django-auditlog never sees them: ``log_created`` and
``log_updated`` write their entries explicitly, and the member import writes
one entry per row for what it writes in bulk (``members.import_audit``).
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.http import HttpRequest
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ADMIN = "admin", _("Back office")
    SITE = "site", _("Portal")
    PROFILE_CHANGE = "profile change approved", _("Approved profile change")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class _Context:
    source: str | None = None  # None: from the request (admin or site), else system
    request: HttpRequest | None = None
    details: dict = field(default_factory=dict)


_current: ContextVar[_Context | None] = ContextVar("xiehui_audit", default=None)


@contextmanager
def audit_source(source: str, **details):
    """Entries written inside are from ``source``; ``details`` (JSON values) go with them.

    Nests: the request's actor and address stay, the innermost source wins.
    """
    outer = _current.get() or _Context()
    token = _current.set(
        _Context(source=source, request=outer.request, details={**outer.details, **details})
    )
    try:
        yield
    finally:
        _current.reset(token)


class AuditMiddleware:
    """The request's user and address for the entries its view writes.

    Read when an entry is written, not before: a request that changes nothing
    costs nothing. (django-auditlog's own middleware takes the address from
    X-Forwarded-For, which any client can send; here REMOTE_ADDR is the
    client's, set by config.proxy behind nginx.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(_Context(request=request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def _request_source(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and "admin" in match.namespaces:
        return Source.ADMIN
    return Source.SITE


def stamp(entry: LogEntry) -> LogEntry:
    """Fill in the source, the actor and the address of an entry about to be written."""
    context = _current.get() or _Context()
    request = context.request
    if context.source:
        source = context.source
    elif request is not None:
        source = _request_source(request)
    else:
        source = Source.SYSTEM
    entry.additional_data = {
        "source": str(source),
        **context.details,
        **(entry.additional_data or {}),
    }
    if request is not None:
        user = getattr(request, "user", None)
        if entry.actor_id is None and user is not None and user.is_authenticated:
            entry.actor = user
            entry.actor_email = user.email
        if entry.remote_addr is None:
            entry.remote_addr = request.META.get("REMOTE_ADDR") or None
    return entry


def _stamp_new_entry(sender, instance: LogEntry, raw=False, **kwargs) -> None:
    if not raw and instance._state.adding:
        stamp(instance)


def connect() -> None:
    """Stamp every entry django-auditlog writes (PortalConfig.ready)."""
    pre_save.connect(_stamp_new_entry, sender=LogEntry, dispatch_uid="portal.audit.stamp")


def source_label(entry: LogEntry) -> str:
    value = (entry.additional_data or {}).get("source") or Source.SYSTEM
    try:
        return Source(value).label
    except ValueError:
        return value


# Bulk writes --------------------------------------------------------------------------------


def entry_for(
    obj: models.Model, action: int, changes: dict, *, object_repr: str | None = None
) -> LogEntry:
    """An unsaved, stamped entry about ``obj`` (saved: it needs its pk)."""
    pk = obj.pk
    return stamp(
        LogEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=object_repr if object_repr is not None else smart_str(obj),
            action=action,
            changes=changes,
        )
    )


def write(entries: Iterable[LogEntry]) -> int:
    """Write entries made by ``entry_for`` in one query a thousand."""
    return len(LogEntry.objects.bulk_create(list(entries), batch_size=1000))


def log_created(objs: Iterable[models.Model]) -> int:
    """Entries for objects ``bulk_create`` wrote (they have their pk), as a save would."""
    return write(
        entry_for(obj, LogEntry.Action.CREATE, model_instance_diff(None, obj))
        for obj in objs
        if obj.pk is not None
    )


def log_updated(pairs: Iterable[tuple[models.Model, models.Model]]) -> int:
    """Entries for (before, after) pairs of objects changed by ``update`` or ``bulk_update``."""
    entries = []
    for before, after in pairs:
        changes = model_instance_diff(before, after)
        if changes:
            entries.append(entry_for(after, LogEntry.Action.UPDATE, changes))
    return write(entries)
