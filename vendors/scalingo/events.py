"""Human sentences for Scalingo events, for the app page and the timeline. (What an event may
not keep is decided where it is stored: sync/write.py.)"""

from __future__ import annotations


def _formation(values: dict | None) -> str:
    parts = []
    for name, value in sorted((values or {}).items()):
        amount, _, size = str(value).partition(":")
        parts.append(f"{name} {amount}×{size}" if size else f"{name} {amount}")
    return ", ".join(parts) or "nothing"


def sentence(event) -> str:
    """What happened, in one sentence, from an Event row (type, user, app_name, type_data)."""
    who = event.user or "Scalingo"
    app = event.app_name or "the account"
    data = event.type_data or {}
    kind = event.type
    if kind == "scale":
        return f"{who} scaled {app} from {_formation(data.get('previous_containers'))} " \
               f"to {_formation(data.get('containers'))}."
    if kind == "restart":
        scope = ", ".join(data.get("scope") or []) or "all containers"
        reason = {"unexpected_failure": " after an unexpected failure", "rebalancing_operation": " (rebalancing)",
                  "security_maintenance": " for security maintenance"}.get(data.get("reason") or "", "")
        return f"{who} restarted {scope} of {app}{reason}."
    if kind == "deployment":
        status = data.get("status") or "unknown"
        ref = data.get("git_ref") or "?"
        duration = f" in {data['duration']} s" if data.get("duration") else ""
        pusher = data.get("pusher") or who
        return f"{pusher} deployed {str(ref)[:12]} to {app}: {status}{duration}."
    if kind in ("crash", "repeated_crash"):
        repeated = "repeatedly " if kind == "repeated_crash" else ""
        return f"{data.get('container_type') or 'A container'} of {app} {repeated}crashed."
    if kind == "stop_app":
        return f"{who} stopped {app}" + (f" ({data['reason']})." if data.get("reason") else ".")
    if kind == "new_app":
        return f"{who} created {app}."
    if kind == "rename_app":
        return f"{who} renamed {data.get('old_name', app)} to {data.get('new_name', '?')}."
    if kind in ("new_variable", "edit_variable", "delete_variable"):
        verb = {"new_variable": "added", "edit_variable": "changed", "delete_variable": "deleted"}[kind]
        return f"{who} {verb} the variable {data.get('name', '?')} of {app}."
    if kind == "edit_variables":
        changed = sum(len(data.get(k) or []) for k in ("new_vars", "updated_vars", "deleted_vars"))
        return f"{who} edited {changed} variables of {app}."
    if kind in ("new_addon", "delete_addon", "upgrade_addon"):
        verb = {"new_addon": "added", "delete_addon": "removed", "upgrade_addon": "upgraded"}[kind]
        plan = data.get("new_plan_name") or data.get("plan_name") or ""
        return f"{who} {verb} the {data.get('addon_provider_name', 'addon')} addon{f' ({plan})' if plan else ''} " \
               f"of {app}."
    if kind in ("new_domain", "edit_domain", "delete_domain"):
        verb = {"new_domain": "added", "edit_domain": "changed", "delete_domain": "removed"}[kind]
        return f"{who} {verb} the domain {data.get('hostname') or data.get('name', '?')} of {app}."
    if kind in ("new_collaborator", "accept_collaborator", "delete_collaborator"):
        verb = {"new_collaborator": "invited", "accept_collaborator": "accepted the invitation of",
                "delete_collaborator": "removed"}[kind]
        return f"{who} {verb} a collaborator on {app}."
    if kind == "run":
        return f"{who} ran a one-off command on {app}."
    return f"{who}: {kind.replace('_', ' ')} on {app}."
