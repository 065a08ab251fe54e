from django.urls import path

from . import apis

urlpatterns = [path("v1/sla/clocks", apis.SlaClocksApi.as_view(), name="sla-clocks")]
