from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/", views.company_list, name="company_list"),
    path("members/<int:pk>/", views.company_detail, name="company_detail"),
    path("leadership/", views.leadership, name="leadership"),
    path("leadership/<int:ordinal>/", views.leadership, name="leadership_term"),
    path("join/", views.join, name="join"),
    path("join/thanks/", views.join_thanks, name="join_thanks"),
]
