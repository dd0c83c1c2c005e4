from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Models whose rows appear on public pages: saving or deleting any of them
# makes the cached pages stale.
PUBLIC_CONTENT = (
    "bulletin.Article",
    "bulletin.Section",
    "bulletin.Issue",
    "members.Company",
    "members.IndustrySegment",
    "members.Term",
    "members.CouncilSeat",
    "members.Officer",
    "events.Event",
    "events.AgendaItem",
    "events.Registration",
    "awards.Award",
    "awards.Honour",
    "flatpages.FlatPage",
    "notices.Notice",
    "notices.NoticeAttachment",
    "notices.Document",
)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from . import audit
        from .cache import content_changed

        audit.connect()

        for label in PUBLIC_CONTENT:
            model = self.apps.get_model(label)
            post_save.connect(content_changed, sender=model, dispatch_uid=f"portal:{label}:save")
            post_delete.connect(
                content_changed, sender=model, dispatch_uid=f"portal:{label}:delete"
            )
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    content_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"portal:{label}:{field.name}",
                )
