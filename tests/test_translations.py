"""The Chinese catalogue is whole: no entry untranslated, none left fuzzy by a merge.

A fuzzy entry is msgmerge's guess from a similar older string (e.g. "Overdue"
guessed as 概览 from "Overview"); compiled catalogues skip it, so the page
falls back to English. Run makemessages, translate, then this passes.
"""

from pathlib import Path

import django
import polib
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


# Django's catalogues of the contrib apps we install (their English .po lists every string).
SITE_PACKAGES = Path(django.__file__).resolve().parent.parent
DJANGO_CATALOGUES = (
    "conf",
    *(
        f"contrib/{app}"
        for app in ("admin", "auth", "contenttypes", "flatpages", "postgres", "sessions", "sites")
    ),
)


def _has(catalog, entry: polib.POEntry) -> bool:
    key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
    return ((key, 0) if entry.msgid_plural else key) in catalog


def test_every_string_of_django_and_django_filter_has_chinese():
    """Django 6.1's zh_Hans lacks its newest strings, django-filter has only zh_CN (which
    Django never reads for zh-hans): our catalogue gives them (config/third_party_messages.py)."""
    catalog = trans_real.translation("zh-hans")._catalog
    english = [
        SITE_PACKAGES / "django" / name / "locale/en/LC_MESSAGES/django.po"
        for name in DJANGO_CATALOGUES
    ]
    english.append(SITE_PACKAGES / "django_filters/locale/zh_CN/LC_MESSAGES/django.po")
    assert all(path.exists() for path in english), english
    missing = [
        (str(path.relative_to(SITE_PACKAGES)), entry.msgid)
        for path in english
        for entry in polib.pofile(str(path))
        if not entry.obsolete and not _has(catalog, entry)
    ]
    assert missing == []


def test_every_string_of_the_admin_javascript_has_chinese():
    """The admin's JavaScript catalogue: Django's zh_Hans, with our djangojs.po first."""
    admin_locale = SITE_PACKAGES / "django/contrib/admin/locale"
    catalog = trans_real.DjangoTranslation(
        "zh-hans", domain="djangojs", localedirs=[str(admin_locale)]
    )._catalog
    english = polib.pofile(str(admin_locale / "en/LC_MESSAGES/djangojs.po"))
    missing = [entry.msgid for entry in english if not entry.obsolete and not _has(catalog, entry)]
    assert missing == []


def test_the_models_of_django_axes_and_django_auditlog_have_chinese_names():
    """They ship no Chinese: their app, model and field names are in our catalogue."""
    catalog = trans_real.translation("zh-hans")._catalog
    names = []
    for label in ("axes", "auditlog"):
        config = apps.get_app_config(label)
        names.append(config.verbose_name)
        for model in config.get_models():
            opts = model._meta
            names += [opts.verbose_name, opts.verbose_name_plural]
            for field in opts.get_fields():
                if not field.auto_created:
                    names += [field.verbose_name, field.help_text]
                    names += [label for _value, label in field.choices or ()]
    with translation.override("en"):
        english = {str(name) for name in names if isinstance(name, Promise)}
    assert english
    assert sorted(name for name in english if name and name not in catalog) == []
