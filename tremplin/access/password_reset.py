"""The forgotten-password flow's last step, logged: choosing a new password through the e-mailed
link leaves an audit entry (account.password_reset) naming the account, from the requester's
address. Django's own form and view otherwise (tremplin/access/urls.py)."""

from __future__ import annotations

from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction

from tremplin.audit.log import record


class AuditedSetPasswordForm(SetPasswordForm):
    def save(self, commit=True):
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                record(user, "account.password_reset", user)
        return user
