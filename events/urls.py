from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
]
