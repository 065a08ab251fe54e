from django.contrib import admin
from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="overview"),
    path("questions/", admin.site.admin_view(views.questions), name="questions"),
    path(
        "questions/entry/",
        admin.site.admin_view(views.question_to_entry),
        name="question-to-entry",
    ),
    path("volume/", admin.site.admin_view(views.volume), name="volume"),
    path("labels/", admin.site.admin_view(views.labels), name="labels"),
    path("sla/", admin.site.admin_view(views.sla), name="sla"),
    path("agents/", admin.site.admin_view(views.agents), name="agents"),
    path("definitions/", admin.site.admin_view(views.definitions), name="definitions"),
    path("rebuild/", admin.site.admin_view(views.rebuild), name="rebuild"),
]
