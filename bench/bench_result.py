"""register_result as the agent UI, the CTI webhook and the questionnaire call it: time per call for
1 kB, 10 kB and 100 kB of feedback, and the first outcome of a freshly started process (a worker)
against its later ones.

Usage: bash bench/run_bench_result.sh [--rounds 5] [--workers 3]
Prints `name: value` lines. The baseline of each size is the same call without feedback (no
sentiment, no text to store), measured in the same run.
"""

import statistics
import subprocess
import sys
import time

from benchlib import odoo_env, out, parser

SMOKE_ARGS = ["--rounds", "1", "--workers", "1"]  # bench/smoke.py (tools/test)
ZH = "理賠速度很快，專員態度也很親切，不過文件要求有點多，希望流程可以再簡化。"
EN = "The payout was quick and the adjuster was kind, but the paperwork was heavy; please simplify the process. "


def make_callbacks(env, count):
    """`count` open callbacks of closed claims, committed."""
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    partner = env["res.partner"].create({"name": "Bench customer", "phone": "+886223456789"})
    stamp = int(time.time() * 1000)
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": f"Bench claim {i}",
                "description": "x",
                "is_claim": True,
                "claim_number": f"BR-{stamp}-{i}",
                "partner_id": partner.id,
                "stage_id": stage.id,
                "claim_amount": 100,
                "paid_amount": 100,
            }
            for i in range(count)
        ]
    )
    Callback = env["claim.callback"]
    while Callback._schedule_first_callbacks(500, [("id", "in", tickets.ids)])[1]:
        pass
    env.cr.commit()
    return tickets.callback_ids


def time_result(callback, feedback):
    t0 = time.perf_counter()
    callback.register_result(4, feedback=feedback)
    callback.env.flush_all()
    return time.perf_counter() - t0


def child():
    """A fresh process: registry load (the sentiment models load there), then outcomes one by one.
    With --cold-engines the loaded models are dropped first: the first outcome loads them, as
    before they were loaded at registry load (the baseline)."""
    t0 = time.perf_counter()
    with odoo_env(opts_parser()) as (opts, env):
        out("worker_start_s", time.perf_counter() - t0)
        if opts.cold_engines:
            from odoo.addons.insurance_claim_callback.lib import sentiment  # noqa: PLC0415

            sentiment._engines.clear()
        callbacks = make_callbacks(env, opts.rounds + 1)
        times = [time_result(cb, (ZH if i % 2 == 0 else EN) * 3) for i, cb in enumerate(callbacks)]
        env.cr.rollback()
    print(f"first={times[0]} later={statistics.median(times[1:])}", flush=True)


def opts_parser():
    result = parser(__doc__)
    result.add_argument("--rounds", type=int, default=5)
    result.add_argument("--workers", type=int, default=3)
    result.add_argument("--child", action="store_true")
    result.add_argument("--cold-engines", action="store_true")
    return result


def main():
    if "--child" in sys.argv:
        child()
        return
    with odoo_env(opts_parser()) as (opts, env):
        sizes = {"1kB": 1_000, "10kB": 10_000, "100kB": 100_000}
        callbacks = make_callbacks(env, (1 + 2 * len(sizes)) * opts.rounds)
        chunks = iter([callbacks[i :: 1 + 2 * len(sizes)] for i in range(1 + 2 * len(sizes))])
        out("baseline_no_feedback_ms", 1000 * statistics.median(time_result(cb, None) for cb in next(chunks)))
        for name, size in sizes.items():
            for lang, text in (("zh", ZH), ("en", EN)):
                chunk = next(chunks)
                feedback = (text * (size // len(text) + 1))[:size]
                runs = []
                for cb in chunk:
                    try:
                        runs.append(time_result(cb, feedback))
                    except Exception as error:  # noqa: BLE001 - the refusal is the figure
                        runs.append(0.0)
                        out(f"register_result_{name}_{lang}_refused", type(error).__name__)
                        env.cr.rollback()
                        break
                out(f"register_result_{name}_{lang}_ms", 1000 * statistics.median(runs))
        env.cr.rollback()
    for label, extra in (("", []), ("baseline_engines_loaded_in_request_", ["--cold-engines"])):
        firsts, laters = [], []
        for _ in range(opts.workers):
            cmd = [sys.executable, __file__, "--child", *extra, *sys.argv[1:]]  # a fresh process, as a new worker
            lines = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
            first, later = (
                float(part.split("=")[1]) for part in next(line for line in lines if line.startswith("first=")).split()
            )
            firsts.append(first)
            laters.append(later)
            print(next(line for line in lines if line.startswith("worker_start_s")), flush=True)
        out(f"{label}first_outcome_after_worker_start_ms", 1000 * statistics.median(firsts))
        out(f"{label}later_outcomes_ms", 1000 * statistics.median(laters))
        out(f"{label}first_vs_later_ratio", statistics.median(firsts) / statistics.median(laters))


if __name__ == "__main__":
    main()
