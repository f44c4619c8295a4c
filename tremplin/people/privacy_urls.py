from django.urls import path

from . import privacy_views as views

urlpatterns = [
    path("personnes/<int:pk>/notes/", views.person_notes, name="person_notes"),
    path("personnes/<int:pk>/droits/", views.person_rights, name="person_rights"),
    path("personnes/<int:pk>/droits/information/", views.information_add, name="information_add"),
    path("personnes/<int:pk>/droits/consentement/", views.consent_add, name="consent_add"),
    path("personnes/<int:pk>/droits/opposition/", views.objection_add, name="objection_add"),
    path("consentements/<int:pk>/retirer/", views.consent_withdraw, name="consent_withdraw"),
    path("oppositions/<int:pk>/lever/", views.objection_lift, name="objection_lift"),
    path("personnes/<int:pk>/export.json", views.person_export, {"fmt": "json"}, name="person_export_json"),
    path("personnes/<int:pk>/export.pdf", views.person_export, {"fmt": "pdf"}, name="person_export_pdf"),
]
