from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0027_call_upgraded_at"),
    ]

    operations = [
        # A constant default: PostgreSQL adds the column without rewriting the table.
        migrations.AddField(
            model_name="conversation",
            name="version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
