from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("honours/", views.honour_list, name="honour_list"),
]
