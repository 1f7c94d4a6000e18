from django.urls import path

app_name = "taskboard"
urlpatterns = []
