from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .password_reset import AuditedSetPasswordForm

urlpatterns = [
    # Second factor (reachable signed in with a password only: under /connexion/)
    path("connexion/double-authentification/activer/", views.otp_enrol, name="otp_enrol"),
    path("connexion/double-authentification/", views.otp_verify, name="otp_verify"),
    path("compte/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    # Forgotten password: the same answer whether the account exists or not
    path(
        "mot-de-passe-oublie/",
        views.ThrottledPasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            email_template_name="registration/tremplin_password_reset_email.txt",
            subject_template_name="registration/tremplin_password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html", form_class=AuditedSetPasswordForm
        ),
        name="password_reset_confirm",
    ),
    path(
        "reinitialiser/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    # Accounts
    path("comptes/", views.account_list, name="account_list"),
    path("comptes/nouveau/", views.account_create, name="account_create"),
    path("comptes/<int:pk>/reinitialiser-double-authentification/", views.account_reset_otp, name="account_reset_otp"),
    path("comptes/<int:pk>/debloquer/", views.account_unlock, name="account_unlock"),
    # External accounts
    path("financeur/", views.funder_indicators, name="funder_indicators"),
    path("prescripteur/", views.prescriber_status, name="prescriber_status"),
    # The audit log and the person's rights
    path("", include("tremplin.audit.urls")),
    path("", include("tremplin.people.privacy_urls")),
]
