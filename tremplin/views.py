"""The home page and error pages."""

from __future__ import annotations

from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader

from tremplin.access import scope
from tremplin.lib.dates import today
from tremplin.pathways.states import active_episodes, in_veille_filter, supported_episodes, waiting_prescriptions


def home(request):
    from tremplin.access.views import landing_for

    landing = landing_for(request.user)
    if landing:
        return redirect(landing)
    day = today()
    persons = scope.persons_for(request.user)
    supported = supported_episodes(day).filter(person__in=persons)
    context = {
        "today": day,
        "counts": {
            "active": active_episodes(day).filter(person__in=persons).count(),
            "in_veille": supported.filter(in_veille_filter(day)).count(),
            "waiting": waiting_prescriptions(day).filter(person__in=persons).count(),
        },
        "staff": scope.staff_of(request.user),
    }
    return render(request, "home.html", context)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
