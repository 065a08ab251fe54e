"""The message search's FTS5 table on SQLite, the embedded default (chat/search/fts.py).

SQLite only: the table, filled from the stored messages, and the triggers that keep it in
step. PostgreSQL has its GIN index (0018).
"""

from django.db import migrations


def build(apps, schema_editor):
    from chat.search.fts import fts_ensure

    fts_ensure(schema_editor.connection)


def unbuild(apps, schema_editor):
    from chat.search.fts import fts_drop

    fts_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0029_search_people"),
    ]

    operations = [
        migrations.RunPython(build, unbuild, elidable=False),
    ]
