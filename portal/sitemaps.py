"""sitemap.xml: articles, listed companies, visible events, public notices, the list pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from bulletin.models import Article, Issue
from events.models import Event
from members.models import Company
from notices.models import Notice


class _I18nSitemap(Sitemap):
    """Both languages, with the portal's own address (SITE_URL), not the Site row's."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(_I18nSitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("-id")

    def location(self, article):
        return reverse("bulletin:article_detail", args=[article.pk])

    def lastmod(self, article):
        return article.updated_at


class CompanySitemap(_I18nSitemap):
    changefreq = "monthly"

    def items(self):
        return Company.objects.listed().only("id", "updated_at").order_by("id")

    def location(self, company):
        return reverse("members:company_detail", args=[company.pk])

    def lastmod(self, company):
        return company.updated_at


class EventSitemap(_I18nSitemap):
    changefreq = "weekly"

    def items(self):
        return Event.objects.visible().only("id", "updated_at").order_by("-id")

    def location(self, event):
        return reverse("events:event_detail", args=[event.pk])

    def lastmod(self, event):
        return event.updated_at


class NoticeSitemap(_I18nSitemap):
    """Public notices only: one for members never appears here."""

    changefreq = "monthly"

    def items(self):
        return Notice.objects.public().only("id", "updated_at").order_by("-id")

    def location(self, notice):
        return reverse("notices:detail", args=[notice.pk])

    def lastmod(self, notice):
        return notice.updated_at


class IssueSitemap(_I18nSitemap):
    changefreq = "yearly"

    def items(self):
        return Issue.objects.filter(articles__status=Article.Status.PUBLISHED).distinct()

    def location(self, issue):
        return reverse("bulletin:issue_detail", args=[issue.year, issue.number])


class PageSitemap(_I18nSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "about",
            "bulletin:article_list",
            "bulletin:issue_list",
            "members:company_list",
            "members:leadership",
            "events:event_list",
            "awards:honour_list",
            "notices:list",
            "notices:documents",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "issues": IssueSitemap,
    "companies": CompanySitemap,
    "events": EventSitemap,
    "notices": NoticeSitemap,
}
