from django.urls import path

from . import views

urlpatterns = [
    path("equipe/", views.staff_list, name="staff_list"),
    path("equipe/nouveau/", views.staff_create, name="staff_create"),
    path("equipe/<int:pk>/modifier/", views.staff_edit, name="staff_edit"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
]
