"""Indexes that keep the public pages' reads the same size at any number of articles.

The article-company link table gets (company, article): a company's news is
read from the index alone, without visiting the link rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bulletin", "0004_article_rows_narrow"),
        ("members", "0004_public_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id"],
                include=("status", "published_at", "position"),
                name="bulletin_article_public",
            ),
        ),
        # Django makes the link table itself and has no Meta for it: plain SQL.
        migrations.RunSQL(
            "CREATE INDEX bulletin_article_companies_by_company "
            "ON bulletin_article_companies (company_id, article_id)",
            reverse_sql="DROP INDEX bulletin_article_companies_by_company",
        ),
    ]
