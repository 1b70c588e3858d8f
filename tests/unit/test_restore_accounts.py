"""Restore's clients: one per account and region, found from the snapshot's record of each
resource; plus the plan's order, Route53 batch sizing and bodies a snapshot could not read."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.accounts import AwsAccounts, UnknownAccountError, home_region
from gitsnap.collectors.aws.route53restore import (
    MAX_RECORDS,
    MAX_VALUE_CHARS,
    change_weight,
    plan_zone,
    transform_batches,
)
from gitsnap.collectors.aws.s3restore import CONFIG_CALLS, config_order, plan_bucket, viewer_paths
from gitsnap.config import Account, Config
from gitsnap.layout import ObjectEntry, dump_index
from gitsnap.restore.ops import Operation, Plan, RestoreContext, in_dependency_order
from gitsnap.restore.outcome import outcomes
from gitsnap.restore.run import plan_address, rank_of
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

PROD, STAGING = "111111111111", "222222222222"


@pytest.fixture
def profiles(tmp_path, monkeypatch):
    """Two named profiles, each with its own keys, and nothing else from this machine."""
    cfg = tmp_path / "aws-config"
    cfg.write_text("[profile prod]\nregion = us-east-1\naws_access_key_id = PRODKEY\naws_secret_access_key = s\n"
                   "[profile staging]\nregion = us-east-1\naws_access_key_id = STAGINGKEY\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    return Config(path=None, accounts=(Account("prod", profile="prod"), Account("staging", profile="staging")))


def identify(accounts: AwsAccounts, ids: list[str]) -> list[Stubber]:
    """Stub each configured account's sts:GetCallerIdentity (once: a second call would fail)."""
    stubs = []
    for (session, _), account_id in zip(accounts.configured(), ids, strict=True):
        stub = Stubber(session.client("sts"))
        stub.add_response("get_caller_identity", {"Account": account_id, "Arn": f"arn:aws:iam::{account_id}:user/gitsnap", "UserId": "u"})
        stub.activate()
        stubs.append(stub)
    return stubs


def test_clients_are_made_for_the_resource_account_and_region(profiles):
    seen = []
    accounts = AwsAccounts(profiles, hooks=[seen.append])
    stubs = identify(accounts, [PROD, STAGING])
    lam = accounts.client("lambda", STAGING, "eu-west-1")
    assert lam.meta.region_name == "eu-west-1"
    assert lam._request_signer._credentials.access_key == "STAGINGKEY"  # the staging profile's session
    assert lam in seen  # restore's reveal hook is on every account's clients
    iam = accounts.client("iam", STAGING, "global")  # a global service: called in its home region
    assert iam.meta.endpoint_url == "https://iam.amazonaws.com" and iam._request_signer._region_name == "us-east-1"
    assert accounts.client("s3", PROD, "us-west-2")._request_signer._credentials.access_key == "PRODKEY"
    assert accounts.client("lambda", STAGING, "eu-west-1") is lam  # cached, and no second STS call
    for stub in stubs:
        stub.assert_no_pending_responses()


def test_account_ids_are_resolved_only_as_far_as_needed(profiles):
    accounts = AwsAccounts(profiles)
    prod, staging = identify(accounts, [PROD, STAGING])
    assert accounts.reaches(PROD)
    prod.assert_no_pending_responses()
    with pytest.raises(AssertionError):
        staging.assert_no_pending_responses()  # staging's identity was never asked for


def test_an_account_without_credentials_says_how_to_add_it(profiles):
    accounts = AwsAccounts(profiles)
    identify(accounts, [PROD, STAGING])
    with pytest.raises(UnknownAccountError) as err:
        accounts.client("s3", "333333333333", "us-east-1")
    assert "333333333333" in str(err.value) and "[aws] accounts" in str(err.value)
    assert home_region("global") == "us-east-1" and home_region("eu-west-1") == "eu-west-1"


def test_the_default_session_is_the_one_account_without_aws_accounts(profiles, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "staging")
    accounts = AwsAccounts(Config(path=None))
    ((session, settings),) = list(accounts.configured())
    assert settings.regions == () and session.client("s3")._request_signer._credentials.access_key == "STAGINGKEY"


# -- planning one resource -----------------------------------------------------------------------

class Reach:
    """Accounts that reach only PROD, with no clients (nothing is sent from these tests)."""

    def reaches(self, account: str) -> bool:
        return account == PROD

    def known(self) -> list[str]:
        return [PROD]

    def client(self, service: str, account: str, region: str):
        return None


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def table(store, account: str, region: str, mode: str) -> Snapshot:
    path = f"aws/{account}/{region}/dynamodb/table/events.json"
    doc = {"Table": {"TableName": "events", "TableArn": "arn", "BillingModeSummary": {"BillingMode": mode}}}
    return Snapshot.in_memory(store, {path: dumps(doc)}, {"dynamodb/events": {
        "path": path, "service": "dynamodb", "type": "table", "account": account, "region": region}})


def test_a_resource_in_an_account_without_credentials_cannot_be_restored(store):
    ctx = RestoreContext(store, table(store, STAGING, "us-east-1", "PROVISIONED"),
                         table(store, STAGING, "us-east-1", "PAY_PER_REQUEST"), Reach())
    (op,) = plan_address(ctx, "dynamodb/events")
    assert op.verb == "cannot-restore" and op.run is None
    assert STAGING in op.detail and "add it under [aws] accounts" in op.detail


def test_a_live_twin_elsewhere_is_not_the_snapshot_resource(store):
    """An unqualified address names whichever copy exists: one now in another region is left alone."""
    ctx = RestoreContext(store, table(store, PROD, "us-east-1", "PROVISIONED"),
                         table(store, PROD, "eu-west-1", "PAY_PER_REQUEST"), Reach())
    (op,) = plan_address(ctx, "dynamodb/events")
    assert op.verb == "cannot-restore" and "eu-west-1" in op.detail and "not the same resource" in op.detail


def test_plan_order_is_dependency_order_and_stable_otherwise():
    kinds = {"route53/z": ("route53", "zone"), "lambda/f": ("lambda", "function"), "iam/role/r": ("iam", "role"),
             "cloudfront/D": ("cloudfront", "distribution"), "s3/b": ("s3", "bucket"), "s3/a": ("s3", "bucket")}
    ops = [Operation("route53/z", "upsert", "www"), Operation("s3/b", "put", "k1"),
           Operation("s3/b", "invalidate", "cloudfront/D", kind=("cloudfront", "invalidation")),
           Operation("cloudfront/D", "update", "ttl"), Operation("lambda/f", "update", "t"),
           Operation("s3/b", "put", "k2"), Operation("iam/role/r", "put", "p"), Operation("s3/a", "put", "k")]
    got = [(op.address, op.target) for op in in_dependency_order(ops, kinds, rank_of)]
    assert got == [("iam/role/r", "p"), ("s3/b", "k1"), ("s3/b", "k2"), ("s3/a", "k"), ("lambda/f", "t"),
                   ("cloudfront/D", "ttl"), ("s3/b", "cloudfront/D"), ("route53/z", "www")]


# -- Route53 batches -----------------------------------------------------------------------------

def rr(name: str, rtype: str = "A", values: tuple[str, ...] = ("192.0.2.1",), set_id: str | None = None) -> dict:
    out = {"Name": name, "Type": rtype, "TTL": 300, "ResourceRecords": [{"Value": v} for v in values]}
    return {**out, "SetIdentifier": set_id, "Weight": 1} if set_id else out


def test_batches_keep_a_name_together_deletions_first_and_count_long_values():
    long_txt = ('"' + "x" * 250 + '"',) * 10  # 2,520 characters a record: the character limit binds first
    changes = [{"Action": "UPSERT", "ResourceRecordSet": rr(f"t{i}.example.com.", "TXT", long_txt)} for i in range(20)]
    changes.insert(3, {"Action": "DELETE", "ResourceRecordSet": rr("t2.example.com.", "CNAME", ("old.example.net",))})
    batches = transform_batches(changes)
    for batch in batches:
        assert sum(change_weight(c)[0] for c in batch) <= MAX_RECORDS
        assert sum(change_weight(c)[1] for c in batch) <= MAX_VALUE_CHARS
    assert [c for b in batches for c in b if c["Action"] == "DELETE"]  # nothing lost
    (home,) = [b for b in batches if any(c["ResourceRecordSet"]["Name"] == "t2.example.com." for c in b)]
    t2 = [c["Action"] for c in home if c["ResourceRecordSet"]["Name"] == "t2.example.com."]
    assert t2 == ["DELETE", "UPSERT"]
    assert len(batches) == 4  # 20 x 5,040 counted characters, six to a batch
    with pytest.raises(ValueError):
        transform_batches([{"Action": "UPSERT", "ResourceRecordSet": rr("big.", values=tuple(map(str, range(600))))}])


def zone_snapshot(store, records: list[dict]) -> Snapshot:
    path = f"aws/{PROD}/global/route53/zone/example.com.json"
    doc = {"Id": "Z1", "Name": "example.com.", "RecordSets": records}
    return Snapshot.in_memory(store, {path: dumps(doc)}, {"route53/example.com": {
        "path": path, "service": "route53", "type": "zone", "account": PROD, "region": "global"}})


def test_a_record_route53_would_refuse_beside_a_kept_one_is_planned_out(store):
    """A CNAME cannot share its name (Route53 refuses the batch; the local endpoint does not):
    without --delete the live A record stays, so the CNAME cannot go back; with --delete the
    A record's DELETE comes first, in the same batch."""
    want = zone_snapshot(store, [rr("www.example.com.", "CNAME", ("cdn.example.net",))])
    have = zone_snapshot(store, [rr("www.example.com.", "A")])
    ops = plan_zone(RestoreContext(store, want, have, Reach()), "route53/example.com")
    assert [(op.verb, op.target) for op in ops] == [("kept", "www.example.com. A"),
                                                     ("cannot-restore", "www.example.com. CNAME")]
    assert "--delete" in ops[1].detail and not any(op.run for op in ops)
    sent = []

    class R53:
        def change_resource_record_sets(self, **kw):
            sent.append(kw["ChangeBatch"]["Changes"])

    class Reaches(Reach):
        def client(self, service, account, region):
            return R53()

    ops = plan_zone(RestoreContext(store, want, have, Reaches(), delete=True), "route53/example.com")
    for op in ops:
        if op.run:
            op.run()
    assert [[(c["Action"], c["ResourceRecordSet"]["Type"]) for c in b] for b in sent] == [[("DELETE", "A"), ("UPSERT", "CNAME")]]


# -- bodies the snapshot could not read ------------------------------------------------------------

def entry(key: str, etag: str, unreadable: str | None = None, blob: str | None = None) -> ObjectEntry:
    return ObjectEntry(key=key, size=5, etag=etag, sha256=None if unreadable else "0" * 64, blob=blob,
                       storage_class="GLACIER" if unreadable else None, unreadable=unreadable)


def bucket_snapshot(store, entries: list[ObjectEntry]) -> Snapshot:
    base = f"aws/{PROD}/us-east-1/s3/bucket/b"
    return Snapshot.in_memory(store, {f"{base}/bucket.json": dumps({"Name": "b", "Region": "us-east-1"}),
                                      f"{base}/objects.jsonl": dump_index(entries)},
                              {"s3/b": {"path": base, "service": "s3", "type": "bucket", "account": PROD,
                                        "region": "us-east-1"}})


def test_an_unreadable_body_is_cannot_restore_body_unless_live_has_it(store):
    """An index entry whose body could not be read (archived) has nothing to put back: the plan
    says so with the reason, and the restore ends incomplete (exit 3). When live still has the
    object (same ETag and size), there is nothing to do for it."""
    blob = store.add_bytes(b"hello")
    want = bucket_snapshot(store, [entry("gone.html", "e1", "archived (GLACIER)"),
                                   entry("same.html", "e2", "archived (GLACIER)"),
                                   entry("other.html", "e3", "archived (GLACIER)")])
    have = bucket_snapshot(store, [entry("same.html", "e2", blob=blob), entry("other.html", "e9", blob=blob)])
    ops = plan_bucket(RestoreContext(store, want, have, Reach(), live_services=frozenset({"s3", "cloudfront"})), "s3/b")
    assert [(op.verb, op.target, op.run) for op in ops] == [
        ("cannot-restore-body", "s3://b/gone.html", None), ("cannot-restore-body", "s3://b/other.html", None)]
    assert "archived (GLACIER)" in ops[0].detail
    plan = Plan("v1", "c" * 40, ops)
    (row,) = outcomes(plan, plan)
    assert not row.done and row.skipped  # the CLI turns this into "not fully restored", exit 3


def test_every_bucket_setting_restore_writes_has_a_place_in_the_order():
    for pab in (None, {"BlockPublicPolicy": True}):
        order = config_order({"PublicAccessBlock": pab})
        assert sorted(order) == sorted(CONFIG_CALLS) and order[0] == "OwnershipControls"
    assert config_order({}).index("PublicAccessBlock") < config_order({}).index("Policy")
    shut = config_order({"PublicAccessBlock": {"BlockPublicPolicy": True}})
    assert shut.index("Policy") < shut.index("PublicAccessBlock")


def test_invalidation_paths_follow_the_origin_path():
    assert viewer_paths(["site/a b.html", "other/x.html"], ["/site"]) == ["/a%20b.html"]
    assert viewer_paths(["a.html"], [""]) == ["/a.html"]
    assert viewer_paths([f"k{i}" for i in range(101)], [""]) == ["/*"]
