from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:pk>/", views.notice_detail, name="detail"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("notices/<int:pk>/reply/", views.reply_signed_in, name="reply_signed_in"),
    path("notices/<int:pk>/reply/<str:token>/", views.reply, name="reply"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
