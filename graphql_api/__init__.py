"""The GraphQL API of the module: Strawberry on Starlette, GraphiQL at /graphql."""
