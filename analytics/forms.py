from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _


class RebuildForm(forms.Form):
    start = forms.DateField(label=_("From (day in the shop's time zone)"), required=False)
    end = forms.DateField(label=_("To (day in the shop's time zone, inclusive)"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start must not be after the end."))
        return data

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """``[start, end + 1 day)`` of the shop's time zone; both None rebuilds everything."""
        from .shop import time_zone_name

        zone = zoneinfo.ZoneInfo(time_zone_name())
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        lo = dt.datetime.combine(start, dt.time(), tzinfo=zone) if start else None
        hi = (
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone) if end else None
        )
        return lo, hi
