"""The rule table of the secret detector: vendor token shapes, key blocks, headers, URLs.

Vendor shapes reuse detect-secrets' regex plugins (their ``denylist``), taken from the installed
package by class name, so a detect-secrets upgrade brings its pattern fixes along; gitsnap adds
the shapes detect-secrets lacks (modelled on gitleaks' rules) and, for every rule, the
*keywords* of the one-pass prefilter and the window where the rule's regexes run.

A rule runs only where one of its keywords occurs (lower-cased text). ``at`` rules are matched
at the keyword (their regex starts with it); the others are searched in
``[keyword - back, keyword + fwd]``. The named group ``value`` (else the group ``group``) is
the reported span: the secret value, never the key name, scheme or host.

The name and value vocabulary (which field names say "secret", which values are placeholders,
which file names are config or code) is in :mod:`gitsnap.secrets.names`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

from .names import mixed, referer_secret, trivial, words

# Rule priorities: when hits overlap, the union span is kept and named after the most specific.
VENDOR, STRUCTURE, ASSIGNMENT, ENTROPY = 0, 1, 2, 3

Check = Callable[[str], bool]


@dataclass(frozen=True)
class Rule:
    """One detection rule (several entries may share an id)."""

    id: str
    keywords: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    at: bool = True  # match at the keyword; else search the window below
    back: int = 0
    fwd: int = 256
    group: str | int = "value"
    check: Check | None = None
    extend: re.Pattern[str] | None = None  # token tail past a fixed-length pattern
    priority: int = VENDOR
    source: str = "gitsnap"
    strip: bool = False  # trim blanks around the value span (key block bodies)


@cache
def _ds_plugins() -> dict[str, type]:
    return {cls.__name__: cls for cls in get_mapping_from_secret_type_to_class().values()}


def ds(name: str, *which: int, before: str = "", after: str = "") -> tuple[re.Pattern[str], ...]:
    """detect-secrets plugin ``name``'s denylist regexes (``which``: indexes), wrapped."""
    plugin = _ds_plugins()[name]()
    out = []
    for i, rx in enumerate(plugin.denylist):
        if which and i not in which:
            continue
        out.append(re.compile(f"{before}(?:{rx.pattern}){after}", rx.flags))
    return tuple(out)


def rx(*patterns: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in patterns)


_B = r"(?<![A-Za-z0-9_\-])"  # token start boundary
_E = r"(?![A-Za-z0-9_\-])"  # token end boundary
_TAIL = re.compile(r"[A-Za-z0-9_\-]*")
_TAIL_ALNUM = re.compile(r"[A-Za-z0-9]*")


def _aws_secret(value: str) -> bool:
    return mixed(value) and not re.fullmatch(r"[0-9a-fA-F]+", value)


def _b64json(part: str) -> object:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


_JWT_IO_EXAMPLE = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"  # jwt.io's sample signature


def _jwt(value: str) -> bool:
    if value.endswith(_JWT_IO_EXAMPLE):
        return False
    try:
        header = _b64json(value.split(".", 1)[0])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and ("alg" in header or "typ" in header)


def basic_credentials(value: str) -> bool:
    """``Basic`` credentials decode to printable ``user:password`` with a password."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    return bool(sep and password) and decoded.isprintable() and "$" not in decoded[:2]


def _token(value: str) -> bool:
    """A bearer/header token: long enough, random-looking, not a placeholder or template."""
    return (len(value) >= 12 and mixed(value) and any(c.isdigit() for c in value)
            and not _TEMPLATE.search(value) and not trivial(value))


_PEM_HEADER = re.compile(r"(?m)^[ \t]*(?:Proc-Type|DEK-Info|Version|Comment):[^\n]*$")
_PEM_NOISE = re.compile(r"\s+|\\[rn]")


def _pem_body(value: str) -> bool:
    body = _PEM_NOISE.sub("", _PEM_HEADER.sub("", value.replace("\\n", "\n")))
    return len(body) >= 20 and re.fullmatch(r"[A-Za-z0-9+/=]+", body) is not None


_TEMPLATE = re.compile(r"\$\{|\{\{|\{%|%\(|#\{|\$\(|^\$[A-Za-z_]|^<.*>$|^%[A-Za-z_]+%$")
_PLACEHOLDER_PW = words(
    "password pass passwd pwd secret pw changeme xxx xxxx xxxxx *** **** ***** ****** "
    "token apikey api_key your_password yourpassword example user username"
)


def url_password_ok(value: str) -> bool:
    """A password inside a URL or ``user:pass``: any length, but not a template or placeholder."""
    low = value.lower()
    if not value or _TEMPLATE.search(value) or low in _PLACEHOLDER_PW or low.startswith("redacted"):
        return False
    if set(value) <= set("*xX.•-_"):
        return False
    return not (value.isdigit() and len(value) <= 5)  # a port


_PEM = r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = r"-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"
_NAME_SEP = r"""["'\]]?[ \t]*(?::=|=>|[:=])[ \t]*["']?"""

RULES: tuple[Rule, ...] = (
    # --- AWS -------------------------------------------------------------------------------
    Rule("aws-access-key-id", ("akia", "asia", "abia", "acca", "a3t"),
         ds("AWSKeyDetector", 0, before=r"(?<![A-Z0-9])", after=r"(?![A-Z0-9])"),
         group=0, source="detect-secrets:AWSKeyDetector"),
    Rule("aws-secret-access-key",
         ("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret", "aws-secret",
          "awssecret"),
         rx(r"(?i)(?:aws[_-]?secret(?:[_-]?access)?(?:[_-]?key)?|secret[_-]?access[_-]?key)"
            + _NAME_SEP + r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
         at=False, back=8, fwd=120, check=_aws_secret, priority=STRUCTURE),
    Rule("aws-secret-access-key", ("aws",), ds("AWSKeyDetector", 1), group=1, fwd=100,
         check=_aws_secret, priority=STRUCTURE, source="detect-secrets:AWSKeyDetector"),
    # --- payment, chat, mail -----------------------------------------------------------------
    Rule("stripe-key", ("sk_live_", "rk_live_"),
         ds("StripeDetector", before=_B), group=0, extend=_TAIL_ALNUM,
         source="detect-secrets:StripeDetector"),
    Rule("stripe-key", ("sk_test_", "rk_test_"), rx(_B + r"[sr]k_test_[0-9A-Za-z]{24,}"),
         group=0),
    Rule("stripe-webhook-secret", ("whsec_",), rx(_B + r"whsec_[0-9A-Za-z+/=]{24,}"), group=0),
    Rule("slack-token", ("xox",), ds("SlackDetector", 0, before=_B) +
         rx(_B + r"xox[abposre]-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)+"), group=0, extend=_TAIL,
         source="detect-secrets:SlackDetector"),
    Rule("slack-token", ("xapp-",), rx(_B + r"xapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+"), group=0),
    Rule("slack-webhook", ("hooks.slack.com",),
         ds("SlackDetector", 1) + rx(r"https://hooks\.slack\.com/(?:workflows|triggers)/[\w/]+"),
         at=False, back=8, fwd=200, group=0, source="detect-secrets:SlackDetector"),
    Rule("discord-webhook", ("/api/webhooks/",),
         rx(r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w-]+"),
         at=False, back=40, fwd=160, group=0),
    Rule("discord-bot-token", ("discord",),
         ds("DiscordBotTokenDetector", before=_B, after=_E),
         at=False, back=200, fwd=300, group=0, source="detect-secrets:DiscordBotTokenDetector"),
    Rule("telegram-bot-token", (":aa",),
         rx(r"(?<![0-9])[0-9]{8,10}:AA[0-9A-Za-z_-]{33}" + _E), at=False, back=11, fwd=40,
         group=0, source="gitsnap (detect-secrets TelegramBotTokenDetector, anchored on :AA)"),
    Rule("twilio-auth-token", ("twilio", "client("),  # Client("AC<sid>", "<auth token>")
         rx(r"AC[0-9a-f]{32}[\"']?[ \t]*,[ \t]*[\"'](?P<value>[0-9a-f]{32})[\"']"),
         at=False, back=2000, fwd=2000),
    Rule("azure-sas-token", ("sig=",),
         rx(r"[?&]sv=\d{4}-\d\d-\d\d[^\s\"'<>]*?[?&]sig=(?P<value>[A-Za-z0-9%+/=]{20,})"),
         at=False, back=600, fwd=200),
    Rule("sendgrid-key", ("sg.",), ds("SendGridDetector", before=_B, after=_E), group=0,
         source="detect-secrets:SendGridDetector"),
    Rule("mailgun-key", ("key-",), rx(r"(?<![\w-])key-[0-9a-f]{32}(?![\w-])"), group=0),
    Rule("mailchimp-key", ("-us",), ds("MailchimpDetector", before=r"(?<![0-9a-z])",
                                       after=r"(?![0-9])"),
         at=False, back=33, fwd=6, group=0, source="detect-secrets:MailchimpDetector"),
    Rule("twilio-api-key", ("sk",), ds("TwilioKeyDetector", 1, before=r"(?<![A-Za-z0-9])",
                                       after=r"(?![A-Za-z0-9])"),
         group=0, check=mixed, source="detect-secrets:TwilioKeyDetector (SK only)"),
    Rule("square-token", ("sq0atp-", "sq0csp-"),
         ds("SquareOAuthDetector") + rx(r"sq0atp-[0-9A-Za-z_\-]{22,}"), group=0, extend=_TAIL,
         source="detect-secrets:SquareOAuthDetector"),
    Rule("shopify-token", ("shpat_", "shpss_", "shpca_", "shppa_"),
         rx(_B + r"shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}" + _E), group=0),
    # --- code hosting, registries --------------------------------------------------------------
    Rule("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
         ds("GitHubTokenDetector", before=_B), group=0, extend=_TAIL_ALNUM,
         source="detect-secrets:GitHubTokenDetector"),
    Rule("github-fine-grained-token", ("github_pat_",),
         rx(_B + r"github_pat_[0-9A-Za-z_]{40,255}"), group=0),
    Rule("gitlab-token",
         ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-", "glimt-", "glptt-",
          "glagent-", "gloas-"),
         ds("GitLabTokenDetector", before=_B), group=0,
         source="detect-secrets:GitLabTokenDetector"),
    Rule("npm-token", ("npm_",), rx(_B + r"npm_[A-Za-z0-9]{36}" + _E), group=0),
    Rule("pypi-token", ("pypi-",),
         ds("PypiTokenDetector", before=_B) + rx(_B + r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{40,}"),
         group=0, extend=_TAIL, source="detect-secrets:PypiTokenDetector (+ shorter)"),
    Rule("huggingface-token", ("hf_",), rx(_B + r"hf_[A-Za-z0-9]{34}" + _E), group=0),
    Rule("digitalocean-token", ("dop_v1_", "doo_v1_", "dor_v1_"),
         rx(_B + r"do[por]_v1_[a-f0-9]{64}" + _E), group=0),
    Rule("firebase-fcm-key", (":apa91b",), rx(r"AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{100,}"),
         at=False, back=12, fwd=400, group=0),
    Rule("vault-token", ("hvs.", "hvb."), rx(_B + r"hv[sb]\.[A-Za-z0-9_\-]{24,}" + _E), group=0),
    Rule("age-secret-key", ("age-secret-key-1",),
         rx(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Z0-9])"), group=0),
    Rule("artifactory-token", ("akc",), rx(r"(?<![A-Za-z0-9])AKC[a-zA-Z0-9]{60,}" + _E), group=0,
         source="detect-secrets:ArtifactoryDetector (AKC, 60+)"),
    # --- cloud and AI APIs -------------------------------------------------------------------
    Rule("google-api-key", ("aiza",), rx(_B + r"AIza[0-9A-Za-z_\-]{35}" + _E), group=0),
    Rule("google-oauth-client-secret", ("gocspx-",), rx(_B + r"GOCSPX-[0-9A-Za-z_\-]{24,}" + _E),
         group=0),
    Rule("openai-key", ("sk-",),
         ds("OpenAIDetector", before=_B) +
         rx(_B + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}", _B + r"sk-[A-Za-z0-9]{48}" + _E),
         group=0, extend=_TAIL, check=mixed, source="detect-secrets:OpenAIDetector"),
    Rule("anthropic-key", ("sk-ant-",), rx(_B + r"sk-ant-[a-z]{3,6}\d\d-[A-Za-z0-9_\-]{40,}"),
         group=0),
    Rule("azure-storage-key", ("accountkey=", "sharedaccesskey="),
         rx(r"(?:AccountKey|SharedAccessKey)=(?P<value>[A-Za-z0-9+/]{20,}={0,2})"),
         source="detect-secrets:AzureStorageKeyDetector (+SharedAccessKey)"),
    Rule("ibm-cloud-credentials", ("cloudant", "softlayer"),
         ds("CloudantDetector") + ds("SoftlayerDetector"), at=False, back=60, fwd=200, group=1,
         source="detect-secrets:CloudantDetector,SoftlayerDetector"),
    Rule("jwt", ("eyj",),
         rx(_B + r"eyJ[A-Za-z0-9_\-]{6,}\.eyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]*" + _E), group=0,
         check=_jwt, source="detect-secrets:JwtTokenDetector (+header check)"),
    # --- key blocks ------------------------------------------------------------------------------
    Rule("private-key-block", ("private key",),
         rx(_PEM + r"(?P<value>.{1,20000}?)" + _PEM_END,
            _PEM + r"(?P<value>(?:\s|\\[rn])*[A-Za-z0-9+/=]{64,}(?:(?:\s|\\[rn])+[A-Za-z0-9+/=]+)*)"
            r"(?!.{0,20000}?-----END)", flags=re.S),
         at=False, back=60, fwd=20000, check=_pem_body, strip=True,
         source="detect-secrets:PrivateKeyDetector (generalised, body span)"),
    Rule("private-key-block", ("---- begin ssh2 encrypted private key",),
         rx(r"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----(?P<value>.{1,20000}?)"
            r"---- END SSH2 ENCRYPTED PRIVATE KEY ----", flags=re.S), fwd=20000, strip=True),
    Rule("private-key-block", ("putty-user-key-file",),
         rx(r"PuTTY-User-Key-File-\d: [^\n]*\n(?:[^\n]*\n)*?Private-Lines: \d+\r?\n"
            r"(?P<value>(?:[A-Za-z0-9+/=]+\r?\n?)+)"), fwd=20000, strip=True,
         source="detect-secrets:PrivateKeyDetector (PuTTY)"),
    # --- HTTP headers, tools, config files -------------------------------------------------------
    Rule("basic-auth-header", ("basic",),
         rx(r"(?i)(?<![\w-])basic[ \t]+(?P<value>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"),
         check=basic_credentials, priority=STRUCTURE),
    Rule("bearer-token", ("bearer",),
         rx(r"(?i)(?<![\w-])bearer[ \t]+(?P<value>[A-Za-z0-9\-._~+/]+=*)(?![\w\-.~+/=])"),
         check=_token, priority=STRUCTURE),
    Rule("authorization-header", ("authorization",),
         rx(r"(?i)(?<![\w$.])(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
            r"(?!(?:basic|bearer)\b)"
            r"(?:[A-Za-z][\w-]*[ \t]+)?(?P<value>[A-Za-z0-9._~+/:=-]{12,})(?![\w.~+/:=-])"),
         check=_token, priority=STRUCTURE),
    Rule("curl-user-password", ("curl",),  # -u/--user up to 1000 characters after "curl"
         rx(r"(?<=[ \t])(?:-u|--user)(?:[ \t]+|=)?[\"']?[^\s:\"']*:(?P<value>[^\s\"']+)"),
         at=False, fwd=1000, check=url_password_ok, priority=STRUCTURE),
    Rule("netrc-password", ("machine", "default"),
         rx(r"(?:machine\s+\S+|(?<![\w-])default)(?:\s+(?:login|account|port|protocol)\s+\S+)*"
            r"\s+password\s+(?P<value>\S+)"),
         fwd=600, check=url_password_ok, priority=STRUCTURE),
    Rule("aws-referer-secret", ("aws:referer",),  # the CloudFront -> S3 shared secret
         rx(r"(?i)aws:Referer[\"']?[ \t]*[:=][ \t]*\[?[ \t]*[\"'](?P<value>[^\"'\n]{6,512})[\"']"),
         at=False, fwd=600, check=referer_secret, priority=STRUCTURE),
    Rule("npmrc-auth", ("_authtoken", "_auth", "_password"),
         rx(r"(?m)(?:^|(?<=[\s:]))_(?:authToken|auth|password)[ \t]*=[ \t]*[\"']?"
            r"(?P<value>[^\s\"'#;]+)"),
         at=False, back=1, fwd=1200, check=lambda v: url_password_ok(v) and not _TEMPLATE.search(v),
         priority=STRUCTURE, source="detect-secrets:NpmDetector (generalised)"),
)

# url-credentials, secret-assignment and secret-named-field are code in detect.py.
ASSIGNMENT_KEYWORDS = (
    "pass", "pwd", "secret", "token", "key", "credential", "creds", "auth", "dsn", "session",
    "cookie", "salt", "webhook", "bearer", "jwt", "user", "login",
)
URL_KEYWORD = "://"
RULE_IDS = tuple(sorted({r.id for r in RULES} |
                        {"url-credentials", "secret-assignment", "secret-named-field",
                         "high-entropy-near-keyword", "user-password-pair",
                         "basic-auth-credentials"}))


def all_keywords() -> set[str]:
    """Every prefilter keyword (lower case)."""
    return {k for r in RULES for k in r.keywords} | set(ASSIGNMENT_KEYWORDS) | {URL_KEYWORD}
