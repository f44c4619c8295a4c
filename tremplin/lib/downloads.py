"""Downloads of personal data (a person's file, the list of accesses to it, documents, bundles,
exports, calendar feeds): never kept in the browser's cache or by a proxy.

Every view that answers a file carries `@no_store`: `Cache-Control: max-age=0, no-cache, no-store,
must-revalidate, private` (and an `Expires` in the past), so that a shared computer's cache or a
proxy keeps no copy. tests/security/test_item14_no_store.py walks every URL and checks that each
download carries it.
"""

from __future__ import annotations

from django.views.decorators.cache import never_cache


def no_store(view):
    """The view's answers are not stored by any cache (see the module's docstring)."""
    return never_cache(view)
