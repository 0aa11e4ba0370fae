from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.profile import profile
from cases.views.health import health

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # set_language: the switcher on the sign-in and feedback pages (no language in URLs).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    path("profile/", profile, name="profile"),
    path("policies/", include("policies.urls")),
    path("privacy/", include("privacy.urls")),
    path("attachments/", include("attachments.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("cases.urls")),
]

handler404 = "api.errors.not_found"
