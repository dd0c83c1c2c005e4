"""/account/: sign-in and passwords (Django's views, our templates) and the member pages."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from dues import views as dues_views
from events import views as event_views
from members import account_views as member_views
from notices import views as notice_views

from . import views
from .tokens import invitation_token_generator

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/set_password.html",
            token_generator=invitation_token_generator,
            success_url=reverse_lazy("accounts:set_password_done"),
        ),
        name="set_password",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/set_password_done.html"
        ),
        name="set_password_done",
    ),
    path("", views.dashboard, name="dashboard"),
    path("profile/", member_views.profile_edit, name="profile"),
    path(
        "profile/changes/<int:pk>/",
        member_views.profile_change_detail,
        name="profile_change_detail",
    ),
    path(
        "profile/changes/<int:pk>/withdraw/",
        member_views.profile_change_withdraw,
        name="profile_change_withdraw",
    ),
    path("details/", views.details, name="details"),
    path("preferences/", views.preferences, name="preferences"),
    path("colleagues/", views.colleagues, name="colleagues"),
    path("colleagues/invite/", views.colleague_invite, name="colleague_invite"),
    path(
        "colleagues/<int:pk>/deactivate/",
        views.colleague_deactivate,
        name="colleague_deactivate",
    ),
    path("dues/", dues_views.account_dues, name="dues"),
    path("dues/receipts/<int:pk>/", dues_views.receipt_download, name="dues_receipt"),
    path(
        "dues/payments/<int:pk>/invoice/", dues_views.invoice_request, name="dues_invoice_request"
    ),
    path("dues/invoices/<int:pk>/", dues_views.invoice_download, name="dues_invoice"),
    path("notices/", notice_views.account_notices, name="notices"),
    path("registrations/", event_views.registration_list, name="registrations"),
    path(
        "registrations/<int:pk>/cancel/",
        event_views.registration_cancel,
        name="registration_cancel",
    ),
]
