"""The two batch patterns every cron and batch path of the addon shares.

- `process_locked_batch`: take the next batch of a domain that no concurrent run holds
  (SELECT ... FOR UPDATE SKIP LOCKED), process it, say what remains for `ir.cron`.
- `create_skipping_duplicates`: create a batch whose unique indexes make a concurrent
  run's rows collide; on a collision, create one by one and skip those that exist.
- `changes_since_last_run`: the moment from which a periodic job reads what changed.
"""

import contextlib
import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import fields
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

# A transaction that started before a run and committed after it is still read by the next run.
RUN_OVERLAP = timedelta(minutes=10)
# What a concurrent transaction's rows make a write fail with.
CONCURRENT_ERRORS = (pg_errors.UniqueViolation, pg_errors.SerializationFailure)


def lock_batch(records):
    """The rows of `records` no concurrent transaction holds. Rows changed since this
    transaction's snapshot fail the lock with a serialization error: they are left to the
    next run, the whole batch with them."""
    if not records:
        return records
    try:
        with mute_logger("odoo.sql_db"), records.env.cr.savepoint(flush=False):
            return records.try_lock_for_update()
    except pg_errors.SerializationFailure:
        _logger.info("%s: rows changed by a concurrent run since this transaction began", records._name)
        return records.browse()


def process_locked_batch(model, domain, limit, process, order="id", fetch=()):
    """`process` the next `limit` records of `domain` that no concurrent run holds.

    `process` must take its records out of `domain` (one that fails stays in it, for the next
    run). One query reads the batch, with the fields in `fetch`, and what waits after it up to
    one more batch: a batch costs the same whatever the backlog. Returns (processed, remaining)
    for `ir.cron._commit_progress`.
    """
    found = model.search_fetch(domain, list(fetch), limit=2 * limit, order=order)
    batch = lock_batch(found[:limit])
    if batch:
        process(batch)
    return len(batch), min(limit, len(found) - len(batch))


def create_skipping_duplicates(model, vals_list):
    """Create records from `vals_list` in one batch; when a concurrent transaction
    created some of them first (unique index), create the others one by one."""
    if not vals_list:
        return model.browse()
    try:
        with mute_logger("odoo.sql_db"), model.env.cr.savepoint():
            return model.create(vals_list)
    except CONCURRENT_ERRORS:
        _logger.info("%s: rows created concurrently; creating one by one", model._name)
    created = model.browse()
    for vals in vals_list:
        try:
            with mute_logger("odoo.sql_db"), model.env.cr.savepoint():
                created |= model.create(vals)
        except CONCURRENT_ERRORS:
            _logger.info("%s: %s already exists", model._name, vals)
    return created


@contextlib.contextmanager
def changes_since_last_run(env, key):
    """Yield (since, started): since, the start of the last run less RUN_OVERLAP (None on the first run), from which
    this run reads what changed (`write_date`); started, this transaction's start, recorded under the
    ir.config_parameter `key` as the next run's mark when the block ends without error."""
    params = env["ir.config_parameter"].sudo()
    last = params.get_param(key)
    env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
    started = env.cr.fetchone()[0]
    yield (fields.Datetime.to_datetime(last) - RUN_OVERLAP if last else None), started
    params.set_param(key, fields.Datetime.to_string(started))
