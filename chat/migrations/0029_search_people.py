"""Trigram indexes for the list's search of shoppers and customers (chat/search/people.py).

PostgreSQL only, built ``CONCURRENTLY`` (hence a non-atomic migration): the visitor and
customer tables take writes while they build. SQLite reads the tables as before.
"""

from django.db import migrations


def build(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.search.people import create_indexes

    with schema_editor.connection.cursor() as cursor:
        create_indexes(cursor)


def unbuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.search.people import drop_indexes

    with schema_editor.connection.cursor() as cursor:
        drop_indexes(cursor)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("chat", "0028_conversation_version"),
        ("orders", "0004_link_schemes"),
    ]

    operations = [
        migrations.RunPython(build, unbuild, elidable=False),
    ]
