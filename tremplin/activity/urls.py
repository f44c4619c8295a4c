from django.urls import path

from . import views

urlpatterns = [
    path("portefeuille/", views.caseload, name="caseload"),
    path("portefeuille/ligne/<int:pk>/", views.caseload_row, name="caseload_row"),
    path("a-faire/", views.due_list, name="due_list"),
    path("suivi-equipe/", views.team, name="team"),
    path("suivi-equipe/reaffecter/", views.team_reassign, name="team_reassign"),
    path("suivi-equipe/alertes/<int:pk>/resoudre/", views.resolve_alerts, name="resolve_alerts"),
    path("personnes/<int:pk>/interventions/", views.intervention_list, name="intervention_list"),
    path("personnes/<int:pk>/interventions/nouvelle/", views.intervention_add, name="intervention_add"),
    path("interventions/<int:pk>/modifier/", views.intervention_edit, name="intervention_edit"),
    path("interventions/<int:pk>/supprimer/", views.intervention_delete, name="intervention_delete"),
    path("personnes/<int:pk>/rendez-vous/nouveau/", views.appointment_add, name="appointment_add"),
    path("rendez-vous/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("rendez-vous/<int:pk>/tenu/", views.appointment_held, name="appointment_held"),
    path("rendez-vous/<int:pk>/annuler/", views.appointment_cancel, name="appointment_cancel"),
    path("mon-agenda/", views.calendar_settings, name="calendar_settings"),
    path("calendrier/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
