"""The legacy Query API endpoint (`/api/api.php`): parameters, AuthVersion 3/2/original
verification, the hourly limit, and dispatch to the actions (scalr.md B1-B6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from urllib.parse import parse_qsl, unquote_plus

from vendors.core.simulator import Request, Response
from vendors.scalr.simulator import query_actions, query_actions_more, xmlout  # noqa: F401  (they register actions)
from vendors.scalr.simulator.access import QUERY_API_PERMISSION_MESSAGE, query_target
from vendors.scalr.simulator.model import Credential
from vendors.scalr.simulator.query_common import ACTIONS, VERSIONS, Call, QueryError
from vendors.scalr.simulator.world import WorldError

XML_HEADERS = {"Access-Control-Allow-Origin": "*"}
_ARRAY_PARAM = re.compile(r"^([^\[\]]+)\[([^\]]*)\]$")


def parse_params(request: Request) -> dict:
    """POST form merged with the query string, the query winning (PHP `$_GET` over `$_POST`)."""
    pairs: list[tuple[str, str]] = []
    content_type = request.header("content-type", "") or ""
    if request.body and "application/x-www-form-urlencoded" in content_type:
        pairs += parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    pairs += parse_qsl(request.raw_query, keep_blank_values=True)
    params: dict = {}
    for name, value in pairs:
        array = _ARRAY_PARAM.match(name)
        if array:
            params.setdefault(array.group(1), {})
            if isinstance(params[array.group(1)], dict):
                params[array.group(1)][array.group(2)] = value
        else:
            params[name] = value
    return params


def _b64_hmac(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def _flat(params: dict) -> dict[str, str]:
    flat = {}
    for name, value in params.items():
        if isinstance(value, dict):
            for key, item in value.items():
                flat[f"{name}[{key}]"] = item
        else:
            flat[name] = value
    return flat


def signature_matches(params: dict, secret: str) -> bool:
    received = unquote_plus(params.get("Signature", "")).replace(" ", "+")
    auth_version = params.get("AuthVersion", "")
    if auth_version == "3":
        raw = params.get("TimeStamp") or params.get("Timestamp") or ""
        candidates = []
        try:
            candidates.append(unquote_plus(raw, errors="strict"))
        except UnicodeDecodeError:
            pass
        candidates.append(raw)  # the SCALRCORE-400 retry with the undecoded value
        return any(hmac.compare_digest(received, _b64_hmac(
            secret, f"{params.get('Action', '')}:{params.get('KeyID', '')}:{stamp}".strip()))
            for stamp in candidates)
    flat = _flat(params)
    if auth_version == "2":
        names = sorted((n for n in flat if n not in ("Signature", "SysDebug")), key=str.lower)
    else:
        names = sorted((n for n in flat if n != "Signature"), key=lambda n: n.encode())
    return hmac.compare_digest(received, _b64_hmac(secret, "".join(f"{n}{flat[n]}" for n in names)))


class QueryApiHandler:
    def __init__(self, simulator):
        self.sim = simulator

    def handle(self, request: Request) -> Response | None:
        """None: no answer (the connection is dropped)."""
        params = parse_params(request)
        version = params.get("Version", "")
        if version not in VERSIONS:
            return Response(400, b"", content_type="text/xml")
        transaction_id = str(uuid.uuid4())
        try:
            credential = self._authenticate(params)
            env_id = self._environment(params, credential)
            if self.sim.over_query_api_limit(env_id):
                return Response(429, b"", content_type="text/xml")
            name = params.get("Action", "")
            action = ACTIONS.get(name)
            if action is None or VERSIONS.index(version) < VERSIONS.index(action.since) \
                    or name in self.sim.access.missing_actions:
                raise QueryError(f"Action '{name}' is not defined")
            for required in action.required:
                if params.get(required, "") == "":
                    raise QueryError(f"Missing required parameter '{required}'")
            if self._held(name, env_id, params):
                return None
            call = Call(name, version, params, env_id, credential, request.header("host", "localhost"))
            with self.sim.lock:
                fields = action.handler(self.sim, call)
        except (QueryError, WorldError) as exc:
            return Response(200, xmlout.error(transaction_id, str(exc)), XML_HEADERS, "text/xml")
        return Response(200, xmlout.response(name, transaction_id, fields), XML_HEADERS, "text/xml")

    def _held(self, action: str, env_id: int, params: dict) -> bool:
        """The simulator's switches (`access`): an ACL refusal of the action's kind or of the action
        itself (raised as Scalr's `<Error>`), or a farm's details held until the client gives up."""
        access = self.sim.access
        with self.sim.lock:
            target = query_target(self.sim.world, action, env_id, params)
        if access.is_refused(target) or access.is_action_refused(action, target):
            raise QueryError(QUERY_API_PERMISSION_MESSAGE)
        hold = access.hold_for(target)
        if hold is None:
            return False
        self.sim.wait_held(hold)
        return True

    def _authenticate(self, params: dict) -> Credential:
        if params.get("AuthType") == "ldap":
            raise QueryError("LDAP authentication is not enabled on this Scalr installation")
        if not params.get("Signature"):
            raise QueryError("Signature is missing")
        if not params.get("KeyID"):
            raise QueryError("KeyID is missing")
        if not (params.get("TimeStamp") or params.get("Timestamp")):
            raise QueryError("Timestamp is missing")
        credential = self.sim.credentials.get(params["KeyID"])
        if credential is None:
            raise QueryError("The specified KeyID does not exist")
        if not signature_matches(params, credential.secret):
            raise QueryError("Signature doesn't match")
        return credential

    def _environment(self, params: dict, credential: Credential) -> int:
        visible = self.sim.visible_env_ids(credential)
        if not visible:
            raise QueryError("User has no access to any environments")
        requested = (params.get("EnvID") or "").strip()
        if not requested:
            return visible[0]
        if not requested.isdigit() or int(requested) not in visible:
            raise QueryError(f"You don't have access to the environment #{requested}")
        return int(requested)

