"""Full-text search over messages (chat/search/, docs/search.md).

``search_text`` is a nullable column without a default: adding it rewrites nothing. On
PostgreSQL the stored messages with Chinese get it filled in batches, then the GIN index is
built partition by partition ``CONCURRENTLY`` (hence a non-atomic migration): writes go on
while it builds. SQLite searches without an index.
"""

from django.db import migrations

import chat.search.fields


def build(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.search.index import backfill, create_index

    with schema_editor.connection.cursor() as cursor:
        backfill(cursor)
        create_index(cursor)


def unbuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.search.index import drop_index

    with schema_editor.connection.cursor() as cursor:
        drop_index(cursor)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("chat", "0017_priority"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=chat.search.fields.SearchTextField(),
        ),
        migrations.RunPython(build, unbuild, elidable=False),
    ]
