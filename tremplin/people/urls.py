from django.urls import path

from . import views

urlpatterns = [
    path("personnes/", views.person_list, name="person_list"),
    path("personnes/nouvelle/", views.person_create, name="person_create"),
    path("personnes/doublons/", views.duplicates_hint, name="duplicates_hint"),
    path("personnes/<int:pk>/", views.person_detail, name="person_detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="person_edit"),
    path("personnes/<int:pk>/reconnaissances/ajouter/", views.recognition_add, name="recognition_add"),
    path("reconnaissances/<int:pk>/modifier/", views.recognition_edit, name="recognition_edit"),
    path("reconnaissances/<int:pk>/supprimer/", views.recognition_delete, name="recognition_delete"),
]
