"""Benchmark of the reward ledger: balances and the expiry cron.

Run through bench/run_bench_reward.sh, or by hand on a database that has the addon:
    python bench/bench_reward.py --db DB [--partners 100000] [--per-partner 10] -- ODOO_ARGS...

Data (created in SQL, committed): P partners with `per-partner` entries each
(70 % earn entries of which about half are past their validity, redemptions, adjustments).
Figures, as `name: value` lines:
  balance   claim.reward.entry._balances(all partners, company): one _read_group;
  field     partners.mapped("reward_points") on an empty record cache (the form / list path);
  raw SQL   SELECT partner_id, SUM(points) ... GROUP BY partner_id (the baseline, same run; also once
            with the `partner_id IN (...)` list of all partners);
            measured in --rounds alternating rounds (addon, raw, addon, raw, ...), each round printed,
            then the median ratio and its range: cold (the registry's ormcaches and the record cache
            cleared before each addon call, as in a worker that just started), then warm (the record
            cache only, as in a new request). PostgreSQL's buffers are warm in both modes;
  expiry    _expire_points(batch) + commit until nothing remains, then a rerun (must write 0).
"""

import statistics
import time

from benchlib import odoo_env, out, parser, run_batches, timed

SMOKE_ARGS = [
    "--partners",
    "200",
    "--per-partner",
    "3",
    "--batch",
    "100",
    "--rounds",
    "5",
]  # bench/smoke.py (tools/test)
RULES = 1000  # earn entries are unique per (rule, callback): RULES x CALLBACKS pairs


def create_data(env, n_partners, per_partner, tag):
    cr = env.cr
    company = env.company
    rules = env["claim.reward.rule"].create(
        [{"name": f"Bench {tag} {i}", "event": "survey_completed", "points": 10, "active": False} for i in range(RULES)]
    )
    n_earn = n_partners * per_partner * 7 // 10
    n_callbacks = -(-n_earn // RULES)
    partner = env["res.partner"].create({"name": f"Bench {tag} claimant"})
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    tickets = (
        env["helpdesk.ticket"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"B{tag}-{i}",
                    "description": "x",
                    "is_claim": True,
                    "claim_number": f"B{tag}-{i}",
                    "partner_id": partner.id,
                    "stage_id": stage.id,
                }
                for i in range(n_callbacks)
            ]
        )
    )
    callbacks = (
        env["claim.callback"]
        .with_context(tracking_disable=True)
        .create([{"ticket_id": t.id, "partner_id": partner.id, "company_id": company.id} for t in tickets])
    )
    cr.commit()
    cr.execute(
        """INSERT INTO res_partner (name, active, type, is_company, callback_consent, create_date, write_date,
                                   create_uid, write_uid)
           SELECT 'Bench ' || %s || ' ' || g, true, 'contact', false, 'granted', now(), now(), 1, 1
             FROM generate_series(1, %s) g RETURNING id""",
        [tag, n_partners],
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        """CREATE TEMP TABLE bench_pairs AS
           SELECT row_number() OVER () - 1 AS i, r.id AS rule_id, c.id AS callback_id
             FROM unnest(%s::int[]) r(id) CROSS JOIN unnest(%s::int[]) c(id)""",
        [rules.ids, callbacks.ids],
    )
    common = "create_date, write_date, create_uid, write_uid, user_id"
    # earn: 7 per partner, earned 1 to 700 days ago, valid 12 months: about half expired
    cr.execute(
        f"""INSERT INTO claim_reward_entry (partner_id, company_id, kind, points, reason, rule_id, callback_id,
                                            date, expiry_date, {common})
            SELECT (%(partners)s::int[])[1 + b.i %% %(np)s], %(company)s, 'earn', 10, 'bench', b.rule_id, b.callback_id,
                   now() - (1 + b.i %% 700) * interval '1 day',
                   now() - (1 + b.i %% 700) * interval '1 day' + interval '365 days',
                   now(), now(), 1, 1, 1
              FROM bench_pairs b
             WHERE b.i < %(n_earn)s""",
        {"np": n_partners, "company": company.id, "partners": partner_ids, "n_earn": n_earn},
    )
    rest = n_partners * per_partner - n_earn
    # the rest: redemptions of 5 and adjustments of +3, spread over the same partners
    cr.execute(
        f"""INSERT INTO claim_reward_entry (partner_id, company_id, kind, points, reason, date, {common})
            SELECT (%(partners)s::int[])[1 + g %% %(np)s], %(company)s,
                   CASE WHEN g %% 3 = 0 THEN 'adjust' ELSE 'redeem' END,
                   CASE WHEN g %% 3 = 0 THEN 3 ELSE -5 END, 'bench',
                   now() - (g %% 500) * interval '1 day', now(), now(), 1, 1, 1
              FROM generate_series(0, %(rest)s - 1) g""",
        {"np": n_partners, "company": company.id, "partners": partner_ids, "rest": rest},
    )
    cr.execute("DROP TABLE bench_pairs")
    cr.execute("ANALYZE claim_reward_entry")
    cr.commit()
    return env["res.partner"].browse(partner_ids)


def bench_balances(env, partners, rounds):
    """Balances against the raw GROUP BY in `rounds` alternating rounds (addon, raw, addon, raw, ...),
    cold then warm; each round printed, then the median ratio per mode."""
    Entry = env["claim.reward.entry"]
    company = env.company

    def raw():
        env.cr.execute(
            "SELECT partner_id, SUM(points) FROM claim_reward_entry WHERE company_id = %s GROUP BY partner_id",
            [company.id],
        )
        return dict(env.cr.fetchall())

    def raw_same_partners():
        env.cr.execute(
            "SELECT partner_id, SUM(points) FROM claim_reward_entry WHERE company_id = %s AND partner_id IN %s"
            " GROUP BY partner_id",
            [company.id, tuple(partners.ids)],
        )
        return dict(env.cr.fetchall())

    def clear(cold):
        env.invalidate_all()  # every mode: a new request has no record cache
        if cold:
            env.registry.clear_all_caches()  # a worker that just started: no ormcache either

    out("partners", len(partners))
    out("balance_rounds", rounds)
    ok = True
    for mode in ("cold", "warm"):
        ratios, field_ratios = [], []
        for i in range(1, rounds + 1):
            clear(mode == "cold")
            balances, orm_s, orm_q = timed(lambda: Entry._balances(partners, company))
            raw_balances, raw_s, raw_q = timed(raw)
            clear(mode == "cold")
            field_values, field_s, field_q = timed(lambda: partners.mapped("reward_points"))
            if i == 1:
                ok = ok and all(balances.get(p, 0) == raw_balances.get(p.id, 0) for p in partners)
                ok = ok and field_values == [raw_balances.get(p.id, 0) for p in partners]
            ratios.append(orm_s / raw_s)
            field_ratios.append(field_s / raw_s)
            out(
                f"balance_{mode}_round_{i}",
                f"addon_read_group_s {orm_s:.3f} ({orm_q} q), raw_sql_s {raw_s:.3f} ({raw_q} q),"
                f" ratio {orm_s / raw_s:.2f}; reward_points_field_s {field_s:.3f} ({field_q} q),"
                f" ratio {field_s / raw_s:.2f}",
            )
        suffix = "" if mode == "warm" else "_cold"
        out(f"reward_balance_ratio_median{suffix}", statistics.median(ratios))
        out(f"reward_balance_ratio_range{suffix}", f"{min(ratios):.2f}-{max(ratios):.2f}")
        out(f"reward_points_field_ratio_median{suffix}", statistics.median(field_ratios))
        out(f"reward_points_field_ratio_range{suffix}", f"{min(field_ratios):.2f}-{max(field_ratios):.2f}")
    _, raw_in_s, _ = timed(raw_same_partners)
    out("raw_sql_group_by_same_partner_list_s", raw_in_s)
    out("balance_matches_raw_sql", ok)
    median = statistics.median(ratios)
    out("target_le_1.5x_raw_sql_median_warm", "PASS" if median <= 1.5 else "FAIL")


def bench_expiry(env, batch):
    Entry = env["claim.reward.entry"]
    env.cr.execute("SELECT count(*) FROM claim_reward_entry")
    out("entries", env.cr.fetchone()[0])
    expiry_s, queries, processed_total = run_batches(env, lambda: Entry._expire_points(batch))
    env.cr.execute("SELECT count(*), coalesce(sum(points), 0) FROM claim_reward_entry WHERE kind = 'expire'")
    written, points = env.cr.fetchone()
    t1 = time.perf_counter()
    rerun = Entry._expire_points(batch)
    rerun_s = time.perf_counter() - t1
    env.cr.commit()
    out("expiry_batch_size", batch)
    out("expiry_s", expiry_s)
    out("expiry_lots_processed", processed_total)
    out("expiry_lots_per_s", processed_total / expiry_s if expiry_s else 0.0)
    out("expiry_entries_written", written)
    out("expiry_points_expired", -points)
    out("expiry_batches", len(queries))
    out("expiry_queries_per_batch_max", max(queries))
    out("expiry_queries_per_batch_avg", sum(queries) / len(queries))
    out("expiry_rerun_result", rerun)
    out("expiry_rerun_s", rerun_s)
    out("expiry_idempotent", rerun == (0, 0))


def main():
    args = parser(__doc__)
    args.add_argument("--partners", type=int, default=100000)
    args.add_argument("--per-partner", type=int, default=10)
    args.add_argument("--batch", type=int, default=1000, help="expiry cron batch size")
    args.add_argument("--rounds", type=int, default=7, help="alternating balance rounds per mode (at least 5)")
    with odoo_env(args) as (opts, env):
        tag = time.strftime("%H%M%S")
        t0 = time.perf_counter()
        partners = create_data(env, opts.partners, opts.per_partner, tag)
        out("create_data_s", time.perf_counter() - t0)
        bench_balances(env, partners, max(5, opts.rounds))
        bench_expiry(env, opts.batch)


if __name__ == "__main__":
    main()
