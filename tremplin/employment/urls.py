from django.urls import path

from . import views

urlpatterns = [
    path("employeurs/", views.employer_list, name="employer_list"),
    path("employeurs/nouveau/", views.employer_create, name="employer_create"),
    path("employeurs/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employeurs/<int:pk>/modifier/", views.employer_edit, name="employer_edit"),
    path("employeurs/<int:pk>/contacts/ajouter/", views.contact_add, name="employer_contact_add"),
    path("contacts-employeur/<int:pk>/modifier/", views.contact_edit, name="employer_contact_edit"),
    path("contacts-employeur/<int:pk>/supprimer/", views.contact_delete, name="employer_contact_delete"),
    path("personnes/<int:pk>/contrats/nouveau/", views.contract_add, name="contract_add"),
    path("contrats/<int:pk>/modifier/", views.contract_edit, name="contract_edit"),
    path("contrats/<int:pk>/fin/", views.contract_end, name="contract_end"),
    path("contrats/<int:pk>/supprimer/", views.contract_delete, name="contract_delete"),
    path("personnes/<int:pk>/stages/nouveau/", views.placement_add, name="placement_add"),
    path("stages/<int:pk>/modifier/", views.placement_edit, name="placement_edit"),
    path("stages/<int:pk>/supprimer/", views.placement_delete, name="placement_delete"),
    path("parcours/<int:pk>/convention/nouvelle/", views.agreement_create, name="agreement_create"),
    path("conventions/<int:pk>/signatures/", views.agreement_sign, name="agreement_sign"),
    path("conventions/<int:pk>/pdf/", views.agreement_pdf, name="agreement_pdf"),
]
