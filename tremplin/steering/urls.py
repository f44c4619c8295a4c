from django.urls import path

from . import views

urlpatterns = [
    path("pilotage/", views.steering, name="steering"),
    path("pilotage/personnes/", views.steering_persons, name="steering_persons"),
    path("pilotage/telecharger/<str:fmt>/", views.steering_export, name="steering_export"),
    path("pilotage/transmettre/", views.transmit, name="steering_transmit"),
    path("pilotage/transmissions/", views.transmission_list, name="transmission_list"),
    path("pilotage/transmissions/<int:pk>/", views.transmission_detail, name="transmission_detail"),
    path("pilotage/import/", views.bundle_import, name="bundle_import"),
    path("pilotage/import/<int:pk>/", views.bundle_import_job, name="bundle_import_job"),
    path("pilotage/import/<int:pk>/avancement/", views.bundle_import_progress, name="bundle_import_progress"),
    path("pilotage/import/<int:pk>/erreurs.csv", views.bundle_import_errors, name="bundle_import_errors"),
    path("pilotage/export/", views.bundle_export, name="bundle_export"),
]
