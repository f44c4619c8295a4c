from django.urls import path

from . import views

urlpatterns = [
    path("personnes/<int:pk>/prescriptions/nouvelle/", views.prescription_add, name="prescription_add"),
    path("prescriptions/<int:pk>/modifier/", views.prescription_edit, name="prescription_edit"),
    path("prescriptions/<int:pk>/retirer/", views.prescription_withdraw, name="prescription_withdraw"),
    path("prescriptions/<int:pk>/admettre/", views.admit, name="admit"),
    path("liste-attente/", views.waiting_list, name="waiting_list"),
    path("parcours/<int:pk>/situation-entree/", views.entry_situation_edit, name="entry_situation_edit"),
    path("parcours/<int:pk>/conseiller/", views.change_counsellor, name="change_counsellor"),
    path("parcours/<int:pk>/veille/", views.veille_start, name="veille_start"),
    path("parcours/<int:pk>/relances/ajouter/", views.outreach_add, name="outreach_add"),
    path("parcours/<int:pk>/sortie/", views.exit_episode, name="exit_episode"),
    path("veilles/<int:pk>/terminer/", views.veille_end, name="veille_end"),
    path("veilles/<int:pk>/prolonger/", views.veille_extend, name="veille_extend"),
    path("veilles/<int:pk>/reprise/", views.veille_resume, name="veille_resume"),
]
