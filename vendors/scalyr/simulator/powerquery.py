"""A documented subset of PowerQuery (scalyr.md §6.6) run over the stored events.

    <filter> | filter <filter> | let name = <arith>, ... | group name = fn(...), ... [by f, ...]
             | sort [-]col, ... | columns col, ... | limit N

The first stage is the filter language (§7), or `*` for every event. Group functions: count(), count(<filter>),
sum, avg/mean, min, max, median, p10..p999, estimate_distinct. `let` takes + - * / % over
columns and numbers. Any other command (parse, lookup, join, union, transpose, ...) is
refused with `error/client/badParam`. Without `limit`, at most 1000 rows are returned.
"""

from __future__ import annotations

import functools
import math
import re

from vendors.scalyr.simulator.filterlang import MISSING, FilterError, as_number, compile_filter
from vendors.scalyr.simulator.params import bad_param
from vendors.scalyr.simulator.stats import _PERCENTILES, AGGREGATES, percentile
from vendors.scalyr.simulator.store import EventStore

DEFAULT_LIMIT = 1000
_EVENT_COLUMNS = ["timestamp", "serverHost", "message"]
_ASSIGN = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*=(?!=)\s*(.+?)\s*$", re.S)
_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.S)
_ARITH_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?)|(\$?[A-Za-z_][\w.]*)|(\"[^\"]*\"|'[^']*')|(.))")
_BY = re.compile(r"\s+by\s+", re.IGNORECASE)


def split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside quotes and parentheses (`|` never splits `||`)."""
    parts, current, depth, quote, i = [], [], 0, None, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\" and i + 1 < len(text):
                current.append(text[i:i + 2])
                i += 2
                continue
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            if separator == "|" and text[i:i + 2] == "||":
                current.append("||")
                i += 2
                continue
            parts.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


# -- arithmetic for let and group arguments ---------------------------------------------------
def compile_arith(text: str):
    """`row -> value` for + - * / % over columns, numbers and strings; None when undefined."""
    tokens = []
    for number, name, string, other in _ARITH_TOKEN.findall(text):
        if number:
            tokens.append(("num", float(number)))
        elif name:
            tokens.append(("name", name.lstrip("$")))
        elif string:
            tokens.append(("str", string[1:-1]))
        elif other.strip():
            if other not in "+-*/%()":
                raise bad_param(f"PowerQuery: unsupported operator '{other}' in [{text.strip()}]")
            tokens.append(("op", other))
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else ("end", None)

    def binary(next_level, ops):
        def parse():
            nonlocal pos
            left = next_level()
            while peek()[0] == "op" and peek()[1] in ops:
                op = peek()[1]
                pos += 1
                left = _binary(op, left, next_level())
            return left
        return parse

    def atom():
        nonlocal pos
        kind, value = peek()
        pos += 1
        if kind == "num" or kind == "str":
            return lambda row: value
        if kind == "name":
            return lambda row: row.get(value)
        if (kind, value) == ("op", "-"):
            operand = atom()
            return lambda row: None if (n := as_number(operand(row))) is None else -n
        if (kind, value) == ("op", "("):
            inner = additive()
            if peek() != ("op", ")"):
                raise bad_param(f"PowerQuery: expected ')' in [{text.strip()}]")
            pos += 1
            return inner
        raise bad_param(f"PowerQuery: could not parse expression [{text.strip()}]")

    multiplicative = binary(atom, "*/%")
    additive = binary(multiplicative, "+-")
    expression = additive()
    if pos != len(tokens):
        raise bad_param(f"PowerQuery: could not parse expression [{text.strip()}]")
    return expression


def _binary(op, left, right):
    def evaluate(row):
        a, b = as_number(left(row)), as_number(right(row))
        if a is None or b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return math.nan if a == 0 or op == "%" else math.copysign(math.inf, a)
        return a / b if op == "/" else math.fmod(a, b)
    return evaluate


# -- commands -------------------------------------------------------------------------------
def _row_getter(name: str):
    return lambda row: MISSING if (v := row.get(name, MISSING)) is None else v


def _row_filter(text: str):
    try:
        return compile_filter(text, _row_getter)
    except FilterError as exc:
        raise bad_param(f"PowerQuery: error parsing filter [{text.strip()}]: {exc}") from None


def _aggregate(spec: str):
    """(column name, rows -> value) for one `name = fn(args)` of a group command."""
    assigned = _ASSIGN.match(spec)
    name, call_text = (assigned.group(1), assigned.group(2)) if assigned else (spec.strip(), spec)
    call = _CALL.match(call_text)
    if not call:
        raise bad_param(f"PowerQuery: expected a function call in group, got [{call_text.strip()}]")
    function, argument = call.group(1), call.group(2).strip()
    if function == "count":
        if not argument or argument == "*":
            return name, len
        predicate = _row_filter(argument)
        return name, lambda rows: sum(1 for row in rows if predicate(row))
    if not argument:
        raise bad_param(f"PowerQuery: {function}() needs an argument")
    value = compile_arith(argument)
    if function == "estimate_distinct":
        return name, lambda rows: len({v for v in map(value, rows) if v is not None})
    numbers = lambda rows: [n for n in (as_number(value(row)) for row in rows) if n is not None]  # noqa: E731
    if function in _PERCENTILES:
        p = _PERCENTILES[function]
        return name, lambda rows: percentile(numbers(rows), p)
    if function in AGGREGATES:
        aggregate = AGGREGATES[function]
        return name, lambda rows: aggregate(numbers(rows))
    raise bad_param(f"PowerQuery: unsupported group function '{function}'")


def _group(argument: str, rows: list[dict]) -> tuple[list[str], list[dict]]:
    parts = _BY.split(argument, maxsplit=1)
    aggregates = [_aggregate(spec) for spec in split_top(parts[0], ",")]
    keys = [k.strip().lstrip("$") for k in split_top(parts[1], ",")] if len(parts) > 1 else []
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(_hashable(row.get(k)) for k in keys), []).append(row)
    if not keys and not groups:
        groups[()] = []
    table = []
    for key, members in groups.items():
        out = dict(zip(keys, key))
        for name, aggregate in aggregates:
            out[name] = aggregate(members)
        table.append(out)
    return keys + [name for name, _ in aggregates], table


def _hashable(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _sort_key(value):
    number = as_number(value) if not isinstance(value, str) else None
    if value is None or (number is not None and math.isnan(number)):
        return (2, 0)
    return (0, number) if number is not None else (1, str(value))


def _sort(argument: str, rows: list[dict]) -> list[dict]:
    specs = []
    for part in split_top(argument, ","):
        part = part.strip()
        descending = part.startswith("-")
        specs.append((part.lstrip("+-").strip().lstrip("$"), descending))

    def compare(a, b):
        for name, descending in specs:
            ka, kb = _sort_key(a.get(name)), _sort_key(b.get(name))
            if ka == kb:
                continue
            if ka[0] == 2 or kb[0] == 2:  # missing values last either way
                return 1 if ka[0] == 2 else -1
            result = -1 if ka < kb else 1
            return -result if descending else result
        return 0

    return sorted(rows, key=functools.cmp_to_key(compare))


def _cell(value):
    if isinstance(value, float):
        if math.isnan(value):
            return {"special": "NaN"}
        if math.isinf(value):
            return {"special": "+infinity" if value > 0 else "-infinity"}
        return value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def power_query(store: EventStore, query: str, start: int, end: int, event_filter) -> dict:
    """Run `query` on events of [start, end); `event_filter` compiles the first stage."""
    stages = split_top(query, "|")
    predicate = event_filter("" if stages[0].strip() == "*" else stages[0])
    rows = [store.row(e) for e in store.matching(start, end, predicate)]
    matching = len(rows)
    columns = list(_EVENT_COLUMNS)
    limit = None
    for stage in stages[1:]:
        command, _, argument = stage.strip().partition(" ")
        command = command.lower()
        if not argument.strip() and command != "limit":
            raise bad_param(f"PowerQuery: '{command}' needs an argument")
        if command == "filter":
            keep = _row_filter(argument)
            rows = [row for row in rows if keep(row)]
        elif command == "let":
            for assignment in split_top(argument, ","):
                match = _ASSIGN.match(assignment)
                if not match:
                    raise bad_param(f"PowerQuery: expected name = expression in let, got [{assignment.strip()}]")
                name, compute = match.group(1), compile_arith(match.group(2))
                for row in rows:
                    row[name] = compute(row)
                if name not in columns:
                    columns.append(name)
        elif command == "group":
            columns, rows = _group(argument, rows)
        elif command == "sort":
            rows = _sort(argument, rows)
        elif command == "columns":
            columns = [c.strip().lstrip("$") for c in split_top(argument, ",") if c.strip()]
        elif command == "limit":
            try:
                limit = int(argument.strip() or DEFAULT_LIMIT)
            except ValueError:
                raise bad_param(f"PowerQuery: limit needs a number, got [{argument.strip()}]") from None
            rows = rows[:limit]
        else:
            raise bad_param(f"PowerQuery: the '{command}' command is not supported here (supported: filter, let, "
                            "group, sort, columns, limit)")
    warnings = []
    if limit is None and len(rows) > DEFAULT_LIMIT:
        rows = rows[:DEFAULT_LIMIT]
        warnings.append(f"Results were limited to {DEFAULT_LIMIT} rows; add a limit command to change it.")
    return {"status": "success", "matchingEvents": matching, "omittedEvents": 0,
            "columns": [{"name": c} for c in columns],
            "values": [[_cell(row.get(c)) for c in columns] for row in rows], "warnings": warnings}
