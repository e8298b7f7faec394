"""KPI rows are written only by the KPI computation (README: Security and privacy): over JSON-2 a
callback manager can neither edit, invent nor delete a monthly row, and the computation still works."""

import json
from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CallbackCase

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestKpiWrittenOnlyByComputation(CallbackCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi = cls.env["claim.callback.kpi"].compute_month(MARCH, cls.company)
        cls.manager_key = cls.env["res.users.apikeys"].with_user(cls.manager)._generate(
            None, "manager", fields.Datetime.now() + timedelta(days=1)
        )

    def _post(self, path, body):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {self.manager_key}"}
        return self.url_open(path, data=json.dumps(body), headers=headers)

    def test_manager_cannot_write_create_or_unlink_kpi_rows_over_json2(self):
        response = self._post("/json/2/claim.callback.kpi/write",
                              {"ids": [self.kpi.id], "vals": {"satisfaction_rate": 100, "rated_callbacks": 50}})
        self.assertEqual(response.status_code, 403, response.text)
        response = self._post("/json/2/claim.callback.kpi/create", {"vals_list": [{
            "month": "2025-11-01", "company_id": self.company.id, "claims_closed": 400, "rated_callbacks": 300,
            "satisfaction_rate": 99.0, "coverage_72h": 100.0,
        }]})
        self.assertEqual(response.status_code, 403, response.text)
        response = self._post("/json/2/claim.callback.kpi/unlink", {"ids": [self.kpi.id]})
        self.assertEqual(response.status_code, 403, response.text)
        self.kpi.invalidate_recordset()
        self.assertEqual((self.kpi.exists(), self.kpi.rated_callbacks), (self.kpi, 0))
        self.assertEqual(self.env["claim.callback.kpi"].search_count([("company_id", "=", self.company.id)]), 1)

    def test_manager_still_computes_and_reads_the_month(self):
        response = self._post("/json/2/claim.callback.kpi/search_read",
                              {"domain": [("id", "=", self.kpi.id)], "fields": ["satisfaction_rate"]})
        self.assertEqual((response.status_code, len(response.json())), (200, 1), response.text)
        Kpi = self.env["claim.callback.kpi"].with_user(self.manager)
        self.assertEqual(Kpi.compute_month(MARCH, self.company), self.kpi)
        action = Kpi.action_compute_this_month()
        self.assertEqual(Kpi.browse(action["res_id"]).company_id, self.company)
