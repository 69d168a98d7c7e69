"""The Starlette application: GraphQL with GraphiQL, attachment downloads, health."""

from __future__ import annotations

import contextlib
import json
import logging

from cross_web import HTTPException
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from segments_module.config import Settings, load_settings
from segments_module.contact_store import ContactStore, EmbeddedContactStore
from segments_module.db import create_db_engine
from segments_module.delivery import SmtpSettings
from segments_module.manifest import load_manifest
from segments_module.services.jobs import JobRunner

from .attachments.multipart import RequestLimits, parse_multipart_request
from .attachments.routes import attachment_routes
from .context import Context, UserHeaderError, actor_from_request
from .limits import error_response
from .schema import schema

logger = logging.getLogger(__name__)


class GraphQLApp(GraphQL):
    """Strawberry's ASGI app with the module's context for each request.

    Multipart requests carry file uploads; RequestLimits requires their CSRF
    header and limits their size before they get here.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        store: ContactStore,
        runner: JobRunner | None = None,
        smtp_settings: SmtpSettings | None = None,
    ):
        super().__init__(schema, graphql_ide="graphiql", multipart_uploads_enabled=True)
        self.engine = engine
        self.settings = settings
        self.store = store
        self.runner = runner
        self.smtp_settings = smtp_settings

    def decode_json(self, data: str | bytes) -> object:
        """Parse a request body; reject shapes that Strawberry fails on with a 500."""
        try:
            decoded = json.loads(data)
        except RecursionError as error:
            raise HTTPException(
                400, "The request body is nested too deeply. Send a flatter JSON body."
            ) from error
        requests = decoded if isinstance(decoded, list) else [decoded]
        for request in requests:
            if not isinstance(request, dict):
                raise HTTPException(
                    400,
                    "The request body must be a JSON object with a query, "
                    'e.g. {"query": "{ segments { totalCount } }"}.',
                )
            if not isinstance(request.get("operationName"), str | None):
                raise HTTPException(
                    400, "operationName must be a string or null. Fix the request body."
                )
        return decoded

    async def parse_multipart(self, request) -> dict[str, object]:
        return await parse_multipart_request(request, self.parse_json)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject a request whose user headers are invalid before it runs.

        Every operation of the request would fail the same way, so it gets one
        HTTP 400 instead of an error per field.
        """
        if scope["type"] == "http":
            try:
                actor_from_request(HTTPConnection(scope))
            except UserHeaderError as error:
                logger.info("Request rejected: %s", error)
                response = error_response(str(error), "INVALID_HEADER", 400)
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: HTTPConnection, response) -> Context:
        return Context(
            engine=self.engine,
            settings=self.settings,
            store=self.store,
            actor=actor_from_request(request),
            request=request,
            runner=self.runner,
            smtp_settings=self.smtp_settings,
        )


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    store: ContactStore | None = None,
    smtp_settings: SmtpSettings | None = None,
) -> Starlette:
    """Build the application; an engine passed in stays open when the app stops.

    The manifest is read and validated first, so a broken install fails at start-up;
    it also gives the path GraphQL is mounted at. SMTP settings for delivery are
    read from the SEGMENTS_SMTP_* variables at start-up unless `smtp_settings` is
    given. Long merge and delivery jobs run on worker threads of the app, which
    finish their jobs before the app stops.
    """
    manifest = load_manifest()
    mount_path = manifest.graphql["mount_path"]
    settings = settings or load_settings()
    owns_engine = engine is None
    if engine is None:
        engine = create_db_engine(settings.database_url)
    smtp_settings = smtp_settings or SmtpSettings.from_env()
    runner = JobRunner()
    graphql_app = GraphQLApp(
        engine=engine,
        settings=settings,
        store=store or EmbeddedContactStore(),
        runner=runner,
        smtp_settings=smtp_settings,
    )

    def healthz(request: Request) -> JSONResponse:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        logger.info("GraphQL API started on database %s", engine.url.render_as_string())
        yield
        runner.shutdown()
        if owns_engine:
            engine.dispose()

    return Starlette(
        routes=[
            Route(mount_path, graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            *attachment_routes(engine, settings),
        ],
        middleware=[
            Middleware(RequestLimits, max_upload_bytes=settings.max_upload_bytes)
        ],
        lifespan=lifespan,
    )
