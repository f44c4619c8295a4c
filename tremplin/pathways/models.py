"""The emploi accompagné pathway: prescription, admission, counsellor, veille, outreach, exit.

The rules of the law live in `services.py` (workflows) and in the constraints below
(invariants the database itself guarantees). States are never stored as flags: whether a
person is supported, in veille or active on a day is derived from dated records.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tremplin.lib.dated import DatedState
from tremplin.lib.dates import short_date, today
from tremplin.lib.fields import DateField

from . import programmes
from .programmes import ExitReason

# The states of INDICATORS.md, one definition each (tremplin/lib/dated.py): supported on D when
# admitted_on <= D < exit_date; in veille on D when a veille of the supporting episode has
# start <= D <= end. `pathways.states` and `pathways.periods` build their querysets and intervals
# from these.
SUPPORTED = DatedState("admitted_on", "exit_date", end_included=False)
IN_VEILLE = DatedState("start", "end", end_included=True)
ASSIGNED = DatedState("start", "end", end_included=True)  # a counsellor assignment current on D



class Prescription(models.Model):
    class Prescriber(models.TextChoices):
        FRANCE_TRAVAIL = "france_travail", _("France Travail")
        CAP_EMPLOI = "cap_emploi", _("Cap emploi")
        MISSION_LOCALE = "mission_locale", _("Mission locale")
        CDAPH = "cdaph", _("CDAPH decision (MDPH)")

    class Situation(models.TextChoices):
        # In the order of the national specification's priorities for rapid access (§III).
        EMPLOYED_AT_RISK = "employed_at_risk", _("already employed, job at risk")
        ABOUT_TO_BE_HIRED = "about_to_be_hired", _("about to be hired")
        LEAVING_ESAT = "leaving_esat", _("leaving an ESAT")
        JOB_SEEKER = "job_seeker", _("job seeker needing reinforced support")
        OTHER = "other", _("other situation")

    class CurrentSupport(models.TextChoices):
        NONE = "", _("none")
        EA = "ea", _("adapted company (EA)")
        EI = "ei", _("integration company (EI)")
        SIAE = "siae", _("other integration structure (SIAE)")
        ESMS = "esms", _("medico-social establishment or service (ESMS)")

    SITUATION_PRIORITY = {
        Situation.EMPLOYED_AT_RISK: 1,
        Situation.ABOUT_TO_BE_HIRED: 2,
        Situation.LEAVING_ESAT: 3,
        Situation.JOB_SEEKER: 4,
        Situation.OTHER: 5,
    }

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="prescriptions")
    code = models.CharField(_("reference"), max_length=30)
    date = DateField(_("prescription date"))
    prescriber = models.CharField(_("prescriber"), max_length=20, choices=Prescriber.choices)
    prescriber_organisation = models.CharField(
        _("prescribing organisation"), max_length=200, blank=True, help_text=_("For example: Cap emploi Aveyron.")
    )
    prescriber_contact = models.CharField(
        _("prescriber's contact"), max_length=200, blank=True, help_text=_("Name, phone or email.")
    )
    urgent = models.BooleanField(_("urgent decision"), default=False)
    consent_given = models.BooleanField(_("the person agreed to the prescription"), default=False)
    consent_date = DateField(_("date of the person's agreement"), null=True, blank=True)
    situation = models.CharField(
        _("situation of the person"), max_length=20, choices=Situation.choices, default=Situation.OTHER
    )
    current_support = models.CharField(
        _("already supported by"), max_length=5, choices=CurrentSupport.choices, blank=True, default=""
    )
    subsidiarity_justification = models.TextField(_("why emploi accompagné is still needed (subsidiarity)"), blank=True)
    withdrawn_on = DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "code"], name="prescription_code_unique"),
            models.CheckConstraint(
                condition=Q(current_support="") | ~Q(subsidiarity_justification=""),
                name="subsidiarity_justified_when_already_supported",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("date")),
                name="prescription_withdrawn_after_date",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="prescription_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_prescriber_display()} · {short_date(self.date)}"

    @property
    def priority(self) -> int:
        return self.SITUATION_PRIORITY.get(self.situation, 9)

    def is_withdrawn_on(self, day: dt.date) -> bool:
        return self.withdrawn_on is not None and self.withdrawn_on <= day

    def is_waiting_on(self, day: dt.date) -> bool:
        """INDICATORS.md: date <= D, not withdrawn on or before D, no episode admitted on or before D."""
        if self.date > day or self.is_withdrawn_on(day):
            return False
        return not any(episode.admitted_on <= day for episode in self.episodes.all())


class EntryStatus(models.TextChoices):
    JOB_SEEKER = "job_seeker", _("job seeker")
    ESAT_WORKER = "esat_worker", _("ESAT worker")
    EMPLOYEE = "employee", _("employee")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    INACTIVE = "inactive", _("inactive")
    STUDENT = "student", _("student or apprentice")
    OTHER = "other", _("other")


class Episode(models.Model):
    """One continuous period of support of a person in a programme, from admission to exit.

    The programme's rules (exit reasons, recording after exit...) are its declaration in
    `programmes.py`; `programmes.of(episode)` gives it."""

    EntryStatus = EntryStatus
    ExitReason = ExitReason

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="episodes")
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="episodes", null=True, blank=True
    )
    programme = models.CharField(
        _("programme"), max_length=30, choices=programmes.choices, default=programmes.EMPLOI_ACCOMPAGNE.code
    )
    admitted_on = DateField(_("admission date"))
    entry_status = models.CharField(_("status at entry"), max_length=20, choices=EntryStatus.choices, blank=True)
    months_without_work = models.PositiveIntegerField(_("months without work before entry"), null=True, blank=True)
    years_worked = models.DecimalField(_("years worked in all"), max_digits=5, decimal_places=2, null=True, blank=True)
    exit_date = DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=30, choices=programmes.exit_reason_choices, blank=True)
    exit_note = models.TextField(_("exit: analysis and consultation of the person"), blank=True)
    exit_low_intensity_offered = models.BooleanField(
        _("the person was told that low-intensity support remains possible"), default=False
    )
    exit_receiving_platform = models.CharField(_("receiving platform"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        ordering = ["-admitted_on"]
        constraints = [
            models.CheckConstraint(
                condition=programmes.accepted_exit_reason_condition(),
                name="exit_reason_is_an_accepted_reason",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gt=F("admitted_on")),
                name="exit_after_admission",
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(exit_date__isnull=True),
                name="one_open_episode_per_programme",
            ),
            models.UniqueConstraint(
                fields=["prescription"], condition=Q(prescription__isnull=False), name="one_episode_per_prescription"
            ),
            models.CheckConstraint(
                condition=Q(years_worked__isnull=True) | Q(years_worked__gte=0), name="years_worked_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["admitted_on"], name="episode_admitted_idx"),
            models.Index(fields=["exit_date"], name="episode_exit_idx"),
        ]

    def __str__(self) -> str:
        return f"{short_date(self.admitted_on)}"

    @property
    def is_open(self) -> bool:
        return self.exit_date is None

    @property
    def programme_rules(self) -> programmes.Programme:
        return programmes.of(self)

    def is_supported_on(self, day: dt.date) -> bool:
        return SUPPORTED.holds(self.admitted_on, self.exit_date, day)

    def pause_on(self, day: dt.date) -> Pause | None:
        for pause in self.pauses.all():
            if pause.is_current(day):
                return pause
        return None

    def current_assignment(self, day: dt.date | None = None) -> CounsellorAssignment | None:
        day = day or today()
        current = None
        for assignment in sorted(self.assignments.all(), key=lambda a: (a.start, a.id)):
            if ASSIGNED.holds(assignment.start, assignment.end, day):
                current = assignment
        if current is None and self.exit_date is not None:
            # After the exit, the last counsellor of the episode.
            assignments = sorted(self.assignments.all(), key=lambda a: (a.start, a.id))
            current = assignments[-1] if assignments else None
        return current

    def current_counsellor(self, day: dt.date | None = None):
        assignment = self.current_assignment(day)
        return assignment.staff if assignment else None


class CounsellorAssignment(models.Model):
    """The conseiller unique of an episode over a period. Every change is kept."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("counsellor")
    )
    start = DateField(_("from"))
    end = DateField(_("until"), null=True, blank=True)
    over_ceiling_justification = models.TextField(_("justification for exceeding the caseload ceiling"), blank=True)
    over_ceiling_resolved_on = DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("counsellor assignment")
        verbose_name_plural = _("counsellor assignments")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(end__isnull=True), name="one_current_counsellor_per_episode"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="assignment_end_after_start"
            ),
        ]


class Pause(models.Model):
    """A veille: support paused, at the person's request or with their formal agreement.

    It is not an exit. It always has an end date (the database refuses one without).
    """

    class RequestedBy(models.TextChoices):
        PERSON = "person", _("the person asked for it")
        COUNSELLOR = "counsellor", _("proposed by the counsellor, with the person's formal agreement")

    class EmployerInformed(models.TextChoices):
        YES = "yes", _("yes")
        NO = "no", _("no")
        NO_EMPLOYER = "no_employer", _("no employer")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="pauses")
    start = DateField(_("start of the veille"))
    end = DateField(_("end of the veille"))
    requested_by = models.CharField(
        _("who asked for the veille"), max_length=12, choices=RequestedBy.choices, default=RequestedBy.PERSON
    )
    agreement_date = DateField(_("date of the person's formal agreement"), null=True, blank=True)
    reactivation_conditions = models.TextField(_("conditions for resuming support"), blank=True)
    employer_informed = models.CharField(
        _("employer informed"), max_length=12, choices=EmployerInformed.choices, default=EmployerInformed.NO_EMPLOYER
    )
    ended_early = models.BooleanField(default=False, editable=False)
    closed_on = DateField(_("support resumed (recorded on)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("veille")
        verbose_name_plural = _("veilles")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="veille_end_after_start"),
            models.CheckConstraint(
                condition=~Q(requested_by="counsellor") | Q(agreement_date__isnull=False),
                name="veille_proposed_by_counsellor_needs_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{short_date(self.start)} – {short_date(self.end)}"

    def is_current(self, day: dt.date) -> bool:
        return IN_VEILLE.holds(self.start, self.end, day)


class PauseExtension(models.Model):
    """A new dated decision extending a veille."""

    pause = models.ForeignKey(Pause, on_delete=models.CASCADE, related_name="extensions")
    decided_on = DateField(_("date of the decision"))
    previous_end = DateField(_("previous end"))
    new_end = DateField(_("new end"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extension of a veille")
        verbose_name_plural = _("extensions of a veille")
        ordering = ["decided_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(new_end__gt=F("previous_end")), name="extension_extends"),
        ]


class OutreachAttempt(models.Model):
    """An attempt to reach a person who no longer answers (procedure before a disengagement exit)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        LETTER = "letter", _("letter")
        EMAIL = "email", _("email")
        TRUSTED_THIRD_PARTY = "trusted_third_party", _("trusted third party")
        HOME_VISIT = "home_visit", _("home visit")

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("no answer")
        MESSAGE_LEFT = "message_left", _("message left, no reply")
        RETURNED = "returned", _("returned or undelivered")
        REACHED = "reached", _("the person was reached")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outreach_attempts")
    date = DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    staff = models.ForeignKey(
        "organisations.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="outreach_attempts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outreach attempt")
        verbose_name_plural = _("outreach attempts")
        ordering = ["-date", "-id"]

    @property
    def reached(self) -> bool:
        return self.outcome == self.Outcome.REACHED
