"""Business hours per channel, and the messaging-window rule channels with a window use."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from chat.models import Channel, Conversation

from .registry import Window


def channel_open_at(channel: Channel, at: dt.datetime) -> bool:
    """Whether the channel's business hours (its own schedule, else its team's, else the
    desk's) are open at ``at``. No schedule anywhere: always open."""
    from chat.routing import business_hours

    # A schedule is a team's (or the desk's): choosing one means that team's hours.
    schedule = channel.schedule
    team_id = schedule.team_id if schedule is not None else channel.team_id
    return business_hours.is_open(team_id=team_id, at=at)


def window_rule(hours: int, *, platform: str, template: bool) -> object:
    """A customer-service window of ``hours`` after the shopper's last message (WhatsApp
    24 h, WeChat 48 h): free-form replies only inside it."""

    def rule(conversation: Conversation, last_inbound_at: dt.datetime | None) -> Window:
        now = dt.datetime.now(dt.UTC)
        if last_inbound_at is None:
            return Window(
                open=False,
                reason=_("%(platform)s: the customer has not written yet.")
                % {"platform": platform},
                template=template,
            )
        closes = last_inbound_at + dt.timedelta(hours=hours)
        if now < closes:
            return Window(open=True, closes_at=closes)
        return Window(
            open=False,
            reason=_(
                "%(platform)s allows free replies only within %(hours)d hours of the customer's "
                "last message."
            )
            % {"platform": platform, "hours": hours},
            template=template,
        )

    return rule
