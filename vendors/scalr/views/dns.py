"""DNS zones: the list, a zone's records; creating zones and adding or removing records (admin role)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.htmx import page_or_partial
from console.pagination import paginate
from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import errors
from vendors.scalr import forms, models, selectors, services
from vendors.scalr.selectors import live
from vendors.scalr.views.common import action_for, followed, query_without, roles_for, unavailable_notes

NEEDS_ADMIN = "This needs the admin role in a team with a Scalr connection that offers it."


def dns_list(request):
    environments = list(selectors.environments_listed_for_user(user=request.user))
    found = selectors.zone_list(environments=environments, params=request.GET)
    context = {"page": paginate(request, found.qs), "q": found.values["q"], "environment": found.values["environment"],
               "environments": [(e.pk, e.label) for e in environments], "query": query_without(request, "page"),
               "unavailable": unavailable_notes(environments, "dns"), "filtered": found.filtered,
               "missing": selectors.missing_catalogs(environments, "dns_zones"),
               # one query for the environments the user administers, not a role lookup per environment
               "can_create": bool(selectors.admin_environments(user=request.user, feature="dns"))}
    return render(request, page_or_partial(request, "scalr/dns_list.html", "zone-rows"), context)


def dns_zone_context(request, zone: models.DnsZone, **extra) -> dict:
    context = {"zone": zone, "env": zone.environment, "records": [], "error": "",
               "record_form": forms.DnsRecordForm(), "action": action_for(request, zone.environment.connection.team_id),
               **roles_for(request.user, zone.environment.connection.team_id)}
    try:
        context["records"] = sorted(live.dns_records(zone=zone), key=lambda rec: (not rec.is_system, rec.type,
                                                                                 rec.name))
    except errors.VendorError as exc:
        context["error"] = str(exc)
    context.update(extra)
    return context


def dns_zone(request, pk: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    return render(request, "scalr/dns_zone.html", dns_zone_context(request, zone))


def dns_zone_create(request):
    environments = selectors.admin_environments(user=request.user, feature="dns")
    if not selectors.admin_anywhere(user=request.user):
        raise PermissionDenied(NEEDS_ADMIN)
    posted = request.POST.get("environment", "")
    if posted and posted not in {str(pk) for pk, _ in selectors.environment_choices(user=request.user)}:
        raise Http404("No such Scalr environment.")  # another team's: as if it did not exist
    farms = selectors.farms_in(environments=environments)
    form = forms.DnsZoneForm(request.POST or None, environments=environments, farms=farms)
    if request.method == "POST" and form.is_valid():
        environment = next(e for e in environments if e.pk == form.cleaned_data["environment"])
        farm = selectors.farm_in(farms=farms, pk=form.cleaned_data["farm"], environment=environment) \
            if form.cleaned_data["farm"] else None
        if form.cleaned_data["farm"] and farm is None:
            form.add_error("farm", "This farm is not in the chosen environment.")
        else:
            return followed(services.scalr_dns_zone_create(
                environment=environment, actor=request.user, domain_name=form.cleaned_data["domain_name"],
                farm=farm))
    return render(request, "scalr/dns_zone_create.html", {"form": form, "environments": environments},
                  status=400 if request.method == "POST" else 200)


@require_POST
def dns_record_add(request, pk: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    require_role(user=request.user, team=zone.environment.connection.team_id, role=Role.ADMIN)
    form = forms.DnsRecordForm(request.POST)
    if not form.is_valid():
        return render(request, "scalr/dns_zone.html", dns_zone_context(request, zone, record_form=form), status=400)
    return followed(services.scalr_dns_record_add(zone=zone, actor=request.user, record=form.cleaned_data))


@require_POST
def dns_record_remove(request, pk: int, record_id: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    require_role(user=request.user, team=zone.environment.connection.team_id, role=Role.ADMIN)
    try:
        record = next((rec for rec in live.dns_records(zone=zone) if rec.id == record_id), None)
    except errors.VendorError as exc:
        messages.error(request, str(exc))
        return redirect("scalr:dns-zone", pk=zone.pk)
    if record is None:
        raise Http404("No such record in this zone.")
    if record.is_system:
        messages.error(request, "System records are managed by Scalr and cannot be removed.")
        return redirect("scalr:dns-zone", pk=zone.pk)
    return followed(services.scalr_dns_record_remove(zone=zone, actor=request.user, record=record))
