from django.urls import path

from . import dashboard_views, ledger_views, views

app_name = "taskboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("tasks/", views.task_list, name="task_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("pickers/<slug:kind>/", views.picker, name="picker"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]

# The task ledger (台账) as Excel: template, export of a filtered list, import.
urlpatterns += [
    path("ledger/template.xlsx", ledger_views.ledger_template, name="ledger_template"),
    path("ledger/export.xlsx", ledger_views.ledger_export, name="ledger_export"),
    path("ledger/import/", ledger_views.ledger_import, name="ledger_import"),
]
