from django.urls import path

from . import views

app_name = "bench"

urlpatterns = [
    path("floor/<int:size>/", views.floor, name="floor"),
    path("layout/", views.layout, name="layout"),
    path("queries/<int:count>/", views.queries, name="queries"),
]
