import { App } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { rpcBus } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

// The generic guard of "nothing shown that fails": as the logged-in user, open every menu of the addon this user
// gets (the menus come from ir.ui.menu through the web client's menu service, so a new menu is covered without
// anyone listing it), open the first record of each list or kanban, and click each header button and each smart
// button of its form, one at a time from a freshly opened record. Dialogs that open (a wizard, a confirmation)
// are closed unconfirmed; a button that would leave the web client (a URL) is noted, not followed. Any error
// dialog, any failed call to the server and any red notification fails the tour, naming the menu and the button.
// Reports are noted, not printed (see Crawler).

const MODULE = "insurance_claim_callback.";
const REPORT_HANDLER = "insurance_claim_callback_every_button";
const reportHandlers = registry.category("ir.actions.report handlers");
const HEADER_BUTTONS = ".o_form_view .o_form_statusbar .o_statusbar_buttons button[name]";
const SMART_BUTTONS = ".o_form_view .o-form-buttonbox button.oe_stat_button[name]";
const SMART_MORE = ".o_form_view .o-form-buttonbox .o_button_more";
const SMART_MORE_ITEMS = ".o_dropdown_more button.oe_stat_button[name]";

let pendingRpc = 0;
let requests = 0;
let failedRpc = null;
const onRequest = () => {
    pendingRpc++;
    requests++;
};
const onResponse = ({ detail }) => {
    pendingRpc--;
    if (detail.error) {
        failedRpc = detail.error;
    }
};

const sleep = (ms) => new Promise((resolve) => browser.setTimeout(resolve, ms));

function visible(el) {
    return Boolean(el && el.offsetParent !== null && !el.disabled);
}

function failure() {
    const dialog = document.querySelector(".o_error_dialog");
    if (dialog) {
        return `error dialog: ${dialog.innerText.trim().slice(0, 600)}`;
    }
    const red = document.querySelector(".o_notification:has(.o_notification_bar.bg-danger)");
    if (red) {
        return `error notification: ${red.innerText.trim().slice(0, 300)}`;
    }
    if (failedRpc) {
        return `failed call: ${failedRpc.data?.message || failedRpc.message || failedRpc}`;
    }
    return null;
}

// Until the server answered every call, OWL rendered everything and the page stayed still for a moment.
async function settle(where) {
    const deadline = Date.now() + 30000;
    let quietSince = Date.now();
    const observer = new MutationObserver(() => (quietSince = Date.now()));
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    try {
        while (Date.now() < deadline) {
            const error = failure();
            if (error) {
                throw new Error(`${where}: ${error}`);
            }
            const scheduled = [...App.apps].some((app) => app.scheduler.tasks.size);
            const blocked = odoo.__WOWL_DEBUG__.root.env.services.ui.isBlocked;
            if (pendingRpc <= 0 && !scheduled && !blocked && Date.now() - quietSince > 250) {
                return;
            }
            await sleep(50);
        }
        throw new Error(`${where}: still loading after 30 s`);
    } finally {
        observer.disconnect();
    }
}

async function waitFor(predicate, ms) {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) {
        await sleep(50);
    }
    return predicate();
}

// Click, give the web client a moment to call the server (it may be slow to start on a loaded machine), settle.
async function click(el, where) {
    const before = requests;
    el.scrollIntoView({ block: "center" });
    el.click();
    await waitFor(() => requests > before, 500);
    await settle(where);
}

// Close every dialog without confirming it: its header's ×, else its Discard / Cancel / Close button.
async function closeDialogs(where) {
    for (let i = 0; i < 5; i++) {
        const modal = [...document.querySelectorAll(".modal")].at(-1);
        if (!modal) {
            return;
        }
        const close =
            modal.querySelector(".modal-header .btn-close") ||
            modal.querySelector(".modal-footer .o_form_button_cancel, .modal-footer .btn-secondary");
        if (!close) {
            throw new Error(`${where}: a dialog without a way to close it`);
        }
        await click(close, `${where} (closing its dialog)`);
    }
    throw new Error(`${where}: dialogs keep opening`);
}

async function openMenu(env, menu) {
    await closeDialogs(`menu ${menu.xmlid}`);
    failedRpc = null;
    await env.services.menu.selectMenu(menu);
    await settle(`menu ${menu.xmlid}`);
}

// The form of the first real record of the list or kanban the menu opened, or false (none, or another view).
async function openFirstRecord(menu) {
    const where = `first record of ${menu.xmlid}`;
    const hasRecord = () =>
        document.querySelector(".o_data_row, .o_kanban_record:not(.o_kanban_ghost)") &&
        !document.querySelector(".o_view_sample_data");
    // None under the menu's default filters (To Do, Mine) or in closed groups: the whole list, as a user
    // removes the facets.
    for (let i = 0; i < 5 && !hasRecord(); i++) {
        const facet = document.querySelector(".o_searchview_facet .o_facet_remove");
        if (!facet) {
            break;
        }
        await click(facet, `${where}: removing a default filter`);
    }
    if (!hasRecord()) {
        return false;
    }
    const cell = document.querySelector(
        ".o_list_view .o_data_row td.o_data_cell:not(.o_list_button):not(.o_list_record_selector)"
    );
    const card = document.querySelector(".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)");
    const target = cell || card;
    if (!target) {
        return false;
    }
    await click(target, where);
    return waitFor(() => document.querySelector(".o_form_view"), 5000);
}

async function formButtons() {
    const buttons = [...document.querySelectorAll(`${HEADER_BUTTONS}, ${SMART_BUTTONS}`)].filter(visible);
    const more = document.querySelector(SMART_MORE);
    if (visible(more)) {
        await click(more, "smart buttons' More");
        buttons.push(...[...document.querySelectorAll(SMART_MORE_ITEMS)].filter(visible));
        await click(more, "smart buttons' More");
    }
    return buttons.map((button) => ({
        name: button.getAttribute("name"),
        label: button.innerText.trim().replace(/\s+/g, " ") || button.getAttribute("name"),
    }));
}

async function findButton({ name, label }) {
    const same = (el) =>
        visible(el) && (el.innerText.trim().replace(/\s+/g, " ") || el.getAttribute("name")) === label;
    const selector = (list) => list.map((s) => s.replace("button[name]", `button[name="${name}"]`)).join(", ");
    let button = [...document.querySelectorAll(selector([HEADER_BUTTONS, SMART_BUTTONS]))].find(same);
    const more = document.querySelector(SMART_MORE);
    if (!button && visible(more)) {
        await click(more, "smart buttons' More");
        button = [...document.querySelectorAll(selector([SMART_MORE_ITEMS]))].find(same);
    }
    return button;
}

// One unit of work per tour step (a step has at most 60 s): a menu (open it, its first record, list that
// record's buttons), then each of those buttons (from the menu again, so that each starts from the same screen).
class Crawler {
    constructor() {
        this.env = odoo.__WOWL_DEBUG__.root.env;
        const menus = this.env.services.menu
            .getAll()
            .filter((menu) => menu.actionID && (menu.xmlid || "").startsWith(MODULE))
            .sort((a, b) => a.id - b.id);
        if (!menus.length) {
            throw new Error("no menu of the addon for this user");
        }
        this.todo = menus.map((menu) => ({ menu }));
        this.counts = { menus: menus.length, records: 0, clicked: 0 };
        this.left = [];
        this.withoutRecord = [];
        this.restoreLocation = Object.getOwnPropertyDescriptor(browser, "location");
        this.restoreOpen = browser.open;
        // A URL the button would leave for (a survey, a portal page) is noted, not followed.
        const location = new Proxy(window.location, {
            get: (target, key) => {
                if (key === "assign" || key === "replace") {
                    return (url) => this.left.push(url);
                }
                return typeof target[key] === "function" ? target[key].bind(target) : target[key];
            },
        });
        Object.defineProperty(browser, "location", { get: () => location, configurable: true });
        browser.open = (url) => {
            this.left.push(url);
            return { closed: false };
        };
        // A report is noted, not printed: the PDF engine takes tens of seconds; the reports have their own tests.
        this.reports = [];
        reportHandlers.add(
            REPORT_HANDLER,
            async (action) => {
                this.reports.push(action.report_name);
                return true;
            },
            { sequence: 0 }
        );
        rpcBus.addEventListener("RPC:REQUEST", onRequest);
        rpcBus.addEventListener("RPC:RESPONSE", onResponse);
    }

    async next() {
        const unit = this.todo.shift();
        if (!unit) {
            return;
        }
        const { menu, button } = unit;
        browser.console.log(`every button: ${menu.xmlid} ${button ? button.name : ""}`);
        await openMenu(this.env, menu);
        if (!(await openFirstRecord(menu))) {
            if (!button) {
                this.withoutRecord.push(menu.xmlid);
            }
            return;
        }
        if (!button) {
            this.counts.records++;
            this.todo.unshift(...(await formButtons()).map((found) => ({ menu, button: found })));
            return;
        }
        const el = await findButton(button);
        if (!el) {
            return; // gone since: an earlier button changed the record (a test database)
        }
        const where = `menu ${menu.xmlid}, first record, button "${button.label}" (${button.name})`;
        await click(el, where);
        await closeDialogs(where);
        this.counts.clicked++;
    }

    finish() {
        reportHandlers.remove(REPORT_HANDLER);
        rpcBus.removeEventListener("RPC:REQUEST", onRequest);
        rpcBus.removeEventListener("RPC:RESPONSE", onResponse);
        Object.defineProperty(browser, "location", this.restoreLocation);
        browser.open = this.restoreOpen;
        if (this.todo.length) {
            throw new Error(`${this.todo.length} buttons left unclicked: raise MAX_UNITS`);
        }
        const { menus, records, clicked } = this.counts;
        browser.console.log(
            `every button: ${menus} menus, ${records} records, ${clicked} buttons clicked; ` +
                `no record to open in ${this.withoutRecord}; not left for ${this.left}; not printed ${this.reports}`
        );
    }
}

const MAX_UNITS = 300;
let crawler = null;

registry.category("web_tour.tours").add("insurance_claim_callback_every_button", {
    url: "/odoo",
    steps: () => [
        {
            content: "The web client is ready: list the addon's menus this user gets",
            trigger: ".o_main_navbar",
            run: () => {
                crawler = new Crawler();
            },
        },
        ...Array.from({ length: MAX_UNITS }, (_, index) => ({
            content: `Next menu or button (${index + 1})`,
            trigger: "body",
            timeout: 60000,
            run: () => crawler.next(),
        })),
        {
            content: "Every menu opened and every button clicked without an error",
            trigger: "body",
            run: () => crawler.finish(),
        },
    ],
});
