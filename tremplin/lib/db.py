"""Database helpers shared by the apps.

``in_ids``: a lookup for a long list of ids sent as ONE query parameter, instead of an
``IN (%s, %s, ...)`` clause with one parameter per id (slow to build, to send and to plan with
thousands of ids, and limited in number of parameters on SQLite):

    Person.objects.filter(pk__in_ids=ids)
    Intervention.objects.filter(person_id__in_ids=ids)

PostgreSQL: ``"column" = ANY(%s::bigint[])`` with the array as one text literal; SQLite:
``"column" IN (SELECT value FROM json_each(%s))`` (JSON1, built into SQLite since 3.38). Same
rows as ``__in``. Pass a set (or any iterable other than a list or tuple) when there are
thousands of ids: Django walks lists and tuples item by item looking for expressions.
"""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Lookup


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def get_prep_lookup(self):
        return sorted({int(value) for value in self.rhs})

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.rhs
        if connection.vendor == "postgresql":
            # A text literal: dumping a Python list as an array costs far more, item by item.
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, "{" + ",".join(map(str, ids)) + "}"]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(ids)]


models.IntegerField.register_lookup(InIds)
models.ForeignKey.register_lookup(InIds)
