"""``name <sep> value``: where the value of a secret-named assignment starts and ends.

:func:`assignment_span` is given a name that says secret (``DB_PASSWORD``, ``apiKey``) at
``text[s:e]`` and finds its value in the forms people write: ``KEY=value`` (.env, shell, INI,
``export``), ``key: value`` (YAML), ``"key": "value"`` (JSON), ``key = 'value'`` (Python, JS,
Go ``:=``, PHP ``=>``/``$var =``, TS/Python annotations), ``define('KEY', 'value')``,
``<key>value</key>``, name/value pairs (``{"name": "KEY", "value": "..."}``, k8s ``- name:``
``value:``, ``<add key="KEY" value="..."/>``), query strings (``?api_key=...``), ``--flag=``,
``k=v`` pairs on a line, and ``curl -H 'X-Api-Key: ...'``.

Unquoted values: in config files (``context() == "config"``) the rest of the line; in other
text one word when the name starts its line, or one random-looking word anywhere
(``db | password = <random> | ...``). In code only quoted literals count, except a random-looking
word with no code in it at the start of a line or in a ``k=v`` (config text inside a template
string): ``token: e.token``, ``token: getToken()``, ``password: this.password``, ``secret: !0``
are expressions. YAML ``key: |`` blocks and multi-line ``KEY="..."`` values are followed.
"""

from __future__ import annotations

import re

from . import names as N

_FAR = 4096  # how far to look for the start or end of a line
_UNQUOTED = re.compile(r"\S*")  # the whole of an unquoted value (_TAIL takes 64)
_LONGEST = 4096  # a longer unquoted run is not a value
_QUOTED = (  # a quoted literal: "double", 'single' or `template` (escapes kept)
    r'''(?:"(?P<dq>(?:\\.|[^"\\\n]){0,2048})"'''
    r"""|'(?P<sq>(?:\\.|[^'\\\n]){0,2048})'"""
    r"|`(?P<bq>(?:\\.|[^`\\]){0,2048})`)"
)
_TAIL = re.compile(
    r"(?P<kq>[\"'`]?)\]?[ \t]*(?P<sep>:[ \t]*[A-Za-z_][\w.]*(?:\[[^\]\n]{0,40}\])?[ \t]+=[ \t]*"
    r"(?=[\"'`])"
    r"|:=|=>|=(?![=~>])|:(?![:=])|,)[ \t]*(?:" + _QUOTED + r"|(?P<uv>[^\s\"'`]{1,64}))?"
)
_TAIL_EQ = re.compile(r"(?P<kq>)(?P<sep>=)(?:" + _QUOTED + r"|(?P<uv>\S{1,64}))")
_CALL_BEFORE = re.compile(r"(?:define|getenv|get|setdefault|setenv|putenv|set|setItem|env)"
                          r"[ \t]*\([ \t]*\Z")
_PAIR_BEFORE = re.compile(r"(?<![\w-])[\"']?(?:name|Name|key|Key|ParameterKey|OptionName)[\"']?"
                          r"[ \t]*[:=][ \t]*\Z")
_JSON_PAIR = re.compile(r"(?P<kq>[\"'])[ \t]*,[ \t]*[\"'](?:value|Value|ParameterValue|OptionValue)"
                        r"[\"'][ \t]*:[ \t]*" + _QUOTED)
_XML_PAIR = re.compile(r"(?P<kq>[\"'])[ \t]+value[ \t]*=[ \t]*" + _QUOTED)
_MULTILINE = re.compile(r"[ \t]*=[ \t]*\"(?P<dq>(?:\\.|[^\"\\]){1,8192})\"")
_YAML_PAIR = re.compile(r"[\"']?[ \t]*\r?\n[ \t]*(?:-[ \t]+)?value[ \t]*:[ \t]*(?:" + _QUOTED +
                        r"|(?P<uv>[^\n]+))")
_HEADER_BEFORE = re.compile(r"(?:-H|--header)[ \t=]*\Z")
_HEADER_TAIL = re.compile(r"[ \t]*:[ \t]*(?P<uv>[^\"'\n]+)")
_LINE_PREFIX = re.compile(r"[ \t]*(?:(?:export|set|setenv|ENV|declare|readonly|local)[ \t]+"
                          r"(?:-\w+[ \t]+)?|-[ \t]+)?[\"']?")
_IN_STRING = {q: re.compile(rf"(?:\\.|[^{q}\\\n])*") for q in "\"'"}  # up to the closing quote
_QUOTE_CUT = re.compile(r"[^\"'`]*")
_BLOCK = re.compile(r"[|>][+-]?\d?[ \t]*(?:#.*)?")
_COMMENT = re.compile(r"[ \t]+[#;].*$")
_SCHEME_PREFIX = re.compile(r"(?i)(?:basic|bearer|token|digest|apikey|sso-key)[ \t]+")
_CODEISH = re.compile(  # an expression, not a literal: f(x), a.b, a[b], !x, ident, ... {
    r"^[A-Za-z_$][\w$.]*[(\[].*[)\]][,;]?$|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+"
    r"(?:[,;:)\]}]|$)|^!\w*[,;]?$|^[A-Za-z_$][\w$]*[,;]$|^[\w$.()=>]*\{$")
# In code, a word with these is an expression: getToken(, a.member, =>, ", b", this, {jsx}.
_CODE_TOKENS = re.compile(
    r"\b[a-z]*[aeiou][a-z]+(?:[A-Z][a-z]+)*\(|\.[A-Za-z_$][\w$]{3,}|=>"
    r"|[;,][ \t]*[A-Za-z_$][\w$]*[=:.(]|[\"'`][,;)\]}]|^\{.*\}|\b(?:this|return|null|new)\b")
# A quoted random literal shortly after a secret name that is not an assignment: setApiKey("...").
NEAR_LITERAL = re.compile(r"[ \t(]{0,3}([\"'`])(?P<v>[A-Za-z0-9+/=_\-.~]{16,256})\1")
NEAR_WORD = re.compile(r"[ \t]+(?P<v>[^\s\"'`]{16,256})(?=[\s\"'`]|$)")
HASH_PREFIX = re.compile(r"^(?:sha(?:1|256|384|512)-|nonce-|md5-)|^[0-9a-fA-F]+$")
_MARKUP = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
_CONCAT = re.compile(r"[ \t]*(?:\+|\.[A-Za-z_]|\[|%[ \t]|\|\||\?\?)")
_INLINE_END = re.compile(r"[&;#,)<>?]")


def _quoted_span(m: re.Match[str]) -> tuple[int, int] | None:
    for g in ("dq", "sq", "bq"):
        if m.group(g) is not None:
            return m.span(g)
    return None


def _value_ok(value: str, raw_name: str) -> bool:
    v = value.strip()
    if v[:2] in (", ", "; ") or ((" " in v or "\n" in v) and _MARKUP.search(v)):
        return False  # the text between two literals, or a template of HTML
    return not (N.trivial(v) or N.label_like(v) or N.path_like(v)
                or v.lower() == raw_name.strip("$@.-_").lower())


def _finish_value(text: str, s: int, e: int, raw_name: str) -> tuple[int, int] | None:
    """Drop an auth scheme word and surrounding blanks, then check the value."""
    m = _SCHEME_PREFIX.match(text, s, e)
    if m:
        s = m.end()
    while s < e and text[s] in " \t":
        s += 1
    while e > s and text[e - 1] in " \t\r":
        e -= 1
    return (s, e) if e > s and _value_ok(text[s:e], raw_name) else None


def _unquoted(text: str, vs: int, memo: list[int]) -> str | None:
    """The unquoted run at ``vs`` (None past _LONGEST); ``memo`` keeps the last run's
    [start, end) so names packed in one long run cost one pass."""
    if not memo[0] <= vs < memo[1]:
        memo[:] = [vs, _UNQUOTED.match(text, vs).end()]
    end = memo[1]
    return text[vs:end] if end - vs <= _LONGEST else None


def assignment_span(text: str, s: int, e: int, raw_name: str, ctx: str,
                    memo: list[int] | None = None) -> tuple[int, int] | None:
    """The value span of ``name <sep> value`` starting at ``text[s:e]`` (a secret name).

    ``memo`` (``[0, 0]`` to start) may be shared by the calls of one scan: see _unquoted.
    """
    memo = [0, 0] if memo is None else memo
    q0 = text[s - 1] if s else "\n"
    if q0 == "<" and text[e:e + 1] == ">":  # <password>value</password>
        close = text.find("<", e + 1, e + 2050)
        if close > e + 1 and text.startswith("</" + raw_name, close) and "\n" not in text[e:close]:
            return _finish_value(text, e + 1, close, raw_name)
        return None
    if q0 in "\"'" and _HEADER_BEFORE.search(text, max(0, s - 12), s - 1):  # curl -H 'X-Key: v'
        m = _HEADER_TAIL.match(text, e)
        return _finish_value(text, *m.span("uv"), raw_name) if m else None
    line_start = text.rfind("\n", max(0, s - _FAR), s) + 1 or max(0, s - _FAR)
    before = _PAIR_BEFORE.search(text, max(line_start, s - 40), s - (1 if q0 in "\"'" else 0))
    if before:
        pair = _YAML_PAIR if q0 not in "\"'" else _XML_PAIR if "=" in before[0] else _JSON_PAIR
        m = pair.match(text, e)
        if m and (q0 not in "\"'" or m.group("kq") == q0):
            span = _quoted_span(m) or (m.span("uv") if "uv" in m.re.groupindex else None)
            if span and span[0] >= 0:
                return _finish_value(text, *span, raw_name)
    tail = _TAIL_EQ if ctx != "code" and text.startswith(("==", "=>"), e) else _TAIL
    m = tail.match(text, e)  # in text, KEY==v and KEY=>v are values that start with = or >
    if m is None:
        return None
    kq, sep = m.group("kq"), m.group("sep")
    if kq and q0 != kq:
        return None  # the name ends a string it did not start: "Enter password": ...
    span = _quoted_span(m)
    if span and not kq and sep == ":" and text[span[0] - 2] == ":" and (q0 in " \t\"'`"):
        return None  # 'Access token:', x  /  "Password:"),  the name ends a string
    if span is None and m.group("uv") is None and sep == "=":
        ml = _MULTILINE.match(text, e)  # .env: KEY="line one\nline two"
        span = ml.span("dq") if ml else None
    if sep == ",":
        before = text[max(0, s - 30):s - 1] if kq else ""
        if not (kq and span and _CALL_BEFORE.search(before)):
            return None
    if span is not None:
        if (m.group("bq") is not None and "${" in m.group("bq")) or _CONCAT.match(text, m.end()):
            return None  # a template, or a literal that is only part of an expression
        return _finish_value(text, *span, raw_name)
    uv = m.group("uv")
    if uv is None or kq or sep not in (":", "=", ":="):
        return None
    vs, tight = m.start("uv"), m.start("sep") == e and m.end("sep") == m.start("uv")
    if sep == "=" and tight and q0 in "\"'" and "." not in raw_name:  # "password=v" in a string
        run = _unquoted(text, vs, memo)
        if run is None:
            return None
        end = min(_IN_STRING[q0].match(text, vs, vs + len(run)).end(), vs + len(run))
        return None if _CODEISH.search(text[vs:end]) else _finish_value(text, vs, end, raw_name)
    if sep == "=" and ((q0 in "?&;" and "." not in raw_name) or raw_name.startswith("--")):
        run = _unquoted(text, vs, memo)  # a query parameter, a --flag=, a "k=v;k=v" string
        if run is None:
            return None
        cut = _INLINE_END.search(run)
        value = run[:cut.start()] if cut else run
        if _CODEISH.search(value):
            return None
        return _finish_value(text, vs, vs + len(value), raw_name)
    anchored = ctx == "binary" or q0 == "`" or (  # a template string starts with the name
        _LINE_PREFIX.fullmatch(text, line_start, s) is not None and raw_name[0] not in ".-")
    pair = q0 in " \t" and sep == "=" and tight  # k=v pairs on a line: ansible_ssh_pass=...
    if ctx == "code" and not (anchored or pair):
        return None
    run = _unquoted(text, vs, memo)
    if run is not None and ctx == "code":
        run = _QUOTE_CUT.match(run)[0]  # a k=v inside a string literal ends with the string
    if run is None or _CODEISH.search(run):
        return None
    if ctx == "code" and (_CODE_TOKENS.search(run) or not (N.code_literal(run) or _whole_line_literal(
            text, vs, run, anchored and sep == "=" and tight))):
        return None  # in code only a random word is a literal (config text in a template string)
    if ctx == "binary" or (pair and not anchored):
        return _finish_value(text, vs, vs + len(run), raw_name)
    if anchored:
        line_end = text.find("\n", vs, vs + _FAR)
        line_end = min(len(text), vs + _FAR) if line_end < 0 else line_end
        if sep == ":" and _BLOCK.fullmatch(text, vs, line_end):  # YAML block scalar: key: |
            return _block_scalar(text, line_start, s, line_end)
        if ctx == "config":
            rest = _COMMENT.sub("", text[vs:line_end].rstrip())
            return _finish_value(text, vs, vs + len(rest), raw_name)
        if not text[vs + len(run):line_end].strip() or (sep == "=" and tight):
            return _finish_value(text, vs, vs + len(run), raw_name)  # one word to the end
    # inside a line of text ("db | password = v | ..."): one random word, not an expression
    if _CODE_TOKENS.search(run) or not N.code_literal(run):
        return None
    return _finish_value(text, vs, vs + len(run), raw_name)


def _whole_line_literal(text: str, vs: int, run: str, tight_at_line_start: bool) -> bool:
    """``password=Ik2zwEQHfwcepYyNGfB51Ybm`` alone on its line in a code file (properties text in
    a template string): a secret name, a tight ``=`` and one random word to the end of the line
    is a literal even with fewer digits than :func:`names.code_literal` asks of a word inside code."""
    end = vs + len(run)
    return (tight_at_line_start and len(run) >= 16 and (end == len(text) or text[end] in "\r\n")
            and N.random_looking(run) and not N.wordy(run) and N.entropy(run) >= 3.5)


def _block_scalar(text: str, line_start: int, s: int, line_end: int) -> tuple[int, int] | None:
    """The lines of a YAML ``|``/``>`` block: those indented deeper than the key."""
    indent = s - line_start
    start = end = -1
    pos = line_end + 1
    while 0 < pos < len(text):
        nl = text.find("\n", pos)
        nl = len(text) if nl < 0 else nl
        line = text[pos:nl]
        if line.strip():
            if len(line) - len(line.lstrip(" \t")) <= indent:
                break
            start = pos + len(line) - len(line.lstrip(" \t")) if start < 0 else start
            end = pos + len(line.rstrip())
        pos = nl + 1
    return (start, end) if start >= 0 and not N.trivial(text[start:end]) else None
