from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .dashboard import DashboardView
from .task_edit import TaskEditView

router = SimpleRouter()
router.register("tasks", views.TaskViewSet, basename="task")
router.register("units", views.UnitViewSet, basename="unit")

urlpatterns = [
    *router.urls,
    path(
        "tasks/<int:pk>/progress-reports/",
        views.TaskProgressReportList.as_view(),
        name="task_progress_reports",
    ),
    path("tasks/<int:pk>/events/", views.TaskEventList.as_view(), name="task_events"),
    path("tasks/<int:pk>/edit/", TaskEditView.as_view(), name="task_edit"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    *(
        path(
            f"tasks/<int:pk>/{name.replace('_', '-')}/",
            view.as_view(),
            name=f"task_{name}",
        )
        for name, view in views.ACTION_VIEWS.items()
    ),
]
