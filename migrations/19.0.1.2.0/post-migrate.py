"""Issue #23: the expiries' unique index on origin_id is the column's only index; Odoo keeps a field's index it
no longer declares, so the plain one goes here."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS claim_reward_entry__origin_id_index")
