"""The reference central server: FastAPI over SQLModel, implementing docs/sync-protocol.md.

Bodies are read raw (after a size guard) and parsed here rather than by FastAPI, so that the
order of checks and the problem codes are exactly the contract's: authentication first, then
the Idempotency-Key, then the JSON, then its shape. Database work runs in the thread pool in
short transactions; a unique key decides every race (IntegrityError → read the winner again).

Nothing here logs a request body, a token or an exception message (those can hold case data);
an unexpected error is logged as its type and code locations only.

The routes are here; the protocol's models and checks in protocol.py, who may touch which case
in authz.py (its route x caller matrix: tests/test_central_authz.py), storage in storage.py,
the body-size guard in guard.py.
"""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake_tui.central.authz import Caller, require
from intake_tui.central.guard import Guard
from intake_tui.central.models import make_engine
from intake_tui.central.protocol import (
    PROBLEM_JSON,
    PROTOCOL_VERSION,
    AnchorIn,
    AnchorLatest,
    AnchorOut,
    BatchIn,
    BatchOut,
    BundleInfo,
    BundleOut,
    Clock,
    DeviceOut,
    EnrolIn,
    FollowupOutItem,
    FollowupReceipt,
    FollowupSubmissionIn,
    Health,
    PlanListItem,
    PlanPutIn,
    PlanPutOut,
    Problem,
    ProblemOut,
    Receipt,
    SubmissionIn,
    UtcClock,
    _unavailable,
    canonical,
    logger,
    parse_json,
    payload_sha256,
)
from intake_tui.central.records import check_key, normalize_code
from intake_tui.central.schema import init_db
from intake_tui.central.storage import Central


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": HTTPStatus(s).phrase, "content": {PROBLEM_JSON: {"schema": ref}}}
        for s in statuses
    }


_AUTH_PROBLEMS = (401, 403)
_COMPONENTS: dict[str, Any] = {}


def _body_schema(*models: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI requestBody for a model parsed by hand (or one of several: `oneOf`); nested
    models go to components."""
    refs = []
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        _COMPONENTS.update(schema.pop("$defs", {}))
        _COMPONENTS[model.__name__] = schema
        refs.append({"$ref": f"#/components/schemas/{model.__name__}"})
    body = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}}


def _header(name: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def create_app(
    db_url: str = "sqlite:///central.db",
    *,
    token_days: int = 180,
    max_body: int = 2 * 1024 * 1024,
    clock: Clock | None = None,
) -> FastAPI:
    """The central server over the database at `db_url` (tables are created when missing)."""
    engine = make_engine(db_url)
    init_db(engine, clock=clock)
    central = Central(engine, clock or UtcClock(), token_days)
    app = FastAPI(
        title="intake-tui central",
        version=str(PROTOCOL_VERSION),
        description="Reference server of the intake-tui sync protocol (docs/sync-protocol.md).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.central = central

    async def body_of(request: Request) -> Any:
        return parse_json(await request.body())

    async def caller_of(request: Request) -> Caller:
        caller: Caller = await run_in_threadpool(
            central.authenticate, request.headers.get("authorization")
        )
        return caller

    async def device_of(request: Request, action: Any) -> str:
        """The device's id, for a route only devices use (an account: 403 role_forbidden)."""
        caller = await caller_of(request)
        require(caller, action)
        return caller.id

    def json_response(
        body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> Response:
        return problem.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
        if error.status_code >= 500:
            code = "internal_error"
        return Problem(error.status_code, code, headers=dict(error.headers or {})).response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> Response:
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            return Problem(400, "bad_request").response()
        return Problem(422, "invalid_record").response()

    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, error: DBAPIError) -> Response:
        logger.error("database unavailable: %s", type(error.orig).__name__)
        return _unavailable().response()

    @app.get("/v1/health", responses={200: {"model": Health}, **_problem_responses(503)})
    async def health() -> Response:
        """Liveness and database reachability; no authentication."""
        return json_response(await run_in_threadpool(central.health))

    @app.post(
        "/v1/devices",
        status_code=201,
        responses={201: {"model": DeviceOut}, **_problem_responses(400, 401, 413)},
        openapi_extra=_body_schema(EnrolIn),
    )
    async def enrol(request: Request) -> Response:
        """Trade a one-time enrolment code for a device id and bearer token."""
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.enrol, data), 201)

    key_header = _header(
        "Idempotency-Key",
        "1-255 visible ASCII characters, fixed per frozen revision",
        required=True,
    )

    @app.post(
        "/v1/submissions",
        status_code=201,
        responses={
            201: {"model": Receipt | FollowupReceipt},
            200: {
                "model": Receipt | FollowupReceipt,
                "description": "Already stored (replay or another key)",
            },
            **_problem_responses(400, *_AUTH_PROBLEMS, 409, 413, 422, 503),
        },
        openapi_extra={
            **_body_schema(SubmissionIn, FollowupSubmissionIn),
            "parameters": [key_header],
        },
    )
    async def submit(request: Request) -> Response:
        """Deliver one record: a frozen plan revision, or a completed or missed talk
        (`kind: "followup"`); idempotent per (device, Idempotency-Key)."""
        device = await device_of(request, "submit")
        key = check_key(request.headers.get("idempotency-key"))
        data = await body_of(request)
        status, body = await run_in_threadpool(central.submit, device, key, data)
        return json_response(body, status)

    @app.post(
        "/v1/submissions:batch",
        responses={
            200: {"model": BatchOut},
            **_problem_responses(400, *_AUTH_PROBLEMS, 413, 503),
        },
        openapi_extra=_body_schema(BatchIn),
    )
    async def submit_batch(request: Request) -> Response:
        """Up to 100 submissions; one result per item, exactly as the single endpoint answers."""
        device = await device_of(request, "submit")
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.submit_batch, device, data))

    @app.get(
        "/v1/plans",
        responses={
            200: {"model": list[PlanListItem]},
            **_problem_responses(*_AUTH_PROBLEMS),
        },
    )
    async def list_plans(request: Request) -> Response:
        """The device's own cases with their latest plan version, to pull what is new."""
        caller = await caller_of(request)
        return json_response(await run_in_threadpool(central.list_plans, caller))

    @app.get(
        "/v1/plans/{interview_id}",
        responses={
            200: {"description": "The latest plan document (intake-export/2 or /1); ETag: version"},
            **_problem_responses(*_AUTH_PROBLEMS, 404),
        },
    )
    async def get_plan(request: Request, interview_id: str) -> Response:
        """The latest version of a plan (newest submitted revision or central edit)."""
        caller = await caller_of(request)
        latest = await run_in_threadpool(central.latest_plan, caller, interview_id)
        return Response(
            latest.document.encode("utf-8"),
            media_type="application/json",
            headers={"ETag": latest.etag},
        )

    @app.get(
        "/v1/plans/{interview_id}/followups",
        responses={
            200: {"model": list[FollowupOutItem]},
            **_problem_responses(*_AUTH_PROBLEMS, 404),
        },
    )
    async def get_followups(request: Request, interview_id: str) -> Response:
        """The case's completed and missed talks as received (intake-followup/1 documents),
        for whoever may read its plan."""
        caller = await caller_of(request)
        return json_response(await run_in_threadpool(central.case_followups, caller, interview_id))

    @app.put(
        "/v1/plans/{interview_id}",
        responses={
            200: {"model": PlanPutOut},
            **_problem_responses(400, *_AUTH_PROBLEMS, 404, 412, 413, 422, 428),
        },
        openapi_extra={
            **_body_schema(PlanPutIn),
            "parameters": [_header("If-Match", 'The version read, e.g. "3"', required=True)],
        },
    )
    async def put_plan(request: Request, interview_id: str) -> Response:
        """A central edit by an editor account; only on top of the version it read (If-Match)."""
        caller = await caller_of(request)
        if_match = request.headers.get("if-match")
        data = await body_of(request)
        result = await run_in_threadpool(central.put_plan, caller, interview_id, if_match, data)
        return json_response(result, headers={"ETag": result["etag"]})

    @app.post(
        "/v1/anchors",
        status_code=201,
        responses={
            201: {"model": AnchorOut},
            **_problem_responses(400, *_AUTH_PROBLEMS, 409, 413),
        },
        openapi_extra=_body_schema(AnchorIn),
    )
    async def anchor(request: Request) -> Response:
        """Keep a laptop's audit-chain head; one that goes back is 409 anchor_rollback."""
        device = await device_of(request, "anchor")
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.anchor, device, data), 201)

    @app.get(
        "/v1/anchors/latest",
        responses={200: {"model": AnchorLatest}, **_problem_responses(*_AUTH_PROBLEMS, 404)},
    )
    async def latest_anchor(request: Request) -> Response:
        """The device's last accepted anchor: what its audit chain must still contain."""
        device = await device_of(request, "anchor")
        return json_response(await run_in_threadpool(central.latest_anchor, device))

    @app.get(
        "/v1/bundles",
        responses={200: {"model": list[BundleInfo]}, **_problem_responses(*_AUTH_PROBLEMS)},
    )
    async def bundles(request: Request) -> Response:
        """The published questionnaire bundles."""
        await device_of(request, "bundles")
        return json_response(await run_in_threadpool(central.bundles))

    @app.get(
        "/v1/bundles/{bundle_id}/{version}",
        responses={200: {"model": BundleOut}, **_problem_responses(*_AUTH_PROBLEMS, 404)},
    )
    async def bundle(request: Request, bundle_id: str, version: str) -> Response:
        """One bundle's files (base64); the laptop checks sha256 and validates before use."""
        await device_of(request, "bundles")
        return json_response(await run_in_threadpool(central.bundle, bundle_id, version))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas.update(_COMPONENTS)
            schemas["Problem"] = ProblemOut.model_json_schema()
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            for path, operations in schema["paths"].items():
                for operation in operations.values():
                    public = path in ("/v1/health", "/v1/devices")
                    operation["security"] = [] if public else [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(Guard, max_body=max_body)
    return app


def encode_files(files: dict[str, bytes]) -> str:
    """Bundle files as stored: JSON {name: base64}."""
    return json.dumps(
        {name: base64.b64encode(content).decode("ascii") for name, content in files.items()},
        sort_keys=True,
    )


__all__ = [
    "Problem",
    "canonical",
    "create_app",
    "encode_files",
    "normalize_code",
    "payload_sha256",
]
