import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// From the home screen to one entry of Helpdesk → Callbacks, as a user clicks it.
function openCallbacksMenu(menuXmlid) {
    return [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Helpdesk",
            trigger: '.o_app[data-menu-xmlid="helpdesk_mgmt.helpdesk_ticket_main_menu"]',
            run: "click",
        },
        {
            content: "Callbacks menu",
            trigger: '.o_main_navbar [data-menu-xmlid="insurance_claim_callback.claim_callback_main_menu"]',
            run: "click",
        },
        {
            content: `Menu ${menuXmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid="${menuXmlid}"]`,
            run: "click",
        },
    ];
}

// An agent works a callback from the queue: dials, logs a failed try, then records the outcome.
registry.category("web_tour.tours").add("insurance_claim_callback_agent_outcome", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_my_queue_menu"),
        {
            content: "Open the callback of the claim in my queue",
            trigger: ".o_data_row:contains(CLM-TOUR-0001) td[name=claim_number]",
            run: "click",
        },
        {
            content: "My own callback shows the number with a dial link",
            trigger: ".o_field_widget[name=partner_phone_formatted] a[href^='tel:']",
        },
        {
            content: "The customer did not answer",
            trigger: ".o_form_statusbar button[name=action_log_attempt]:contains(No Answer)",
            run: "click",
        },
        {
            content: "Look at the attempts",
            trigger: ".o_notebook .nav-link[name=attempts]",
            run: "click",
        },
        {
            content: "The attempt is listed",
            trigger: ".o_field_widget[name=attempt_ids] .o_data_row:contains(No Answer)",
        },
        {
            content: "Reached on the next call: record the outcome",
            trigger: ".o_form_statusbar button:contains(Record Outcome)",
            run: "click",
        },
        {
            content: "Very satisfied",
            trigger: ".modal .o_field_widget[name=satisfaction] input[data-value='5']",
            run: "click",
        },
        {
            content: "In the customer's words",
            trigger: ".modal .o_field_widget[name=feedback] textarea",
            run: "edit The money arrived in three days, thank you for the quick help.",
        },
        {
            content: "Record it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The callback is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
    ],
});

// A supervisor watches SLA risk: breached work of the team comes first.
registry.category("web_tour.tours").add("insurance_claim_callback_supervisor_sla_risk", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_sla_risk_menu"),
        {
            content: "Grouped by completion status, the breached group is there",
            trigger: ".o_group_header:contains(Breached)",
            run: "click",
        },
        {
            content: "The breached callback is listed",
            trigger: ".o_data_row:contains(CLM-TOUR-RISK)",
            run: "click",
        },
        {
            content: "Its form shows the breach",
            trigger: ".o_field_widget[name=sla_completion_status] .badge:contains(Breached)",
        },
    ],
});
