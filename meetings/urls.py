from django.urls import path

from . import ledger_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("<int:pk>/decisions/review/", views.decisions_review, name="decisions_review"),
    path("<int:pk>/decisions/save/", views.decisions_save, name="decisions_save"),
    path("<int:pk>/decisions/assign/", views.decisions_assign, name="decisions_assign"),
    path("decisions/<int:pk>/edit/", views.decision_update, name="decision_update"),
    path("series/<slug:kind>/<int:year>/", views.meeting_series, name="meeting_series"),
]

# The ledger of meeting decisions (会议议定事项台账) as Excel: template, export, import.
urlpatterns += [
    path("ledger/template.xlsx", ledger_views.ledger_template, name="ledger_template"),
    path("ledger/export.xlsx", ledger_views.ledger_export, name="ledger_export"),
    path("ledger/import/", ledger_views.ledger_import, name="ledger_import"),
]
