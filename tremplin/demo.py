"""An invented, realistic and deterministic platform for demonstrations and benchmarks.

Same seed and same "as of" date give the same data. Every name is invented. The data respects
every rule of the pathway (a test checks it), so every screen has something true to show:
waiting prescriptions (some urgent, some withdrawn), active persons at every intensity, veilles
(current, extended, ended early, overdue), every exit reason including a documented
disengagement, a person who came back, employers, contracts and placements.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from tremplin.activity.models import Appointment, Intervention
from tremplin.audit.log import record
from tremplin.employment.models import Contract, Employer, EmployerContact, Placement
from tremplin.lib.dates import add_months
from tremplin.organisations.models import Funding, Organisation, Platform, Staff, TimeAllocation, Training
from tremplin.pathways.models import (
    CounsellorAssignment,
    Episode,
    ExitReason,
    OutreachAttempt,
    Pause,
    PauseExtension,
    Prescription,
)
from tremplin.people.models import Disability, Person, Recognition

DEMO_PASSWORD = "Tremplin-demo-2026"

FIRST_NAMES_F = [
    "Jeanne",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Julie",
    "Laura",
    "Emma",
    "Lucie",
    "Élodie",
    "Pauline",
    "Marion",
    "Anaïs",
    "Aurélie",
    "Sophie",
    "Nadia",
    "Fatima",
    "Mélanie",
    "Céline",
    "Amandine",
    "Justine",
    "Océane",
    "Yasmine",
    "Hélène",
    "Agathe",
    "Margaux",
    "Noémie",
    "Coralie",
]
FIRST_NAMES_M = [
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Kevin",
    "Romain",
    "Antoine",
    "Hugo",
    "Lucas",
    "Mathieu",
    "Quentin",
    "Sébastien",
    "Jérémy",
    "Yanis",
    "Karim",
    "Florian",
    "Damien",
    "Adrien",
    "Loïc",
    "Benoît",
    "Cédric",
    "Théo",
    "Dylan",
    "Mehdi",
    "Vincent",
    "Rémi",
    "Guillaume",
    "Bastien",
    "Alexis",
    "Jordan",
]
LAST_NAMES = [
    "Durand",
    "Martin",
    "Bernard",
    "Roux",
    "Fabre",
    "Vidal",
    "Bousquet",
    "Costes",
    "Vergnes",
    "Bonnefous",
    "Carrière",
    "Alibert",
    "Mazars",
    "Lacombe",
    "Delmas",
    "Puech",
    "Rouquette",
    "Soulié",
    "Viguier",
    "Cayla",
    "Marty",
    "Fournier",
    "Girard",
    "Lopez",
    "Mercier",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Rousseau",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gerard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noel",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Perez",
    "Marchand",
]
TOWNS = ["Rodez", "Millau", "Villefranche-de-Rouergue", "Decazeville", "Espalion", "Saint-Affrique", "Onet-le-Château"]
EMPLOYER_NAMES = [
    ("Boulangerie du Causse", "private", "10.71C"),
    ("Supermarché des Quatre Saisons", "private", "47.11F"),
    ("Mairie de Rodez", "public", "84.11Z"),
    ("Centre hospitalier de Millau", "public", "86.10Z"),
    ("Garage Bousquet", "private", "45.20A"),
    ("Espaces verts du Lévézou", "private", "81.30Z"),
    ("Imprimerie Ruthénoise", "private", "18.12Z"),
    ("Laiterie du Ségala", "private", "10.51A"),
    ("Conseil départemental", "public", "84.11Z"),
    ("Logistique Aveyron Services", "private", "52.10B"),
    ("Hôtel du Vieux Pont", "private", "55.10Z"),
    ("Médiathèque intercommunale", "public", "91.01Z"),
    ("Menuiserie Cayla", "private", "16.23Z"),
    ("Pharmacie de la Place", "private", "47.73Z"),
    ("Nettoyage Pro 12", "private", "81.21Z"),
    ("La Poste, agence de Rodez", "public", "53.10Z"),
    ("Restaurant Le Terroir", "private", "56.10A"),
    ("EHPAD Les Tilleuls", "private", "87.10A"),
    ("Bricolage du Rouergue", "private", "47.52B"),
    ("Coopérative agricole Unicor", "private", "46.21Z"),
    ("Lycée agricole La Roque", "public", "85.32Z"),
    ("Transports Delmas", "private", "49.41A"),
    ("Cabinet comptable Puech", "private", "69.20Z"),
    ("Jardinerie Vidal", "private", "47.76Z"),
    ("Atelier vélo solidaire", "private", "95.29Z"),
    ("Crèche municipale Les Lutins", "public", "88.91A"),
]
JOB_TITLES = [
    "agent d'entretien",
    "employé de rayon",
    "préparateur de commandes",
    "agent administratif",
    "aide-cuisinier",
    "ouvrier paysagiste",
    "agent d'accueil",
    "magasinier",
    "aide à domicile",
    "vendeur",
    "opérateur de production",
    "secrétaire",
    "agent de restauration",
    "manutentionnaire",
]
DISABILITY_WEIGHTS = [
    (Disability.PSYCHIC, 45),
    (Disability.AUTISM, 10),
    (Disability.INTELLECTUAL, 12),
    (Disability.COGNITIVE, 10),
    (Disability.SENSORY, 6),
    (Disability.MOTOR, 7),
    (Disability.CHRONIC_DISEASE, 5),
    (Disability.MULTIPLE, 3),
    (Disability.OTHER, 2),
]
INTENSITY_HOURS = [(14.0, 20), (10.0, 30), (4.5, 35), (1.2, 15)]  # hours a month, weight


@dataclass
class DemoResult:
    platform: Platform
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (login, name, role)
    otp_key: str = ""  # the second-factor key shared by the demo accounts (base32)
    persons: int = 0
    interventions: int = 0


class _Builder:
    def __init__(self, seed: int, as_of: dt.date, persons: int):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.start = dt.date(as_of.year - 4, as_of.month, 1)
        self.n_persons = persons
        self.interventions: list[Intervention] = []
        self.used_names: set[tuple[str, str]] = set()

    # Helpers --------------------------------------------------------------------------------
    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def pick_weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights, k=1)[0]

    def person_name(self, sex: str) -> tuple[str, str]:
        for _ in range(1000):
            first = self.rng.choice(FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M)
            last = self.rng.choice(LAST_NAMES)
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))
                return first, last
        return first, last

    # Organisations and staff ---------------------------------------------------------------
    def organisations(self):
        platform = Platform.objects.create(
            code="EA12", name="Plateforme emploi accompagné de l'Aveyron", department="12"
        )
        lead = Organisation.objects.create(
            platform=platform, code="PASS", name="Association Passerelle Aveyron", role="lead"
        )
        savs = Organisation.objects.create(platform=platform, code="LEVZ", name="SAVS du Lévézou", role="partner")
        samsah = Organisation.objects.create(platform=platform, code="SEGA", name="SAMSAH du Ségala", role="partner")
        self.platform, self.lead, self.partners = platform, lead, [savs, samsah]
        staff_spec = [
            (lead, "Hélène Vergnes", "manager", Decimal("1"), "none", "direction"),
            (lead, "Marc Alibert", "coordinator", Decimal("1"), "certified", "coordination"),
            (lead, "Claire Martin", "counsellor", Decimal("1"), "certified", None),
            (lead, "Sofiane Benali", "counsellor", Decimal("1"), "certified", None),
            (lead, "Isabelle Costes", "counsellor", Decimal("0.8"), "in_training", None),
            (lead, "Paul Rouquette", "counsellor", Decimal("1"), "none", None),
            (lead, "Amélie Soulié", "counsellor", Decimal("0.5"), "in_training", None),
            (lead, "Nathalie Puech", "administrative", Decimal("0.5"), "none", None),
            (lead, "Dr Anne Viguier", "other", Decimal("0.2"), "none", "medical"),
            (savs, "Julien Mazars", "coordinator", Decimal("0.5"), "certified", "coordination"),
            (savs, "Laura Delmas", "counsellor", Decimal("1"), "certified", None),
            (savs, "Thomas Lacombe", "counsellor", Decimal("1"), "in_training", None),
            (savs, "Karim Haddad", "counsellor", Decimal("0.6"), "none", None),
            (samsah, "Sandrine Cayla", "coordinator", Decimal("0.5"), "none", "coordination"),
            (samsah, "Éric Bonnefous", "counsellor", Decimal("1"), "certified", None),
            (samsah, "Mélanie Carrière", "counsellor", Decimal("0.8"), "in_training", None),
            (samsah, "Yann Marty", "counsellor", Decimal("1"), "none", None),
            (samsah, "Lucie Fabre", "other", Decimal("0.3"), "none", "psychological"),
        ]
        user_model = get_user_model()
        self.staff: list[Staff] = []
        self.accounts = []
        hashed = None
        for index, (org, name, function, fte, rncp, extra) in enumerate(staff_spec, start=1):
            login = (
                name.replace("Dr ", "")
                .lower()
                .replace(" ", ".")
                .replace("é", "e")
                .replace("è", "e")
                .replace("ï", "i")
                .replace("É", "e")
                .replace("ë", "e")
            )
            user = user_model(
                username=login, first_name=name.split()[-2] if " " in name else name, last_name=name.split()[-1]
            )
            if hashed is None:
                user.set_password(DEMO_PASSWORD)
                hashed = user.password
            user.password = hashed
            user.save()
            start = self.start - dt.timedelta(days=self.rng.randint(30, 900))
            staff = Staff.objects.create(
                organisation=org,
                code=f"S{index}",
                name=name,
                function=function,
                fte=fte,
                start=start,
                rncp37779=rncp,
                clinical_domain=extra if extra in ("medical", "psychological", "social") else "",
                user=user,
            )
            self.staff.append(staff)
            self.accounts.append((login, name, f"{staff.get_function_display()} · {org.name}"))
        # One counsellor left last year; a newer one took over.
        leaver = Staff.objects.create(
            organisation=lead,
            code="S90",
            name="Bruno Marty",
            function="counsellor",
            fte=Decimal("1"),
            start=self.start - dt.timedelta(days=400),
            end=self.as_of - dt.timedelta(days=200),
            rncp37779="none",
        )
        newcomer = Staff.objects.create(
            organisation=lead,
            code="S91",
            name="Inès Moreau",
            function="counsellor",
            fte=Decimal("1"),
            start=leaver.end + dt.timedelta(days=1),
            rncp37779="in_training",
        )
        self.leaver, self.newcomer = leaver, newcomer
        self.staff += [leaver, newcomer]
        self.counsellors = {
            org.pk: [s for s in self.staff if s.organisation_id == org.pk and s.function == "counsellor"]
            for org in [lead, savs, samsah]
        }

    def resources(self):
        for year in range(self.start.year, self.as_of.year + 1):
            for funder, amount in [("state", 140000), ("agefiph", 90000), ("fiphfp", 18000), ("other", 6000)]:
                Funding.objects.create(
                    platform=self.platform,
                    year=year,
                    funder=funder,
                    amount_eur=Decimal(amount + 2000 * (year - self.start.year)),
                )
            for staff in self.staff:
                if staff.function == "counsellor":
                    split = (Decimal("0.80"), Decimal("0.08"), Decimal("0.02"), Decimal("0.10"))
                elif staff.function == "coordinator":
                    split = (Decimal("0.20"), Decimal("0.55"), Decimal("0.10"), Decimal("0.15"))
                elif staff.function == "manager":
                    split = (Decimal("0.00"), Decimal("0.20"), Decimal("0.60"), Decimal("0.20"))
                else:
                    split = (Decimal("0.50"), Decimal("0.20"), Decimal("0.20"), Decimal("0.10"))
                TimeAllocation.objects.create(
                    staff=staff,
                    year=year,
                    support=split[0],
                    coordination=split[1],
                    management=split[2],
                    partnership=split[3],
                )
        titles = [
            "Analyse des pratiques",
            "Job carving et emploi sur mesure",
            "Handicap psychique au travail",
            "Titre professionnel CEA (RNCP37779)",
            "Médiation employeur",
        ]
        for staff in self.staff:
            if staff.function in ("counsellor", "coordinator"):
                Training.objects.create(
                    staff=staff, title=self.rng.choice(titles), year=self.as_of.year, status="delivered"
                )
                Training.objects.create(
                    staff=staff, title=self.rng.choice(titles), year=self.as_of.year + 1, status="planned"
                )

    def employers(self):
        self.employer_list = []
        for index, (name, kind, naf) in enumerate(EMPLOYER_NAMES, start=1):
            employer = Employer.objects.create(
                platform=self.platform,
                code=f"E{index}",
                name=name,
                kind=kind,
                naf=naf,
                size_band=self.rng.choice(["0-9", "10-49", "50-249", "250+"]),
                address=f"{self.rng.randint(1, 80)} rue {self.rng.choice(['de la Paix', 'Béteille', 'du Barry', 'Saint-Cyrice'])}, {self.rng.choice(TOWNS)}",
            )
            EmployerContact.objects.create(
                employer=employer,
                name=f"{self.rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {self.rng.choice(LAST_NAMES)}",
                role=self.rng.choice(["responsable RH", "gérant", "chef d'équipe", "directrice"]),
                phone=f"05 65 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} {self.rng.randint(10, 99)}",
            )
            self.employer_list.append(employer)

    # Persons and pathways ------------------------------------------------------------------
    def counsellor_for(self, org: Organisation, day: dt.date) -> Staff:
        candidates = [s for s in self.counsellors[org.pk] if s.is_in_post(day)]
        return self.rng.choices(candidates, weights=[float(s.fte) for s in candidates], k=1)[0]

    def persons(self):
        orgs = [self.lead] * 55 + [self.partners[0]] * 25 + [self.partners[1]] * 20
        # Scenarios guaranteeing every state and exit reason; the rest is random.
        forced = (
            ["waiting_urgent", "waiting_at_risk", "waiting_long", "waiting_no_consent", "withdrawn", "withdrawn"]
            + ["exit_" + reason for reason in ExitReason.values]
            + [
                "exit_disengagement",
                "returned",
                "veille_current",
                "veille_current",
                "veille_extended",
                "veille_overdue",
                "veille_ended_early",
                "silent",
                "expiring_rqth",
                "subsidiarity",
            ]
        )
        scenarios = forced + ["random"] * max(0, self.n_persons - len(forced))
        self.rng.shuffle(scenarios)
        for index, scenario in enumerate(scenarios[: self.n_persons], start=1):
            org = self.rng.choice(orgs)
            self.one_person(index, org, scenario)

    def one_person(self, index: int, org: Organisation, scenario: str):
        rng = self.rng
        sex = rng.choices(["F", "M", "X"], weights=[46, 52, 2])[0]
        first, last = self.person_name("M" if sex == "X" else sex)
        birth = dt.date(rng.randint(1962, 2005), rng.randint(1, 12), rng.randint(1, 28))
        disabilities = [self.pick_weighted(DISABILITY_WEIGHTS)]
        if rng.random() < 0.2:
            other = self.pick_weighted(DISABILITY_WEIGHTS)
            if other != disabilities[0]:
                disabilities.append(other)
        if rng.random() < 0.04:
            disabilities = []
        person = Person.objects.create(
            organisation=org,
            code=f"{org.code}-{index:05d}",
            first_name=first,
            last_name=last,
            birth_date=birth,
            sex=sex,
            phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"{first.lower()}.{last.lower()}@exemple.fr".replace(" ", "")
            .replace("é", "e")
            .replace("è", "e")
            .replace("ï", "i")
            .replace("ë", "e")
            .replace("ç", "c")
            .replace("î", "i")
            .replace("â", "a"),
            address=f"{rng.randint(1, 120)} avenue {rng.choice(['Victor Hugo', 'de Paris', 'Tarayre', 'des Écoles'])}, {rng.choice(TOWNS)}",
            legal_representative="UDAF de l'Aveyron (curatelle renforcée)" if rng.random() < 0.08 else "",
            disabilities=disabilities,
            education_level=rng.choice(["none", "3", "3", "4", "4", "5", "6", "7", ""]),
        )
        # Prescription date by scenario.
        if scenario.startswith("waiting"):
            presc_date = self.as_of - dt.timedelta(days={"waiting_long": 75}.get(scenario, rng.randint(3, 40)))
        elif scenario == "withdrawn":
            presc_date = self.as_of - dt.timedelta(days=rng.randint(60, 400))
        elif scenario in ("veille_overdue", "silent", "veille_current", "veille_extended", "veille_ended_early"):
            presc_date = self.day_between(self.start, self.as_of - dt.timedelta(days=500))
        elif scenario.startswith("exit_") or scenario == "returned":
            presc_date = self.day_between(self.start, self.as_of - dt.timedelta(days=700))
        else:
            presc_date = self.day_between(self.start, self.as_of - dt.timedelta(days=20))
        # Recognition valid from before the prescription.
        rec_start = presc_date - dt.timedelta(days=rng.randint(30, 1500))
        if scenario == "expiring_rqth":
            rec_end = self.as_of + dt.timedelta(days=rng.randint(20, 150))
        else:
            rec_end = None if rng.random() < 0.15 else add_months(rec_start, rng.choice([60, 60, 120]))
            if rec_end is not None and rec_end < self.as_of and rng.random() < 0.7:
                Recognition.objects.create(person=person, kind="rqth", start=rec_start, end=rec_end)
                rec_start, rec_end = rec_end + dt.timedelta(days=1), add_months(rec_end, 60)
        Recognition.objects.create(
            person=person, kind=rng.choice(["rqth"] * 9 + ["other_boe"]), start=rec_start, end=rec_end
        )

        situation = rng.choices(
            ["employed_at_risk", "about_to_be_hired", "leaving_esat", "job_seeker", "other"], weights=[20, 8, 7, 55, 10]
        )[0]
        if scenario == "waiting_at_risk":
            situation = "employed_at_risk"
        prescriber = (
            "cdaph"
            if scenario == "waiting_urgent"
            else rng.choices(["france_travail", "cap_emploi", "mission_locale", "cdaph"], weights=[25, 40, 10, 25])[0]
        )
        presc = Prescription.objects.create(
            person=person,
            code="PR1",
            date=presc_date,
            prescriber=prescriber,
            prescriber_organisation={
                "france_travail": "France Travail Rodez",
                "cap_emploi": "Cap emploi Aveyron",
                "mission_locale": "Mission locale Ouest Aveyron",
                "cdaph": "MDPH de l'Aveyron",
            }[prescriber],
            urgent=scenario == "waiting_urgent" or (prescriber == "cdaph" and rng.random() < 0.1),
            consent_given=scenario != "waiting_no_consent",
            consent_date=None if scenario == "waiting_no_consent" else presc_date,
            situation=situation,
            current_support="esms" if scenario == "subsidiarity" else "",
            subsidiarity_justification=(
                "Le SAVS accompagne la vie sociale ; il n'intervient pas auprès de l'employeur ni sur le poste."
                if scenario == "subsidiarity"
                else ""
            ),
        )
        if scenario.startswith("waiting"):
            return
        if scenario == "withdrawn":
            presc.withdrawn_on = presc_date + dt.timedelta(days=rng.randint(5, 50))
            presc.withdrawal_reason = rng.choice(
                [
                    "La personne a trouvé un emploi sans accompagnement.",
                    "La personne ne souhaite plus s'engager pour le moment.",
                ]
            )
            presc.save()
            return
        admitted = min(presc_date + dt.timedelta(days=rng.randint(7, 75)), self.as_of - dt.timedelta(days=1))
        exit_reason = None
        if scenario.startswith("exit_"):
            exit_reason = scenario[5:]
        elif scenario == "returned":
            exit_reason = "person_request"
        elif scenario == "random" and rng.random() < 0.4 and (self.as_of - admitted).days > 240:
            exit_reason = rng.choices(ExitReason.values, weights=[40, 15, 10, 25, 3])[0]
        episode_end_limit = self.as_of if exit_reason is None else None
        self.episode(person, presc, admitted, exit_reason, scenario, episode_end_limit)
        if scenario == "returned":
            last_exit = person.episodes.order_by("-admitted_on").first().exit_date
            presc2_date = min(last_exit + dt.timedelta(days=rng.randint(60, 200)), self.as_of - dt.timedelta(days=30))
            presc2 = Prescription.objects.create(
                person=person,
                code="PR2",
                date=presc2_date,
                prescriber="cap_emploi",
                prescriber_organisation="Cap emploi Aveyron",
                consent_given=True,
                consent_date=presc2_date,
                situation="job_seeker",
            )
            admitted2 = min(presc2_date + dt.timedelta(days=rng.randint(7, 25)), self.as_of - dt.timedelta(days=1))
            self.episode(person, presc2, admitted2, None, "random", self.as_of)

    def episode(self, person, presc, admitted, exit_reason, scenario, _limit):
        rng = self.rng
        org = person.organisation
        if exit_reason is not None:
            min_len = 240 if exit_reason == "disengagement" else 60
            latest_exit = self.as_of - dt.timedelta(days=400 if scenario == "returned" else 1)
            earliest_exit = min(admitted + dt.timedelta(days=min_len), latest_exit)
            exit_date = self.day_between(earliest_exit, latest_exit)
            if exit_reason == "disengagement" and (exit_date - admitted).days < 240:
                exit_reason = "person_request"
        else:
            exit_date = None
        episode = Episode.objects.create(
            person=person,
            prescription=presc,
            admitted_on=admitted,
            entry_status=rng.choices(
                ["job_seeker", "employee", "esat_worker", "inactive", "student", "self_employed", "other", ""],
                weights=[50, 20, 8, 8, 5, 2, 3, 4],
            )[0],
            months_without_work=rng.choice([None, 0, 3, 8, 14, 30, 72]) if rng.random() < 0.95 else None,
            years_worked=rng.choice([None, Decimal("0"), Decimal("0.5"), Decimal("2"), Decimal("6"), Decimal("12.5")]),
        )
        end = exit_date or self.as_of
        # Counsellors: the leaver's persons move to the newcomer the day after the leaver left.
        counsellor = self.counsellor_for(org, admitted)
        assignments = [(counsellor, admitted)]
        if counsellor.pk == self.leaver.pk and end > self.leaver.end:
            assignments.append((self.newcomer, self.leaver.end + dt.timedelta(days=1)))
        elif (end - admitted).days > 400 and rng.random() < 0.12:
            change = admitted + dt.timedelta(days=rng.randint(150, (end - admitted).days - 30))
            other = self.counsellor_for(org, change)
            if other.pk not in (counsellor.pk, self.leaver.pk):
                assignments.append((other, change))
        for position, (staff, start) in enumerate(assignments):
            next_start = assignments[position + 1][1] if position + 1 < len(assignments) else None
            stop = (
                next_start - dt.timedelta(days=1)
                if next_start
                else (max(start, exit_date - dt.timedelta(days=1)) if exit_date else None)
            )
            CounsellorAssignment.objects.create(episode=episode, staff=staff, start=start, end=stop)
        # Veilles.
        pauses = []
        if scenario == "veille_current":
            p_start = self.as_of - dt.timedelta(days=rng.randint(10, 60))
            if p_start > admitted:
                pauses.append(self.pause(episode, p_start, add_months(p_start, rng.choice([3, 4, 6]))))
        elif scenario == "veille_extended":
            p_start = self.as_of - dt.timedelta(days=200)
            pause = self.pause(episode, p_start, add_months(p_start, 5), closed=False)
            decision = pause.end - dt.timedelta(days=5)
            new_end = add_months(decision, 4)
            PauseExtension.objects.create(
                pause=pause,
                decided_on=decision,
                previous_end=pause.end,
                new_end=new_end,
                reason="Soins en cours, la personne souhaite prolonger la pause.",
            )
            pause.end = new_end
            pause.save()
            pauses.append(pause)
        elif scenario == "veille_overdue":
            p_start = self.as_of - dt.timedelta(days=140)
            pauses.append(self.pause(episode, p_start, self.as_of - dt.timedelta(days=12), closed=False))
        elif scenario == "veille_ended_early":
            p_start = self.as_of - dt.timedelta(days=120)
            pause = self.pause(episode, p_start, add_months(p_start, 6), closed=False)
            pause.end = p_start + dt.timedelta(days=45)
            pause.ended_early = True
            pause.closed_on = pause.end + dt.timedelta(days=1)
            pause.save()
            pauses.append(pause)
        elif exit_date is None and (end - admitted).days > 200 and rng.random() < 0.08:
            p_start = self.as_of - dt.timedelta(days=rng.randint(5, 90))
            pauses.append(self.pause(episode, p_start, add_months(p_start, rng.choice([3, 6, 9]))))
        elif (end - admitted).days > 300 and rng.random() < 0.15:
            p_start = admitted + dt.timedelta(days=rng.randint(90, (end - admitted).days - 120))
            p_end = min(p_start + dt.timedelta(days=rng.randint(30, 150)), end - dt.timedelta(days=20))
            if p_end > p_start:
                pauses.append(self.pause(episode, p_start, p_end))
        # Interventions, month by month.
        rate = self.pick_weighted(INTENSITY_HOURS)
        silence_from = None
        if exit_reason == "disengagement":
            silence_from = add_months(exit_date, -7)
        elif scenario == "silent":
            silence_from = self.as_of - dt.timedelta(days=rng.randint(130, 170))
        self.generate_interventions(person, episode, admitted, end, pauses, rate, silence_from)
        if silence_from is not None:
            attempts_until = exit_date or self.as_of
            channels = ["phone", "letter", "email", "home_visit", "trusted_third_party"]
            span = max(1, (attempts_until - silence_from).days - 10)
            for k in range(4 if exit_reason == "disengagement" else 2):
                OutreachAttempt.objects.create(
                    episode=episode,
                    date=silence_from + dt.timedelta(days=min(span, 20 + k * span // 4)),
                    channel=channels[k % len(channels)],
                    outcome="no_answer" if k % 2 == 0 else "message_left",
                    note="Relance sans réponse.",
                )
        # Employment.
        self.employment(person, admitted, end)
        if exit_date is not None:
            episode.exit_date = exit_date
            episode.exit_reason = exit_reason
            episode.exit_low_intensity_offered = exit_reason == "person_request"
            episode.exit_receiving_platform = (
                "Plateforme emploi accompagné du Tarn" if exit_reason == "moved_out" and rng.random() < 0.7 else ""
            )
            episode.exit_note = {
                "disengagement": "Aucun contact depuis plus de six mois malgré les relances (téléphone, courrier, visite). "
                "Situation examinée en réunion d'équipe ; pas d'élément de fragilité connu.",
                "person_request": "La personne ne souhaite plus d'accompagnement ; informée de la possibilité d'un suivi allégé.",
            }.get(exit_reason, "")
            episode.save()
            for pause in pauses:
                if pause.end >= exit_date:
                    pause.end = exit_date - dt.timedelta(days=1)
                    pause.save()
        return episode

    def balance_caseloads(self):
        """Keep every counsellor under the ceiling of 20 per FTE today, as a coordinator would:
        move the most recent admissions to a colleague with room, or record a justification."""
        from tremplin.pathways.caseload import active_counts, ceiling
        from tremplin.pathways.states import active_episodes

        day = self.as_of
        active = active_episodes(day)
        for counsellors in self.counsellors.values():
            in_post = [c for c in counsellors if c.is_in_post(day)]
            counts = active_counts([c.pk for c in in_post], day)
            for counsellor in in_post:
                excess = counts.get(counsellor.pk, 0) - int(ceiling(counsellor))
                if excess <= 0:
                    continue
                assignments = list(
                    CounsellorAssignment.objects.filter(
                        staff=counsellor, end__isnull=True, episode__in=active
                    ).order_by("-start")[:excess]
                )
                for position, assignment in enumerate(assignments):
                    room = [c for c in in_post if c.pk != counsellor.pk and counts.get(c.pk, 0) < int(ceiling(c)) - 1]
                    if not room or position == 0:
                        assignment.over_ceiling_justification = (
                            "Remplacement d'une collègue en congé maternité jusqu'au retour prévu."
                        )
                        assignment.save()
                        continue
                    other = min(room, key=lambda c: counts.get(c.pk, 0) / float(c.fte))
                    change = max(assignment.start, day - dt.timedelta(days=20))
                    if change == assignment.start:
                        assignment.staff = other
                        assignment.save()
                    else:
                        assignment.end = change - dt.timedelta(days=1)
                        assignment.save()
                        CounsellorAssignment.objects.create(episode=assignment.episode, staff=other, start=change)
                    counts[other.pk] = counts.get(other.pk, 0) + 1
                    counts[counsellor.pk] -= 1

    def appointments(self):
        """A few appointments: planned in the next two weeks, and past ones not recorded yet."""
        from django.utils import timezone

        from tremplin.pathways.states import active_episodes

        day = self.as_of
        episodes = list(active_episodes(day).order_by("pk"))
        staff_of = {
            a.episode_id: a.staff
            for a in CounsellorAssignment.objects.filter(episode__in=episodes, end__isnull=True).select_related("staff")
        }
        rng = random.Random(self.as_of.toordinal())
        picks = rng.sample(episodes, min(len(episodes), max(6, len(episodes) // 8)))
        for index, episode in enumerate(picks):
            staff = staff_of.get(episode.pk)
            if staff is None or not staff.is_in_post(day):
                continue
            delta = -rng.randint(1, 10) if index % 3 == 2 else rng.randint(1, 14)
            when = dt.datetime.combine(day + dt.timedelta(days=delta), dt.time(rng.choice([9, 10, 11, 14, 15, 16]), 30))
            Appointment.objects.create(
                person_id=episode.person_id,
                staff=staff,
                starts_at=timezone.make_aware(when),
                minutes=rng.choice([45, 60, 60, 90]),
                place=rng.choice(["premises", "premises", "workplace", "remote"]),
                with_whom=rng.choice(["person", "person", "both", "employer"]),
                note=rng.choice(["", "Point sur la période d'essai.", "Préparer l'entretien d'embauche."]),
            )

    def pause(self, episode, start, end, closed=None) -> Pause:
        rng = self.rng
        by_counsellor = rng.random() < 0.3
        if closed is None:
            closed = end < self.as_of
        return Pause.objects.create(
            episode=episode,
            start=start,
            end=end,
            requested_by="counsellor" if by_counsellor else "person",
            agreement_date=start - dt.timedelta(days=rng.randint(0, 10)) if by_counsellor else None,
            reactivation_conditions=rng.choice(
                [
                    "Reprise à l'issue de l'hospitalisation, sur appel de la personne ou de son médecin.",
                    "Point téléphonique à la date de fin ; reprise à la demande de la personne.",
                    "Reprise dès que la personne se sent prête, au plus tard à la date de fin.",
                ]
            ),
            employer_informed=rng.choice(["yes", "no_employer"]),
            closed_on=end + dt.timedelta(days=1) if closed and end < self.as_of else None,
        )

    def generate_interventions(self, person, episode, admitted, end, pauses, rate_hours, silence_from):
        rng = self.rng
        in_pause = lambda d: any(p.start <= d <= p.end for p in pauses)  # noqa: E731
        day = admitted
        staff_by_day = list(episode.assignments.order_by("start"))
        first = True
        while day < end:
            month_end = min(add_months(day.replace(day=1), 1) - dt.timedelta(days=1), end - dt.timedelta(days=1))
            month_rate = max(0.3, rng.gauss(rate_hours, rate_hours * 0.3))
            minutes_left = int(month_rate * 60 * ((month_end - day).days + 1) / 30)
            while minutes_left > 0:
                d = self.day_between(day, month_end)
                if first:
                    d, first = admitted, False
                if in_pause(d) or (silence_from is not None and d >= silence_from) or d > self.as_of:
                    minutes_left -= 60
                    continue
                minutes = rng.choice([30, 45, 60, 60, 90, 120, 180])
                kind, with_whom, place, family = rng.choice(
                    [
                        ("interview", "person", "premises", "professional_project"),
                        ("interview", "person", "remote", "support_in_employment"),
                        ("workplace_visit", "both", "workplace", "support_in_employment"),
                        ("employer_meeting", "employer", "workplace", "employer_support"),
                        ("job_search", "person", "premises", "job_search"),
                        ("mediation", "both", "workplace", "support_in_employment"),
                        ("evaluation", "person", "premises", "shared_evaluation"),
                        ("contact", "person", "remote", "support_in_employment"),
                        ("other", "partner", "third_place", "professional_project"),
                    ]
                )
                staff = next((a.staff_id for a in reversed(staff_by_day) if a.start <= d), staff_by_day[0].staff_id)
                self.interventions.append(
                    Intervention(
                        person=person,
                        episode=episode,
                        staff_id=staff,
                        date=d,
                        minutes=minutes,
                        place=place,
                        with_whom=with_whom,
                        kind=kind,
                        action_family=family,
                    )
                )
                minutes_left -= minutes
            day = month_end + dt.timedelta(days=1)
        # Occasional contact during a veille, as the law allows.
        for pause in pauses:
            if rng.random() < 0.5 and pause.start < self.as_of:
                d = self.day_between(pause.start, min(pause.end, self.as_of))
                if silence_from is not None and d >= silence_from:
                    continue
                staff = staff_by_day[-1].staff_id
                self.interventions.append(
                    Intervention(
                        person=person,
                        episode=episode,
                        staff_id=staff,
                        date=d,
                        minutes=15,
                        place="remote",
                        with_whom="person",
                        kind="contact",
                        note="Appel ponctuel à la demande de la personne.",
                    )
                )

    def employment(self, person, admitted, end):
        rng = self.rng
        if rng.random() < 0.35:
            return
        cursor = admitted + dt.timedelta(days=rng.randint(20, 200))
        if rng.random() < 0.3:
            employer = rng.choice(self.employer_list)
            p_end = cursor + dt.timedelta(days=rng.randint(5, 20))
            if p_end <= self.as_of:
                Placement.objects.create(
                    person=person,
                    employer=employer,
                    kind=rng.choice(["pmsmp", "pmsmp", "immersion", "internship"]),
                    start=cursor,
                    end=p_end,
                    tutor=f"{rng.choice(FIRST_NAMES_F)} {rng.choice(LAST_NAMES)}",
                    objective="Découvrir le métier et valider le projet.",
                    outcome="Positif, projet confirmé.",
                )
                cursor = p_end + dt.timedelta(days=rng.randint(10, 60))
        for _ in range(rng.randint(1, 3)):
            if cursor >= min(end, self.as_of):
                break
            employer = rng.choice(self.employer_list)
            ctype = rng.choices(
                ["cdd", "cdi", "interim", "subsidised", "apprenticeship", "self_employed"],
                weights=[40, 25, 15, 12, 5, 3],
            )[0]
            if ctype == "self_employed":
                employer = next(
                    (e for e in self.employer_list if e.kind == "self_employed"), None
                ) or Employer.objects.create(
                    platform=self.platform,
                    code=f"EI{person.pk}",
                    name=f"Micro-entreprise {person.last_name}",
                    kind="self_employed",
                )
            planned = (
                None
                if ctype in ("cdi", "self_employed")
                else cursor + dt.timedelta(days=rng.choice([60, 90, 180, 365]))
            )
            actual_end, reason = None, ""
            if planned and planned <= self.as_of:
                if rng.random() < 0.75:
                    actual_end, reason = planned, "term"
                else:
                    actual_end = cursor + dt.timedelta(days=rng.randint(10, max(11, (planned - cursor).days)))
                    reason = rng.choice(["resignation", "dismissal", "trial_period", "mutual_termination"])
            elif planned is None and rng.random() < 0.2:
                candidate = cursor + dt.timedelta(days=rng.randint(60, 700))
                if candidate <= self.as_of:
                    actual_end, reason = candidate, rng.choice(["resignation", "dismissal", "mutual_termination"])
            Contract.objects.create(
                person=person,
                employer=employer,
                job_title=rng.choice(JOB_TITLES),
                type=ctype,
                start=cursor,
                planned_end=planned,
                end=actual_end,
                end_reason=reason,
                weekly_hours=Decimal(rng.choice([15, 20, 24, 28, 35])),
                adjustments=rng.choice(
                    [
                        "",
                        "",
                        "Horaires aménagés le matin.",
                        "Poste adapté, siège ergonomique.",
                        "Consignes écrites et tuteur désigné.",
                    ]
                ),
            )
            if actual_end is None:
                break
            cursor = actual_end + dt.timedelta(days=rng.choice([1, 1, 15, 40, 120]))

    # Support agreements (CdC §II, §IV.C; docs/employment.md) ---------------------------------
    def agreements(self):
        """Employers' SIRET and occupational health service; support agreements: most admissions
        have a signed one within weeks, a few are missing or unsigned (they feed the due list),
        amendments record veilles and new employers, and a few new employers are not yet named."""
        from django.utils import translation

        from tremplin.employment.forms import DEFAULT_TERMS, DEFAULT_WORKPLACE_TERMS
        from tremplin.employment.models import SupportAgreement, siret_is_valid
        from tremplin.employment.services import agreement_content

        rng = random.Random(self.rng.random())
        health = ["SPST Aveyron Santé au travail", "Service de santé au travail du Rouergue", "MSA Midi-Pyrénées Nord"]
        for employer in Employer.objects.filter(platform=self.platform).order_by("pk"):
            if employer.kind == "self_employed":
                continue
            while True:
                siret = "".join(str(rng.randint(0, 9)) for _ in range(13))
                siret += next(str(d) for d in range(10) if siret_is_valid(siret + str(d)))
                if not siret.startswith("356000000") and not Employer.objects.filter(siret=siret).exists():
                    break
            employer.siret = siret
            employer.occupational_health_service = rng.choice(health)
            employer.save(update_fields=["siret", "occupational_health_service"])

        def signed(day):
            """Signature dates a few days after `day`, or None when still in the future."""
            dates = [day + dt.timedelta(days=rng.randint(0, 12)) for _ in range(3)]
            return [d if d <= self.as_of else None for d in dates]

        with translation.override("fr"):
            terms, workplace = str(DEFAULT_TERMS), str(DEFAULT_WORKPLACE_TERMS)
            episodes = Episode.objects.filter(person__organisation__platform=self.platform).select_related(
                "person__organisation__platform", "prescription"
            )
            for episode in episodes.order_by("pk"):
                end = episode.exit_date - dt.timedelta(days=1) if episode.exit_date else self.as_of
                first = episode.admitted_on + dt.timedelta(days=rng.randint(4, 25))
                if first > end:
                    continue
                recent = (self.as_of - episode.admitted_on).days <= 30
                draw = rng.random()
                if episode.exit_date is None and (draw < 0.05 or (recent and draw < 0.5)):
                    continue  # not drawn up yet
                unsigned = episode.exit_date is None and 0.05 <= draw < 0.09
                contracts = list(Contract.objects.filter(person=episode.person).select_related("employer"))

                def employer_on(day, contracts=contracts):
                    current = [c for c in contracts if c.covers(day) and c.employer.kind != "self_employed"]
                    return max(current, key=lambda c: c.start).employer if current else None

                events = []  # (day, employer, pause, change)
                for pause in episode.pauses.all():
                    day = max(first + dt.timedelta(days=1), pause.start - dt.timedelta(days=rng.randint(0, 7)))
                    if day <= min(end, pause.start):
                        change = (
                            f"Mise en veille du {pause.start:%d/%m/%Y} au {pause.end:%d/%m/%Y} "
                            f"({str(pause.get_requested_by_display()).lower()}). Conditions de reprise : {pause.reactivation_conditions}"
                        )
                        events.append((day, pause, change))
                for contract in contracts:
                    if contract.employer.kind == "self_employed" or contract.start <= first or rng.random() < 0.3:
                        continue
                    day = contract.start + dt.timedelta(days=rng.randint(5, 30))
                    if day <= end and contract.covers(day):
                        change = (
                            f"Prise de poste chez {contract.employer.name} ({contract.get_type_display()}) "
                            f"le {contract.start:%d/%m/%Y} : l’employeur devient partie à la convention."
                        )
                        events.append((day, None, change))
                previous = None
                versions = [(first, None, "")] + sorted(events, key=lambda e: e[0])
                for number, (day, pause, change) in enumerate(versions, start=1):
                    employer = employer_on(day)
                    content = agreement_content(
                        episode,
                        day=day,
                        number=number,
                        employer=employer,
                        pause=pause,
                        terms=terms,
                        workplace_terms=workplace,
                        change_summary=change,
                        previous=previous,
                    )
                    person_on, platform_on, employer_on_day = signed(day)
                    if unsigned and number == 1:
                        person_on, platform_on, employer_on_day = None, None, None
                    previous = SupportAgreement.objects.create(
                        episode=episode,
                        number=number,
                        kind="initial" if number == 1 else "amendment",
                        employer=employer,
                        pause=pause,
                        terms=terms,
                        change_summary=change,
                        content=content,
                        signed_by_person_on=person_on,
                        signed_by_platform_on=platform_on,
                        signed_by_employer_on=employer_on_day if employer else None,
                    )

    def workplace_links(self):
        """Interventions at the workplace or with the employer name the contract covering their day."""
        contracts = defaultdict(list)
        platform_contracts = Contract.objects.filter(person__organisation__platform=self.platform)
        for contract in platform_contracts.select_related("employer"):
            contracts[contract.person_id].append(contract)
        for intervention in self.interventions:
            if intervention.place != "workplace" and intervention.with_whom not in ("employer", "both"):
                continue
            current = [c for c in contracts.get(intervention.person.pk, []) if c.covers(intervention.date)]
            if current:
                contract = max(current, key=lambda c: c.start)
                intervention.contract = contract
                intervention.employer = contract.employer


def _access_accounts(self):
    """Accounts that are not staff (administrator, funder, prescriber), and one confirmed TOTP
    device per demo account, all with the same key (printed by the demo command; `tremplin
    demo_code LOGIN` prints the current code), so that the demo logins work at once."""
    from tremplin.access import otp
    from tremplin.access.models import ExternalAccount

    user_model = get_user_model()
    hashed = user_model.objects.filter(username=self.accounts[0][0]).values_list("password", flat=True).first()
    specs = [
        ("admin.si", "Olivier Ginestet", ExternalAccount.Kind.ADMINISTRATOR, "Association Passerelle Aveyron", {}),
        ("financeur.ars", "Agnès Puel", ExternalAccount.Kind.FUNDER, "ARS Occitanie", {}),
        (
            "prescripteur.capemploi",
            "Rémi Calmels",
            ExternalAccount.Kind.PRESCRIBER,
            "Cap emploi Aveyron",
            {"prescriber_kind": "cap_emploi", "prescriber_organisation": "Cap emploi Aveyron"},
        ),
    ]
    for login, name, kind, institution, extra in specs:
        user = user_model.objects.create(username=login, first_name=name.split()[0], last_name=name.split()[-1])
        user.password = hashed
        user.save(update_fields=["password"])
        account = ExternalAccount.objects.create(
            user=user, platform=self.platform, kind=kind, name=name, institution=institution, **extra
        )
        self.accounts.append((login, name, f"{account.get_kind_display()} · {institution}"))
    self.privacy_records()
    key = "".join(self.rng.choice("0123456789abcdef") for _ in range(40))
    for login, _name, _role in self.accounts:
        otp.confirmed_device(user_model.objects.get(username=login), name=otp.DEMO_NAME, key=key)
    self.otp_key = otp.base32_key(key)


def _privacy_records(self):
    """A few notes of each domain, information records and decisions about sharing, so that the
    notes and rights pages of the first persons of the lead organisation have something to show."""
    from tremplin.people.models import Consent, InformationRecord, Note

    doctor = next(s for s in self.staff if s.clinical_domain == "medical")
    persons = Person.objects.filter(organisation=self.lead, episodes__isnull=False).distinct().order_by("code")[:12]
    for index, person in enumerate(persons):
        episode = person.episodes.order_by("admitted_on").first()
        counsellor = episode.current_counsellor(self.as_of) or doctor
        day = min(self.as_of, episode.admitted_on + dt.timedelta(days=14))
        InformationRecord.objects.create(
            person=person,
            given_on=episode.admitted_on,
            topics=["processing", "rights", "sharing", "access_log"],
            channel="both",
            given_by=counsellor,
            comment="Livret d’accueil remis et expliqué.",
        )
        Note.objects.create(
            person=person,
            domain="professional",
            author=counsellor,
            written_on=day,
            text="Premier entretien : projet dans la logistique, souhaite un temps partiel au départ.",
        )
        if index % 2 == 0:
            Note.objects.create(
                person=person,
                domain="medical",
                author=doctor,
                written_on=day,
                text="Fatigabilité importante en fin de journée ; éviter le travail posté de nuit.",
            )
        if index % 4 == 0:
            Consent.objects.create(
                person=person,
                domain="medical",
                recipient=counsellor,
                purpose="Adapter le poste et les horaires avec l’employeur.",
                decision="agreed",
                decided_on=day,
                recorded_by=doctor,
            )


_Builder.access_accounts = _access_accounts
_Builder.privacy_records = _privacy_records


def database_is_empty() -> bool:
    return not (Platform.objects.exists() or Person.objects.exists() or get_user_model().objects.exists())


@transaction.atomic
def build(seed: int = 2026, as_of: dt.date | None = None, persons: int = 250) -> DemoResult:
    as_of = as_of or dt.date.today()
    builder = _Builder(seed, as_of, persons)
    builder.organisations()
    builder.resources()
    builder.employers()
    builder.persons()
    builder.balance_caseloads()
    builder.agreements()
    builder.workplace_links()
    builder.access_accounts()
    Intervention.objects.bulk_create(builder.interventions, batch_size=2000)
    builder.appointments()
    record(None, "demo.loaded", detail={"seed": seed, "as_of": as_of.isoformat(), "persons": persons})
    return DemoResult(
        platform=builder.platform,
        accounts=builder.accounts,
        otp_key=builder.otp_key,
        persons=Person.objects.count(),
        interventions=len(builder.interventions),
    )
