"""Keep an article's long columns out of its table row.

The body, the search words and their tsvector make a row of about 1.7 KB when
stored inline (compressed): 4-5 rows a page, so a search that checks the date
and status of 10,000 matches reads 9,000 pages. With toast_tuple_target at 256
bytes PostgreSQL moves them to the TOAST table, rows hold about 40 a page, and
the same search reads about 3,000 pages (make bench: 170 MB → 24 MB for
100,000 articles). Rows written before this migration keep their layout until
rewritten: run ``VACUUM FULL bulletin_article`` once after migrating (it locks
the table; about 40 s for 100,000 articles on the benchmark's machine).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bulletin", "0003_trigram_upper"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE bulletin_article SET (toast_tuple_target = 256)",
            reverse_sql="ALTER TABLE bulletin_article RESET (toast_tuple_target)",
        ),
    ]
