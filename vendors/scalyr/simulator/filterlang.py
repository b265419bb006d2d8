"""The Scalyr filter language subset of scalyr.md §7, parsed and compiled to predicates.

    error                       bare word: the message contains it (case-insensitive)
    "cache miss"  'x y'         phrase, same
    $"/images/.*\\.png"          regex search in the message (case-insensitive)
    status >= 500               field operators == (or =) != < <= > >= contains matches
    $serverHost == 'web-1'      `$` fields: session/server fields (optional for event fields)
    uriPath == *                field present (`!= *`: absent)
    a b   a AND b   a && b      and (implicit between terms)
    a OR b   a || b             or
    NOT a   !a                  not; parentheses group; precedence NOT > AND > OR

Field comparisons on strings are case-sensitive; `contains`/`matches` and text search are not.
Numbers compare as numbers when both sides are numeric. A missing field fails every
comparison except `!=` (which is the negation of `==`). Syntax errors raise `FilterError`.

`compile_filter(text, getter)` takes a `getter(name) -> (record -> value | MISSING)` factory
so the same filter runs on stored events and on PowerQuery rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MISSING = object()
_KEYWORDS = {"and", "or", "not"}
_WORD_STOP = set(" \t\r\n()\"'=!<>&|")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class FilterError(ValueError):
    """A filter that does not parse; the text is what the user sees."""


@dataclass
class Token:
    kind: str  # word, string, regex, op, lparen, rparen, and, or, not, star, end
    text: str
    pos: int
    raw: str = ""  # strings: the text with only the quote unescaped (what a regex sees)
    dollar: bool = False  # word written as $name


def _read_quoted(text: str, pos: int) -> tuple[str, str, int]:
    """(literal text, raw text, position after the closing quote) of the string at `pos`."""
    quote = text[pos]
    literal, raw = [], []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            literal.append(nxt)
            raw.append(nxt if nxt == quote else char + nxt)
            i += 2
            continue
        if char == quote:
            return "".join(literal), "".join(raw), i + 1
        literal.append(char)
        raw.append(char)
        i += 1
    raise FilterError(f"unterminated string starting at position {pos + 1}")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        two = text[i:i + 2]
        if two in ("&&", "||"):
            tokens.append(Token("and" if two == "&&" else "or", two, i))
            i += 2
        elif two in ("==", "!=", "<=", ">="):
            tokens.append(Token("op", two, i))
            i += 2
        elif char in "=<>":
            tokens.append(Token("op", char, i))
            i += 1
        elif char == "!":
            tokens.append(Token("not", char, i))
            i += 1
        elif char in "&|":
            raise FilterError(f"unexpected '{char}' at position {i + 1} (use && or ||)")
        elif char in "()":
            tokens.append(Token("lparen" if char == "(" else "rparen", char, i))
            i += 1
        elif char in "\"'":
            literal, raw, end = _read_quoted(text, i)
            tokens.append(Token("string", literal, i, raw=raw))
            i = end
        elif char == "$" and i + 1 < len(text) and text[i + 1] in "\"'":
            literal, raw, end = _read_quoted(text, i + 1)
            tokens.append(Token("regex", literal, i, raw=raw))
            i = end
        else:
            start, dollar = i, char == "$"
            if dollar:
                i += 1
            word = []
            while i < len(text) and text[i] not in _WORD_STOP:
                if text[i] == "\\" and i + 1 < len(text):
                    word.append(text[i + 1])
                    i += 2
                    continue
                word.append(text[i])
                i += 1
            name = "".join(word)
            if not name:
                raise FilterError(f"expected a field name after '$' at position {start + 1}")
            lowered = name.lower()
            if not dollar and lowered in _KEYWORDS:
                tokens.append(Token(lowered, name, start))
            elif not dollar and name == "*":
                tokens.append(Token("star", name, start))
            elif not dollar and lowered in ("contains", "matches"):
                tokens.append(Token("op", lowered, start))
            else:
                tokens.append(Token("word", name, start, dollar=dollar))
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- syntax tree ---------------------------------------------------------------------------
@dataclass
class Text:
    needle: str


@dataclass
class Regex:
    pattern: re.Pattern


@dataclass
class Compare:
    field: str
    op: str
    value: object  # str, float, or the `*` marker (MISSING)
    quoted: bool
    pattern: re.Pattern | None = None


@dataclass
class Not:
    operand: object


@dataclass
class And:
    operands: list


@dataclass
class Or:
    operands: list


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def fail(self, message: str, token: Token | None = None):
        token = token or self.peek()
        where = "at end of filter" if token.kind == "end" else f"at position {token.pos + 1}"
        raise FilterError(f"{message} {where}")

    def parse(self):
        if self.peek().kind == "end":
            return None
        node = self.parse_or()
        if self.peek().kind != "end":
            self.fail(f"unexpected '{self.peek().text}'")
        return node

    def parse_or(self):
        operands = [self.parse_and()]
        while self.peek().kind == "or":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(operands)

    def parse_and(self):
        operands = [self.parse_unary()]
        while True:
            kind = self.peek().kind
            if kind == "and":
                self.take()
            elif kind not in ("not", "lparen", "word", "string", "regex", "star"):
                break
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else And(operands)

    def parse_unary(self):
        if self.peek().kind == "not":
            self.take()
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self):
        token = self.take()
        if token.kind == "lparen":
            if self.peek().kind == "rparen":
                self.fail("empty parentheses")
            node = self.parse_or()
            if self.peek().kind != "rparen":
                self.fail("expected ')'")
            self.take()
            return node
        if token.kind == "regex":
            return Regex(self._regex(token.raw, token))
        if token.kind == "string":
            return Text(token.text.lower())
        if token.kind == "word":
            if self.peek().kind == "op":
                return self.parse_comparison(token)
            if token.dollar:
                self.fail(f"expected an operator after ${token.text}")
            return Text(token.text.lower())
        if token.kind == "end":
            self.fail("expected a search term")
        self.fail(f"unexpected '{token.text}'", token)

    def parse_comparison(self, name: Token):
        op = self.take().text
        op = "==" if op == "=" else op
        value = self.take()
        if value.kind == "star":
            if op not in ("==", "!="):
                self.fail(f"'*' can only follow == or !=", value)
            return Compare(name.text, op, MISSING, False)
        if value.kind not in ("word", "string") or value.dollar:
            self.fail(f"expected a value after '{op}'", value)
        if op == "matches":
            pattern = value.raw if value.kind == "string" else value.text
            return Compare(name.text, op, pattern, True, self._regex(pattern, value))
        if value.kind == "word" and _NUMBER.match(value.text):
            return Compare(name.text, op, float(value.text), False)
        return Compare(name.text, op, value.text, value.kind == "string")

    def _regex(self, pattern: str, token: Token) -> re.Pattern:
        try:
            return re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            self.fail(f"invalid regular expression ({exc.msg})", token)


def parse(text: str):
    """The syntax tree of a filter, None for an empty filter (matches everything)."""
    return _Parser(text or "").parse()


# -- evaluation ----------------------------------------------------------------------------
def as_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None


def as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare(node: Compare, getter: Callable) -> Callable:
    get = getter(node.field)
    op, wanted = node.op, node.value
    if wanted is MISSING:
        present = op == "=="
        return lambda record: (get(record) is not MISSING) == present
    if op == "contains":
        needle = as_text(wanted).lower()
        return lambda record: (v := get(record)) is not MISSING and needle in as_text(v).lower()
    if op == "matches":
        search = node.pattern.search
        return lambda record: (v := get(record)) is not MISSING and search(as_text(v)) is not None
    wanted_number = wanted if isinstance(wanted, float) else as_number(wanted)
    wanted_text = as_text(wanted)

    def equal(value) -> bool:
        number = as_number(value) if wanted_number is not None else None
        if number is not None:
            return number == wanted_number
        return as_text(value) == wanted_text

    if op == "==":
        return lambda record: (v := get(record)) is not MISSING and equal(v)
    if op == "!=":
        return lambda record: (v := get(record)) is MISSING or not equal(v)

    order = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
             ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[op]

    def ordered(record) -> bool:
        value = get(record)
        if value is MISSING:
            return False
        number = as_number(value)
        if number is not None and wanted_number is not None:
            return order(number, wanted_number)
        if number is None and wanted_number is None or node.quoted:
            return order(as_text(value), wanted_text)
        return False

    return ordered


def _compile(node, getter: Callable) -> Callable:
    if isinstance(node, Text):
        get_message, needle = getter("message"), node.needle
        return lambda record: (m := get_message(record)) is not MISSING and needle in as_text(m).lower()
    if isinstance(node, Regex):
        get_message, search = getter("message"), node.pattern.search
        return lambda record: (m := get_message(record)) is not MISSING and search(as_text(m)) is not None
    if isinstance(node, Compare):
        return _compare(node, getter)
    if isinstance(node, Not):
        inner = _compile(node.operand, getter)
        return lambda record: not inner(record)
    parts = [_compile(child, getter) for child in node.operands]
    if isinstance(node, And):
        return lambda record: all(part(record) for part in parts)
    return lambda record: any(part(record) for part in parts)


def compile_filter(text: str, getter: Callable) -> Callable:
    """A predicate for `text`; raises FilterError on a syntax error."""
    tree = parse(text)
    if tree is None:
        return lambda record: True
    return _compile(tree, getter)
