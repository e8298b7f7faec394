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

// An agent's day on one callback, from the queue row: no answer (one click), the customer asks to be
// called back at a chosen time (the SLA pauses), then is reached and the outcome is recorded.
registry.category("web_tour.tours").add("insurance_claim_callback_agent_day", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_my_queue_menu"),
        {
            content: "The callback is in the Call Now section",
            trigger: ".o_group_header:contains(Call Now)",
        },
        {
            content: "Its deadline reads as an hour countdown",
            trigger: ".o_data_row:contains(CLM-TOUR-0001) td[name=sla_countdown]:contains(first contact breached)",
        },
        {
            content: "The kanban of the queue",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The card shows the breached first contact",
            trigger: ".o_kanban_record:contains(CLM-TOUR-0001) .badge:contains(First contact breached)",
        },
        {
            content: "Back to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Click 1 (no answer): the row's No Answer button",
            trigger: ".o_data_row:contains(CLM-TOUR-0001) button[name=action_quick_no_answer]",
            run: "click",
        },
        {
            content: "Confirmed, and the callback waits for its next try, shown apart",
            trigger: ".o_notification:contains(Call logged)",
        },
        {
            content: "Not callable yet: in its own section with the customer's time of the next try",
            trigger: ".o_group_header:contains(Not Callable Yet)",
        },
        {
            content: "The customer calls back: open the callback",
            trigger: ".o_data_row:contains(CLM-TOUR-0001) td[name=claim_number]",
            run: "click",
        },
        {
            content: "Log the call",
            trigger: ".o_form_statusbar button[name=action_log_call]",
            run: "click",
        },
        {
            content: "The customer asks to be called back later",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=call_back_later]",
            run: "click",
        },
        {
            content: "At the time they chose, in their local time",
            trigger: ".modal .o_field_widget[name=callback_time] input",
            run: "edit 15:30",
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The SLA is paused",
            trigger: ".o_field_widget[name=sla_countdown]:contains(SLA paused)",
        },
        {
            content: "Full outcome, click 1: Log Call",
            trigger: ".o_form_statusbar button[name=action_log_call]",
            run: "click",
        },
        {
            content: "Click 2: Reached is the default outcome: Log",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=reached]:checked",
        },
        {
            content: "Log the reached call",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Click 3: the outcome opens straight away; very satisfied",
            trigger: ".modal .o_field_widget[name=satisfaction] input[data-value='5']",
            run: "click",
        },
        {
            content: "Click 4: NPS 9",
            trigger: ".modal .o_field_widget[name=nps] input[data-value='9']",
            run: "click",
        },
        {
            content: "Typing: in the customer's words",
            trigger: ".modal .o_field_widget[name=feedback] textarea",
            run: "edit The money arrived in three days, thank you for the quick help.",
        },
        {
            content: "Click 5: Record",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The callback is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
    ],
});

// A supervisor watches SLA risk: a flat list, the nearest breach first.
registry.category("web_tour.tours").add("insurance_claim_callback_supervisor_sla_risk", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_sla_risk_menu"),
        {
            content: "The breached callback is listed, without groups to open",
            trigger: ".o_list_view:not(:has(.o_group_header)) .o_data_row:contains(CLM-TOUR-RISK)",
            run: "click",
        },
        {
            content: "Its form shows the breach",
            trigger: ".o_field_widget[name=sla_completion_status] .badge:contains(Breached)",
        },
    ],
});

// A supervisor moves two callbacks to another agent at once (list multi-edit).
registry.category("web_tour.tours").add("insurance_claim_callback_supervisor_reassign", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_menu"),
        {
            content: "Select the first callback",
            trigger: ".o_data_row:contains(CLM-TOUR-R1) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select the second callback",
            trigger: ".o_data_row:contains(CLM-TOUR-R2) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Edit the agent of the selection",
            trigger: ".o_data_row:contains(CLM-TOUR-R1) td[name=user_id]",
            run: "click",
        },
        {
            content: "Type the new agent",
            trigger: ".o_data_row:contains(CLM-TOUR-R1) td[name=user_id] input",
            run: "edit icc_agent_2",
        },
        {
            content: "Pick the agent",
            trigger: ".o-autocomplete--dropdown-item:contains(icc_agent_2)",
            run: "click",
        },
        {
            content: "Confirm for both records",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Both callbacks show the new agent",
            trigger: ".o_data_row:contains(CLM-TOUR-R2) td[name=user_id]:contains(icc_agent_2)",
        },
    ],
});

// A manager (in Traditional Chinese) computes this month's KPIs and prints the PDF.
registry.category("web_tour.tours").add("insurance_claim_callback_manager_month_zh_tw", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_kpi_menu"),
        {
            content: "Compute this month (計算本月)",
            trigger: ".o_list_view button[name=action_compute_this_month]:contains(計算本月)",
            run: "click",
        },
        {
            content: "This month's snapshot opens, its month written as a month",
            trigger: ".o_form_view .o_field_widget[name=month_name]:contains(月)",
        },
        {
            content: "Print the PDF (列印 PDF)",
            trigger: ".o_form_statusbar button:contains(列印 PDF)",
            run: "click",
        },
        {
            content: "Back on the form once the report is downloaded",
            trigger: ".o_form_view .o_field_widget[name=month_name]",
        },
    ],
});
