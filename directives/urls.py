from django.urls import path

from . import ledger_views, views

app_name = "directives"
urlpatterns = [
    path("", views.index, name="index"),
    path("work-reports/", views.work_report_list, name="work_report_list"),
    path("work-reports/new/", views.work_report_create, name="work_report_create"),
    path("work-reports/<int:pk>/", views.work_report_detail, name="work_report_detail"),
    path("work-reports/<int:pk>/edit/", views.work_report_edit, name="work_report_edit"),
    path("work-reports/<int:pk>/assign/", views.work_report_assign, name="work_report_assign"),
    path("work-reports/<int:pk>/targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/split/", views.target_split, name="target_split"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/new/", views.instruction_create, name="instruction_create"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction_detail"),
    path("instructions/<int:pk>/edit/", views.instruction_edit, name="instruction_edit"),
    path("instructions/<int:pk>/assign/", views.instruction_assign, name="instruction_assign"),
    path(
        "instructions/<int:pk>/attachment/",
        views.instruction_attachment,
        name="instruction_attachment",
    ),
    path("superior/", views.superior_list, name="superior_list"),
    path("superior/new/", views.superior_create, name="superior_create"),
    path("superior/<int:pk>/", views.superior_detail, name="superior_detail"),
    path("superior/<int:pk>/edit/", views.superior_edit, name="superior_edit"),
    path("superior/<int:pk>/assign/", views.superior_assign, name="superior_assign"),
    path("superior/<int:pk>/items/new/", views.superior_item_create, name="superior_item_create"),
    path("superior-items/<int:pk>/edit/", views.superior_item_edit, name="superior_item_edit"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/assign/", views.proposal_assign, name="proposal_assign"),
    path("proposals/<int:pk>/reply/", views.proposal_reply, name="proposal_reply"),
    path(
        "proposals/<int:pk>/satisfaction/",
        views.proposal_satisfaction,
        name="proposal_satisfaction",
    ),
]

# The ledger of suggestions and proposals (建议提案台账) as Excel: template, export, import.
urlpatterns += [
    path(
        "proposals/ledger/template.xlsx",
        ledger_views.ledger_template,
        name="proposal_ledger_template",
    ),
    path("proposals/ledger/export.xlsx", ledger_views.ledger_export, name="proposal_ledger_export"),
    path("proposals/ledger/import/", ledger_views.ledger_import, name="proposal_ledger_import"),
]

# The ledgers of work-report targets and leader instructions, as the proposals' above.
urlpatterns += [
    path(
        "work-reports/ledger/template.xlsx",
        ledger_views.target_ledger_template,
        name="target_ledger_template",
    ),
    path(
        "work-reports/ledger/export.xlsx",
        ledger_views.target_ledger_export,
        name="target_ledger_export",
    ),
    path(
        "work-reports/ledger/import/",
        ledger_views.target_ledger_import,
        name="target_ledger_import",
    ),
    path(
        "instructions/ledger/template.xlsx",
        ledger_views.instruction_ledger_template,
        name="instruction_ledger_template",
    ),
    path(
        "instructions/ledger/export.xlsx",
        ledger_views.instruction_ledger_export,
        name="instruction_ledger_export",
    ),
    path(
        "instructions/ledger/import/",
        ledger_views.instruction_ledger_import,
        name="instruction_ledger_import",
    ),
]

# The ledger of assignments from above (上级交办事项台账), as the others above.
urlpatterns += [
    path(
        "superior/ledger/template.xlsx",
        ledger_views.superior_ledger_template,
        name="superior_ledger_template",
    ),
    path(
        "superior/ledger/export.xlsx",
        ledger_views.superior_ledger_export,
        name="superior_ledger_export",
    ),
    path(
        "superior/ledger/import/",
        ledger_views.superior_ledger_import,
        name="superior_ledger_import",
    ),
]
