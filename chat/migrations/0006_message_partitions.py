"""The message table partitioned by the month its conversation started (chat/partitions.py).

Every message gets its conversation's ``created_at`` (the partition key); the rows that
reference a message lose their database foreign key (a partitioned table's unique keys must
hold the partition key); then, on PostgreSQL only, today's table becomes the first partition
of the new partitioned one without being copied. SQLite keeps one plain table.
"""

from django.db import migrations, models

import chat.models.conversations


def fill_conversation_start(apps, schema_editor):
    schema_editor.execute(
        "UPDATE chat_message SET conversation_created_at = (SELECT c.created_at FROM "
        "chat_conversation c WHERE c.id = chat_message.conversation_id)"
    )


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.partitions import partition_messages

    with schema_editor.connection.cursor() as cursor:
        partition_messages(cursor)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chat.partitions import unpartition_messages

    with schema_editor.connection.cursor() as cursor:
        unpartition_messages(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0005_bot_knowledge_base"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="conversation_created_at",
            field=chat.models.conversations.ConversationStartField(editable=False, null=True),
        ),
        migrations.RunPython(fill_conversation_start, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="message",
            name="conversation_created_at",
            field=chat.models.conversations.ConversationStartField(editable=False),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="message",
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=models.deletion.CASCADE, related_name="attachment", to="chat.message"),
        ),
        migrations.AlterField(
            model_name="botfeedback",
            name="message",
            field=models.OneToOneField(db_constraint=False, on_delete=models.deletion.CASCADE, related_name="bot_feedback", to="chat.message"),
        ),
        migrations.AlterField(
            model_name="messagesentiment",
            name="message",
            field=models.OneToOneField(db_constraint=False, on_delete=models.deletion.CASCADE, primary_key=True, related_name="sentiment", serialize=False, to="chat.message"),
        ),
        migrations.AlterField(
            model_name="unmatchedquestion",
            name="message",
            field=models.OneToOneField(db_constraint=False, on_delete=models.deletion.CASCADE, related_name="+", to="chat.message"),
        ),
        migrations.RunPython(partition, unpartition),
    ]
