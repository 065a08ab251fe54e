# The conversation's order flag (chat/order_notices.py): two columns on the conversation.

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
