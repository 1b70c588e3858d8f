"""Plant fresh secrets everywhere in a seeded estate, capture once, and look for them in git.

Every shape in tests/secret_shapes.py gets a fresh random value in every place below that
the shape fits. One ``gitsnap capture`` runs over all of them. The test then searches for
each value. It also searches for each line of a multi-line value and for each piece of a
value between quotes, backslashes and ``=``. Each of these is searched raw, JSON-escaped,
URL-encoded, base64 (standard and URL-safe alphabets, all three alignments), UTF-16
(LE and BE) and hex. The search covers:

- every git object (``git cat-file --batch-all-objects --batch``: loose and packed,
  reachable or not), including the members of any zip or gzip blob;
- every file under the (bare) repository directory, read raw and, where it inflates,
  zlib-decompressed;
- gitsnap's stdout and stderr, for the capture and for the refused runs.

No hit is allowed. A failure lists ``place / shape: form in where`` with only the first 4
characters of the value, and the seed. ``SECRET_SHAPES_SEED=<seed>`` replays the values;
the suite uses a fixed seed (``secret_shapes.DEFAULT_SEED``), and ``SECRET_SHAPES_SEED=random``
draws fresh values to look for new misses.

The capture runs with ``--allow-partial``, so a unit that fails cannot hide the leaks of the
others. A failed unit still fails the test: the exit code must be 0. Every place also names
the resources that carry it (``lambda/plant-fn-0``, ``iam/role/plant-role-3``, ...), and
each of these must be in the snapshot's manifest. A place that was never captured is
reported as "not proven", not counted as clean.

Positive controls (canaries): fresh non-secret phrases, stored where gitsnap keeps data in
clear, MUST be found. These are an S3 text body (raw), an S3 body holding the phrase
URL-encoded, an S3 UTF-16 body, a member of a deflated zip in S3, and a comment in
gitsnap.toml inside the repository directory (the raw file scan).
``test_the_search_sees_every_form`` checks every form (base64 at each alignment, hex,
JSON-escaped, ...) on the finder alone.

Commit and tag messages: ``gitsnap capture -m "<fresh secret>"`` and
``gitsnap capture --tag t -m "<fresh secret>"`` (shapes stripe-secret-key and github-classic-token) must
exit 2 with one line on stderr, and write nothing: ``git for-each-ref`` and the object count
are unchanged. A local file is changed first, so an accepted run would have committed.

What moto cannot do, and how the test gets around it:
- apigatewayv2 ``UpdateStage`` is not implemented, so the HTTP API's stage variables go on
  a new stage made with ``CreateStage``. Nothing is skipped.
- moto enforces few AWS limits. The test keeps to the real ones anyway: Lambda env 4 KB per
  function, description 256, 50 tags per resource, tag charset ``[\\w .:/=+-@]`` and 256
  chars, stage variable charset ``[A-Za-z0-9-._~:/?#&=,]``, CloudFront comment 128 and
  10 custom headers per origin, IAM role description 1000, TXT strings 255. A shape that
  cannot be written there is not planted there. The table shows which.

Places (a column per place in the table):

| code | place |
| --- | --- |
| 1 | Lambda environment variable values (``$LATEST``) |
| 2 | a published Lambda version's environment (set, ``PublishVersion``, then changed) |
| 3 | Lambda tags |
| 4 | Lambda description (free text: values that do not name themselves carry their name) |
| 5 | a file inside the Lambda code zip (deflated) |
| 6a | S3 object body, the shape's natural file (``.env``, ``config.json``, ``id_rsa``, ``wp-config.php``, ...) |
| 6b | S3 object body, binary: random bytes with the text embedded |
| 6c | S3 object body, UTF-16 text |
| 7 | S3 user metadata |
| 8a | S3 ``WebsiteRedirectLocation`` ``https://...?token=<value, URL-encoded>`` |
| 8b | S3 ``ContentDisposition`` ``attachment; filename="export.csv"; <the value as in free text>`` |
| 9 | S3 bucket tags |
| 10 | S3 bucket policy ``Condition`` value (``aws:Referer``, the shared-secret pattern) |
| 11 | Route53 TXT record (``"`` and ``\\`` escaped as TXT requires) |
| 12a | API Gateway REST stage variables |
| 12b | API Gateway HTTP API stage variables |
| 12c | API Gateway REST API description |
| 13a | CloudFront origin custom header value |
| 13b | CloudFront distribution ``Comment`` |
| 14 | DynamoDB table tags |
| 15a | IAM role description |
| 15b | IAM role tags |
| 15c | IAM role inline policy ``Condition`` value |
| 16 | Apps Script file (fake API), the text in a template literal |
| 17a | local folder: the shape's natural file |
| 17b | local folder: ``.env`` at its root (multi-line values double-quoted) |
| 17c | local folder: nested ``config/secrets.yml`` (multi-line values as ``|`` blocks) |
| 17d | ``[local] env_files``: a multi-line ``.env`` outside the folder (``export`` lines) |

Shapes x places the test proves (x: planted there with a fresh value):

<!-- coverage-table -->
| shape | 1 | 2 | 3 | 4 | 5 | 6a | 6b | 6c | 7 | 8a | 8b | 9 | 10 | 11 | 12a | 12b | 12c | 13a | 13b | 14 | 15a | 15b | 15c | 16 | 17a | 17b | 17c | 17d |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| aws-credentials-file | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| aws-key-pair-export | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| aws-session-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x |   | x | x | x | x | x | x | x | x | x |
| aws-keys-json | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| gcp-service-account | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| google-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| google-oauth-client-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| azure-storage-connection-string | x | x |   | x | x | x | x | x | x | x |   |   | x | x |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| azure-sas-token | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| digitalocean-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| cloudflare-api-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| heroku-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| stripe-secret-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| stripe-restricted-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| stripe-webhook-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| slack-bot-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| slack-user-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| slack-webhook-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| discord-webhook-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| telegram-bot-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| twilio-auth-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| twilio-api-key-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| sendgrid-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| mailgun-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| mailchimp-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| square-access-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| square-oauth-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| shopify-access-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| shopify-shared-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| datadog-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| firebase-server-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   | x | x | x | x | x | x | x | x | x |
| github-classic-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| github-oauth-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| github-app-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| github-fine-grained-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| gitlab-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| npm-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| npmrc-auth-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| pypi-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| pypirc-password | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| openai-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| anthropic-api-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| huggingface-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| vault-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| jwt | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   | x | x | x | x | x | x | x | x | x |
| kubeconfig-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| docker-config-auth | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| age-secret-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| django-secret-key | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| flask-secret-key | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| express-session-secret | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| json-password | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| json-client-secret | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| yaml-api-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| ini-password | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| ini-quoted-password | x | x |   | x | x | x | x | x | x | x |   |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| toml-password | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| terraform-tfvars | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| java-properties | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| xml-app-setting | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| maven-settings-password | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| php-define-db-password | x | x |   | x | x | x | x | x | x | x | x |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| wp-auth-salt | x | x |   | x | x | x | x | x | x | x |   |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| php-variable-password | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| netrc | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| shell-export | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| shell-assignment | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| ansible-inventory-password | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| dotenv | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| dotenv-multiline | x | x |   | x | x | x | x | x | x | x |   |   | x | x |   |   | x | x | x |   | x |   | x | x | x | x | x | x |
| postgres-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| mysql-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| redis-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| amqp-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| mongodb-srv-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| https-userinfo-url | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| url-query-token | x | x |   | x | x | x | x | x | x | x | x |   | x | x | x | x | x | x | x |   | x |   | x | x | x | x | x | x |
| http-basic-auth | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| http-bearer-token | x | x | x | x | x | x | x | x | x | x | x | x | x | x |   |   | x | x | x | x | x | x | x | x | x | x | x | x |
| curl-user | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x | x |
| pem-rsa-private-key | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| pem-ec-private-key | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| pem-pkcs8-private-key | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| pem-encrypted-private-key | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| openssh-private-key | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
| pgp-private-key-block | x | x |   |   | x | x | x | x | x | x |   |   | x |   |   |   | x | x |   |   | x |   | x | x | x | x | x | x |
<!-- /coverage-table -->
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import math
import random
import re
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from gitsnap.sandbox import estate as sample
from gitsnap.sandbox.gas import FakeAppsScript

from .. import secret_shapes as shapes
from ..secret_shapes import SHAPES, Secret

pytestmark = pytest.mark.e2e

MIN_NEEDLE = 16

# ---------------------------------------------------------------- places

TAG = re.compile(r"[A-Za-z0-9 _.:/=+\-@]{1,256}")
STAGE_VARIABLE = re.compile(r"[A-Za-z0-9\-._~:/?#&=,]{1,512}")
PRINTABLE = re.compile(r"[\x20-\x7e]+")


def prose(s: Secret) -> str:
    """How a value stands in free text (a description, a comment, a TXT record): the line of
    the shape's text that holds it, as a person would paste it (``curl -u admin:…``,
    ``define('AUTH_KEY', '…')``, ``sqlalchemy.url = postgresql://…``), else ``NAME=<value>``
    with the name a person gives it. A bare random string with no name in a description is
    indistinguishable from an id: no detector can be asked to find it, and docs/secrets.md
    lists it as a known gap."""
    for line in s.text.splitlines():
        if s.value in line and len(line.strip()) <= 200:
            return line.strip()
    return f"{SHAPES[s.shape].key}={s.line}"


def printable(limit: int) -> Callable[[Secret], bool]:
    return lambda s: bool(PRINTABLE.fullmatch(s.line)) and len(s.line) <= limit


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    fits: Callable[[Secret], bool]
    prose: bool = False  # free text: the value as a person writes it there, with its name

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def _any(_s: Secret) -> bool:
    return True


def _tag(s: Secret) -> bool:
    return bool(TAG.fullmatch(s.line))


PLACES = (
    Place("1", "lambda-env", _any),
    Place("2", "lambda-version-env", _any),
    Place("3", "lambda-tags", _tag),
    Place("4", "lambda-description", printable(256), prose=True),
    Place("5", "lambda-zip", _any),
    Place("6a", "s3-body", _any),
    Place("6b", "s3-body-binary", _any),
    Place("6c", "s3-body-utf16", _any),
    Place("7", "s3-metadata", printable(1024)),
    Place("8a", "s3-redirect-location", _any),
    Place("8b", "s3-content-disposition",
          lambda s: bool(PRINTABLE.fullmatch(s.line)) and not set(s.line) & set('";\\'), prose=True),
    Place("9", "s3-bucket-tags", _tag),
    Place("10", "s3-bucket-policy", _any),
    Place("11", "route53-txt", printable(255), prose=True),
    Place("12a", "apigw-stage-variables", lambda s: bool(STAGE_VARIABLE.fullmatch(s.line))),
    Place("12b", "apigw-http-stage-variables", lambda s: bool(STAGE_VARIABLE.fullmatch(s.line))),
    Place("12c", "apigw-description", printable(1024), prose=True),
    Place("13a", "cloudfront-origin-header", printable(1783)),
    Place("13b", "cloudfront-comment", printable(128), prose=True),
    Place("14", "dynamodb-tags", _tag),
    Place("15a", "iam-role-description", printable(1000), prose=True),
    Place("15b", "iam-role-tags", _tag),
    Place("15c", "iam-inline-policy", _any),
    Place("16", "apps-script", _any),
    Place("17a", "local-file", _any),
    Place("17b", "local-dotenv", _any),
    Place("17c", "local-secrets-yml", _any),
    Place("17d", "local-env-file", _any),
)
BY_CODE = {p.code: p for p in PLACES}
MESSAGE_SHAPES = {"18a commit-message": "stripe-secret-key", "18b tag-message": "github-classic-token"}


def coverage_table() -> str:
    """The shapes x places matrix (deterministic: which places a shape fits never depends on the draw)."""
    rng = random.Random(0)
    head = "| shape | " + " | ".join(p.code for p in PLACES) + " |"
    rule = "| --- |" + " --- |" * len(PLACES)
    rows = [f"| {name} | " + " | ".join("x" if p.fits(shapes.make(name, rng)) else " " for p in PLACES) + " |"
            for name in SHAPES]
    return "\n".join([head, rule, *rows])


@dataclass(frozen=True)
class Planted:
    place: str
    shape: str
    secret: Secret


class Plan:
    """Fresh secrets per (place, shape), and everything planted so far."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items: list[Planted] = []
        self.addresses: dict[str, set[str]] = {}  # place label -> resources that must be in the snapshot

    def expect(self, code: str, *addresses: str) -> None:
        """The place is only proven if these resources were captured (a failed unit proves nothing)."""
        self.addresses.setdefault(BY_CODE[code].label, set()).update(addresses)

    def take(self, code: str) -> list[Secret]:
        place = BY_CODE[code]
        out = []
        for name in SHAPES:
            s = shapes.make(name, self.rng)
            if place.prose:
                s = dataclasses.replace(s, line=prose(s))
            if place.fits(s):
                self.items.append(Planted(place.label, name, s))
                out.append(s)
        return out

    def one(self, label: str, shape: str) -> Secret:
        s = shapes.make(shape, self.rng)
        self.items.append(Planted(label, shape, s))
        return s


def unique_names(secrets: list[Secret], style: Callable[[str], str]) -> list[tuple[str, Secret]]:
    seen: set[str] = set()
    out = []
    for s in secrets:
        base = style(SHAPES[s.shape].key)
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}{'-' if '-' in base else '_'}{n}"
        seen.add(name)
        out.append((name, s))
    return out


def pack(texts: list[str], limit: int, sep: str = " | ") -> list[str]:
    """Greedy: as many texts per field as fit in ``limit`` characters."""
    groups: list[str] = []
    for t in texts:
        assert len(t) <= limit, (len(t), limit)
        if groups and len(groups[-1]) + len(sep) + len(t) <= limit:
            groups[-1] += sep + t
        else:
            groups.append(t)
    return groups


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def by_size(pairs: list[tuple[str, str]], limit: int) -> list[dict[str, str]]:
    """Key/value pairs split into dicts of at most ``limit`` characters (Lambda's 4 KB env)."""
    out: list[dict[str, str]] = [{}]
    size = 0
    for k, v in pairs:
        if out[-1] and size + len(k) + len(v) > limit:
            out.append({})
            size = 0
        out[-1][k] = v
        size += len(k) + len(v)
    return out if out[-1] else out[:-1]


def at(items: list[Any], i: int, default: Any) -> Any:
    return items[i] if i < len(items) else default


# ---------------------------------------------------------------- planting

ROLE_ARN = f"arn:aws:iam::{sample.ACCOUNT}:role/jada-lambda-role"


def lambda_env_name(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", key).upper()
    return "DEPLOY_" + name if name.startswith("AWS_") else name  # Lambda reserves AWS_* names


def plant_lambda(plan: Plan, c: Any) -> None:
    lam = c("lambda")
    env_name = lambda_env_name
    latest = by_size([(k, s.block) for k, s in unique_names(plan.take("1"), env_name)], 4000)
    version = by_size([(k, s.block) for k, s in unique_names(plan.take("2"), env_name)], 4000)
    tags = chunks(unique_names(plan.take("3"), str.lower), 50)
    descriptions = pack([s.line for s in plan.take("4")], 256)
    files = {"app.py": "def handler(event, context):\n    return {'statusCode': 204}\n"}
    for s in plan.take("5"):
        files[f"{s.shape}/{SHAPES[s.shape].filename}"] = s.text
    package = sample.zip_source(files)
    small = sample.zip_source({"app.py": files["app.py"]})
    for i in range(max(len(latest), len(version), len(tags), len(descriptions))):
        name = f"plant-fn-{i}"
        arn = lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE_ARN, Handler="app.handler",
            Code={"ZipFile": package if i == 0 else small}, Description="plant",
            Environment={"Variables": at(version, i, {"STAGE": "prod"})})["FunctionArn"]
        lam.publish_version(FunctionName=name)  # version 1 keeps this environment
        lam.update_function_configuration(FunctionName=name, Description=at(descriptions, i, "plant"),
                                          Environment={"Variables": at(latest, i, {"STAGE": "prod"})})
        if i < len(tags):
            lam.tag_resource(Resource=arn, Tags={k: s.line for k, s in tags[i]})
        for code, carried in (("1", latest), ("2", version), ("3", tags), ("4", descriptions)):
            if i < len(carried):
                plan.expect(code, f"lambda/{name}")
    plan.expect("5", "lambda/plant-fn-0")
    # the version must hold its own environment, not $LATEST's: else place 2 proves nothing
    got = lam.list_versions_by_function(FunctionName="plant-fn-0")["Versions"]
    assert [v["Environment"]["Variables"] for v in got if v["Version"] == "1"] == [version[0]]


def plant_s3(plan: Plan, c: Any, canaries: dict[str, str]) -> None:
    s3 = c("s3")
    bucket = "plant-bodies"
    s3.create_bucket(Bucket=bucket)
    puts: list[dict[str, Any]] = []

    def put(key: str, body: bytes, **kw: Any) -> None:
        puts.append({"Bucket": bucket, "Key": key, "Body": body, **kw})

    for s in plan.take("6a"):
        put(f"plain/{s.shape}/{SHAPES[s.shape].filename}", s.text.encode())
    for s in plan.take("6b"):
        put(f"binary/{s.shape}.bin", plan.rng.randbytes(700) + s.text.encode() + plan.rng.randbytes(300))
    for s in plan.take("6c"):
        put(f"utf16/{s.shape}/{SHAPES[s.shape].filename}", s.text.encode("utf-16"))
    for name, s in unique_names(plan.take("7"), lambda k: k.lower().replace("_", "-")):
        put(f"meta/{s.shape}.txt", b"metadata only\n", Metadata={name: s.line})
    for s in plan.take("8a"):
        put(f"redirect/{s.shape}.html", b"<p>moved</p>\n",
            WebsiteRedirectLocation=f"https://www.example.com/welcome?token={quote(s.value, safe='')}")
    for s in plan.take("8b"):
        put(f"download/{s.shape}.csv", b"a,b\n", ContentDisposition=f'attachment; filename="export.csv"; {s.line}')
    statements = [{"Sid": f"Referer{i}", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"StringLike": {"aws:Referer": [s.line]}}}
                  for i, s in enumerate(plan.take("10"))]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    for code in ("6a", "6b", "6c", "7", "8a", "8b", "10"):
        plan.expect(code, f"s3/{bucket}")
    for i, group in enumerate(chunks(unique_names(plan.take("9"), str.lower), 50)):
        plan.expect("9", f"s3/plant-tags-{i}")
        s3.create_bucket(Bucket=f"plant-tags-{i}")
        s3.put_bucket_tagging(Bucket=f"plant-tags-{i}",
                              Tagging={"TagSet": [{"Key": k, "Value": s.line} for k, s in group]})
    # positive controls: data gitsnap stores in clear, so the search must find it
    put("canary/logbook.txt", f"Logbook: {canaries['s3 body']}\n".encode())
    put("canary/link.txt", f"https://www.example.com/search?q={quote_plus(canaries['s3 body, URL-encoded'])}\n".encode())
    put("canary/logbook-utf16.txt", f"Logbook: {canaries['s3 body, UTF-16']}\n".encode("utf-16"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("logbook.txt", f"Logbook: {canaries['s3 zip member']}\n" * 3)
    put("canary/logbook.zip", buf.getvalue())
    with ThreadPoolExecutor(16) as pool:  # hundreds of small objects: in parallel, or seeding takes seconds
        list(pool.map(lambda kw: s3.put_object(**kw), puts))


def txt(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plant_route53(plan: Plan, c: Any, zone_id: str) -> None:
    changes = [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": f"{s.shape}.plant.sailjada.com", "Type": "TXT", "TTL": 300,
        "ResourceRecords": [{"Value": txt(s.line)}]}} for s in plan.take("11")]
    c("route53").change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    plan.expect("11", "route53/sailjada.com")


def plant_apigateway(plan: Plan, c: Any, rest_api: str, http_api: str) -> None:
    api = c("apigateway")
    ops = [{"op": "replace", "path": f"/variables/{k}", "value": s.line}
           for k, s in unique_names(plan.take("12a"), str.upper)]
    api.update_stage(restApiId=rest_api, stageName="prod", patchOperations=ops)
    # moto does not implement apigatewayv2 UpdateStage: the variables go on a new stage instead
    c("apigatewayv2").create_stage(ApiId=http_api, StageName="plant", StageVariables={
        k: s.line for k, s in unique_names(plan.take("12b"), str.upper)})
    for i, desc in enumerate(pack([s.line for s in plan.take("12c")], 1024, sep="\n")):
        plan.expect("12c", "apigateway/" + api.create_rest_api(name=f"plant-api-{i}", description=desc)["id"])
    plan.expect("12a", f"apigateway/{rest_api}")
    plan.expect("12b", f"apigateway/http-api/{http_api}")


def plant_cloudfront(plan: Plan, c: Any) -> None:
    headers = chunks(unique_names(plan.take("13a"), lambda k: "X-" + k.replace("_", "-").title()), 10)
    comments = pack([s.line for s in plan.take("13b")], 128)
    cf = c("cloudfront")
    for i in range(max(len(headers), len(comments))):
        cfg = sample.distribution_config(f"plant-cf-{i}")
        cfg["CallerReference"] = f"plant-{i}"
        cfg["Comment"] = at(comments, i, "plant")
        items = [{"HeaderName": k, "HeaderValue": s.line} for k, s in at(headers, i, [])]
        cfg["Origins"]["Items"][0]["CustomHeaders"] = {"Quantity": len(items), "Items": items}
        dist = cf.create_distribution(DistributionConfig=cfg)["Distribution"]["Id"]
        plan.expect("13a", *([f"cloudfront/{dist}"] if i < len(headers) else []))
        plan.expect("13b", *([f"cloudfront/{dist}"] if i < len(comments) else []))


def plant_dynamodb(plan: Plan, c: Any) -> None:
    ddb = c("dynamodb")
    for i, group in enumerate(chunks(unique_names(plan.take("14"), str.lower), 50)):
        plan.expect("14", f"dynamodb/plant-table-{i}")
        ddb.create_table(TableName=f"plant-table-{i}", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         Tags=[{"Key": k, "Value": s.line} for k, s in group])


def plant_iam(plan: Plan, c: Any) -> None:
    iam = c("iam")
    descriptions = pack([s.line for s in plan.take("15a")], 1000)
    tags = chunks(unique_names(plan.take("15b"), str.lower), 50)
    policies: list[list[dict[str, Any]]] = [[]]
    for i, s in enumerate(plan.take("15c")):
        statement = {"Sid": f"Referer{i}", "Effect": "Allow", "Action": "s3:GetObject",
                     "Resource": "arn:aws:s3:::plant-bodies/*", "Condition": {"StringEquals": {"aws:Referer": s.line}}}
        if policies[-1] and len(json.dumps(policies[-1] + [statement])) > 9000:  # 10,240 per role
            policies.append([])
        policies[-1].append(statement)
    for i in range(max(len(descriptions), len(tags), len(policies))):
        name = f"plant-role-{i}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(sample.ROLE_TRUST),
                        Description=at(descriptions, i, "plant"),
                        Tags=[{"Key": k, "Value": s.line} for k, s in at(tags, i, [])])
        for code, carried in (("15a", descriptions), ("15b", tags), ("15c", policies)):
            if i < len(carried):
                plan.expect(code, f"iam/role/{name}")
        if at(policies, i, []):
            iam.put_role_policy(RoleName=name, PolicyName="plant-conditions", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": policies[i]}))


def plant_gas(plan: Plan, fake: FakeAppsScript) -> None:
    files = [{"name": "appsscript", "type": "JSON", "source": '{"timeZone": "America/Los_Angeles"}'}]
    for i, s in enumerate(plan.take("16")):
        files.append({"name": f"S{i:02d}_{s.shape.replace('-', '_')}", "type": "SERVER_JS",
                      "source": f"// {SHAPES[s.shape].filename}\nconst TEXT_{i} = `{s.text}`;\n"})
    fake.add("1PlantScriptId", "plant", files)
    plan.expect("16", "gas/plant")


def dotenv_value(v: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:@+=-]+", v):
        return v
    if "\n" not in v and "'" not in v:
        return f"'{v}'"
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_value(v: str) -> str:
    if "\n" in v:
        return "|\n" + "".join(f"    {ln}\n" for ln in v.splitlines())
    return "'" + v.replace("'", "''") + "'\n"


def plant_local(plan: Plan, site: Path, env_file: Path) -> None:
    for s in plan.take("17a"):
        path = site / "files" / s.shape / SHAPES[s.shape].filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(s.text)
    env_name = lambda k: re.sub(r"[^A-Za-z0-9_]", "_", k).upper()  # noqa: E731
    (site / ".env").write_text("# production settings\n" + "".join(
        f"{k}={dotenv_value(s.block)}\n" for k, s in unique_names(plan.take("17b"), env_name)))
    (site / "config").mkdir()
    (site / "config" / "secrets.yml").write_text("# app secrets\nproduction:\n" + "".join(
        f"  {k}: {yaml_value(s.block)}" for k, s in unique_names(plan.take("17c"), str.lower)))
    for code in ("17a", "17b", "17c"):
        plan.expect(code, "local/site")
    plan.expect("17d", f"local/env/{env_file.parent.name}-env")
    env_file.parent.mkdir(parents=True)
    env_file.write_text("# tools\n" + "".join(
        f"{'export ' if i % 2 else ''}{k}={dotenv_value(s.block)}\n"
        for i, (k, s) in enumerate(unique_names(plan.take("17d"), env_name))))


# ---------------------------------------------------------------- searching


def b64_forms(data: bytes) -> set[bytes]:
    """The base64 of ``data`` at each of the three alignments it can have inside a longer stream."""
    out = set()
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + data)
        start, end = math.ceil(8 * shift / 6), (8 * (shift + len(data))) // 6
        core = enc[start:end]
        out |= {core, core.replace(b"+", b"-").replace(b"/", b"_")}
    return out


def needle_forms(value: str) -> dict[bytes, str]:
    """Every byte string that would show ``value`` (or a line or piece of it), with the form's name."""
    bases = {value}
    bases |= {ln for ln in value.splitlines()}
    bases |= set(re.split(r"[\s\"'\\=]+", value))
    out: dict[bytes, str] = {}
    for b in (b for b in bases if len(b) >= MIN_NEEDLE):
        out.setdefault(b.encode(), "raw")
        out.setdefault(json.dumps(b)[1:-1].encode(), "JSON-escaped")
        out.setdefault(json.dumps(b, ensure_ascii=True)[1:-1].encode(), "JSON-escaped")
        for enc in (quote(b, safe=""), quote(b), quote_plus(b)):
            out.setdefault(enc.encode(), "URL-encoded")
        for enc in b64_forms(b.encode()):
            out.setdefault(enc, "base64")
        out.setdefault(b.encode("utf-16-le"), "UTF-16")
        out.setdefault(b.encode("utf-16-be"), "UTF-16")
        out.setdefault(b.encode().hex().encode(), "hex")
        out.setdefault(b.encode().hex().upper().encode(), "hex")
    return {k: v for k, v in out.items() if len(k) >= MIN_NEEDLE}


class Finder:
    """Finds many needles (each >= 16 bytes) in large haystacks in one pass.

    Every needle registers its WINDOW-byte windows at offsets 0..STEP-1. The haystack is
    sampled every STEP bytes, and any occurrence of a needle of 16 or more bytes covers
    one sample. So each hit is found, then checked in full."""

    WINDOW = 12
    STEP = MIN_NEEDLE - WINDOW + 1

    def __init__(self, needles: list[tuple[bytes, Any]]) -> None:
        self.needles = needles
        self.index: dict[bytes, list[tuple[int, int]]] = {}
        for i, (n, _tag) in enumerate(needles):
            assert len(n) >= MIN_NEEDLE
            for off in range(self.STEP):
                self.index.setdefault(n[off:off + self.WINDOW], []).append((i, off))

    def find(self, data: bytes) -> set[int]:
        hits: set[int] = set()
        index, w = self.index, self.WINDOW
        for p in range(0, len(data) - w + 1, self.STEP):
            cands = index.get(data[p:p + w])
            if cands:
                for i, off in cands:
                    n = self.needles[i][0]
                    start = p - off
                    if start >= 0 and data[start:start + len(n)] == n:
                        hits.add(i)
        return hits


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def expand(where: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """The data itself, and the members of a zip or gzip inside it."""
    yield where, data
    if depth > 2:
        return
    inner: list[tuple[str, bytes]] = []
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                inner = [(f"{where} zip:{info.filename}", zf.read(info)) for info in zf.infolist()]
        elif data[:2] == b"\x1f\x8b":
            inner = [(f"{where} gzip", gzip.decompress(data))]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        inner = []
    for w, d in inner:
        yield from expand(w, d, depth + 1)


def git_objects(repo: Path, known: set[str]) -> Iterator[tuple[str, bytes]]:
    """Every object git has (its id added to ``known``), with zip and gzip members."""
    paths: dict[str, str] = {}
    for line in git(repo, "rev-list", "--objects", "--all", "--reflog").decode("utf-8", "replace").splitlines():
        sha, _, path = line.partition(" ")
        if path:
            paths.setdefault(sha, path)
    out = git(repo, "cat-file", "--batch-all-objects", "--batch")
    pos = 0
    while pos < len(out):
        nl = out.index(b"\n", pos)
        sha, kind, size = out[pos:nl].decode().split()
        body = out[nl + 1:nl + 1 + int(size)]
        pos = nl + 1 + int(size) + 1
        known.add(sha)
        yield from expand(f"{kind} {sha[:10]} {paths.get(sha, '(no path)')}".rstrip(), body)


def repo_files(repo: Path, known: set[str]) -> Iterator[tuple[str, bytes]]:
    """Every file raw; inflated too, unless it is a loose object git already gave us (``known``)."""
    for path in sorted(p for p in repo.rglob("*") if p.is_file()):
        rel = path.relative_to(repo).as_posix()
        data = path.read_bytes()
        yield f"file {rel}", data
        loose = re.fullmatch(r"objects/([0-9a-f]{2})/([0-9a-f]{38})", rel)
        if loose and loose.group(1) + loose.group(2) in known:
            continue
        try:
            inflated = zlib.decompress(data)
        except zlib.error:
            continue
        yield f"file {rel} (inflated)", inflated


def object_count(repo: Path) -> int:
    return len(git(repo, "cat-file", "--batch-all-objects", "--batch-check").splitlines())


def short(value: str) -> str:
    return value[:4] + "…"


def scrub(text: str, values: list[str]) -> str:
    """Text safe to print in an assertion: every planted value cut to its first 4 characters."""
    for v in sorted(values, key=len, reverse=True):
        for ln in {v, *v.splitlines()}:
            if len(ln) >= MIN_NEEDLE:
                text = text.replace(ln, short(ln))
    return text


# ---------------------------------------------------------------- the tests


def test_the_search_sees_every_form():
    """The finder itself: each form of a value is found at any offset, and nothing else is."""
    rng, seed = shapes.fresh_rng()
    secret = shapes.make("pem-ec-private-key", rng)
    other = shapes.make("pem-ec-private-key", rng)
    forms = needle_forms(secret.value)
    assert {"raw", "JSON-escaped", "URL-encoded", "base64", "UTF-16", "hex"} <= set(forms.values()), seed
    finder = Finder([(n, kind) for n, kind in forms.items()])
    for pad in range(7):
        junk = rng.randbytes(pad)
        samples = {
            "raw": secret.text.encode(),
            "JSON-escaped": json.dumps({"k": secret.text}).encode(),
            "URL-encoded": quote(secret.text, safe="").encode(),
            "base64": base64.b64encode(junk + secret.text.encode()),
            "base64 (URL-safe)": base64.urlsafe_b64encode(junk + secret.text.encode()),
            "UTF-16": secret.text.encode("utf-16"),
            "hex": (junk + secret.text.encode()).hex().encode(),
        }
        for what, data in samples.items():
            assert finder.find(rng.randbytes(pad) + data + rng.randbytes(3)), (what, pad, seed)
    assert not finder.find(other.text.encode() + json.dumps(other.text).encode()), seed


def test_shapes_are_fresh_random_and_fit_the_same_places_every_run():
    shapes.check_registry()
    rng, seed = shapes.fresh_rng()
    first = {name: shapes.make(name, rng) for name in SHAPES}
    second = {name: shapes.make(name, rng) for name in SHAPES}
    # no needle of one draw appears in any text of another draw: all of it is random
    finder = Finder([(n, name) for name, s in first.items() for n in needle_forms(s.value)])
    hits = finder.find("\n".join(s.text + s.line + s.block for s in second.values()).encode())
    assert not hits, (seed, sorted({finder.needles[i][1] for i in hits}))
    assert coverage_table() in __doc__, "the table in the docstring is stale:\n" + coverage_table()
    for _ in range(20):
        assert {(p.code, s.shape) for s in (shapes.make(n, rng) for n in SHAPES) for p in PLACES if p.fits(s)} == \
            {(p.code, s.shape) for s in first.values() for p in PLACES if p.fits(s)}, seed


def test_no_planted_secret_reaches_git(gitsnap, endpoint, tmp_path, sample_estate):
    rng, seed = shapes.fresh_rng()
    plan = Plan(rng)
    words = ("anchor", "bowline", "clew", "dinghy", "ebb", "fathom", "gybe", "halyard", "jib", "keel", "leeward",
             "mizzen", "nautical", "outhaul", "port", "quay", "reef", "starboard", "tiller", "untack", "vang",
             "winch", "yawl", "zephyr", "buoy", "cleat", "davit", "fender", "gunwale", "hull", "lanyard", "mast")
    canaries = {where: " ".join(rng.choice(words) for _ in range(9)) for where in (
        "s3 body", "s3 body, URL-encoded", "s3 body, UTF-16", "s3 zip member", "gitsnap.toml")}

    ids = sample_estate
    c = sample.clients(endpoint)
    plant_lambda(plan, c)
    plant_s3(plan, c, canaries)
    plant_route53(plan, c, ids["zones"]["sailjada.com"])
    plant_apigateway(plan, c, ids["rest_api"], ids["http_api"])
    plant_cloudfront(plan, c)
    plant_dynamodb(plan, c)
    plant_iam(plan, c)
    fake = FakeAppsScript()
    url = fake.start()
    plant_gas(plan, fake)
    site, env_file = tmp_path / "site", tmp_path / "tools" / ".env"
    site.mkdir()
    plant_local(plan, site, env_file)
    (gitsnap.repo / "gitsnap.toml").write_text(
        f"# canary: {canaries['gitsnap.toml']}\n"
        f'[gas]\napi_endpoint = "{url}"\n[[gas.projects]]\nname = "plant"\nscript_id = "1PlantScriptId"\n'
        f'[local]\nenv_files = ["{env_file}"]\n[[local.paths]]\nname = "site"\npath = "{site}"\n')

    planted_places = {p.place for p in plan.items}
    assert planted_places == {p.label for p in PLACES} == set(plan.addresses), (seed, planted_places)
    values = [p.secret.value for p in plan.items]
    assert len(set(values)) == len(values), seed

    outputs: list[tuple[str, str]] = []
    problems: list[str] = []
    try:
        # --allow-partial: a unit that fails (exit 3) is reported below, and cannot hide the leaks of the rest
        result = gitsnap("capture", "--allow-partial", "-m", "plant", check=False)
        outputs += [("capture stdout", result.out), ("capture stderr", result.err)]
        if result.code != 0:
            errors = [ln for ln in result.err.splitlines() if re.search(r"error|fail|Traceback", ln, re.I)]
            problems.append(f"capture exited {result.code}: " + scrub("\n".join(errors[:10]) or result.err[-1000:], values))
        captured = set(gitsnap.manifest()["resources"]) if gitsnap.head() else set()
        for place, addresses in sorted(plan.addresses.items(), key=lambda kv: place_order(kv[0])):
            if addresses - captured:
                problems.append(f"{place}: not proven, not in the snapshot: {', '.join(sorted(addresses - captured))}")
        # commit and tag messages with a secret: refused, nothing written
        (site / "files" / "touched.txt").write_text("a change, so an accepted run would commit\n")
        for label, extra in (("18a commit-message", ()), ("18b tag-message", ("--tag", "t"))):
            secret = plan.one(label, MESSAGE_SHAPES[label])
            values.append(secret.value)
            before = (gitsnap.refs(), object_count(gitsnap.repo))
            r = gitsnap("capture", *extra, "-m", f"rotated the key: {secret.line}", check=False)
            outputs += [(f"{label} stdout", r.out), (f"{label} stderr", r.err)]
            if r.code != 2:
                problems.append(f"{label}: exit {r.code}, expected 2 (refused)")
            if len(r.err.strip().splitlines()) != 1:
                problems.append(f"{label}: stderr has {len(r.err.strip().splitlines())} lines, expected 1: "
                                f"{scrub(r.err[-500:], values)!r}")
            if (gitsnap.refs(), object_count(gitsnap.repo)) != before:
                problems.append(f"{label}: refs or objects changed: {scrub(gitsnap.refs(), values)}")
    finally:
        fake.stop()

    # one finder over every needle of every planted value and canary
    needles: list[tuple[bytes, Any]] = []
    for p in plan.items:
        needles += [(n, (p, form)) for n, form in needle_forms(p.secret.value).items()]
    for where, phrase in canaries.items():
        needles += [(n, (where, form)) for n, form in needle_forms(phrase).items()]
    finder = Finder(needles)
    found: dict[tuple[str, str, str, str], str] = {}  # (place, shape, form, where) -> value
    seen_canaries: set[tuple[str, str, str]] = set()

    def search(where: str, data: bytes) -> None:
        for i in finder.find(data):
            item, form = finder.needles[i][1]
            if isinstance(item, str):
                seen_canaries.add((item, form, where))
            else:
                found[(item.place, item.shape, form, where)] = item.secret.value

    known: set[str] = set()
    for where, data in git_objects(gitsnap.repo, known):
        search(where, data)
    for where, data in repo_files(gitsnap.repo, known):
        search(where, data)
    for where, text in outputs:
        search(where, text.encode())

    # positive controls first: if these fail, the search is broken, not the product
    expect = {"s3 body": ("raw", "blob"), "s3 body, URL-encoded": ("URL-encoded", "blob"),
              "s3 body, UTF-16": ("UTF-16", "blob"), "s3 zip member": ("raw", "zip:logbook.txt"),
              "gitsnap.toml": ("raw", "file gitsnap.toml")}
    missing = [name for name, (form, where) in expect.items()
               if not any(c == name and f == form and where in w for c, f, w in seen_canaries)]
    assert not missing, (f"seed {seed}: canaries not found (the search, or the capture, is broken): {missing}; "
                         f"saw {sorted(seen_canaries)}; " + "; ".join(problems))

    leaks = sorted({(place, shape, form, where, short(v)) for (place, shape, form, where), v in found.items()})
    by_pair: dict[tuple[str, str], list[str]] = {}
    for place, shape, form, where, v in leaks:
        by_pair.setdefault((place, shape), []).append(f"{form} in {where} ({v})")
    lines = [f"{place} / {shape}: {ws[0]}{f' (+{len(ws) - 1} more)' if len(ws) > 1 else ''}"
             for (place, shape), ws in sorted(by_pair.items(), key=lambda kv: (place_order(kv[0][0]), kv[0][1]))]
    per_place: dict[str, int] = {}
    for place, _shape in by_pair:
        per_place[place] = per_place.get(place, 0) + 1
    summary = ", ".join(f"{p} {n}" for p, n in sorted(per_place.items(), key=lambda kv: place_order(kv[0])))
    assert not (lines or problems), (
        f"seed {seed}: {len(by_pair)} planted (place, shape) pairs of {len(plan.items)} reached the repository "
        f"or gitsnap's output ({summary}), and {len(problems)} other problems\n" + "\n".join(problems + lines))


def place_order(label: str) -> tuple[int, str]:
    code = label.split()[0]
    return int(re.match(r"\d+", code).group()), code
