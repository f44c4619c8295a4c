"""django-axes' lockout check, for the sign-in page.

Axes refuses `authenticate()` calls without a request. Calls without one come only from code
(tests, the console), never from the web: they are left to the next backend, and the sign-in
page (which always passes the request) stays protected.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
