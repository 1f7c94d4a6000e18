from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from taskboard.views import healthz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("", include("audit.urls")),
    path("api/", include("config.api_urls")),
    path("meetings/", include("meetings.urls")),
    path("directives/", include("directives.urls")),
    path("supervision/", include("supervision.urls")),
    path("", include("taskboard.urls")),
]
