from django.urls import path  # noqa: F401 (each part of supervision adds its pages below)

app_name = "supervision"

urlpatterns: list = []

# Notices (交办单, 催办单, 督办单) and the official documents' print CSS.
from . import notice_views  # noqa: E402

urlpatterns += [
    path("document.css", notice_views.document_css, name="document_css"),
    path("notices/", notice_views.notice_list, name="notice_list"),
    path("notices/draft/", notice_views.notice_draft, name="notice_draft"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/print/", notice_views.notice_print, name="notice_print"),
    path("notices/<int:pk>/notice.docx", notice_views.notice_docx, name="notice_docx"),
    path("notices/<int:pk>/notice.pdf", notice_views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/<slug:action>/", notice_views.notice_action, name="notice_action"),
]

# The person's side of notifications: channel preferences and the sweep's warnings.
from . import delivery_views  # noqa: E402

urlpatterns += [
    path("preferences/", delivery_views.preferences, name="preferences"),
    path("warnings/", delivery_views.warning_list, name="warning_list"),
    path("warnings/read/", delivery_views.warnings_mark_read, name="warnings_mark_read"),
    path("warnings/<int:pk>/", delivery_views.warning_open, name="warning_open"),
]

# Periodic reports (通报, 点评, 小结, 总账) and the report on the previous executive meeting.
from . import report_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/generate/", report_views.report_create, name="report_create"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/print/", report_views.report_print, name="report_print"),
    path("reports/<int:pk>/report.<str:fmt>", report_views.report_file, name="report_file"),
]
