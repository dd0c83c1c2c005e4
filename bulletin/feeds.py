"""RSS 2.0 and Atom feeds of the news: all sections, and one section."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from portal.cache import public_page

from .models import Article, Section

FEED_ITEMS = 30
ITEM_FIELDS = ("title", "summary", "source", "published_at", "updated_at", "section__name")


def _absolute_url(path: str) -> str:
    # The portal's own address, not the django.contrib.sites row's domain.
    return settings.SITE_URL + path


class LatestArticlesFeed(Feed):
    """The newest published articles of every section (RSS 2.0)."""

    language = "zh-cn"

    def __call__(self, request, *args, **kwargs):
        # Served from the page cache like every public page.
        return require_safe(public_page(super().__call__))(request, *args, **kwargs)

    def title(self, obj=None):
        return f"{settings.SITE_NAME} · 最新动态"

    def description(self, obj=None):
        return f"{settings.SITE_NAME}发布的协会动态、会员成果、会员风采、政策法规与行业资讯。"

    def link(self, obj=None):
        return _absolute_url(reverse("bulletin:article_list"))

    def feed_url(self, obj=None):
        return _absolute_url(reverse("bulletin:feed_rss"))

    def items(self, obj=None):
        return self.articles(obj)[:FEED_ITEMS]

    def articles(self, obj):
        return (
            Article.objects.published()
            .select_related("section")
            .only(*ITEM_FIELDS)
            .order_by("-published_at", "-id")
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return _absolute_url(reverse("bulletin:article_detail", args=[item.pk]))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.source or None

    def item_categories(self, item):
        return [item.section.name]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    """The newest published articles of every section (Atom)."""

    feed_type = Atom1Feed

    def subtitle(self, obj=None):
        return self.description(obj)

    def feed_url(self, obj=None):
        return _absolute_url(reverse("bulletin:feed_atom"))


class SectionArticlesFeed(LatestArticlesFeed):
    """The newest published articles of one section (RSS 2.0); 404 for an unknown section."""

    def get_object(self, request, section):
        return get_object_or_404(Section.objects.only("name", "slug", "description"), slug=section)

    def title(self, obj):
        return f"{settings.SITE_NAME} · {obj.name}"

    def description(self, obj):
        return obj.description or f"{settings.SITE_NAME}「{obj.name}」栏目的最新文章。"

    def link(self, obj):
        return _absolute_url(f"{reverse('bulletin:article_list')}?section={obj.slug}")

    def feed_url(self, obj):
        return _absolute_url(reverse("bulletin:section_feed_rss", args=[obj.slug]))

    def articles(self, obj):
        return super().articles(obj).filter(section=obj)


class SectionArticlesAtomFeed(SectionArticlesFeed):
    """The newest published articles of one section (Atom)."""

    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)

    def feed_url(self, obj):
        return _absolute_url(reverse("bulletin:section_feed_atom", args=[obj.slug]))
