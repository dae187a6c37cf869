"""Generated requests against the real central server on loopback (uvicorn, SQLite file).

Whatever arrives, the server answers below 500, and every error it gives is
`application/problem+json` with a stable `code` (docs/sync-protocol.md). Three tests:

- the served OpenAPI document is a valid OpenAPI 3.1 document (openapi-spec-validator);
- schemathesis (v4) generates requests for every operation of the served /openapi.json, in the
  positive and the negative mode, with an enrolled device's bearer token; checks
  `not_a_server_error` plus the response conformance checks, and the problem shape;
- Hypothesis generates what schemathesis does not reach: valid submissions with up to three
  mutations and (mostly) the hash recomputed, so they get past the hash check into the
  document and record checks and the database,
  random JSON, wrong types, lone surrogates, huge strings, deep nesting, raw bytes, and
  Idempotency-Key / If-Match / Authorization variants, for every path and method in the schema.

Small example counts keep the file under 20 s; for a longer hunt set FUZZ_EXAMPLES (examples
per operation and mode for schemathesis, default 20; the Hypothesis test runs ten times as
many, default 200).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

# The test extra installs both; a missing one fails the run instead of skipping the check.
import openapi_spec_validator
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from intake_tui.central import admin
from intake_tui.central.app import create_app

from .central_helpers import enrolled, make_document, run_uvicorn, sha256_of, submission
from .conftest import DEFAULT_BUNDLE

PROBLEM_JSON = "application/problem+json"
SEEDED = "fuzz-seeded-1"  # a plan the server holds, so GET/PUT /v1/plans reach the database
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


@dataclass
class Served:
    base: str
    token: str
    db_url: str
    openapi: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'central.db'}"
    app = create_app(db_url)
    try:
        with run_uvicorn(app) as base:
            _device, token = enrolled(db_url, base, name="fuzz-laptop")
            admin.publish_bundle(db_url, DEFAULT_BUNDLE)
            seeded = httpx.post(
                f"{base}/v1/submissions",
                json=submission(make_document(SEEDED, 1)),
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "seed-1"},
                timeout=10,
                trust_env=False,
            )
            assert seeded.status_code == 201, seeded.text
            openapi = httpx.get(f"{base}/openapi.json", timeout=10, trust_env=False).json()
            yield Served(base, token, db_url, openapi)
    finally:
        app.state.engine.dispose()


def check_answer(status: int, content_type: str, content: bytes, where: str) -> None:
    """Below 500; an error is problem+json with a string `code` and the status it came with;
    a batch's 200 holds one such answer per item."""
    assert status < 500, f"{where}: {status} {content[:300]!r}"
    if status >= 400:
        assert content_type.split(";")[0].strip() == PROBLEM_JSON, f"{where}: {content_type}"
        body = json.loads(content)
        assert isinstance(body, dict), where
        assert isinstance(body.get("code"), str) and body["code"], f"{where}: {body}"
        assert body.get("status") == status, f"{where}: {body}"
        assert {"type", "title", "detail"} <= set(body), f"{where}: {body}"
    elif status == 200 and content_type.startswith("application/json") and b'"results"' in content:
        body = json.loads(content)
        if isinstance(body, dict) and isinstance(body.get("results"), list):
            for n, result in enumerate(body["results"]):
                item = int(result["status"])
                assert item < 500, f"{where} item {n}: {result}"
                if item >= 400:
                    assert isinstance(result["body"].get("code"), str), f"{where}: {result}"


# -- the OpenAPI document ---------------------------------------------------------------------


def test_the_served_openapi_document_is_valid(served: Served) -> None:
    openapi_spec_validator.validate(served.openapi)
    operations = {
        (method.upper(), path) for path, item in served.openapi["paths"].items() for method in item
    }
    assert ("POST", "/v1/submissions") in operations and len(operations) >= 9


# -- schemathesis: every operation of the served schema ---------------------------------------


@pytest.fixture
def api_schema(served: Served) -> Any:
    schema = schemathesis.openapi.from_url(f"{served.base}/openapi.json")
    schema.config.update(base_url=served.base, headers=served.auth, request_timeout=10)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=False,
    )
    return schema


lazy = schemathesis.pytest.from_fixture("api_schema")

# Not among the checks: positive_data_acceptance (a schema-valid submission still needs a
# payload_sha256 that matches its document, which a generator cannot guess) and
# negative_data_rejection (the batch answers 200 with a 4xx per bad item, by design).
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@lazy.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_schemathesis_requests_get_no_server_error_and_problem_json(
    case: Any, served: Served
) -> None:
    response = case.call(headers=served.auth)
    case.validate_response(response, checks=CHECKS)
    content_type = response.headers.get("content-type", [""])  # schemathesis: lists
    check_answer(
        response.status_code,
        content_type[0] if isinstance(content_type, list) else content_type,
        response.content,
        f"{case.method} {case.formatted_path}",
    )


# -- Hypothesis: deeper and stranger inputs ---------------------------------------------------


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """one_of with weights (Hypothesis picks a branch of one_of about evenly)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda n: table[n])


SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\ud83d"])
ODD_TEXT = weighted(
    (6, st.text(max_size=40)),
    (2, st.text(st.characters(codec="utf-8"), max_size=20)),
    (1, SURROGATES),
    (
        2,
        st.sampled_from(
            [
                "",
                " ",
                "\x00",
                "\u202e",
                "ﷺ" * 50,
                "😀",
                "../../etc",
                "%2F",
                "x" * 300,
                "a" * 70_000,
                "NaN",
                "null",
                "1e400",
            ]
        ),
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, 1e308, -0.0, 2.5]),
    ODD_TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(ODD_TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)

SUBMISSION_FIELDS = [
    "interview_id",
    "revision",
    "previous_revision",
    "status",
    "payload_sha256",
    "document",
]


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON value (keys of objects, indexes of arrays)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


TEMPLATE = make_document("fuzz-template", 2, "final", 1)
DOCUMENT_PATHS = list(_paths(TEMPLATE))


def _rehash(body: dict[str, Any]) -> None:
    """Make payload_sha256 the document's hash when it can be computed."""
    with contextlib.suppress(UnicodeError, TypeError, ValueError, KeyError, RecursionError):
        body["payload_sha256"] = sha256_of(body["document"])


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid submission, then zero to three mutations; usually re-hashed afterwards."""
    interview_id = draw(
        weighted(
            (1, st.just(SEEDED)), (7, st.from_regex(r"\Afz[a-z0-9._:-]{1,12}\Z")), (2, ODD_TEXT)
        )
    )
    revision = draw(weighted((8, st.integers(1, 4)), (2, SCALARS)))
    document = json.loads(json.dumps(TEMPLATE))
    if isinstance(interview_id, str) and isinstance(revision, int):
        document["record"]["interview_id"] = interview_id
        document["record"]["revision"] = revision
        document["record"]["previous_revision"] = revision - 1 if revision > 1 else None
    record = document["record"]
    body: dict[str, Any] = {
        "interview_id": interview_id,
        "revision": revision,
        "previous_revision": record["previous_revision"],
        "status": record["status"],
        "payload_sha256": "0" * 64,
        "document": document,
    }
    _rehash(body)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["doc_set", "doc_drop", "doc_add", "top_set", "top_drop"]))
        if kind.startswith("doc"):
            path = draw(st.sampled_from(DOCUMENT_PATHS))
            parent: Any = body.get("document")
            try:
                for step in path[:-1]:
                    parent = parent[step]
                if kind == "doc_set":
                    parent[path[-1]] = draw(JSON)
                elif kind == "doc_drop" and isinstance(parent, dict):
                    parent.pop(path[-1], None)
                elif kind == "doc_add" and isinstance(parent, dict):
                    parent[draw(ODD_TEXT)] = draw(JSON)
            except (KeyError, IndexError, TypeError):
                pass
        elif kind == "top_set":
            body[draw(st.sampled_from([*SUBMISSION_FIELDS, "extra"]))] = draw(JSON)
        else:
            body.pop(draw(st.sampled_from(SUBMISSION_FIELDS)), None)
    if draw(st.integers(0, 9)) < 8:
        _rehash(body)
    return body


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"null",
            b"NaN",
            b'{"a": Infinity}',
            b"\xff\xfe{}",
            b'{"document": "\xc3\x28"}',
            b'"\\ud800"',
            b'{"items": "\\udfff"}',
            _deep(50_000).encode(),
            ('{"document":' + _deep(900) + "}").encode(),
            b'{"a":1,"a":2}',
            b"x" * (2 * 1024 * 1024 + 10),
        ]
    ),
)


def _to_json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=True)  # lone surrogates go as \udxxx escapes
    while FRESH in text:
        text = text.replace(FRESH, str(uuid.uuid4()), 1)
    return text.encode("ascii")


@st.composite
def bodies(draw: st.DrawFn, path: str) -> bytes | None:
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return None
    if kind <= 2:
        return draw(RAW_BODIES)
    if kind <= 4:
        return _to_json(draw(JSON))
    if path == "/v1/submissions" or (path.startswith("/v1/plans") and kind < 12):
        sub = draw(submissions())
        if path.startswith("/v1/plans"):
            return _to_json({"document": sub.get("document")})
        return _to_json(sub)
    if path == "/v1/submissions:batch":
        items = draw(
            st.lists(
                st.one_of(
                    st.builds(
                        lambda key, sub: {"idempotency_key": key, "submission": sub},
                        KEYS,
                        submissions(),
                    ),
                    JSON,
                ),
                max_size=4,
            )
        )
        if draw(st.booleans()):
            return _to_json({"items": items * draw(st.sampled_from([1, 26]))})
        return _to_json({"items": items})
    if path == "/v1/devices":
        return _to_json(draw(st.fixed_dictionaries({"code": JSON, "name": JSON})))
    if path == "/v1/anchors":
        seq = draw(weighted((4, st.integers(-5, 2**64)), (1, SCALARS)))
        digest = draw(weighted((4, st.from_regex(r"\A[0-9a-fA-F]{30,130}\Z")), (1, ODD_TEXT)))
        return _to_json({"seq": seq, "hash": digest})
    return _to_json(draw(JSON))


# Header values as sent on the wire: visible ASCII, spaces inside, and latin-1 bytes (obs-text).
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=30,
).map(lambda text: text.strip(" \t"))
FRESH = "{fresh}"  # replaced by a new uuid4 when sent (Hypothesis likes to repeat its uuids)
KEYS = weighted(
    (6, st.just(FRESH)),
    (1, st.uuids().map(str)),
    (1, st.sampled_from(["", "a", "k" * 255, "k" * 256, "with space", "tab\tkey", "é", "~!"])),
    (1, HEADER_TEXT),
)
IF_MATCH = st.one_of(
    st.sampled_from(['"1"', "1", "*", 'W/"1"', '"1", "2"', '"999"', '""', ",", '"', "-1"]),
    HEADER_TEXT,
)


def _path_value(draw: st.DrawFn) -> str:
    value = draw(
        st.one_of(
            st.just(SEEDED),
            st.just("brede-intake"),
            st.text(min_size=1, max_size=20),
            SURROGATES,
            st.sampled_from(["..", "/", "%", "\x00", "a" * 3000, "😀", " "]),
        )
    )
    return quote(value.encode("utf-8", "surrogatepass"), safe="")  # lone surrogates: bad UTF-8


@st.composite
def requests(draw: st.DrawFn, operations: list[tuple[str, str]]) -> dict[str, Any]:
    deep = [op for op in operations if op[0] in ("POST", "PUT")]  # bodies: most of the work
    method, template = draw(weighted((1, st.sampled_from(operations)), (2, st.sampled_from(deep))))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(["DELETE", "PATCH", "GET", "POST", "PUT", "OPTIONS"]))
    path = re.sub(r"\{[^}]+\}", lambda _m: _path_value(draw), template)
    headers: dict[str, str] = {}
    auth = draw(st.integers(0, 19))
    if auth < 17:
        headers["Authorization"] = "Bearer {token}"
    elif auth == 17:
        headers["Authorization"] = draw(
            st.sampled_from(["Bearer", "Basic abc", "bearer  {token}", "Bearer {token}x"])
        )
    elif auth == 18:
        headers["Authorization"] = draw(HEADER_TEXT)
    if draw(st.integers(0, 9)) < 8:
        headers["Idempotency-Key"] = draw(KEYS)
    if draw(st.integers(0, 9)) < 8:
        headers["If-Match"] = draw(IF_MATCH)
    if draw(st.integers(0, 9)) == 0:
        headers["Content-Type"] = draw(st.sampled_from(["text/plain", "application/xml", ""]))
    body = draw(bodies(template))
    return {"method": method, "path": path, "headers": headers, "body": body}


def test_generated_requests_get_no_server_error_and_problem_json(served: Served) -> None:
    operations = [
        (method.upper(), path)
        for path, item in served.openapi["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    ]
    client = httpx.Client(base_url=served.base, timeout=20, trust_env=False)
    seen: dict[int, int] = {}

    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "0")) * 10 or 200,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(request=requests(operations))
    def run(request: dict[str, Any]) -> None:
        headers = {
            name: value.replace("{token}", served.token)
            .replace(FRESH, str(uuid.uuid4()))
            .encode("latin-1")
            for name, value in request["headers"].items()
        }
        body = request["body"]
        try:
            response = client.request(
                request["method"], request["path"], headers=headers, content=body
            )
        except httpx.TransportError:
            # Only an oversized body may make the server hang up (after draining a while).
            assert len(body or b"") > 2 * 1024**2
            return
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        check_answer(
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
            f"{request['method']} {request['path']} headers={request['headers']} "
            f"body({len(body or b'')} bytes)={(body or b'')[:400]!r}",
        )

    try:
        run()
    finally:
        client.close()
    print(f"\n[fuzz] statuses={dict(sorted(seen.items()))}")
    assert any(200 <= s < 300 for s in seen) and any(400 <= s < 500 for s in seen)


def test_the_seeded_plan_survives_the_fuzzing(served: Served) -> None:
    """The server still works after whatever the other tests sent (runs after them in file
    order on one worker; on its own it checks the seeding)."""
    answer = httpx.get(
        f"{served.base}/v1/plans/{SEEDED}", headers=served.auth, timeout=10, trust_env=False
    )
    assert answer.status_code == 200 and answer.headers["etag"].startswith('"')
