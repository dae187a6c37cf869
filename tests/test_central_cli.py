"""The admin's side of least privilege, through the real `intake-central` command (a subprocess):
organisations on enrolment codes and devices, back-office accounts, the hand-over of a case,
and the central audit log that records each of them (issue 15, items 1, 3 and 4)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from .central_helpers import make_document, serve_central, submission
from .central_server import assert_problem, run_cli


def _enrol(base: str, code: str, name: str) -> tuple[str, str]:
    enrol = httpx.post(f"{base}/v1/devices", json={"code": code, "name": name}, trust_env=False)
    assert enrol.status_code == 201, enrol.text
    return enrol.json()["device_id"], enrol.json()["token"]


def _code(db_url: str, *org: str) -> str:
    made = run_cli("enrolment-code", *(("--org", org[0]) if org else ()), "--db", db_url)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_organisations_accounts_transfers_and_their_audit(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    no_org = run_cli("enrolment-code", "--db", db_url)
    assert "warning: no --org" in no_org.stderr  # a laptop nobody in the back office sees

    with serve_central(db_url) as (base, _app):
        here, here_token = _enrol(base, _code(db_url, "0363"), "laptop A")
        peer, _peer_token = _enrol(base, _code(db_url, "0363"), "laptop B")
        elsewhere, _t = _enrol(base, _code(db_url, "0599"), "laptop C")
        devices = run_cli("devices", "--db", db_url).stdout
        assert f"{here}\tlaptop A\t0363" in devices and f"{elsewhere}\tlaptop C\t0599" in devices

        # A back-office account: its token is printed once, never listed.
        added = run_cli(
            "account", "add", "j.jansen", "--role", "editor", "--org", "0363", "--db", db_url
        )
        assert added.returncode == 0, added.stderr
        editor_token = added.stdout.strip()
        listed = run_cli("account", "list", "--db", db_url)
        assert "j.jansen\teditor\t0363" in listed.stdout and editor_token not in listed.stdout
        again = run_cli("account", "add", "j.jansen", "--role", "privacy", "--db", db_url)
        assert again.returncode == 1 and "exists already" in again.stderr
        bad_role = run_cli("account", "add", "x", "--role", "root", "--db", db_url)
        assert bad_role.returncode == 1

        case = str(uuid.uuid4())
        sent = httpx.post(
            f"{base}/v1/submissions",
            json=submission(make_document(case, 1, "discussed")),
            headers={"Authorization": f"Bearer {here_token}", "Idempotency-Key": "k-1"},
            trust_env=False,
        )
        assert sent.status_code == 201, sent.text
        read = httpx.get(
            f"{base}/v1/plans/{case}",
            headers={"Authorization": f"Bearer {editor_token}"},
            trust_env=False,
        )
        assert read.status_code == 200

        # Hand-overs: refused with a reason when they make no sense, audited when done.
        unknown = run_cli("transfer", "no-such-case", "--to-device", peer, "--db", db_url)
        assert unknown.returncode == 1 and "no case no-such-case" in unknown.stderr
        same = run_cli("transfer", case, "--to-device", here, "--db", db_url)
        assert same.returncode == 1 and "already on device" in same.stderr
        across = run_cli("transfer", case, "--to-device", elsewhere, "--db", db_url)
        assert across.returncode == 1 and "--across-organisations" in across.stderr
        moved = run_cli("transfer", case, "--to-device", peer, "--db", db_url)
        assert moved.returncode == 0, moved.stderr
        assert "next sync" in moved.stderr
        gone = httpx.get(
            f"{base}/v1/plans/{case}",
            headers={"Authorization": f"Bearer {here_token}"},
            trust_env=False,
        )
        assert_problem(gone, 404, "not_found")

        # An account that is revoked stops at once.
        assert run_cli("account", "revoke", "j.jansen", "--db", db_url).returncode == 0
        refused = httpx.get(
            f"{base}/v1/plans/{case}",
            headers={"Authorization": f"Bearer {editor_token}"},
            trust_env=False,
        )
        assert_problem(refused, 403, "account_revoked")

        moved_org = run_cli("device-org", elsewhere, "--org", "0363", "--db", db_url)
        assert moved_org.returncode == 0, moved_org.stderr

    log = run_cli("audit", "list", "--db", db_url)
    assert log.returncode == 0, log.stderr
    actions = [line.split("\t")[2] for line in log.stdout.splitlines()]
    assert actions == [  # newest first
        "device_org",
        "account_revoke",
        "case_transfer",
        "plan_read",
        "account_add",
        "enrolment_code",
        "enrolment_code",
        "enrolment_code",
        "enrolment_code",
    ]
    for_case = run_cli("audit", "list", "--id", case, "--db", db_url).stdout.splitlines()
    assert [line.split("\t")[2] for line in for_case] == ["case_transfer", "plan_read"]
    transfer = for_case[0]
    assert transfer.split("\t")[1].startswith("admin:")
    assert f"from={here}" in transfer and f"to={peer}" in transfer
    assert for_case[1].split("\t")[1] == "account:j.jansen"
    assert editor_token not in log.stdout and "jdevries" not in log.stdout  # no secrets, no values
