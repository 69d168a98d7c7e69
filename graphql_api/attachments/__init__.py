"""Attachments: the GraphQL type, upload mutations, the query and the download route."""
