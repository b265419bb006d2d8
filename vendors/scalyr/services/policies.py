"""Who may query a team's logs: the team's Scalyr query policy."""

from __future__ import annotations

from django.db import transaction

from console.audit.services import audit_record
from vendors.scalyr.models import TeamQueryPolicy


def query_policy_set(*, team, viewers_may_query: bool, actor) -> TeamQueryPolicy:
    with transaction.atomic():
        policy, _ = TeamQueryPolicy.objects.update_or_create(
            team=team, defaults={"viewers_may_query": viewers_may_query, "updated_by": actor})
        audit_record(actor=actor, verb="scalyr.policy.update", target=policy, team=team,
                     message="Viewers may query logs." if viewers_may_query else "Only operators and admins "
                                                                                 "may query logs.",
                     detail={"viewers_may_query": viewers_may_query})
    return policy
