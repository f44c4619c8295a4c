from django.urls import path

from . import views

urlpatterns = [
    path("journal/", views.access_log, name="access_log"),
    path("personnes/<int:pk>/acces/", views.person_accesses, name="person_accesses"),
    path("personnes/<int:pk>/acces.csv", views.person_accesses_csv, name="person_accesses_csv"),
]
