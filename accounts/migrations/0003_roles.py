"""The secretariat's roles: five groups, each with its permissions (so its own admin menus).

A staff user may hold several. Only 秘书长 and 财务 see money (the dues app);
a role sees, read-only, the few other models its forms look up (a
registration's company and contact, an article's companies …). 秘书长 has
every permission there is when this runs: a model added later needs a
migration of its own to give its permissions to the roles
(tests/test_admin_roles.py names every admin model and fails until then).

Runs again without harm (``create_roles`` sets each group's permissions).
"""

from django.db import migrations

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

SECRETARY_GENERAL = "秘书长"

ROLES = {
    "会员管理": {
        "members.industrysegment": ALL,
        "members.company": ALL,
        "members.term": ALL,
        "members.councilseat": ALL,
        "members.officer": ALL,
        "members.contact": ALL,
        "members.application": ALL,
        "members.profilechange": ALL,
        "awards.award": ALL,
        "awards.honour": ALL,
        # A contact's account (the contact form looks it up); an honour's source article.
        "accounts.user": VIEW,
        "bulletin.article": VIEW,
    },
    "编辑": {
        "bulletin.section": ALL,
        "bulletin.issue": ALL,
        "bulletin.article": ALL,
        "notices.notice": (*ALL, "send"),
        "notices.noticeattachment": ALL,
        "notices.document": ALL,
        "flatpages.flatpage": ALL,
        "digests.subscriber": ALL,
        # The companies an article names or a notice goes to; a notice's event; a
        # subscriber's contact.
        "members.company": VIEW,
        "members.contact": VIEW,
        "events.event": VIEW,
    },
    "活动": {
        "events.event": ALL,
        "events.agendaitem": ALL,
        "events.registration": ALL,  # change_registration: the check-in page at the door
        "events.eventquestion": ALL,
        # A registration's company and contact; an event's report.
        "members.company": VIEW,
        "members.contact": VIEW,
        "bulletin.article": VIEW,
    },
    "财务": {
        "dues.feeschedule": ALL,
        "dues.duesbill": ALL,
        "dues.payment": ALL,
        "dues.invoicerequest": ALL,
        "dues.statementimport": ALL,
        "dues.statementline": ALL,
        "dues.receiptcounter": ALL,
        "members.company": VIEW,
    },
}


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}"


def create_roles(apps, schema_editor=None):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrations (post_migrate): make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    group, _created = Group.objects.get_or_create(name=SECRETARY_GENERAL)
    group.permissions.set(Permission.objects.all())

    for name, grants in ROLES.items():
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            for action in actions:
                codename = "send_notice" if action == "send" else _codename(action, model)
                wanted.append(
                    Permission.objects.get(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename=codename,
                    )
                )
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[SECRETARY_GENERAL, *ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_password_reset_request"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auditlog", "0017_add_actor_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("awards", "0002_public_indexes"),
        ("axes", "0010_accessattemptexpiration"),
        ("bulletin", "0005_public_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("digests", "0002_delivery_claimed_by"),
        ("dues", "0002_statements"),
        ("events", "0002_door"),
        ("flatpages", "0001_initial"),
        ("members", "0005_business_licence_private_storage"),
        ("notices", "0001_initial"),
        ("outbox", "0003_outgoingmail_cc"),
        ("sessions", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
