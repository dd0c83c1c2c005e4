from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Article, Issue, Section
from .pdf_import_admin import IssuePdfImport


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "english_name", "slug", "order", "article_count")
    list_editable = ("order",)
    search_fields = ("name", "english_name")
    prepopulated_fields = {"slug": ("english_name",)}
    ordering = ("order", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, section: Section) -> int:
        return section.article_count


class IssueArticleInline(admin.TabularInline):
    """The issue's table of contents."""

    model = Article
    fields = ("position", "title", "section", "status")
    autocomplete_fields = ("section",)
    ordering = ("position", "id")
    extra = 0
    show_change_link = True
    verbose_name_plural = _("table of contents")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section", "issue")


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "number", "published_on", "article_count")
    list_display_links = ("__str__",)
    list_filter = ("year",)
    search_fields = ("title",)
    ordering = ("-year", "-number")
    inlines = (IssueArticleInline,)

    def get_urls(self):
        # 从 PDF 导入会刊 (bulletin/pdf_import_admin.py), linked from the issue list.
        return [*IssuePdfImport(self).urls(), *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, issue: Issue) -> int:
        return issue.article_count


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "issue", "status", "published_at", "featured")
    list_filter = ("status", "featured", "section", "issue")
    list_select_related = ("section", "issue")
    search_fields = ("title", "subtitle", "summary", "source", "companies__name")
    autocomplete_fields = ("section", "issue", "companies")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "published_at"
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "section", "summary", "body", "cover")}),
        (_("Bulletin"), {"fields": (("issue", "position"), "source")}),
        (_("Member companies"), {"fields": ("companies",)}),
        (_("Publishing"), {"fields": ("status", "published_at", "featured")}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.articles_publish(articles=queryset, user=request.user)
        count = len(changed)
        self.message_user(
            request,
            ngettext(
                "%(count)d article was published.",
                "%(count)d articles were published.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        scheduled = sum(1 for article in changed if article.published_at > timezone.now())
        if scheduled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d of them has a publish time in the future and appears then.",
                    "%(count)d of them have a publish time in the future and appear then.",
                    scheduled,
                )
                % {"count": scheduled},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = len(services.articles_unpublish(articles=queryset, user=request.user))
        self.message_user(
            request,
            ngettext(
                "%(count)d article was moved back to draft.",
                "%(count)d articles were moved back to draft.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
