from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .organisations import views as organisation_views
from .pathways import views as pathway_views
from .people import views as people_views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Persons
    path("personnes/", people_views.person_list, name="person_list"),
    path("personnes/nouvelle/", people_views.person_create, name="person_create"),
    path("personnes/doublons/", people_views.duplicates_hint, name="duplicates_hint"),
    path("personnes/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("personnes/<int:pk>/modifier/", people_views.person_edit, name="person_edit"),
    path("personnes/<int:pk>/reconnaissances/ajouter/", people_views.recognition_add, name="recognition_add"),
    path("reconnaissances/<int:pk>/modifier/", people_views.recognition_edit, name="recognition_edit"),
    path("reconnaissances/<int:pk>/supprimer/", people_views.recognition_delete, name="recognition_delete"),
    # Pathway
    path("personnes/<int:pk>/prescriptions/nouvelle/", pathway_views.prescription_add, name="prescription_add"),
    path("prescriptions/<int:pk>/modifier/", pathway_views.prescription_edit, name="prescription_edit"),
    path("prescriptions/<int:pk>/retirer/", pathway_views.prescription_withdraw, name="prescription_withdraw"),
    path("prescriptions/<int:pk>/admettre/", pathway_views.admit, name="admit"),
    path("liste-attente/", pathway_views.waiting_list, name="waiting_list"),
    path("parcours/<int:pk>/situation-entree/", pathway_views.entry_situation_edit, name="entry_situation_edit"),
    path("parcours/<int:pk>/conseiller/", pathway_views.change_counsellor, name="change_counsellor"),
    path("parcours/<int:pk>/veille/", pathway_views.veille_start, name="veille_start"),
    path("parcours/<int:pk>/relances/ajouter/", pathway_views.outreach_add, name="outreach_add"),
    path("parcours/<int:pk>/sortie/", pathway_views.exit_episode, name="exit_episode"),
    path("veilles/<int:pk>/terminer/", pathway_views.veille_end, name="veille_end"),
    path("veilles/<int:pk>/prolonger/", pathway_views.veille_extend, name="veille_extend"),
    path("veilles/<int:pk>/reprise/", pathway_views.veille_resume, name="veille_resume"),
    # Organisations and staff
    path("equipe/", organisation_views.staff_list, name="staff_list"),
    path("equipe/nouveau/", organisation_views.staff_create, name="staff_create"),
    path("equipe/<int:pk>/modifier/", organisation_views.staff_edit, name="staff_edit"),
    path("organisations/nouvelle/", organisation_views.organisation_create, name="organisation_create"),
]

handler400 = "tremplin.views.bad_request"
handler403 = "tremplin.views.permission_denied"
handler404 = "tremplin.views.page_not_found"
handler500 = "tremplin.views.server_error"
