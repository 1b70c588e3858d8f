#!/usr/bin/env bash
# The whole idea in under a minute: capture a sample estate on a local AWS endpoint,
# change it the way someone might, capture again, and see exactly what changed.
set -euo pipefail
demo="$PWD/.demo"
rm -rf "$demo" && mkdir -p "$demo"
# The demo keeps its fingerprint key to itself; a real install keeps it in ~/.config/gitsnap.
export XDG_CONFIG_HOME="$demo/config"

gitsnap sandbox serve --port 0 --ready-file "$demo/endpoint" >"$demo/sandbox.log" 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$demo/endpoint" ] && break; sleep 0.2; done
[ -s "$demo/endpoint" ] || { echo "the local AWS endpoint did not start:"; cat "$demo/sandbox.log"; exit 1; }

set -a; . "$demo/endpoint"; set +a   # AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LIGHTSAIL, credentials, region
export GITSNAP_REPO="$demo/snap"
echo "Local AWS endpoint at $AWS_ENDPOINT_URL with a sample estate: 3 sites x prod/staging buckets,"
echo "6 CloudFront distributions, 2 Lambda functions with secret env vars, 3 Route53 zones,"
echo "DynamoDB tables, IAM, API Gateway, SES, ACM, RDS and a Lightsail instance."

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
# for commands whose exit 1 means "there are differences", which is the point of showing them
step_diff() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || [ $? -eq 1 ]; }
# for commands whose exit 3 means "done, and some of it is listed as left out" (gitsnap iac)
step_partial() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || [ $? -eq 3 ]; }
step gitsnap init
step gitsnap capture --tag v1.0 -m "known good"
step gitsnap sandbox change
step gitsnap capture -m "nightly"
step gitsnap diff v1.0 HEAD --content
step_diff gitsnap restore v1.0
step gitsnap restore v1.0 --apply --yes
step_diff gitsnap drift v1.0
step gitsnap log
step git -C "$GITSNAP_REPO" log --oneline --decorate --stat -1
printf '\nThe snapshot repository is %s: try git -C %s log -p\n' "$GITSNAP_REPO" "$GITSNAP_REPO"
# The estate as of v1.0, as CloudFormation: templates, Lambda code and S3 bodies beside them,
# and COVERAGE.md naming everything CloudFormation cannot hold (the summary line says how much).
step_partial gitsnap iac v1.0 --format cloudformation --out "$demo/iac"
step ls "$demo/iac" "$demo/iac/cloudformation/123456789012"
printf '\nCoverage (%s/iac/COVERAGE.md): ' "$demo"; sed -n 3p "$demo/iac/COVERAGE.md"
