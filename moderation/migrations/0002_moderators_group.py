"""The ``moderators`` group: exactly what a moderator needs in the Django admin, nothing more.

Permissions are named by codename and created here first (``create_permissions`` on the
migration state), because Django only creates them after all migrations have run: this way the
group is complete whatever order the apps migrate in. The dependencies pin the migrations that
create each model named below.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "moderators"

PERMISSIONS = {
    # Users: read-only profile; sanctions and gem adjustments go through moderation's own tools.
    "accounts": ["view_user"],
    # The report queue (resolving calls the service), the audit trail, sanctions, gem adjustments.
    "moderation": [
        "view_report",
        "resolve_report",
        "view_moderationaction",
        "sanction_user",
        "adjust_gems",
    ],
    # Gem balances and the ledger, read-only (adjustments are made from the user page).
    "gems": ["view_gemwallet", "view_gemtransaction", "view_gemproduct"],
    # Verification review: the queue and the decision form (which calls the review service).
    "verification": [
        "view_verification",
        "change_verification",
        "view_pendingverification",
        "change_pendingverification",
        "view_verificationdocumentlink",
    ],
    # Read-only browsing.
    "pools": ["view_pool", "view_poolmember", "view_proposal", "view_proposalside"],
    # Messages too, so a reported message can be read in its conversation.
    "chat": ["view_chatroom", "view_chatmember", "view_message"],
    "matching": ["view_match", "view_matchparticipant"],
    "calls": ["view_callsession"],
}


def create_moderators_group(apps, schema_editor):
    alias = schema_editor.connection.alias
    for app_label in PERMISSIONS:
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=alias, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    wanted = [(app_label, codename) for app_label, codenames in PERMISSIONS.items() for codename in codenames]
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.using(alias)
        .select_related("content_type")
        .filter(content_type__app_label__in=PERMISSIONS, codename__in=[codename for _, codename in wanted])
    }
    missing = [f"{app_label}.{codename}" for app_label, codename in wanted if (app_label, codename) not in found]
    if missing:
        raise LookupError(f"permissions not found for the moderators group: {missing}")
    group.permissions.set([found[key] for key in wanted])


def delete_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("moderation", "0001_initial"),
        ("gems", "0001_initial"),
        ("verification", "0002_pendingverification"),
        ("pools", "0001_initial"),
        ("chat", "0001_initial"),
        ("matching", "0001_initial"),
        ("calls", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_moderators_group, delete_moderators_group)]
