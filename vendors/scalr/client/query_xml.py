"""Reading Query API answers: XML parsed with defusedxml only, `<Error>` documents turned
into typed errors, and small helpers to read elements into records (scalr.md B6-B9)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from vendors.core import errors
from vendors.core.answers import vendor_words
from vendors.scalr.client import records as r
from vendors.scalr.client.base import Deprecated, NotAvailable

# Scalr writes the message of an <Error> unescaped, so a message holding "&" or "<" breaks
# the XML; this reads such a document anyway.
_RAW_ERROR = re.compile(r"<Error>\s*<TransactionID>(?P<id>[^<]*)</TransactionID>\s*<Message>(?P<message>.*)"
                        r"</Message>\s*</Error>\s*$", re.S)
#: (pattern, error type) tried in order against an <Error> message
ERROR_PATTERNS = [
    (r"deprecated", Deprecated),
    (r"KeyID does not exist|Signature doesn't match|Signature is missing|KeyID is missing|Timestamp is missing"
     r"|^API Key #.* not found", errors.AuthenticationError),
    (r"API keys are currently disabled|API disabled for you|not allowed from your IP|don't have access"
     r"|no access to any environments|permission", errors.VendorForbids),
    (r"^Action '[^']*' is not defined$", NotAvailable),  # an older Scalr, or an older API version, lacks it
    (r"Missing required parameter|is not defined|^Invalid |Valid values|Valid types|should be|must be",
     errors.InvalidRequest),
    (r"not found|does not exist", errors.NotFound),
    (r"already|is not running|is being terminated|locked|Max instances limit reached|cannot be|unacceptable"
     r"|There is no running servers|is not a part of", errors.Conflict),
]
SEVERITIES = {"1": "debug", "2": "info", "3": "warning", "4": "error", "5": "fatal"}
#: what changes in every answer while the farm does not: the transaction id, and servers' uptime
#: (it grows with the clock; the launch time read from it stays put)
_VOLATILE = re.compile(rb"<TransactionID>[^<]*</TransactionID>|<Uptime>[^<]*</Uptime>")
#: changed whenever the reading of an answer changes, so rows written by an older reading are rewritten
READING = b"farm-details-1\n"


def error_from_message(message: str, transaction_id: str | None) -> errors.VendorError:
    message, transaction_id = vendor_words(message), vendor_words(transaction_id, 80) if transaction_id else None
    error_type = next((kind for pattern, kind in ERROR_PATTERNS if re.search(pattern, message, re.I)),
                      errors.InvalidRequest)
    parameter = re.search(r"parameter '(\w+)'", message)
    details = {parameter.group(1): message} if parameter and error_type is errors.InvalidRequest else None
    return error_type(message, status=200, request_id=transaction_id, details=details)


def tree(body: bytes) -> Element:
    """`body` parsed by defusedxml's parser: a DTD's entities and external references are refused.

    defusedxml builds on ElementTree's pure-Python parser, whose element callbacks run in
    Python for every tag (most of a Query API poll's CPU time). Scalr's XML has neither
    attributes nor namespaces (scalr.md B6), so the element events go straight to the C tree
    builder; the defusing handlers defusedxml set on the same expat parser stay as they are.
    """
    builder = TreeBuilder()
    parser = DefusedXMLParser(target=builder)
    expat = parser.parser
    expat.ordered_attributes = False  # attributes as a dict, as TreeBuilder.start takes them
    expat.StartElementHandler = builder.start
    expat.EndElementHandler = builder.end
    parser.feed(body)
    return parser.close()


def parse(action: str, body: bytes) -> Element:
    """The `<{action}Response>` element, or the typed error an `<Error>` stands for."""
    try:
        root = tree(body)
    except (ParseError, DefusedXmlException, ValueError):
        error = error_document(body)
        if error:
            raise error from None
        raise errors.ProtocolError(f"Scalr answered {action} with XML that does not parse") from None
    if root.tag == "Error":
        raise error_from_message(text(root, "Message"), text(root, "TransactionID") or None)
    if root.tag != f"{action}Response":
        raise errors.ProtocolError(f"Scalr answered {action} with an unexpected <{root.tag}> document")
    return root


def error_document(body: bytes) -> errors.VendorError | None:
    """The typed error of an `<Error>` document (B6, its message maybe unescaped), or None: the only
    answer of the Query API whose words are shown."""
    if not body.lstrip().startswith(b"<"):
        return None
    try:
        root = tree(body)
    except (ParseError, DefusedXmlException, ValueError):
        raw = _RAW_ERROR.search(body.decode("utf-8", "replace"))
        return error_from_message(raw.group("message").strip(), raw.group("id").strip()) if raw else None
    return error_from_message(text(root, "Message"), text(root, "TransactionID") or None) \
        if root.tag == "Error" and root.find("Message") is not None else None


def answer_fingerprint(body: bytes) -> str:
    """A digest of an answer without its volatile parts: equal digests, equal records. Computed on the
    raw bytes, nothing is parsed: a repeated answer costs neither the XML parse nor the reading."""
    return hashlib.sha1(READING + _VOLATILE.sub(b"", body), usedforsecurity=False).hexdigest()


def text(element: Element | None, path: str, default: str = "") -> str:
    """The text of a leaf; whitespace around it is kept, pretty-printing between elements is not read."""
    found = element.find(path) if element is not None else None
    if found is None or found.text is None:
        return default
    return found.text


def number(element: Element | None, path: str, default: int = 0) -> int:
    value = text(element, path).strip()
    try:
        return int(float(value)) if value else default
    except ValueError:
        return default


def decimal(element: Element | None, path: str, default: float = 0.0) -> float:
    value = text(element, path).strip()
    try:
        return float(value) if value else default
    except ValueError:
        return default


def flag(element: Element | None, path: str) -> bool:
    return text(element, path).strip() not in ("", "0")


def optional_id(element: Element | None, path: str) -> int | None:
    return number(element, path) or None


def items(element: Element | None, set_path: str) -> list[Element]:
    """The `<Item>`s of `<XxxSet>`; an absent or self-closed set is empty."""
    found = element.find(set_path) if element is not None else None
    return [] if found is None else found.findall("Item")


def mysql_time(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def unix_time(value: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(float(value or 0)), dt.timezone.utc)


def fields(element: Element | None) -> dict[str, str]:
    """Every leaf child's text by tag, read in one pass (cheaper than one find() per field)."""
    if element is None:
        return {}
    return {child.tag: child.text or "" for child in element}


def _int(value: str, default: int = 0) -> int:
    value = (value or "").strip()
    try:
        return int(float(value)) if value else default
    except ValueError:
        return default


def farm_details(root: Element, env_id: int) -> r.FarmDetails:
    """FarmGetDetails -> FarmDetails. The Query API has no hostname; launch time comes from Uptime."""
    now = dt.datetime.now(dt.timezone.utc)
    farm_id = number(root, "ID") or number(root, "Farm/ID")
    roles, servers = [], []
    for item in items(root, "FarmRoleSet"):
        role = fields(item)
        role_props = fields(item.find("PlatformProperties"))
        scaling = fields(item.find("ScalingProperties"))
        role_type = role_props.get("InstanceType") or role_props.get("FlavorID") or None
        role_id = _int(role.get("ID", ""))
        role_servers = [_server(s, role, role_id, farm_id, role_type, now) for s in items(item, "ServerSet")]
        servers += role_servers
        roles.append(r.FarmRole(
            id=role_id, farm_id=farm_id, role_id=_int(role.get("RoleID", "")),
            role_name=role.get("Name") or None, alias=role.get("Alias", ""), platform=role.get("Platform", ""),
            location=role.get("CloudLocation", ""), instance_type=role_type,
            min_instances=_int(scaling.get("MinInstances", "")), max_instances=_int(scaling.get("MaxInstances", "")),
            running_instances=sum(1 for s in role_servers if s.status == r.ServerStatus.RUNNING),
            scaling_enabled=role.get("IsScalingEnabled", "").strip() not in ("", "0")))
    return r.FarmDetails(farm_id=farm_id, env_id=env_id, name=text(root, "Name"),
                         status=r.farm_status(text(root, "Farm/Status")), locked=flag(root, "IsLocked"),
                         lock_comment=text(root, "LockComment") or None, locked_by=text(root, "LockedBy") or None,
                         roles=tuple(roles), servers=tuple(sorted(servers, key=r.Server.order)))


def _server(item: Element, role: dict[str, str], role_id: int, farm_id: int, role_type: str | None,
            now: dt.datetime) -> r.Server:
    f = fields(item)
    props = fields(item.find("PlatformProperties"))
    public = f.get("PublicIP") or f.get("ExternalIP")
    private = f.get("PrivateIP") or f.get("InternalIP")
    uptime = f.get("Uptime", "").strip()
    launched = None
    if uptime:
        launched = (now - dt.timedelta(minutes=float(uptime))).replace(microsecond=0)
    return r.Server(
        id=f.get("ServerID", ""), farm_id=farm_id, farm_role_id=role_id,
        status=r.server_status(f.get("Status")), index=_int(f.get("Index", "")),
        platform=role.get("Platform") or None,
        location=f.get("CloudLocation") or role.get("CloudLocation") or None,
        instance_type=props.get("InstanceType") or role_type,
        public_ips=(public,) if public else (), private_ips=(private,) if private else (),
        hostname=None, cloud_server_id=props.get("InstanceID") or None,
        agent_version=f.get("ScalarizrVersion") or None, launched_at=launched)
