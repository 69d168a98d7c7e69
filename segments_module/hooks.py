"""Install and uninstall hooks named in the manifest, as an Odoo host calls them.

Uninstalling removes the module's own tables and keeps the embedded contact
store's tables (contacts, their groups, relations and profile answers,
salespersons, campaigns, languages), because a host may own or fill them and they
hold no data of the module's own. The version table then records revision
segments_0001, so a later install creates only the module's tables again.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from . import migrate
from .db import session_scope
from .models import NumberSeries
from .services.numbering import SEGMENT_SERIES, SEGMENT_SERIES_START

logger = logging.getLogger(__name__)


def post_init_hook(engine: Engine) -> None:
    """Create or upgrade the module's tables and the segment number series."""
    migrate.upgrade(engine)

    with session_scope(engine, write=True) as session:
        if session.get(NumberSeries, SEGMENT_SERIES) is None:
            session.add(
                NumberSeries(code=SEGMENT_SERIES, last_no_used=SEGMENT_SERIES_START)
            )
            logger.info("Created the number series %s", SEGMENT_SERIES)


def uninstall_hook(engine: Engine, *, drop_contact_store: bool = False) -> None:
    """Drop the module's tables, and the contact store's if `drop_contact_store`."""
    # A database made by metadata.create_all has no version row, and a downgrade
    # would find nothing to undo.
    migrate.stamp_unversioned_tables(engine)
    if migrate.current_revision(engine) is None:
        logger.info("Nothing to uninstall: the module's tables do not exist")
        return

    if not drop_contact_store:
        migrate.downgrade(engine, migrate.CONTACT_STORE_REVISION)
        logger.info("Uninstalled the module and kept the contact store's tables")
        return

    migrate.downgrade(engine, "base")
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {migrate.VERSION_TABLE}"))
    logger.info("Uninstalled the module with the contact store's tables")
