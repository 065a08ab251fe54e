from django.urls import path, re_path

from . import apis, views

urlpatterns = [
    path("api/v1/uploads", apis.UploadApi.as_view(), name="media-upload"),
    path("api/v1/uploads/limits", apis.UploadLimitsApi.as_view(), name="media-limits"),
    path(
        "api/v1/uploads/<uuid:public_id>",
        apis.UploadDetailApi.as_view(),
        name="media-upload-detail",
    ),
    re_path(
        r"^api/v1/files/(?P<token>[A-Za-z0-9_\-:]{10,400})/(?P<name>[^/]{1,800})$",
        views.attachment_serve,
        name="media-serve",
    ),
]
