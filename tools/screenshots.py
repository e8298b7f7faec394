"""README screenshots of the addon, taken in headless Chromium from a running Odoo with the demo data.

Run by tools/screenshots, which creates the demo database and serves it; by hand:
    python tools/screenshots.py --url http://127.0.0.1:8069 --db icc_demo --out docs/screenshots

Chromium is driven through the Chrome DevTools Protocol with websocket-client (requirements.txt): each
user logs in through /web/session/authenticate, each screen is opened by its URL (and clicked where a
person would click), and saved as PNG once the web client is idle. The KPI PDF is fetched from the
report URL, in English and (when installed) in Traditional Chinese, and its pages turned into PNG by
pdftoppm (poppler-utils).

Each pass sets its user's language first (as admin), and puts the languages back at the end: the English
screens, then the zh_TW ones (*_zh_TW.png) as the demo agent Lin Ya-Ting and as a manager (admin) reading
繁體中文. tools/run and tools/screenshots install zh_TW and zh_CN with the demo.
"""

import argparse
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import websocket
from PIL import Image

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]
ACTION = "/odoo/action-insurance_claim_callback."
MAX_BYTES = 300 * 1024

# Waits until SELECTOR is shown, the web client loads nothing, and the page has not changed for QUIET ms.
IDLE_JS = """
(async (sel, quiet, timeout) => {
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const t0 = Date.now();
    const busy = () => document.querySelector(".o_loading_indicator, .o_blockUI:not(.o_blockUI_invisible)");
    while (Date.now() - t0 < timeout && (!document.querySelector(sel) || busy())) {
        await sleep(100);
    }
    let last = Date.now();
    const obs = new MutationObserver(() => { last = Date.now(); });
    obs.observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
    while (Date.now() - last < quiet && Date.now() - t0 < timeout) {
        await sleep(100);
    }
    obs.disconnect();
    await document.fonts.ready;
    return Boolean(document.querySelector(sel)) && !busy();
})(%s, %d, %d)
"""


def log(msg):
    print(f"[screenshots] {msg}", flush=True)


class Browser:
    """One headless Chromium with a fresh profile, and one page driven over CDP."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="icc-chromium-")
        self.proc = subprocess.Popen(
            [
                "/usr/bin/chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as resp:
            page = next(t for t in json.load(resp) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True, timeout=120)
        self.next_id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression):
        res = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"script failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def login(self, base_url, session_id, tz):
        self.send("Network.clearBrowserCookies")
        self.send("Network.setCookie", name="session_id", value=session_id, url=base_url, httpOnly=True)
        self.send("Emulation.setTimezoneOverride", timezoneId=tz or "UTC")

    def goto(self, url, ready):
        self.send("Page.navigate", url=url)
        time.sleep(0.5)
        self.idle(ready)

    def idle(self, selector, quiet=700, timeout=60000):  # the first page builds the assets: slow on a busy machine
        if not self.js(IDLE_JS % (json.dumps(selector), quiet, timeout)):
            raise RuntimeError(f"the page did not show {selector!r} in time ({self.js('location.href')})")

    def click(self, selector, ready):
        found = self.js(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (!el) return false; el.scrollIntoView({block: 'center'}); el.click(); return true; })()"
        )
        if not found:
            raise RuntimeError(f"nothing to click at {selector!r} ({self.js('location.href')})")
        time.sleep(0.3)
        self.idle(ready)

    def click_if(self, selector, ready):
        """Clicks SELECTOR when it is on the page (a toggle in a state the screenshot should not show)."""
        if self.js(f"Boolean(document.querySelector({json.dumps(selector)}))"):
            self.click(selector, ready)

    def click_text(self, selector, text, ready):
        """Clicks the first SELECTOR element whose text contains TEXT (an autocomplete item, say)."""
        found = self.js(
            f"(() => {{ const el = [...document.querySelectorAll({json.dumps(selector)})]"
            f".find((e) => e.textContent.includes({json.dumps(text)}));"
            " if (!el) return false; el.click(); return true; })()"
        )
        if not found:
            raise RuntimeError(f"no {selector!r} reads {text!r}")
        time.sleep(0.3)
        self.idle(ready)

    def type(self, selector, text):
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)
        self.js(f"document.querySelector({json.dumps(selector)}).blur()")

    def shot(self, path):
        self.js("document.activeElement && document.activeElement.blur()")
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        save_png(data, path)

    def close(self):
        if getattr(self, "ws", None):
            try:
                self.ws.close()
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def save_png(data, path):
    """Saves PNG bytes, re-encoded smaller (optimised, then 256 colours) while over MAX_BYTES."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    if out.tell() > MAX_BYTES:
        out = io.BytesIO()
        img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    with open(path, "wb") as f:
        f.write(out.getvalue())
    log(f"{path}: {img.width}x{img.height}, {out.tell() // 1024} kB")


class Session:
    """A logged-in user over HTTP: its session cookie, and JSON-RPC calls of the web client."""

    def __init__(self, base_url, db, login, password):
        self.base_url = base_url
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        info = self.rpc("/web/session/authenticate", db=db, login=login, password=password)
        self.tz = (info.get("user_context") or {}).get("tz")
        self.session_id = next(c.value for c in self.jar if c.name == "session_id")

    def rpc(self, path, **params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        req = urllib.request.Request(self.base_url + path, body, {"Content-Type": "application/json"})
        with self.opener.open(req, timeout=120) as resp:
            answer = json.load(resp)
        if answer.get("error"):
            raise RuntimeError(f"{path}: {answer['error'].get('data', {}).get('message') or answer['error']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}", model=model, method=method, args=list(args), kwargs=kwargs
        )

    def get(self, path):
        with self.opener.open(self.base_url + path, timeout=300) as resp:
            return resp.read()


def queue_and_form(browser, base, out, suffix=""):
    """My Queue and the form of its first callback to call now."""
    browser.goto(base + ACTION + "claim_callback_action_my_queue", ".o_list_view .o_data_row")
    browser.shot(f"{out}/my_queue{suffix}.png")
    browser.click(".o_list_view .o_data_row td[name=claim_number]", ".o_form_view .o_form_statusbar")
    browser.shot(f"{out}/callback_form{suffix}.png")
    # the notebook's first page: the customer 360
    browser.js("document.querySelector('.o_form_view .o_notebook').scrollIntoView()")
    browser.idle(".o_form_view .o_notebook")
    browser.shot(f"{out}/customer_360{suffix}.png")
    browser.js("document.querySelector('.o_form_view .o_content, .o_content').scrollTo(0, 0)")


def agent_screens(browser, base, out):
    """My Queue, a callback's form, the Log Call dialog and the outcome wizard, as an agent."""
    queue_and_form(browser, base, out)
    # Log Call, with Call Back Later chosen: the dialog then asks for the customer's time.
    browser.click(".o_form_statusbar button[name=action_log_call]", ".modal .o_field_widget[name=outcome]")
    browser.click(
        ".modal .o_field_widget[name=outcome] input[data-value=call_back_later]",
        ".modal .o_field_widget[name=callback_time]",
    )
    browser.shot(f"{out}/log_call.png")
    # Reached: the outcome wizard opens; filled as the agent would, and left without recording it.
    browser.click(
        ".modal .o_field_widget[name=outcome] input[data-value=reached]",
        ".modal .o_field_widget[name=outcome] input[data-value=reached]:checked",
    )
    browser.click(".modal button[name=action_confirm]", ".modal .o_field_widget[name=satisfaction]")
    browser.click(".modal .o_field_widget[name=satisfaction] input[data-value='5']", ".modal")
    browser.click(".modal .o_field_widget[name=nps] input[data-value='9']", ".modal")
    # The script's yes/no question answered in one click on its Yes cell.
    cell = ".modal .o_field_widget[name=answer_ids] .o_data_row:first-child td[name=answer_yes]"
    browser.click(cell, f"{cell} input:checked")
    browser.type(
        ".modal .o_field_widget[name=feedback] textarea",
        "The money arrived in three days, thank you for the quick help.",
    )
    browser.idle(".modal")
    browser.shot(f"{out}/outcome.png")


def supervisor_screens(browser, base, out):
    browser.goto(base + ACTION + "claim_callback_action_sla_risk", ".o_list_view .o_data_row")
    browser.shot(f"{out}/sla_risk.png")


def manager_screens(browser, base, out):
    browser.goto(base + ACTION + "claim_callback_kpi_action", ".o_list_view .o_data_row")
    browser.shot(f"{out}/kpi_monthly.png")
    browser.goto(base + ACTION + "claim_callback_kpi_line_action", ".o_graph_view canvas")
    # Months in their order and each KPI on its own scale: not stacked, not sorted by value.
    browser.click_if(".o_graph_view button.o_graph_button.fa-database.active", ".o_graph_view canvas")
    browser.click_if("[name=toggleOrderToolbar] button.active", ".o_graph_view canvas")
    browser.shot(f"{out}/kpi_trends.png")


def agent_screens_zh_tw(browser, base, out):
    """The queue and the callback form as the demo agent working in 繁體中文."""
    queue_and_form(browser, base, out, "_zh_TW")


def manager_screens_zh_tw(browser, base, out):
    """Risk warnings and the KPI screens (list, and one month's form with its targets) as a manager in 繁體中文."""
    browser.goto(base + ACTION + "claim_risk_warning_action", ".o_list_view .o_group_header, .o_list_view .o_data_row, .o_view_nocontent")
    # Grouped by kind: the first kind opened.
    browser.click_if(".o_list_view .o_group_header:not(.o_group_open)", ".o_list_view .o_data_row")
    browser.shot(f"{out}/risk_warnings_zh_TW.png")
    browser.goto(base + ACTION + "claim_callback_kpi_action", ".o_list_view .o_data_row")
    browser.shot(f"{out}/kpi_monthly_zh_TW.png")
    browser.click(".o_list_view .o_data_row td.o_data_cell", ".o_form_view .o_form_sheet")
    browser.shot(f"{out}/kpi_form_zh_TW.png")


def pdf_pages(session, out, dpi, pages=2, lang="en_US", name="kpi_pdf"):
    """The first PAGES pages of the KPI PDF of the last full month (the newest snapshot before the current
    one) in LANG, side by side on a grey background as a PDF viewer shows them."""
    kpis = session.call("claim.callback.kpi", "search_read", [], fields=["id", "month"], order="month desc", limit=2)
    if not kpis:
        raise RuntimeError("no KPI snapshot in the database: was it installed with demo data?")
    kpi = kpis[-1]
    context = urllib.parse.quote(json.dumps({"lang": lang}))
    pdf = session.get(f"/report/pdf/insurance_claim_callback.report_claim_callback_kpi/{kpi['id']}?context={context}")
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("the KPI report did not answer with a PDF")
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/kpi.pdf", "wb") as f:
            f.write(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), f"{tmp}/kpi.pdf", f"{tmp}/page"],
            check=True,
        )
        images = [Image.open(f"{tmp}/{name}") for name in sorted(os.listdir(tmp)) if name.endswith(".png")]
        gap = 16
        sheet = Image.new(
            "RGB",
            (sum(i.width for i in images) + gap * (len(images) + 1), max(i.height for i in images) + 2 * gap),
            (128, 128, 128),
        )
        x = gap
        for image in images:
            sheet.paste(image, (x, gap))
            x += image.width + gap
        buf = io.BytesIO()
        sheet.save(buf, "PNG")
        save_png(buf.getvalue(), f"{out}/{name}.png")
    log(f"KPI PDF of {kpi['month']} in {lang}: {len(pdf) // 1024} kB, pages 1-{len(images)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the Odoo server, e.g. http://127.0.0.1:8069")
    parser.add_argument("--db", required=True, help="a database with the addon and its demo data")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--pdf-dpi", type=int, default=80)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = args.url.rstrip("/")

    passes = [  # the demo users (password = login; admin / admin), each in the language of its screens
        ("callback_agent_1", "callback_agent_1", "en_US", agent_screens),
        ("callback_supervisor", "callback_supervisor", "en_US", supervisor_screens),
        ("admin", "admin", "en_US", manager_screens),
        ("callback_agent_1", "callback_agent_1", "zh_TW", agent_screens_zh_tw),
        ("admin", "admin", "zh_TW", manager_screens_zh_tw),
    ]
    admin = Session(base, args.db, "admin", "admin")
    # The hourly risk check, as it would have run since the install: the warnings of the demo history to show.
    _model, cron_id = admin.call("ir.model.data", "check_object_reference", "insurance_claim_callback", "ir_cron_risk_check")
    admin.call("ir.cron", "method_direct_trigger", [cron_id])
    installed = {lang["code"] for lang in admin.call("res.lang", "search_read", [], fields=["code"])}
    langs = {}  # login: (user id, language before the run)
    browser = Browser(args.width, args.height)
    try:
        for login, password, lang, screens in passes:
            if lang not in installed:
                log(f"{lang} is not installed: no {screens.__name__} (tools/screenshots --fresh installs it)")
                continue
            if login not in langs:
                (user,) = admin.call("res.users", "search_read", [("login", "=", login)], fields=["lang"])
                langs[login] = (user["id"], user["lang"])
            admin.call("res.users", "write", [langs[login][0]], {"lang": lang})
            session = Session(base, args.db, login, password)
            browser.login(base, session.session_id, session.tz)
            log(f"as {login} in {lang}")
            screens(browser, base, args.out)
    finally:
        browser.close()
        for user_id, lang in langs.values():
            admin.call("res.users", "write", [user_id], {"lang": lang})
    admin = Session(base, args.db, "admin", "admin")
    pdf_pages(admin, args.out, args.pdf_dpi)
    if "zh_TW" in installed:
        pdf_pages(admin, args.out, args.pdf_dpi, lang="zh_TW", name="kpi_pdf_zh_TW")
    return 0


if __name__ == "__main__":
    sys.exit(main())
