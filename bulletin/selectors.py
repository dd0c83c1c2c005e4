"""Reads of the bulletin that are more than one QuerySet method."""

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .models import Article, Section


def latest_articles_by_section(*, per_section: int = 5) -> list[tuple[Section, list[Article]]]:
    """Each section (in order) with its newest published articles, in one query."""
    ranked = (
        Article.objects.published()
        .select_related("section")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=[
                    F("published_at").desc(),
                    F("position").asc(nulls_last=True),
                    F("id").desc(),
                ],
            )
        )
        .filter(rank__lte=per_section)
        .order_by("section__order", "section_id", "rank")
        .only(
            "id",
            "title",
            "subtitle",
            "published_at",
            "section__name",
            "section__english_name",
            "section__slug",
            "section__order",
        )
    )
    grouped: dict[int, tuple[Section, list[Article]]] = {}
    for article in ranked:
        grouped.setdefault(article.section_id, (article.section, []))[1].append(article)
    return list(grouped.values())
