"""What the web client reads runs on the read replica (README: Deployment at scale).

With `db_replica_host` set, Odoo 19 serves readonly routes and `@api.readonly` methods (get_views,
web_search_read, web_read, web_read_group, formatted_read_group, search_count, name_search...) on a
cursor of the replica, which refuses any write ("cannot execute ... in a read-only transaction"; Odoo
then logs a warning and does the request again on the primary). For every model of the addon and every
role, each of these reads, with every field the role may read, runs here in a read-only transaction:
a compute, a search or a view of the addon that writes fails this test.
"""

import json
from datetime import timedelta
from unittest.mock import patch

from psycopg2.errors import ReadOnlySqlTransaction

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.test_cursor import TestCursor
from odoo.tools import mute_logger

from .common import CallbackCase
from .test_doors_generic import addon_models


@tagged("post_install", "-at_install")
class TestReplicaReadonly(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(3)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        callbacks = claims.callback_ids
        callbacks.user_id = cls.agent_1
        callbacks[0].with_user(cls.agent_1).register_attempt("phone", "no_answer")
        callbacks[1].with_user(cls.agent_1).register_attempt("phone", "reached", duration=60)
        callbacks[1].with_user(cls.agent_1).register_result(4, nps=8, feedback="Quick and kind.")
        cls.env["claim.reward.entry"].create({"partner_id": cls.customer.id, "kind": "adjust", "points": 5,
                                              "reason": "sample"})
        cls.env["claim.callback.kpi"].compute_month(fields.Date.today(), cls.company)
        cls.env["claim.callback.agent.month"].compute_month(fields.Date.today(), cls.company)
        cls.env["claim.callback.log.call"].create({"callback_id": callbacks[2].id})
        cls.roles = {"agent": cls.agent_1, "supervisor": cls.supervisor, "manager": cls.manager,
                     "admin": cls.env.ref("base.user_admin")}

    def _spec(self, model):
        """Every field the user may read, relational ones with their display name (as a view reads them)."""
        described = model.fields_get(attributes=["type"])
        return {name: {"fields": {"display_name": {}}} if desc["type"] in ("many2one", "one2many", "many2many")
                else {} for name, desc in described.items()}

    def _reads(self, model):
        """The readonly calls the web client makes on a model's screens."""
        yield "get_views", lambda: model.get_views([(False, "list"), (False, "form"), (False, "search")])
        if model._transient:
            return
        spec = self._spec(model)
        yield "web_search_read", lambda: model.web_search_read([], spec, limit=20)
        yield "web_read", lambda: model.search([], limit=5).web_read(spec)
        yield "search_count", lambda: model.search_count([])
        yield "name_search", lambda: model.name_search("a", limit=8)
        groupable = [name for name, field in model._fields.items()
                     if field.store and field.type in ("many2one", "selection") and name in spec]
        if groupable:
            yield "web_read_group", lambda: model.web_read_group([], [groupable[0]], ["__count"])

    @mute_logger("odoo.sql_db")  # "bad query: ... read-only transaction"
    def _run_read_only(self, call):
        """Runs `call` in a read-only transaction, as on the replica: None, or its error."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT replica")
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        try:
            call()
            self.env.flush_all()
        except Exception as error:  # noqa: BLE001 (the callers tell writes from refusals)
            return error
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT replica")
            self.env.invalidate_all()
        return None

    def test_reports_render_writing_nothing(self):
        """The monthly KPI report and the agent's month, rendered as /report/<converter> does it (a readonly
        route: on the replica), write nothing."""
        kpi = self.env["claim.callback.kpi"].search([], limit=1)
        month = self.env["claim.callback.agent.month"].search([], limit=1)
        self.assertTrue(kpi and month)
        for xmlid, record in (("insurance_claim_callback.claim_callback_kpi_report", kpi),
                              ("insurance_claim_callback.claim_callback_agent_month_report", month)):
            report = self.env.ref(xmlid).with_user(self.manager)
            error = self._run_read_only(lambda r=report, rec=record: r._render_qweb_html(r.report_name, rec.ids))
            self.assertIsNone(error, xmlid)

    def test_the_probe_sees_a_write(self):
        """The read-only transaction of this test refuses a write, as the replica does."""
        error = self._run_read_only(lambda: self.customer.write({"name": "Written on the replica"}))
        self.assertIsInstance(error, ReadOnlySqlTransaction)
        self.assertEqual(self.customer.name, "Chen Mei-Ling")

    def test_every_screen_read_writes_nothing(self):
        """get_views, web_search_read, web_read, search_count, name_search and web_read_group of every model of
        the addon, by every role, with every field it may read, write nothing (they run on the replica)."""
        writes, read = [], set()
        for name in addon_models(self.env):
            for role, user in self.roles.items():
                model = self.env[name].with_user(user).with_context(bin_size=True)
                for method, call in self._reads(model):
                    error = self._run_read_only(call)
                    if isinstance(error, ReadOnlySqlTransaction):
                        writes.append(f"{name}.{method} as {role}: {str(error).splitlines()[0]}")
                    elif error is None:
                        read.add(name)
        self.assertEqual(writes, [])
        # not vacuous: every model was read by some role (the others may be refused by access rules)
        self.assertEqual(sorted(set(addon_models(self.env)) - read), [])


@tagged("post_install", "-at_install")
class TestReadYourWrites(CallbackCase, HttpCase):
    """With a read replica, the callback form must read on the primary (it is reopened right after a call is
    logged); the lists stay on the replica. Odoo's test server opens a read-only cursor for replica routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(1)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        cls.callback = claims.callback_ids
        cls.callback.user_id = cls.agent_1
        cls.key = cls.env["res.users.apikeys"].with_user(cls.agent_1)._generate(
            None, "replica", fields.Datetime.now() + timedelta(days=1)
        )

    def _cursor_of(self, method, body):
        """Whether the request's last cursor was read-only (the replica's), and the response."""
        opened, init = [], TestCursor.__init__

        def record(cursor, *args, **kwargs):
            init(cursor, *args, **kwargs)
            opened.append(cursor.readonly)

        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {self.key}"}
        with patch.object(TestCursor, "__init__", record):
            response = self.url_open(f"/json/2/claim.callback/{method}", data=json.dumps(body), headers=headers)
        self.assertEqual(response.status_code, 200, response.text)
        return opened[-1]

    def test_the_callback_form_reads_on_the_primary(self):
        self.assertFalse(self._cursor_of("web_read", {"ids": self.callback.ids, "specification": {"state": {}}}))

    def test_the_queue_list_reads_on_the_replica(self):
        self.assertTrue(self._cursor_of("web_search_read", {"domain": [], "specification": {"state": {}}}))
