"""Widget strings of routing's parts (queue, leave-a-message, satisfaction, proactive)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from helpdesk.storefront import widget_strings_register

    widget_strings_register(
        "queue",
        {
            "position": _("You are number %(n)s in line"),
            "wait": _("Estimated wait: about %(minutes)s min"),
            "wait_short": _("Estimated wait: under a minute"),
            "waiting": _("Waiting for the next available agent…"),
            "away": _("We're away right now. We'll be back %(when)s."),
            "away_unknown": _("We're away right now."),
            "nobody": _("All our agents are busy or offline right now."),
            "header_back": _("Back at %(when)s"),
            "header_away": _("We're away right now"),
            "header_busy": _("We'll reply as soon as someone is free"),
            "leave": _("Leave a message"),
            "leave_title": _("Leave a message and we'll get back to you"),
            "email": _("Email"),
            "phone": _("Phone"),
            "message": _("Your message"),
            "send": _("Send"),
            "cancel": _("Cancel"),
            "sent": _("Thanks! We'll get back to you soon."),
            "need_contact": _("Please leave an email or a phone number."),
            "failed": _("Could not send; please try again."),
        },
    )
    widget_strings_register(
        "csat",
        {
            "question": _("How did we do?"),
            "star": _("%(n)s of 5 stars"),
            "comment": _("Anything to add? (optional)"),
            "submit": _("Send rating"),
            "thanks": _("Thank you for your feedback!"),
            "failed": _("Could not send your rating; please try again."),
        },
    )
