"""Channels (inboxes): every way a shopper reaches the desk, through one message path.

An adapter turns a provider's event into the same service call the socket uses
(``chat.services.message_send``, idempotent on the provider's message id); replies leave
through one outbound listener after commit, in Celery, with retries. See docs/channels.md.
This package is not named ``channels``: that is Django Channels' import name.
"""
