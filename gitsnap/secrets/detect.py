"""The one secret detector gitsnap applies to every string and body it writes.

One Aho-Corasick pass over the lower-cased text finds every keyword of every rule
(:mod:`gitsnap.secrets.rules`); text without a keyword costs that pass and nothing else. Each
keyword occurrence then runs only its own rules, at the keyword or in a small window around
it: vendor token regexes (most taken from detect-secrets' plugins), key blocks, HTTP headers,
``.netrc``/``.npmrc`` entries, credentials in URLs (``url-credentials``), and assignments whose
name says secret (``secret-assignment``: JSON, YAML, INI, ``.env``, shell, Python, PHP, JS,
XML and name/value pairs).

Hits are sorted, never overlap (overlapping hits merge into the union of their spans, named
after the most specific rule), and never touch a ``redacted:hmac-sha256:`` marker. Spans are
offsets in the scanned ``str``; :meth:`Detector.scan_bytes` reports offsets in the decoded text
(byte offsets, line 0, for the printable runs of binaries).
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from . import names as N
from . import rules as R
from .assign import HASH_PREFIX, NEAR_LITERAL, NEAR_WORD, assignment_span

_ASSIGN, _URL = -1, -2
Raw = list[tuple[int, int, int, str]]  # (start, end, priority, rule id) before merging
_MARKER_RE = re.compile(r"redacted:hmac-sha256:[0-9a-fA-F]*")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_NAME_FWD = re.compile(r"[A-Za-z0-9_.\-]{0,80}")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_USERINFO = re.compile(
    r"(?P<user>[^\s:@/?#\"'<>\\`]{0,256}):(?P<value>[^\s/?#\"'<>\\`]{1,256})"
    r"@[A-Za-z0-9._\-\[\]%]+(?=[:/?#\"'\s<>\\`,;)\]]|$)"
)
_USER_PASS = re.compile(r"[^\s:/@]{1,64}:(?P<p>[^\s]{6,256})")
_USERISH = re.compile(r"(?i)user|login|auth|cred|basic|account")
_ESCAPED = re.compile(r"\\([\"'\\])")
_UNESCAPE_MAX = 16384  # fields longer than this are not scanned a second time unescaped
_PRINTABLE = bytes(b if 32 <= b < 127 or b == 9 else 10 for b in range(256))
_RUN = re.compile(rb"[\x20-\x7e\t]{8,}")
_MEDIA = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"wOFF", b"wOF2",
          b"%PDF-", b"\x00\x00\x01\x00", b"\x00\x01\x00\x00\x00", b"OTTO\x00", b"true\x00",
          b"ttcf\x00", b"ID3", b"OggS", b"fLaC", b"\x1aE\xdf\xa3")


@dataclass(frozen=True)
class Hit:
    """One secret found: its rule and the span of the secret value."""

    rule: str  # stable rule id, e.g. "aws-secret-access-key", "secret-assignment"
    start: int  # span of the secret VALUE inside the scanned text (not the key name)
    end: int
    line: int  # 1-based line of ``start`` (0 for printable runs of binaries)


def is_media(data: bytes) -> bool:
    """Known image, font, audio/video or PDF container: nothing to scan."""
    if data.startswith(_MEDIA):
        return True
    riff = data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI ")
    return riff or data[4:8] == b"ftyp"


OPAQUE_MIN = 64 * 1024


def opaque(data: bytes) -> bool:
    """A large binary whose bytes do not compress: compressed or encrypted data (media without a
    known magic, archives, ciphertext), where a secret cannot stand as readable text. Scanning
    its printable runs costs ~70 ms per MiB for nothing, holding the GIL the download threads
    need. Small binaries are always scanned."""
    if len(data) < OPAQUE_MIN:
        return False
    sample = data[:OPAQUE_MIN]
    return len(zlib.compress(sample, 1)) > 0.95 * len(sample)


class Detector:
    """Finds secret values in text, bytes and named fields."""

    def __init__(self, allow_rules: Iterable[str] = (), allow_values: Iterable[str] = ()) -> None:
        """Build the prefilter.

        Args:
            allow_rules: rule ids switched off.
            allow_values: exact values never reported.
        """
        self.allow_rules = frozenset(allow_rules)
        self.allow_values = frozenset(allow_values)
        self._rules = tuple(r for r in R.RULES if r.id not in self.allow_rules)
        targets: dict[str, list[int]] = {}
        for i, rule in enumerate(self._rules):
            for kw in rule.keywords:
                targets.setdefault(kw, []).append(i)
        if "secret-assignment" not in self.allow_rules:
            for kw in R.ASSIGNMENT_KEYWORDS:
                targets.setdefault(kw, []).append(_ASSIGN)
        if "url-credentials" not in self.allow_rules:
            targets.setdefault(R.URL_KEYWORD, []).append(_URL)
        self._automaton = ahocorasick.Automaton()
        for kw, ids in targets.items():
            self._automaton.add_word(kw, (len(kw), tuple(ids)))
        self._automaton.make_automaton()

    # --- public API -------------------------------------------------------------------------
    def secret_name(self, name: str) -> bool:
        """True if a field, key or variable name says secret (``api_key``; not ``KeyId``)."""
        return N.secret_name(name)

    def trivial(self, value: str) -> bool:
        """True for values that cannot be secrets: short, placeholder, template, number, marker."""
        return N.trivial(value)

    def scan_field(self, name: str, value: str) -> list[Hit]:
        """A named value: the whole value if the name says secret, else what ``scan_text`` finds.

        In a field named like a user, login, auth or account (``CURL_USER``,
        ``DOCKER_AUTH_CONFIG``), ``user:password`` (``user-password-pair``, span = the password)
        and its base64 (``basic-auth-credentials``, span = the whole value) count too.
        """
        if ("secret-named-field" not in self.allow_rules and N.secret_name(name)
                and not N.trivial(value) and value not in self.allow_values
                and (not name.lower().endswith("aws:referer") or N.referer_secret(value))):
            return [Hit("secret-named-field", 0, len(value), 1)]
        hits = self.scan_text(value)
        if hits or value in self.allow_values or N.MARKER in value or not _USERISH.search(name):
            return hits
        raw: Raw = []
        self._pair(value, (0, len(value)), raw)
        return [Hit(rule, start, end, 1) for start, end, _, rule in raw]

    def scan_bytes(self, data: bytes, name: str = "") -> list[Hit]:
        """Scan a body. Spans are offsets in the decoded text (byte offsets for binaries).

        UTF-8, else UTF-16/32 with a BOM, else (NUL bytes) binary: media containers (PNG, JPEG,
        GIF, WebP, WOFF/WOFF2, TTF/OTF, ICO, PDF, MP3/OGG/FLAC/WAV, MP4/MOV/AVIF, WebM) give no
        hits, other binaries are scanned as printable ASCII runs of 8+ characters (line 0);
        anything else is decoded as latin-1.
        """
        if not data or is_media(data):
            return []
        for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                           (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
            if data.startswith(bom):
                return self.scan_text(data.decode(codec, "replace"), name)
        if b"\x00" in data:
            if opaque(data):
                return []
            runs = bytearray(data.translate(_PRINTABLE))
            keep = bytearray(b"\n" * len(data))
            for m in _RUN.finditer(runs):
                keep[m.start():m.end()] = runs[m.start():m.end()]
            hits = self._scan(keep.decode("latin-1"), "binary")
            return [Hit(h.rule, h.start, h.end, 0) for h in hits]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        return self.scan_text(text, name)

    def scan_text(self, text: str, name: str = "") -> list[Hit]:
        """All secrets in ``text``, sorted by start, non-overlapping.

        Args:
            text: the text to scan.
            name: file name or path hint; ``.env``/``.ini``/``.yaml``/``.netrc``... make unquoted
                ``key = value`` values count, code files (``.js``, ``.css``, ``.json``...) only
                quoted literals.
        """
        return self._scan(text, N.context(name))

    def _scan(self, text: str, ctx: str) -> list[Hit]:
        raw = self._raw(text, ctx)
        if ctx == "plain" and len(text) <= _UNESCAPE_MAX and _ESCAPED.search(text):
            # JSON or code quoted inside a field (a TXT record, a description): scan it unescaped
            # too, and map the hits back to the escaped text.
            plain, where = _unescape(text)
            where.append(len(text))
            raw += [(where[a], where[b - 1] + 1, prio, rule)
                    for a, b, prio, rule in self._raw(plain, ctx)]
        return self._finish(text, raw)

    def _raw(self, text: str, ctx: str) -> Raw:
        if not text:
            return []
        low = text.lower()
        if len(low) != len(text):  # a few characters lower-case to two
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        at: list[tuple[int, int]] = []
        windows: dict[int, list[list[int]]] = {}
        assign: list[tuple[int, int]] = []
        urls: list[int] = []
        n = len(text)
        for end, (klen, ids) in self._automaton.iter(low):
            p = end - klen + 1
            for i in ids:
                if i == _ASSIGN:
                    assign.append((p, klen))
                elif i == _URL:
                    urls.append(p)
                elif self._rules[i].at:
                    at.append((i, p))
                else:
                    rule = self._rules[i]
                    ws, we = max(0, p - rule.back), min(n, p + rule.fwd)
                    spans = windows.setdefault(i, [])
                    if spans and ws <= spans[-1][1]:
                        spans[-1][1] = max(spans[-1][1], we)
                    else:
                        spans.append([ws, we])
        raw: Raw = []
        if not (at or windows or assign or urls):
            return raw
        for i, p in at:
            rule = self._rules[i]
            for pattern in rule.patterns:
                m = pattern.match(text, p, min(n, p + rule.fwd))
                if m:
                    self._accept(rule, m, text, raw)
        for i, spans in windows.items():
            rule = self._rules[i]
            for ws, we in spans:
                for pattern in rule.patterns:
                    for m in pattern.finditer(text, ws, we):
                        self._accept(rule, m, text, raw)
        for p in urls:
            self._url(text, p, raw)
        if assign:
            self._assignments(text, assign, ctx, raw)
        return raw

    # --- rule runners -----------------------------------------------------------------------
    def _accept(self, rule: R.Rule, m: re.Match[str], text: str, raw: Raw) -> None:
        group = "value" if "value" in m.re.groupindex else rule.group
        start, end = m.span(group)
        if start < 0 or start == end:
            return
        if rule.extend is not None:
            end = rule.extend.match(text, end).end()
        if rule.strip:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
        if rule.check is None or rule.check(text[start:end]):
            raw.append((start, end, rule.priority, rule.id))

    def _url(self, text: str, p: int, raw: Raw) -> None:
        k = p
        while k > 0 and p - k < 32 and text[k - 1] in _SCHEME_CHARS:
            k -= 1
        if k == p or not text[k].isalpha():
            return
        m = _USERINFO.match(text, p + 3)
        if m and R.url_password_ok(m["value"]):
            raw.append((m.start("value"), m.end("value"), R.STRUCTURE, "url-credentials"))

    def _assignments(self, text: str, found: list[tuple[int, int]], ctx: str, raw: Raw) -> None:
        seen: set[int] = set()
        memo = [0, 0]
        for p, klen in found:
            s, lo = p, max(0, p - 80)
            while s > lo and text[s - 1] in _NAME_CHARS:
                s -= 1
            if s in seen:
                continue
            seen.add(s)
            e = _NAME_FWD.match(text, p + klen).end()
            raw_name = text[s:e]
            strength = N.name_strength(raw_name)
            if not strength:
                if N.pair_name(raw_name):
                    self._pair(text, assignment_span(text, s, e, raw_name, ctx, memo), raw)
                continue
            span = assignment_span(text, s, e, raw_name, ctx, memo)
            if span is not None and (strength > 1 or N.random_looking(text[span[0]:span[1]])):
                raw.append((span[0], span[1], R.ASSIGNMENT, "secret-assignment"))
            elif span is None and "high-entropy-near-keyword" not in self.allow_rules:
                m = NEAR_LITERAL.match(text, e)  # setApiKey("<random>")
                if m is None and strength > 1 and ctx != "code":
                    m = NEAR_WORD.match(text, e)  # "password <random>" in text
                if m and N.high_entropy(m["v"]) and not HASH_PREFIX.search(m["v"]):
                    raw.append((*m.span("v"), R.ENTROPY, "high-entropy-near-keyword"))

    def _pair(self, text: str, span: tuple[int, int] | None, raw: Raw) -> None:
        """``user:password`` (span = the password) or its base64 (span = all of it)."""
        if span is None:
            return
        value = text[span[0]:span[1]]
        m = _USER_PASS.fullmatch(value)
        if (m and "user-password-pair" not in self.allow_rules and N.random_looking(m["p"])
                and not N.trivial(m["p"])):
            raw.append((span[0] + m.start("p"), span[0] + m.end("p"), R.ASSIGNMENT,
                        "user-password-pair"))
        elif "basic-auth-credentials" not in self.allow_rules and R.basic_credentials(value):
            raw.append((span[0], span[1], R.ASSIGNMENT, "basic-auth-credentials"))

    def _finish(self, text: str, raw: Raw) -> list[Hit]:
        if self.allow_values:
            raw = [h for h in raw if text[h[0]:h[1]] not in self.allow_values]
        if N.MARKER in text:
            marks = [m.span() for m in _MARKER_RE.finditer(text)]
            raw = [h for h in raw if not any(a < h[1] and h[0] < b for a, b in marks)]
        if not raw:
            return []
        raw.sort(key=lambda h: (h[0], -h[1], h[2]))
        merged: list[list[int | str]] = []
        for start, end, prio, rule in raw:
            if merged and start < merged[-1][1]:
                cur = merged[-1]
                cur[1] = max(cur[1], end)
                if prio < cur[2]:
                    cur[2], cur[3] = prio, rule
            else:
                merged.append([start, end, prio, rule])
        newlines = [m.start() for m in re.finditer("\n", text)] if len(merged) > 4 else None
        out = []
        for start, end, _, rule in merged:
            if newlines is None:
                line = text.count("\n", 0, start) + 1
            else:
                line = bisect.bisect_right(newlines, start - 1) + 1
            out.append(Hit(rule, start, end, line))
        return out


def _unescape(text: str) -> tuple[str, list[int]]:
    """``text`` with backslash-escaped quotes and backslashes unescaped, and where each of its
    characters is in ``text``."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _ESCAPED.finditer(text):
        out.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        out.append(m.group(1))
        where.append(m.start() + 1)
        pos = m.end()
    out.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(out), where
