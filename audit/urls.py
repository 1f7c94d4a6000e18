from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("accounts/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("audit/", views.record_list, name="record_list"),
    path("audit/export.<slug:fmt>", views.record_export, name="record_export"),
]
