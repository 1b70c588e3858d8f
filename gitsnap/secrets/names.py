"""Names and values: which field names say "secret", which values cannot be secrets.

- :func:`name_strength` / :func:`secret_name`: ``api_key``, ``DB_PASSWORD``, ``SecretString``,
  ``x-api-key`` are secret names; ``AccessKeyId``, ``KeyName``, ``PublicKey``, ``NextToken``,
  ``csrf_token``, ``author`` are not. Names are split into words (``SSEKMSKeyId`` -> sse kms key
  id) and judged by their last word, after dropping neutral tails (``_value``, ``_2``).
- :func:`trivial`: placeholders, templates, references, numbers, versions, ARNs and the
  ``redacted:hmac-sha256:`` marker are never secrets.
- :func:`label_like`, :func:`path_like`, :func:`random_looking`, :func:`high_entropy`: value
  shapes the assignment rules use to tell UI text, file paths and identifiers from secrets.
- :func:`context`: what a file name says about how to read ``key = value`` lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string


def words(text: str) -> frozenset[str]:
    """A frozenset of the blank-separated words of ``text``."""
    return frozenset(text.split())


def mixed(value: str) -> bool:
    """Looks random: a digit and a letter, or upper and lower case; not a sequence."""
    has_digit = any(c.isdigit() for c in value)
    has_upper = any(c.isupper() for c in value)
    has_lower = any(c.islower() for c in value)
    return (has_digit + has_upper + has_lower) >= 2 and not is_sequential_string(value)


# --- names -------------------------------------------------------------------------------------
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\x00-\x7f]+")
# A name whose last word is one of these says "secret" on its own. STRONG names (passwords,
# secrets) take any non-trivial value; the others are common in code for non-secret things
# (ARROW_LEFT_KEY = 'ArrowLeft', credentials: 'same-origin'), so their value must look random.
STRONG = words("password passwd passphrase pwd pass secret")
SOLO = STRONG | words(
    "credential credentials creds authorization auth dsn salt cookie webhook bearer jwt "
    "session apikey"
)
# Trailing words that do not change what the value is ("SecretString", "PASSWORD_2").
NEUTRAL = words(
    "value val str string data b64 base64 hex raw plain plaintext enc encrypted hash hashed "
    "digest bytes binary literal base material pem confirmation confirm again repeat new old "
    "current prod production dev staging test live default override"
)
# "<word> key" names that are not secrets: key names, public halves, identifiers of keys.
NOT_SECRET_KEY = words(
    "public pub publishable site verify verification partition sort hash range primary foreign "
    "unique composite index object s3 cache lookup map dict row group route registry kms cmk sse "
    "idempotency dedup deduplication i18n translation message msg cursor next page start last "
    "exclusive continuation marker ssh host data storage tag meta metadata attribute attr label "
    "field column col property prop option setting config locale lang event item node file state "
    "store query shortcut hot sort react vue list column table dynamo ddb evaluated"
)
# "<word> token" names that are not secrets: pagination, idempotency, parser tokens, CSRF.
NOT_SECRET_TOKEN = words(
    "next continuation client request idempotency page pagination starting start sync cancellation "
    "cancel resume marker cursor csrf xsrf authenticity design end open close first last prev "
    "previous lexer parser syntax word html css text js ast max min input output completion "
    "prompt unique device notification registration"
)
NOT_SECRET_BEFORE = words(
    "no use enable enabled require required requires skip has is with without allow render first "
    "second third shadow depth blur bloom copy effect shader compile lint build check multi single "
    "accept consent all any every some none"
)
COMPACT = (
    "password", "passwd", "passphrase", "secret", "apikey", "secretkey", "privatekey", "accesskey",
    "authkey", "signingkey", "encryptionkey", "masterkey", "clientsecret", "accesstoken",
    "authtoken", "refreshtoken", "apitoken", "bearertoken", "sessiontoken", "idtoken",
    "credentials", "webhookurl",
)


@lru_cache(maxsize=65536)
def name_strength(name: str) -> int:
    """0: not a secret name; 1: a secret name whose value must look random; 2: any value."""
    name = name.strip().strip("$@:'\"[]-._")
    if not name or len(name) > 100:
        return 0
    parts = [p.lower() for p in _PARTS.findall(name)]
    while len(parts) > 1 and (parts[-1] in NEUTRAL or parts[-1].isdigit()):
        parts.pop()
    if not parts:
        return 0
    last, prev = parts[-1], (parts[-2] if len(parts) > 1 else "")
    if last == "key":
        return int(bool(prev) and prev not in NOT_SECRET_KEY)
    if last == "token":
        return int(prev not in NOT_SECRET_TOKEN)
    if last in ("url", "uri"):
        return int(prev == "webhook")
    if last == "referer":  # aws:Referer, the shared secret between CloudFront and an S3 origin
        return int(prev == "aws")
    if last in SOLO:
        return 0 if prev in NOT_SECRET_BEFORE else 2 if last in STRONG else 1
    if last.endswith(COMPACT):
        return 2 if last.endswith(("password", "passwd", "passphrase", "secret")) else 1
    return 0


_PAIR_WORDS = words("user userinfo login auth cred creds credential credentials basic account")


@lru_cache(maxsize=65536)
def pair_name(name: str) -> bool:
    """A name that may hold ``user:password`` or its base64 (``CURL_USER``,
    ``DOCKER_AUTH_CONFIG``): such values are secrets even when the name is not."""
    return any(p.lower() in _PAIR_WORDS for p in _PARTS.findall(name))


def secret_name(name: str) -> bool:
    """True if a field, key or variable name says its value is a secret (see docs)."""
    return name_strength(name) > 0


_WORD = re.compile(r"[A-Z][a-z]{3,}|[a-z]{4,}|[A-Z]{5,}")
_VOWELS = frozenset("aeiouyAEIOUY")
# four consonants in a row (not y) rarely stand in a word and often in random text ("Yjbmsi")
_CLUSTER = re.compile(r"[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]{4}")


def wordy(value: str) -> bool:
    """Mostly words (``auth0.lock.getTokenSilently``, ``urn:ietf:params:oauth``), not random:
    70 % of it in word-like runs with vowels (random base62 passes 0.05 % of the time)."""
    words = (w for w in _WORD.findall(value)
             if 5 * sum(c in _VOWELS for c in w) >= len(w) and not _CLUSTER.search(w))
    return sum(len(w) for w in words) >= 0.7 * len(value)


def random_looking(value: str) -> bool:
    """What a weak secret name needs: not words, and a digit or a long mix of characters."""
    if wordy(value) or _VERSION.fullmatch(value):
        return False
    if any(c.isdigit() for c in value) or (len(value) >= 20 and len(set(value)) >= 12):
        return True
    # a generated token without digits ("wDABzQqPatviVtY_"): both cases, many distinct characters
    return (len(value) >= 16 and len(set(value)) >= 10 and any(c.isupper() for c in value)
            and any(c.islower() for c in value))


# --- values ------------------------------------------------------------------------------------
MARKER = "redacted:hmac-sha256:"
PLACEHOLDERS = words(
    "changeme change_me change-me changeit password passwd secret token apikey api_key example "
    "sample dummy placeholder redacted [redacted] hidden removed notset not-set not_set none null "
    "nil undefined true false yes no on off empty default todo fixme tbd unknown foobar test "
    "testing mysecret mypassword yourpassword abc123 123abc abcd1234 1234abcd qwerty"
)
_VERSION = re.compile(r"[~^<>=v ]{0,3}\d+(?:\.(?:\d+|x|\*))+(?:[-+][\w.]+)?")
_NUMBER = re.compile(r"[+-]?(?:0x[0-9a-fA-F]+|\d+(?:[.,_]\d+)*(?:[eE][+-]?\d+)?)")
# Whole-value shapes of templates, references and placeholders.
_REFERENCE = re.compile(
    r"""(?x)\$\{.*\}|\{\{.*\}\}|\{%.*%\}|%\(\w+\)[sdr]|<[^<>]*>|\[[^\[\]]*\]|\#\{.*\}
       |\$[A-Za-z_][\w.]*|\$\(.*\)|%[A-Za-z_]+%|\{[A-Za-z_][\w.]*\}
       | !(?:Ref|Sub|GetAtt|ImportValue|Join|Select|Split|FindInMap|If|Base64|Cidr|GetAZs
            |Equals|Not|And|Or|Condition|Transform|vault|secret|env)\b.*
       | arn:aws[\w-]*:.* | (?i:(?:your|my|enter|insert|replace|put|add)[-_ ]?[a-z_ -]*
       | .*[-_ ]here | x{3,}) | [A-Z]+(?:_[A-Z]+)+ | [*xX•.\#_\- ]+"""
)
# Templates anywhere in a value (${VAR}, {{ x }}, {% x %}), and substrings that make a value a
# reference to a secret kept elsewhere, or an elided one.
_TEMPLATED = re.compile(r"\$\{\{?[ \t]*[A-Za-z_][\w.:-]*[ \t]*\}|\{\{.*?\}\}|\{%.*?%\}")
_REFERENCE_PARTS = ("process.env", "os.environ", "getenv(", "env(", "ENV[",
                    "os.getenv", "System.getenv", "...", "…")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


def high_entropy(value: str) -> bool:
    """Random-looking enough to be a key on its own: mixed classes, >= 3.5 bits per char, not a
    UUID, a sequence or a word list (detect-secrets' heuristics)."""
    return (len(value) >= 16 and mixed(value) and random_looking(value) and not path_like(value)
            and entropy(value) >= 3.5 and not is_potential_uuid(value) and not trivial(value))


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_URLISH = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[\w*.-]+\.[a-z]{2,}(?::\d+)?(?:/\S*)?", re.I)


def referer_secret(value: str) -> bool:
    """An ``aws:Referer`` condition value that is a secret, not a site URL or domain pattern."""
    return not (trivial(value) or (_URLISH.fullmatch(value) and "@" not in value))


def code_literal(value: str) -> bool:
    """An unquoted word in code that must be a literal (text inside a template string), not a
    variable: 12+ random characters; identifier-shaped, 16+ at 3.2+ bits/char with 2+ digits
    or case switching at every other character, or 24+ at 4.2+ bits/char (``apiKeyFromConfig2``
    is a variable)."""
    if len(value) < 12 or not mixed(value) or not random_looking(value) or trivial(value):
        return False
    bits = entropy(value)
    if _IDENTIFIER.fullmatch(value):
        digits = sum(c.isdigit() for c in value)
        classes = [c.isdigit() + 2 * c.isupper() for c in value]
        switches = sum(a != b for a, b in zip(classes, classes[1:], strict=False))
        return len(value) >= 16 and bits >= 3.2 and (
            digits >= 2 or switches >= len(value) / 2 or (len(value) >= 24 and bits >= 4.2))
    return bits >= 3.0


def trivial(value: str) -> bool:
    """True for values that cannot be a secret: short, placeholder, template, reference, number."""
    v = value.strip()
    low = v.lower()
    if len(v) < 6 or MARKER in v or low in PLACEHOLDERS or len(set(v)) == 1:
        return True
    if ":" in low and all(p in PLACEHOLDERS or p in ("user", "username", "login", "admin")
                          for p in low.split(":")):
        return True  # "user:password"
    if _NUMBER.fullmatch(v) or _VERSION.fullmatch(v) or _REFERENCE.fullmatch(v):
        return True
    if any(p in v for p in _REFERENCE_PARTS) or _TEMPLATED.search(v):
        return True  # a reference, a template (${VAR}, {{ x }}), or elided ("eyJhbGciOi...")
    return is_sequential_string(v)


_LABEL_PUNCT = ".,!?:;…()'\"¿¡"
_LABEL_WORDS = ("password", "passwort", "secret", "token", "passphrase", "apikey")


def label_like(value: str) -> bool:
    """UI text rather than a secret: "Password", "Forgot password?", "パスワード"."""
    tokens = value.split()
    if not tokens or any(c.isdigit() for c in value):
        return not tokens
    core = [w.strip(_LABEL_PUNCT) for w in tokens]
    if not all(w.replace("-", "").replace("'", "").isalpha() for w in core if w):
        return False
    if len(tokens) > 1:
        return True  # words and spaces: UI text (a passphrase of plain words is missed)
    w = core[0]
    if not w.isascii() or (w[:1].isupper() and w[1:].islower()):
        return True
    return any(k in w.lower() for k in _LABEL_WORDS)  # "cognitoPassword", "mySecretToken"


_PATH = re.compile(r"(?:~|\.{1,2})?/[\w.@%+~-]+(?:/[\w.@%+~-]*)*|[A-Za-z]:\\[^\n]*"
                   r"|[\w.-]+\.(?:pem|key|crt|cer|p12|pfx|jks|json|txt|gpg|asc|der)")


def path_like(value: str) -> bool:
    """A file path (``/etc/ssl/private/site.key``): names the secret, is not the secret."""
    if _PATH.fullmatch(value) is None or "+" in value or "=" in value:
        return False  # base64 has + and =, paths seldom do
    return value.count("/") + value.count("\\") >= 2 or re.search(r"\.\w{1,5}$", value) is not None


# --- file names --------------------------------------------------------------------------------
CONFIG_EXT = words(
    ".env .ini .cfg .conf .cnf .properties .toml .yaml .yml .sh .bash .zsh .envrc .netrc .npmrc "
    ".pypirc .pgpass .tfvars .service .desktop .editorconfig"
)
CONFIG_NAMES = words("credentials config dockerfile env _netrc netrc npmrc pgpass")
CODE_EXT = words(
    ".js .mjs .cjs .jsx .ts .tsx .css .scss .sass .less .html .htm .xhtml .vue .svelte .map .json "
    ".jsonl .php .py .rb .java .go .cs .kt .swift .c .h .cpp .rs .xml .svg .gs .lock .tf .hcl "
    ".twig .liquid .erb .ejs .hbs .jsp .asp .aspx .pl .lua .dart .scala .coffee .litcoffee .cts .mts "
    ".m .mm .kts .sql"
)


@lru_cache(maxsize=4096)
def context(name: str) -> str:
    """``config`` (unquoted values count), ``code`` (only quoted literals) or ``plain``."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not base:
        return "plain"
    if base.startswith(".env") or base in CONFIG_NAMES:
        return "config"
    dot = base.rfind(".")
    ext = base[dot:] if dot >= 0 else ""
    if ext in CONFIG_EXT or base.endswith(("netrc", "npmrc")):
        return "config"
    return "code" if ext in CODE_EXT else "plain"
