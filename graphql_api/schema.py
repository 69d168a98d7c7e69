"""The schema, composed from the domain folders, with its security extensions."""

from __future__ import annotations

import logging
from functools import lru_cache, partial

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from .attachments.mutations import AttachmentMutations
from .attachments.queries import AttachmentQueries
from .company.schema import CompanyMutations, CompanyQueries
from .contacts.queries import ContactQueries
from .delivery.mutations import DeliveryMutations
from .delivery.queries import DeliveryQueries
from .errors import ClientError
from .interactions.mutations import InteractionMutations
from .interactions.queries import InteractionQueries
from .logged_segments.mutations import LoggedSegmentMutations
from .logged_segments.queries import LoggedSegmentQueries
from .scalars import SCALAR_MAP
from .segments.mutations import SegmentMutations
from .segments.queries import SegmentQueries

logger = logging.getLogger("graphql_api")

# The deepest query the schema allows today, segments > edges > node > lines >
# edges > node > contactName, is 6 levels by Strawberry's count, which skips
# introspection fields. graphql-core 3.3's full introspection query is 183 tokens.
MAX_QUERY_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30
# Documents whose parse and validation are kept; clients repeat a few documents.
CACHED_DOCUMENTS = 256

# The depth and alias limits are validation rules. Strawberry's limiters create new
# rule classes per instance, and ValidationCache keys on the rules, so the rules
# are built once here and added to every request.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def is_unexpected(error: GraphQLError) -> bool:
    """Return True for a resolver exception that the client must not see."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | ClientError)


class CloseReadSession(SchemaExtension):
    """Close the request's read session when the operation ends."""

    def on_operation(self):
        yield
        context = self.execution_context.context
        close = getattr(context, "close", None)
        if close is not None:
            close()


@lru_cache(maxsize=CACHED_DOCUMENTS)
def operation_type(query: str, operation_name: str | None) -> str | None:
    """Return "query", "mutation" or "subscription" for the operation to run."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    for operation in operations:
        if operation_name is None or (
            operation.name is not None and operation.name.value == operation_name
        ):
            return operation.operation.value
    return None


class Schema(strawberry.Schema):
    async def execute(
        self,
        query,
        variable_values=None,
        context_value=None,
        root_value=None,
        operation_name=None,
        allowed_operation_types=None,
        operation_extensions=None,
    ):
        """Run queries on a worker thread, so their database reads overlap.

        Query resolvers and loaders are synchronous and block on the database; on
        the event loop they would serialise concurrent requests. Mutations have
        async resolvers that move their own work to a thread.
        """
        arguments = (
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if query and operation_type(query, operation_name) == "query":
            return await run_in_threadpool(partial(self.execute_sync, *arguments))
        return await super().execute(*arguments)

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Log each unexpected error in full; the client gets it masked."""
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "Unexpected error in %s at %s",
                    execution_context.operation_name if execution_context else None,
                    error.path,
                    exc_info=error.original_error,
                )
            else:
                logger.debug("Client error: %s", error.message)


Query = merge_types(
    "Query",
    (
        SegmentQueries,
        LoggedSegmentQueries,
        InteractionQueries,
        ContactQueries,
        AttachmentQueries,
        DeliveryQueries,
        CompanyQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        SegmentMutations,
        LoggedSegmentMutations,
        InteractionMutations,
        AttachmentMutations,
        DeliveryMutations,
        CompanyMutations,
    ),
)

schema = Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        lambda: MaskErrors(should_mask_error=is_unexpected),
        CloseReadSession,
    ],
)
