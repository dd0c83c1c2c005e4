"""Every page of the back office renders, for every registered model."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import translation
from django_ckeditor_5.widgets import CKEditor5Widget

from accounts.models import User
from members.models import ProfileChange
from notices.models import Notice

# A notice's own pages in the back office (notices/admin.py), walked for each demo notice.
NOTICE_PAGES = ("recipients", "send", "progress", "replies", "replies_export")


def admin_url(model, view: str, *args, lang: str | None = None) -> str:
    """The admin URL in the default (Chinese) back office, or under /en/ for ``lang="en"``."""
    opts = model._meta
    with translation.override(lang):
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def test_it_renders_every_admin_page(admin_client, loaded_demo):
    walked = []

    def get(url: str):
        response = admin_client.get(url)
        assert response.status_code == 200, f"GET {url} answered {response.status_code}"
        walked.append(url)
        return response

    registry = admin.site._registry
    for model, model_admin in registry.items():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, (
            f"the demo has no {model._meta.label}: add a row in tests/conftest.py "
            f"so that this walk covers its change page"
        )
        changelist_url = admin_url(model, "changelist")
        changelist = get(changelist_url)
        request = changelist.wsgi_request
        if model_admin.has_add_permission(request):
            get(admin_url(model, "add"))
        else:  # rows made by the system (mail, digest runs): no add page
            assert admin_client.get(admin_url(model, "add")).status_code == 403
        get(admin_url(model, "change", quote(obj.pk)))
        get(admin_url(model, "history", quote(obj.pk)))
        if model_admin.search_fields:
            get(f"{changelist_url}?q=仪表")
        cl = changelist.context["cl"]
        for spec in cl.filter_specs:
            for choice in spec.choices(cl):
                if not choice["selected"]:
                    get(changelist_url + choice["query_string"])

    notices = list(Notice.objects.all())
    assert any(notice.asks_reply and notice.mailings.exists() for notice in notices)
    for notice in notices:
        for name in NOTICE_PAGES if notice.asks_reply else NOTICE_PAGES[:3]:
            get(reverse(f"admin:notices_notice_{name}", args=[notice.pk]))

    print(f"walked {len(walked)} admin pages for {len(registry)} models")
    assert len(walked) >= 3 * len(registry)


def test_it_answers_every_autocomplete_field(admin_client, demo_db):
    """Each autocomplete field (on an admin or an inline) has a searchable target admin."""
    fields = set()
    for model, model_admin in admin.site._registry.items():
        fields.update((model, name) for name in model_admin.autocomplete_fields)
        for inline in model_admin.inlines:
            fields.update((inline.model, name) for name in inline.autocomplete_fields)
    assert fields

    for model, name in sorted(fields, key=lambda field: (field[0]._meta.label, field[1])):
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": name,
                "term": "中控",
            },
        )
        assert response.status_code == 200, f"{model._meta.label}.{name}"
        assert "results" in response.json()


def test_it_edits_articles_with_the_chinese_rich_text_editor(admin_client, demo_db):
    response = admin_client.get(admin_url(type(demo_db.article), "change", demo_db.article.pk))

    content = response.content.decode()
    assert "django_ckeditor_5/dist/bundle.js" in content
    assert "django_ckeditor_5/dist/translations/zh-cn.js" in content
    widget = response.context["adminform"].form.fields["body"].widget
    assert isinstance(widget, CKEditor5Widget)
    assert widget.config["language"] == "zh-cn"
    assert 'class="django_ckeditor_5"' in content
    assert '"language": "zh-cn"' in content


def test_it_shows_a_profile_change_field_by_field(admin_client, demo_db):
    change = ProfileChange.objects.create(
        company=demo_db.company,
        changes={
            "website": {"old": "http://www.supcon.com", "new": "https://www.supcon.com"},
            "short_name": {"old": "中控技术", "new": "<script>alert(1)</script>"},
        },
    )

    response = admin_client.get(admin_url(ProfileChange, "change", change.pk, lang="en"))

    content = response.content.decode()
    assert '<th scope="row">Website</th><td>http://www.supcon.com</td>' in content
    assert "<td>https://www.supcon.com</td>" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content


def test_it_shows_the_role_in_the_current_term(admin_client, demo_db):
    url = admin_url(type(demo_db.company), "changelist")

    response = admin_client.get(url)
    assert "副理事长单位" in response.content.decode()
    english = admin_client.get(admin_url(type(demo_db.company), "changelist", lang="en"))
    assert "Vice-president unit" in english.content.decode()

    response = admin_client.get(url, {"current_role": "20"})
    assert list(response.context["cl"].result_list) == [demo_db.company]
    response = admin_client.get(url, {"current_role": "none"})
    assert list(response.context["cl"].result_list) == []


def test_it_adds_a_user_who_signs_in_with_an_email_address(admin_client, client, db):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "ZhangLei@Example.com",
            "name": "张磊",
            "usable_password": "true",
            "password1": "correct horse battery",
            "password2": "correct horse battery",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(name="张磊")
    assert user.email == "zhanglei@example.com"
    assert client.login(email="zhanglei@example.com", password="correct horse battery")


def test_it_refuses_an_email_address_in_another_case(admin_client, demo_db):
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "LiMing@example.com", "name": "李明", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_it_changes_a_users_password(admin_client, demo_db):
    user = demo_db.contact.user
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"password1": "another horse battery", "password2": "another horse battery"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another horse battery")
