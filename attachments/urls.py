from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.download, name="attachment_download"),
    path("<int:pk>/thumbnail/", views.thumbnail, name="attachment_thumbnail"),
    path("<int:pk>/remove/", views.remove, name="attachment_remove"),
]
