from django.urls import path

from . import feeds, views

app_name = "bulletin"

urlpatterns = [
    path("news/", views.article_list, name="article_list"),
    path("news/<int:pk>/", views.article_detail, name="article_detail"),
    path("news/<int:pk>/qr.svg", views.article_qr, name="article_qr"),
    path("bulletin/", views.issue_list, name="issue_list"),
    path("bulletin/<int:year>/<int:number>/", views.issue_detail, name="issue_detail"),
    path("feeds/news/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/news/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feeds/news/<slug:section>/", feeds.SectionArticlesFeed(), name="section_feed_rss"),
    path(
        "feeds/news/<slug:section>/atom/",
        feeds.SectionArticlesAtomFeed(),
        name="section_feed_atom",
    ),
]
