"""Routing: who answers which conversation. Presence, capacity, automatic assignment, the
queue, business hours, the slow-reply guard, leave-a-message and proactive chat; see
docs/routing.md. ``listeners.connect()`` (from ``chat.listeners``) plugs it into the desk."""
