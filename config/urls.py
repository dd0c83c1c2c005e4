from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config.health import healthz
from portal import views as portal_views
from portal.sitemaps import SITEMAPS

urlpatterns = [
    path("ckeditor5/", include("django_ckeditor_5.urls")),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", portal_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", portal_views.favicon),
]

# Chinese at /, English at /en/ (the back office too: /admin/ and /en/admin/).
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", portal_views.home, name="home"),
    path("account/", include("accounts.urls")),
    path("about/", portal_views.about, name="about"),
    path("", include("bulletin.urls")),
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("awards.urls")),
    path("", include("digests.urls")),
    path("", include("notices.urls")),
    prefix_default_language=False,
)

if settings.BENCH_FLOOR:
    urlpatterns += [path("bench/", include("bench.urls"))]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
