"""What bench/locustfile.py and bench/locustfile_web.py record, written to LOAD_OUT (JSON) at the end for
bench/load_report.py: each request's exact response time by name, errors and their first samples, and the
refusals that answer a race (counted apart: a correct answer, not an error)."""

import json
import os
from collections import defaultdict

from locust import events

OUT = os.environ.get("LOAD_OUT")
# what the races of shared team work answer: another agent took it, or it was closed meanwhile
RACE_ERRORS = ("odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError")

times = defaultdict(list)
refused = defaultdict(int)
errors = defaultdict(int)
error_samples = []
refused_samples = []


def refuse(name, sample):
    refused[name] += 1
    if len(refused_samples) < 30:
        refused_samples.append(f"{name}: {sample}")


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kw):
    if exception is None:
        times[name].append(response_time)
    else:
        errors[name] += 1
        if len(error_samples) < 30:
            error_samples.append(f"{name}: {str(exception)[:300]}")


@events.test_stop.add_listener
def _write(**_kw):
    if OUT:
        with open(OUT, "w") as f:
            json.dump(
                {"times": times, "refused": refused, "errors": errors, "error_samples": error_samples,
                 "refused_samples": refused_samples},
                f,
            )  # fmt: skip
