"""Chat's Celery tasks live with their areas. Celery's autodiscovery imports each app's
``tasks`` module, so the worker registers them through this one."""

from celery import shared_task

from . import order_notices  # noqa: F401 - order_notice_task
from .attachments import tasks as attachments_tasks  # noqa: F401
from .automation import tasks as automation_tasks  # noqa: F401
from .bot import tasks as bot_tasks  # noqa: F401
from .partitions import message_partitions_ensure
from .routing import tasks as routing_tasks  # noqa: F401
from .translation import sweep as translation_sweep  # noqa: F401
from .translation import tasks as translation_tasks  # noqa: F401


@shared_task(name="chat.message_partitions_ensure", ignore_result=True)
def message_partitions_ensure_task() -> list[str]:
    """Create the message table's coming monthly partitions (chat/partitions.py)."""
    return message_partitions_ensure()
