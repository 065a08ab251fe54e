# Written by hand (helper C, orders/CRM): only the conversation flag fields, so other
# helpers' pending chat models stay in their own migrations.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="flag_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="flag"),
        ),
        migrations.AddField(
            model_name="conversation",
            name="flagged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
