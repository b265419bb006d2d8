"""Query API XML, written the way Scalr's `ObjectToXML` writes it (scalr.md B6).

No whitespace between elements; a declaration without encoding; objects nest; a list is
`<XxxSet><Item>..</Item></XxxSet>` and an empty one `<XxxSet/>`; `true` is `1`, while
`false`, null and "" are `<X></X>`; values holding `<`, `>` or `&` go in CDATA (5.x).
"""

from __future__ import annotations

DECLARATION = '<?xml version="1.0"?>\n'


def _scalar(value) -> str:
    if value is True:
        return "1"
    if value is None or value is False:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if any(c in text for c in "<>&"):
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return text


def element(name: str, value) -> str:
    if isinstance(value, dict):
        inner = "".join(element(key, item) for key, item in value.items())
        return f"<{name}>{inner}</{name}>" if inner else f"<{name}/>"
    if isinstance(value, list):
        inner = "".join(element("Item", item) for item in value)
        return f"<{name}>{inner}</{name}>" if inner else f"<{name}/>"
    return f"<{name}>{_scalar(value)}</{name}>"


def response(action: str, transaction_id: str, fields: dict) -> str:
    body = {"TransactionID": transaction_id, **fields}
    return DECLARATION + element(f"{action}Response", body) + "\n"


def error(transaction_id: str, message: str) -> str:
    """The literal `<Error>` document; Scalr does not escape the message."""
    return (f"{DECLARATION}<Error>\n\t<TransactionID>{transaction_id}</TransactionID>\n"
            f"\t<Message>{message}</Message>\n</Error>\n")
