from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .access.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=SignInForm),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tremplin.people.urls")),
    path("", include("tremplin.pathways.urls")),
    path("", include("tremplin.organisations.urls")),
    path("", include("tremplin.employment.urls")),
    path("", include("tremplin.access.urls")),
    path("", include("tremplin.steering.urls")),
    path("", include("tremplin.activity.urls")),
]

handler400 = "tremplin.views.bad_request"
handler403 = "tremplin.views.permission_denied"
handler404 = "tremplin.views.page_not_found"
handler500 = "tremplin.views.server_error"
