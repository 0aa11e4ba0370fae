from django.urls import path

from . import views

urlpatterns = [
    path("customers/<int:pk>/", views.customer_data, name="privacy_customer"),
    path("customers/<int:pk>/exports/", views.export_create, name="privacy_export_create"),
    path("customers/<int:pk>/access-log/", views.access_log, name="privacy_access_log"),
    path("customers/<int:pk>/erase/", views.erase, name="privacy_erase"),
    path("exports/<int:pk>/", views.export_detail, name="privacy_export"),
    path("exports/<int:pk>/download/", views.export_download, name="privacy_export_download"),
]
