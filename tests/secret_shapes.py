"""Fresh random secret values in many shapes, for tests/e2e/test_secret_plant.py.

Each shape is a function ``(rng) -> (text, value)``. ``text`` is what a user would write: a
whole file, an assignment, a URL or a header. ``value`` is the secret inside it, the thing
that must never reach git. Values are random (at least 16 random characters each, so nothing
can contain one by accident) and are drawn fresh from ``rng`` on every call. Use
``fresh_rng()`` to get a generator seeded from ``os.urandom`` together with its seed, so a
failure can be replayed (``SECRET_SHAPES_SEED=<seed>``).

Each shape is registered with what a plant needs beyond ``(text, value)``:

- ``filename``: the file the text naturally lives in (``credentials``, ``.netrc``,
  ``wp-config.php``, ...).
- ``key``: the name a user would give the value in a key/value field (env var, tag, header,
  stage variable).
- ``inline(text, value)``: the single-line form for a value field. It is the value itself,
  or the whole URL, ``Bearer <token>``, a PEM with ``\\n`` escapes, and so on.
- ``block(text, value)``: the form for a field that may span lines, such as a Lambda env
  value or a quoted ``.env`` value. For multi-line shapes it is the real multi-line text.

Every fixed part of a shape (prefixes such as ``sk_live_``, PEM armour, URL hosts) is
outside ``value``, or is followed by random characters in the same line. A value, each of its
lines and each of its pieces around quotes, backslashes and ``=`` is unique to one run.
Characters that decide which fields a value fits (``/``, ``+``, ``%``, punctuation) are forced
into the random part. That way the set of places a shape can be planted in is the same on
every run.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
PUNCT = "!#$%&*()-_=+@^"  # printable, and never a quote, backslash or backtick


# The suite's seed. Fresh random draws (SECRET_SHAPES_SEED=random) measure the detector: they
# miss about one (place, shape) pair in 2,000–5,000 (symbol-heavy passwords, random words under a
# weak name in code), which would make `make test` fail at random. The fixed seed keeps the suite
# a regression test; exploring with fresh seeds, and fixing what they find, is separate work.
DEFAULT_SEED = 20261130


def fresh_rng() -> tuple[random.Random, int]:
    """A generator and its seed (print it with any failure).

    ``SECRET_SHAPES_SEED=<seed>`` replays a run's values; ``SECRET_SHAPES_SEED=random`` draws
    a fresh seed from os.urandom."""
    replay = os.environ.get("SECRET_SHAPES_SEED")
    if replay == "random":
        seed = int.from_bytes(os.urandom(8), "big")
    else:
        seed = int(replay) if replay else DEFAULT_SEED
    return random.Random(seed), seed


def rand(rng: random.Random, n: int, alphabet: str = ALNUM, must: str = "") -> str:
    """``n`` random characters of ``alphabet``, with each character of ``must`` at a random spot."""
    chars = [rng.choice(alphabet) for _ in range(n)]
    for pos, ch in zip(rng.sample(range(n), len(must)), must, strict=True):
        chars[pos] = ch
    return "".join(chars)


def b64_lines(rng: random.Random, lines: int, width: int = 64, first: str = "") -> list[str]:
    """Base64 body lines of a PEM-style block; every line has at least 16 random characters."""
    out = [first + rand(rng, width - len(first), B64, must="+/")]
    out += [rand(rng, width, B64, must="+/") for _ in range(lines - 1)]
    return out


@dataclass(frozen=True)
class Shape:
    name: str
    make: Callable[[random.Random], tuple[str, str]]
    filename: str
    key: str
    inline: Callable[[str, str], str]
    block: Callable[[str, str], str]


@dataclass(frozen=True)
class Secret:
    """One fresh secret: its shape, the text a user writes and the forms for value fields."""

    shape: str
    text: str
    value: str
    line: str
    block: str


SHAPES: dict[str, Shape] = {}


def _value(_text: str, value: str) -> str:
    return value


def shape(name: str, filename: str, key: str, inline: Callable[[str, str], str] | None = None,
          block: Callable[[str, str], str] | None = None) -> Callable[..., Callable[[random.Random], tuple[str, str]]]:
    def register(make: Callable[[random.Random], tuple[str, str]]) -> Callable[[random.Random], tuple[str, str]]:
        assert name not in SHAPES, name
        one_line = inline or _value
        SHAPES[name] = Shape(name, make, filename, key, one_line, block or one_line)
        return make

    return register


def make(name: str, rng: random.Random) -> Secret:
    sh = SHAPES[name]
    text, value = sh.make(rng)
    return Secret(name, text, value, sh.inline(text, value), sh.block(text, value))


# ---- inline / block helpers ----

def url_with(text: str, value: str) -> str:
    """The URL in ``text`` that carries ``value``."""
    for m in re.finditer(r"[a-z][a-z0-9+.-]*://[^\s'\")]+", text):
        if value in m.group(0):
            return m.group(0)
    raise AssertionError(f"no URL carries the value in {text!r}")


def escaped_newlines(text: str, _value: str) -> str:
    """A multi-line text as one line with ``\\n`` escapes (how PEMs sit in env vars and JSON)."""
    return text.strip("\n").replace("\n", "\\n")


def whole_text(text: str, _value: str) -> str:
    return text.strip("\n")


def prefixed(prefix: str) -> Callable[[str, str], str]:
    return lambda _t, v: prefix + v


# ---- cloud provider credentials ----

def _aws_pair(rng: random.Random) -> tuple[str, str]:
    return "AKIA" + rand(rng, 16, UPPER + DIGITS), rand(rng, 40, B64, must="/+")


@shape("aws-credentials-file", "credentials", "AWS_SECRET_ACCESS_KEY")
def aws_credentials_file(rng):
    akid, secret = _aws_pair(rng)
    return (f"[default]\naws_access_key_id = {akid}\naws_secret_access_key = {secret}\nregion = us-east-1\n",
            secret)


@shape("aws-key-pair-export", "deploy.sh", "AWS_SECRET_ACCESS_KEY")
def aws_key_pair_export(rng):
    akid, secret = _aws_pair(rng)
    return (f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID={akid}\nexport AWS_SECRET_ACCESS_KEY={secret}\n"
            "aws s3 sync ./site s3://jada-prod\n", secret)


@shape("aws-session-token", "credentials", "AWS_SESSION_TOKEN")
def aws_session_token(rng):
    akid = "ASIA" + rand(rng, 16, UPPER + DIGITS)
    token = "IQoJb3JpZ2luX2Vj" + rand(rng, 200, B64, must="/+")
    return (f"[temp]\naws_access_key_id = {akid}\naws_secret_access_key = {rand(rng, 40, B64)}\n"
            f"aws_session_token = {token}\n", token)


@shape("aws-keys-json", "aws.json", "AWS_SECRET_ACCESS_KEY")
def aws_keys_json(rng):
    akid, secret = _aws_pair(rng)
    return json.dumps({"accessKeyId": akid, "secretAccessKey": secret, "region": "us-east-1"}, indent=2) + "\n", secret


@shape("gcp-service-account", "service-account.json", "GOOGLE_CREDENTIALS_JSON",
       inline=lambda t, v: json.dumps(json.loads(t)), block=whole_text)
def gcp_service_account(rng):
    body = b64_lines(rng, 6, first="MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END PRIVATE KEY-----\n"
    doc = {"type": "service_account", "project_id": "jada-bookings", "private_key_id": rand(rng, 40, HEX),
           "private_key": pem, "client_email": "gitsnap@jada-bookings.iam.gserviceaccount.com",
           "client_id": rand(rng, 21, DIGITS), "token_uri": "https://oauth2.googleapis.com/token"}
    return json.dumps(doc, indent=2) + "\n", "\n".join(body)


@shape("google-api-key", "maps.js", "GOOGLE_MAPS_API_KEY")
def google_api_key(rng):
    v = "AIza" + rand(rng, 35, B64URL, must="-_")
    return f"const MAPS_KEY = '{v}';\nloadMaps(MAPS_KEY);\n", v


@shape("google-oauth-client-secret", "client_secret.json", "GOOGLE_CLIENT_SECRET")
def google_oauth_client_secret(rng):
    v = "GOCSPX-" + rand(rng, 28, B64URL, must="-_")
    doc = {"installed": {"client_id": f"{rand(rng, 12, DIGITS)}-{rand(rng, 32, LOWER + DIGITS)}.apps.googleusercontent.com",
                         "client_secret": v, "redirect_uris": ["http://localhost"]}}
    return json.dumps(doc, indent=2) + "\n", v


@shape("azure-storage-connection-string", "appsettings.json", "AZURE_STORAGE_CONNECTION_STRING",
       inline=lambda t, v: json.loads(t)["ConnectionStrings"]["Storage"])
def azure_storage_connection_string(rng):
    v = rand(rng, 86, B64, must="/+") + "=="
    conn = f"DefaultEndpointsProtocol=https;AccountName=jadastore;AccountKey={v};EndpointSuffix=core.windows.net"
    return json.dumps({"ConnectionStrings": {"Storage": conn}}, indent=2) + "\n", v


@shape("azure-sas-token", "backup-url.txt", "AZURE_SAS_URL", inline=url_with)
def azure_sas_token(rng):
    sig = base64.b64encode(rng.randbytes(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (f"https://jadastore.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rl"
            f"&se=2030-01-01T00:00:00Z&sig={sig}\n", sig)


@shape("digitalocean-token", "do.sh", "DIGITALOCEAN_TOKEN")
def digitalocean_token(rng):
    v = "dop_v1_" + rand(rng, 64, HEX)
    return f"export DIGITALOCEAN_TOKEN={v}\ndoctl compute droplet list\n", v


@shape("cloudflare-api-token", "cloudflare.ini", "CLOUDFLARE_API_TOKEN")
def cloudflare_api_token(rng):
    v = rand(rng, 40, B64URL, must="-_")
    return f"# certbot dns-cloudflare\ndns_cloudflare_api_token = {v}\n", v


@shape("heroku-api-key", "heroku.sh", "HEROKU_API_KEY")
def heroku_api_key(rng):
    v = "-".join(rand(rng, n, HEX) for n in (8, 4, 4, 4, 12))
    return f"HEROKU_API_KEY={v} heroku releases -a jada\n", v


# ---- payment, chat and SaaS tokens ----

@shape("stripe-secret-key", "billing.py", "STRIPE_SECRET_KEY")
def stripe_secret_key(rng):
    v = "sk_live_" + rand(rng, 32)
    return f'import stripe\n\nstripe.api_key = "{v}"\n', v


@shape("stripe-restricted-key", "stripe.cfg", "STRIPE_RESTRICTED_KEY")
def stripe_restricted_key(rng):
    v = "rk_live_" + rand(rng, 32)
    return f"[stripe]\nrestricted_key = {v}\n", v


@shape("stripe-webhook-secret", "webhook.js", "STRIPE_WEBHOOK_SECRET")
def stripe_webhook_secret(rng):
    v = "whsec_" + rand(rng, 32)
    return f"const endpointSecret = '{v}';\nmodule.exports = {{ endpointSecret }};\n", v


@shape("slack-bot-token", "slack.yml", "SLACK_BOT_TOKEN")
def slack_bot_token(rng):
    v = f"xoxb-{rand(rng, 12, DIGITS)}-{rand(rng, 13, DIGITS)}-{rand(rng, 24)}"
    return f"slack:\n  channel: '#deploys'\n  bot_token: {v}\n", v


@shape("slack-user-token", "notify.py", "SLACK_USER_TOKEN")
def slack_user_token(rng):
    v = f"xoxp-{rand(rng, 12, DIGITS)}-{rand(rng, 12, DIGITS)}-{rand(rng, 13, DIGITS)}-{rand(rng, 32, HEX)}"
    return f'from slack_sdk import WebClient\n\nclient = WebClient(token="{v}")\n', v


@shape("slack-webhook-url", "notify.sh", "SLACK_WEBHOOK_URL", inline=url_with)
def slack_webhook_url(rng):
    v = rand(rng, 24)
    url = f"https://hooks.slack.com/services/T{rand(rng, 8, UPPER + DIGITS)}/B{rand(rng, 10, UPPER + DIGITS)}/{v}"
    return f"#!/bin/sh\ncurl -s -X POST -H 'Content-type: application/json' --data '{{\"text\":\"deployed\"}}' {url}\n", v


@shape("discord-webhook-url", "discord.json", "DISCORD_WEBHOOK_URL", inline=url_with)
def discord_webhook_url(rng):
    v = rand(rng, 68, B64URL, must="-_")
    url = f"https://discord.com/api/webhooks/{rand(rng, 18, DIGITS)}/{v}"
    return json.dumps({"webhook": url, "username": "deploy-bot"}, indent=2) + "\n", v


@shape("telegram-bot-token", "bot.py", "TELEGRAM_BOT_TOKEN")
def telegram_bot_token(rng):
    v = f"{rand(rng, 10, DIGITS)}:AA{rand(rng, 33, B64URL, must='-_')}"
    return f'import telebot\n\nbot = telebot.TeleBot("{v}")\n', v


@shape("twilio-auth-token", "sms.py", "TWILIO_AUTH_TOKEN")
def twilio_auth_token(rng):
    v = rand(rng, 32, HEX)
    return f'from twilio.rest import Client\n\nclient = Client("AC{rand(rng, 32, HEX)}", "{v}")\n', v


@shape("twilio-api-key-secret", "twilio.sh", "TWILIO_API_SECRET")
def twilio_api_key_secret(rng):
    v = rand(rng, 32)
    return f"export TWILIO_API_KEY=SK{rand(rng, 32, HEX)}\nexport TWILIO_API_SECRET={v}\n", v


@shape("sendgrid-api-key", "mail.php", "SENDGRID_API_KEY")
def sendgrid_api_key(rng):
    v = f"SG.{rand(rng, 22, B64URL, must='-_')}.{rand(rng, 43, B64URL, must='-_')}"
    return f"<?php\n$sendgrid = new SendGrid('{v}');\n", v


@shape("mailgun-api-key", "mailgun.rb", "MAILGUN_API_KEY")
def mailgun_api_key(rng):
    v = "key-" + rand(rng, 32, HEX)
    return f"mg_client = Mailgun::Client.new '{v}'\n", v


@shape("mailchimp-api-key", "newsletter.js", "MAILCHIMP_API_KEY")
def mailchimp_api_key(rng):
    v = rand(rng, 32, HEX) + "-us12"
    return f"mailchimp.setConfig({{ apiKey: '{v}', server: 'us12' }});\n", v


@shape("square-access-token", "square.yml", "SQUARE_ACCESS_TOKEN")
def square_access_token(rng):
    v = "sq0atp-" + rand(rng, 22, B64URL, must="-_")
    return f"square:\n  environment: production\n  access_token: {v}\n", v


@shape("square-oauth-secret", "square-oauth.yml", "SQUARE_OAUTH_SECRET")
def square_oauth_secret(rng):
    v = "sq0csp-" + rand(rng, 43, B64URL, must="-_")
    return f"oauth:\n  application_secret: {v}\n", v


@shape("shopify-access-token", "shopify.toml", "SHOPIFY_ACCESS_TOKEN")
def shopify_access_token(rng):
    v = "shpat_" + rand(rng, 32, HEX)
    return f'[shop]\ndomain = "jada.myshopify.com"\naccess_token = "{v}"\n', v


@shape("shopify-shared-secret", "shopify-app.toml", "SHOPIFY_SHARED_SECRET")
def shopify_shared_secret(rng):
    v = "shpss_" + rand(rng, 32, HEX)
    return f'[app]\nshared_secret = "{v}"\n', v


@shape("datadog-api-key", "datadog.yaml", "DD_API_KEY")
def datadog_api_key(rng):
    v = rand(rng, 32, HEX)
    return f"site: datadoghq.com\napi_key: {v}\n", v


@shape("firebase-server-key", "fcm.js", "FCM_SERVER_KEY")
def firebase_server_key(rng):
    v = f"AAAA{rand(rng, 7, B64URL)}:APA91b{rand(rng, 134, B64URL, must='-_')}"
    return f"const headers = {{ Authorization: 'key={v}' }};\n", v


# ---- developer platform tokens ----

@shape("github-classic-token", "hosts.yml", "GITHUB_TOKEN")
def github_classic_token(rng):
    v = "ghp_" + rand(rng, 36)
    return f"github.com:\n    oauth_token: {v}\n    user: deploy-bot\n    git_protocol: https\n", v


@shape("github-oauth-token", "Makefile", "GH_OAUTH_TOKEN")
def github_oauth_token(rng):
    v = "gho_" + rand(rng, 36)
    return f"export GITHUB_TOKEN := {v}\n\nrelease:\n\tgh release create v1.0\n", v


@shape("github-app-token", "action.yml", "GITHUB_APP_TOKEN")
def github_app_token(rng):
    v = "ghs_" + rand(rng, 36)
    return f"steps:\n  - uses: actions/checkout@v4\n    with:\n      token: {v}\n", v


@shape("github-fine-grained-token", ".git-credentials", "GITHUB_PAT", inline=url_with)
def github_fine_grained_token(rng):
    v = f"github_pat_{rand(rng, 22)}_{rand(rng, 59)}"
    return f"https://deploy-bot:{v}@github.com\n", v


@shape("gitlab-token", ".gitlab-ci.yml", "GITLAB_TOKEN")
def gitlab_token(rng):
    v = "glpat-" + rand(rng, 20, B64URL, must="-_")
    return f"variables:\n  GITLAB_TOKEN: {v}\ndeploy:\n  script: ./deploy.sh\n", v


@shape("npm-token", ".yarnrc.yml", "NPM_TOKEN")
def npm_token(rng):
    v = "npm_" + rand(rng, 36)
    return f'npmRegistryServer: "https://registry.npmjs.org"\nnpmAuthToken: {v}\n', v


@shape("npmrc-auth-token", ".npmrc", "NPM_AUTH_TOKEN")
def npmrc_auth_token(rng):
    v = "-".join(rand(rng, n, HEX) for n in (8, 4, 4, 4, 12))
    return f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={v}\n", v


@shape("pypi-token", "publish.sh", "PYPI_TOKEN")
def pypi_token(rng):
    v = "pypi-AgEIcHlwaS5vcmc" + rand(rng, 64, B64URL, must="-_")
    return f"#!/bin/sh\ntwine upload -u __token__ -p {v} dist/*\n", v


@shape("pypirc-password", ".pypirc", "TWINE_PASSWORD")
def pypirc_password(rng):
    v = rand(rng, 24, ALNUM + PUNCT, must="!#%")
    return f"[distutils]\nindex-servers = jada\n\n[jada]\nrepository = https://pypi.example.com\nusername = deploy\npassword = {v}\n", v


@shape("openai-api-key", "ai.py", "OPENAI_API_KEY")
def openai_api_key(rng):
    v = "sk-proj-" + rand(rng, 64, B64URL, must="-_")
    return f'from openai import OpenAI\n\nclient = OpenAI(api_key="{v}")\n', v


@shape("anthropic-api-key", "claude.ts", "ANTHROPIC_API_KEY")
def anthropic_api_key(rng):
    v = "sk-ant-api03-" + rand(rng, 93, B64URL, must="-_") + "AA"
    return f"const anthropic = new Anthropic({{ apiKey: '{v}' }});\n", v


@shape("huggingface-token", "hf.py", "HF_TOKEN")
def huggingface_token(rng):
    v = "hf_" + rand(rng, 34)
    return f'from huggingface_hub import login\n\nlogin(token="{v}")\n', v


@shape("vault-token", "vault.sh", "VAULT_TOKEN")
def vault_token(rng):
    v = "hvs." + rand(rng, 90, B64URL, must="-_")
    return f"export VAULT_ADDR=https://vault.example.com\nexport VAULT_TOKEN={v}\n", v


@shape("jwt", "session.json", "ID_TOKEN")
def jwt(rng):
    def b64url(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
    payload = b64url({"sub": rand(rng, 20), "iat": rng.randrange(1_600_000_000, 1_900_000_000), "role": "admin"})
    v = f"{b64url({'alg': 'HS256', 'typ': 'JWT'})}.{payload}.{rand(rng, 43, B64URL, must='-_')}"
    return json.dumps({"id_token": v, "expires_in": 3600}, indent=2) + "\n", v


@shape("kubeconfig-token", "kubeconfig", "KUBE_TOKEN")
def kubeconfig_token(rng):
    v = rand(rng, 48, B64URL, must="-_")
    return ("apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n"
            f"    token: {v}\n"), v


@shape("docker-config-auth", "config.json", "DOCKER_AUTH_CONFIG")
def docker_config_auth(rng):
    v = base64.b64encode(f"deploy:{rand(rng, 24)}".encode()).decode()
    return json.dumps({"auths": {"registry.example.com": {"auth": v}}}, indent=2) + "\n", v


@shape("age-secret-key", "age-key.txt", "AGE_SECRET_KEY")
def age_secret_key(rng):
    v = "AGE-SECRET-KEY-1" + rand(rng, 58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
    return f"# created: 2024-06-01T00:00:00Z\n# public key: age1{rand(rng, 58, 'qpzry9x8gf2tvdw0s3jn54khce6mua7l')}\n{v}\n", v


# ---- assignments in config files and code ----

@shape("django-secret-key", "settings.py", "DJANGO_SECRET_KEY")
def django_secret_key(rng):
    v = rand(rng, 50, LOWER + DIGITS + PUNCT, must="!@#$%")
    return f"DEBUG = False\nSECRET_KEY = '{v}'\nALLOWED_HOSTS = ['sailjada.com']\n", v


@shape("flask-secret-key", "config.py", "FLASK_SECRET_KEY")
def flask_secret_key(rng):
    v = rand(rng, 64, HEX)
    return f'class Config:\n    SECRET_KEY = "{v}"\n    SESSION_COOKIE_SECURE = True\n', v


@shape("express-session-secret", "server.js", "SESSION_SECRET")
def express_session_secret(rng):
    v = rand(rng, 32, ALNUM + PUNCT, must="#&!")
    return f"app.use(session({{ secret: '{v}', resave: false }}));\n", v


@shape("json-password", "config.json", "DB_PASSWORD")
def json_password(rng):
    v = rand(rng, 20, ALNUM + PUNCT, must="!&")
    doc = {"db": {"host": "db.internal", "port": 5432, "user": "app", "password": v}}
    return json.dumps(doc, indent=2) + "\n", v


@shape("json-client-secret", "oauth.json", "CLIENT_SECRET")
def json_client_secret(rng):
    """A value under a secret-named key with no recognizable shape of its own."""
    v = rand(rng, 24)
    return json.dumps({"client_id": "jada-web", "client_secret": v}, indent=2) + "\n", v


@shape("yaml-api-token", "settings.yaml", "API_TOKEN")
def yaml_api_token(rng):
    v = rand(rng, 32)
    return f"service:\n  url: https://api.example.com\n  api_token: {v}\n  timeout: 30\n", v


@shape("ini-password", "app.ini", "DB_PASSWORD")
def ini_password(rng):
    v = rand(rng, 24, ALNUM + PUNCT, must="$*")
    return f"[database]\nhost = db.internal\nuser = app\npassword = {v}\n", v


@shape("ini-quoted-password", "legacy.ini", "LEGACY_PASSWORD")
def ini_quoted_password(rng):
    """A value with a double quote inside (escaped differently by JSON, TXT records, shells)."""
    v = f'{rand(rng, 18)}"{rand(rng, 18)}'
    return f"[legacy]\npassword = '{v}'\n", v


@shape("toml-password", "config.toml", "SMTP_PASSWORD")
def toml_password(rng):
    v = rand(rng, 24)
    return f'[smtp]\nhost = "smtp.example.com"\nusername = "bookings"\npassword = "{v}"\n', v


@shape("terraform-tfvars", "terraform.tfvars", "TF_VAR_db_password")
def terraform_tfvars(rng):
    v = rand(rng, 28, ALNUM + PUNCT, must="#+")
    return f'region      = "us-east-1"\ndb_password = "{v}"\n', v


@shape("java-properties", "application.properties", "SPRING_DATASOURCE_PASSWORD")
def java_properties(rng):
    v = rand(rng, 24)
    return ("spring.datasource.url=jdbc:postgresql://db.internal:5432/jada\n"
            f"spring.datasource.username=app\nspring.datasource.password={v}\n"), v


@shape("xml-app-setting", "web.config", "API_KEY")
def xml_app_setting(rng):
    v = rand(rng, 32)
    return (f'<configuration>\n  <appSettings>\n    <add key="ApiKey" value="{v}" />\n'
            "  </appSettings>\n</configuration>\n"), v


@shape("maven-settings-password", "settings.xml", "MAVEN_PASSWORD")
def maven_settings_password(rng):
    v = rand(rng, 24)
    return ("<settings>\n  <servers>\n    <server>\n      <id>nexus</id>\n      <username>deploy</username>\n"
            f"      <password>{v}</password>\n    </server>\n  </servers>\n</settings>\n"), v


@shape("php-define-db-password", "wp-config.php", "DB_PASSWORD")
def php_define_db_password(rng):
    v = rand(rng, 20, ALNUM + PUNCT, must="!(")
    return ("<?php\ndefine('DB_NAME', 'wordpress');\ndefine('DB_USER', 'wp');\n"
            f"define('DB_PASSWORD', '{v}');\ndefine('DB_HOST', 'localhost');\n"), v


@shape("wp-auth-salt", "wp-salts.php", "AUTH_KEY")
def wp_auth_salt(rng):
    v = rand(rng, 64, ALNUM + PUNCT + "[]{}<>|~:;,.?", must="<>|;")
    return f"<?php\ndefine('AUTH_KEY', '{v}');\n", v


@shape("php-variable-password", "db.php", "DB_PASS")
def php_variable_password(rng):
    v = rand(rng, 20)
    return f'<?php\n$db_host = "localhost";\n$db_user = "shop";\n$db_pass = "{v}";\n', v


@shape("netrc", ".netrc", "NETRC_PASSWORD")
def netrc(rng):
    v = rand(rng, 24)
    return f"machine api.example.com\n  login deploy\n  password {v}\n", v


@shape("shell-export", "sign.sh", "SIGNING_KEY")
def shell_export(rng):
    v = rand(rng, 40, B64, must="+/")
    return f'#!/bin/sh\nexport SIGNING_KEY="{v}"\n./sign-release.sh\n', v


@shape("shell-assignment", "backup.sh", "DB_PASS")
def shell_assignment(rng):
    v = rand(rng, 22)
    return f"#!/bin/sh\nDB_PASS={v}\nPGPASSWORD=$DB_PASS pg_dump -U app jada > backup.sql\n", v


@shape("ansible-inventory-password", "inventory.ini", "ANSIBLE_SSH_PASS")
def ansible_inventory_password(rng):
    v = rand(rng, 20)
    return f"[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy ansible_ssh_pass={v}\n", v


@shape("dotenv", ".env", "API_KEY")
def dotenv(rng):
    v = rand(rng, 32)
    return f"APP_ENV=production\nAPI_KEY={v}\nLOG_LEVEL=info\n", v


@shape("dotenv-multiline", ".env", "SIGNING_SECRET", inline=lambda t, v: v.replace("\n", "\\n"), block=_value)
def dotenv_multiline(rng):
    """A double-quoted value over three lines; the middle line holds an ``=``."""
    v = f"{rand(rng, 24)}\n{rand(rng, 20)}={rand(rng, 20)}\n{rand(rng, 24)}"
    return f'APP_NAME=jada\nSIGNING_SECRET="{v}"\nDEBUG=false\n', v


# ---- credentials in URLs, headers and command lines ----

def _url_shape(name: str, filename: str, key: str, template: str, n: int = 20):
    @shape(name, filename, key, inline=url_with)
    def gen(rng):
        pw = rand(rng, n)
        return template.format(pw=pw), pw

    return gen


_url_shape("postgres-url", "alembic.ini", "DATABASE_URL",
           "[alembic]\nsqlalchemy.url = postgresql://app:{pw}@db.example.com:5432/bookings\n")
_url_shape("mysql-url", "knexfile.js", "MYSQL_URL",
           "module.exports = {{ client: 'mysql2', connection: 'mysql://root:{pw}@127.0.0.1:3306/shop' }};\n")
_url_shape("redis-url", "cache.py", "REDIS_URL", 'REDIS_URL = "redis://:{pw}@cache.example.com:6379/0"\n')
_url_shape("amqp-url", "celeryconfig.py", "BROKER_URL", "broker_url = 'amqp://celery:{pw}@mq.example.com:5672/jobs'\n")
_url_shape("mongodb-srv-url", "mongo.js", "MONGODB_URI",
           "mongoose.connect('mongodb+srv://admin:{pw}@cluster0.ab1cd.mongodb.net/shop');\n")
_url_shape("https-userinfo-url", "pip.conf", "PIP_INDEX_URL",
           "[global]\nindex-url = https://deploy:{pw}@pypi.example.com/simple\n")


@shape("url-query-token", "links.md", "EXPORT_URL", inline=url_with)
def url_query_token(rng):
    v = rand(rng, 32)
    return f"Nightly export: [csv](https://api.example.com/v1/export?format=csv&token={v})\n", v


@shape("http-basic-auth", "request.http", "AUTHORIZATION", inline=prefixed("Basic "))
def http_basic_auth(rng):
    v = base64.b64encode(f"admin:{rand(rng, 20)}".encode()).decode()
    return f"GET /admin HTTP/1.1\nHost: api.example.com\nAuthorization: Basic {v}\n", v


@shape("http-bearer-token", "api.http", "AUTHORIZATION", inline=prefixed("Bearer "))
def http_bearer_token(rng):
    v = rand(rng, 40, B64URL, must="-_")
    return f"GET /v1/bookings HTTP/1.1\nHost: api.example.com\nAuthorization: Bearer {v}\n", v


@shape("curl-user", "check.sh", "CURL_USER", inline=prefixed("admin:"))
def curl_user(rng):
    v = rand(rng, 20)
    return f"#!/bin/sh\ncurl -fsS -u admin:{v} https://api.example.com/health\n", v


# ---- private key blocks ----

def _pem_shape(name: str, filename: str, key: str, label: str, lines: int, width: int = 64, first: str = ""):
    @shape(name, filename, key, inline=escaped_newlines, block=whole_text)
    def gen(rng):
        body = b64_lines(rng, lines, width, first)
        return f"-----BEGIN {label}-----\n" + "\n".join(body) + f"\n-----END {label}-----\n", "\n".join(body)

    return gen


_pem_shape("pem-rsa-private-key", "server.key", "TLS_PRIVATE_KEY", "RSA PRIVATE KEY", 12, first="MIIEowIBAAKCAQEA")
_pem_shape("pem-ec-private-key", "ec.pem", "EC_PRIVATE_KEY", "EC PRIVATE KEY", 3, first="MHcCAQEEI")
_pem_shape("pem-pkcs8-private-key", "tls.key", "PRIVATE_KEY", "PRIVATE KEY", 8, first="MIIEvgIBADANBgkqhkiG9w0BAQEFAASC")
_pem_shape("pem-encrypted-private-key", "signing.key", "SIGNING_PRIVATE_KEY", "ENCRYPTED PRIVATE KEY", 6,
           first="MIIFHDBOBgkqhkiG9w0BBQ0wQTAp")
_pem_shape("openssh-private-key", "id_rsa", "SSH_PRIVATE_KEY", "OPENSSH PRIVATE KEY", 7, width=70,
           first="b3BlbnNzaC1rZXktdjEAAAAA")


@shape("pgp-private-key-block", "private.asc", "GPG_PRIVATE_KEY", inline=escaped_newlines, block=whole_text)
def pgp_private_key_block(rng):
    body = b64_lines(rng, 8, first="lQOYBG")
    crc = "=" + rand(rng, 4, B64)
    text = ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(body) + f"\n{crc}\n"
            "-----END PGP PRIVATE KEY BLOCK-----\n")
    return text, "\n".join(body)


def check_registry() -> None:
    """Cheap invariants of the registry (the plant test calls it)."""
    assert len(SHAPES) >= 60, len(SHAPES)
    rng = random.Random(0)
    for name in SHAPES:
        s = make(name, rng)
        assert s.value in s.text or json.dumps(s.value)[1:-1] in s.text, name
        assert len(s.value) >= 16, name
        assert "\n" not in s.line and "`" not in s.text and "${" not in s.text, name
