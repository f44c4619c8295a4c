"""Creation forms posted once: a second post of the same form returns the first result.

A creation form carries a one-time token (`tremplin.lib.forms.SubmissionTokenField`, a new one
each time the empty form is shown). `once()` stores the token in the same transaction as the
record it creates, under a unique constraint: the second of two posts of one form (a double
click, a retried request, two at once) finds it taken and gets the first record back, instead of
creating a second one. On PostgreSQL the second insert waits for the first transaction and then
fails; on SQLite writers are serialised (BEGIN IMMEDIATE). A refused creation (DomainError) rolls
the token back with it: the corrected form can be posted again. A post without a token (an old
page, a script) creates as before.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.lib.errors import DomainError
from tremplin.lib.forms import SubmissionTokenField

from .models import FormSubmission

KEPT = dt.timedelta(days=2)  # a repeated post comes within seconds; tokens older than this are deleted


def previous(user, token: uuid.UUID | None, model: type[Model]):
    """The record created by `user`'s earlier post of this form, or None."""
    if token is None:
        return None
    done = FormSubmission.objects.filter(token=token, user=user, model=model._meta.label_lower).first()
    if done is None or done.object_id is None:
        return None
    return model._default_manager.filter(pk=done.object_id).first()


def already_created(request, model: type[Model], name: str = "submission"):
    """The record an earlier post of this very form created, read from the posted token before
    the form is validated (its checks, e.g. "login already taken", would refuse the repeat)."""
    if request.method != "POST":
        return None
    return previous(request.user, SubmissionTokenField().clean(request.POST.get(name)), model)


@transaction.atomic
def once(user, token: uuid.UUID | None, model: type[Model], create: Callable[[], Model]) -> tuple[Model, bool]:
    """`create()` at most once per token: (the record, whether it had already been created)."""
    if token is None:
        return create(), False
    try:
        with transaction.atomic():
            submission = FormSubmission.objects.create(token=token, user=user, model=model._meta.label_lower)
    except IntegrityError:
        done = previous(user, token, model)
        if done is None:
            raise DomainError(
                _("This form was already sent. Open the page again to start a new one."), code="already_submitted"
            ) from None
        return done, True
    record = create()
    FormSubmission.objects.filter(pk=submission.pk).update(object_id=record.pk)
    FormSubmission.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    return record, False
