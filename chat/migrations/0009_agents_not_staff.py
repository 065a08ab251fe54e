"""Agents were created as staff, so they entered /admin/ and saw an empty index. Staff status
now goes only with something to manage: an agent (Agents or Supervisors group) who is staff
but holds no permission at all, directly or through a group, and is not a superuser, loses it.
Reversing does nothing: which of them had been made staff on purpose is not known."""

from django.db import migrations
from django.db.models import Q


def agents_not_staff(apps, schema_editor):
    User = apps.get_model("auth", "User")
    agents = User.objects.filter(
        groups__name__in=["Agents", "Supervisors"], is_staff=True, is_superuser=False
    ).distinct()
    managing = Q(user_permissions__isnull=False) | Q(groups__permissions__isnull=False)
    idle = agents.exclude(pk__in=User.objects.filter(managing).values("pk"))
    User.objects.filter(pk__in=list(idle.values_list("pk", flat=True))).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("chat", "0008_bot_keys_vectors"),
    ]

    operations = [migrations.RunPython(agents_not_staff, migrations.RunPython.noop)]
