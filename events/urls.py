from django.urls import path

from . import check_in_views, ticket_views, views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/tickets/<str:code>.png", ticket_views.ticket_qr, name="ticket_qr"),
    path("events/<int:pk>/check-in/", check_in_views.check_in, name="check_in"),
    path("events/<int:pk>/check-in/search/", check_in_views.search, name="check_in_search"),
    path("events/<int:pk>/check-in/walk-in/", check_in_views.walk_in, name="check_in_walk_in"),
]
