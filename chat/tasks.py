"""Chat's Celery tasks live with their areas. Celery's autodiscovery imports each app's
``tasks`` module, so the worker registers them through this one."""

from . import order_notices  # noqa: F401 - order_notice_task
from .attachments import tasks as attachments_tasks  # noqa: F401
from .bot import tasks as bot_tasks  # noqa: F401
from .routing import tasks as routing_tasks  # noqa: F401
