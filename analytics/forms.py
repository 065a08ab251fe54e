from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class RebuildForm(forms.Form):
    start = forms.DateField(label=_("From (UTC day)"), required=False)
    end = forms.DateField(label=_("To (UTC day, inclusive)"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start must not be after the end."))
        return data

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """``[start, end + 1 day)`` in UTC; both None rebuilds everything."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        lo = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) if start else None
        hi = (
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            if end
            else None
        )
        return lo, hi
