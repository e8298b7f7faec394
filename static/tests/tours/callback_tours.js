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
            content: "One row per callback, no groups: the callback may be called now",
            trigger: ".o_list_view:not(:has(.o_group_header)) .o_data_row:contains(CLM-TOUR-0001) td[name=queue_status]:contains(Call now)",
        },
        {
            content: "Its reason: the deadline as an hour countdown",
            trigger: ".o_data_row:contains(CLM-TOUR-0001) td[name=queue_reason]:contains(first contact breached)",
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
            content: "Not callable yet: the customer's time of the next try, the retry as its reason",
            trigger: ".o_data_row:contains(CLM-TOUR-0001):has(td[name=queue_reason]:contains(retry 2 of 3)) td[name=queue_status]:contains(Opens)",
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
            content: "The SLA reads paused until the customer's time",
            trigger: ".o_field_widget[name=sla_completion_label]:contains(Paused until)",
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
            content: "One click answers a yes / no question: its Yes cell",
            trigger: ".modal .o_data_row:contains(payment made on time) td[name=answer_yes]",
            run: "click",
        },
        {
            content: "The Yes is ticked",
            trigger: ".modal .o_data_row:contains(payment made on time) td[name=answer_yes] input:checked",
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

// An agent logs in and lands on their queue (their home action), not on Discuss.
registry.category("web_tour.tours").add("insurance_claim_callback_agent_lands_on_queue", {
    url: "/odoo",
    steps: () => [
        {
            content: "My Queue is open",
            trigger: ".o_breadcrumb:contains(My Queue)",
        },
        {
            content: "with the agent's callback",
            trigger: ".o_list_view .o_data_row:contains(CLM-TOUR-HOME)",
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
            trigger: ".o_field_widget[name=sla_completion_label] .badge:contains(Breached)",
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

const SCORECARD = [
    "Greeted the customer and checked their identity",
    "Gave the privacy notice before asking anything",
    "Showed empathy for the customer's situation",
    "Explained the payout clearly",
    "Offered a solution to what the customer raised",
    "Followed the call script",
    "Closed the call properly",
];

// A supervisor evaluates a sampled callback: from the evaluation list, Evaluate (one click) opens the scorecard;
// once submitted, the evaluation is done with its score.
registry.category("web_tour.tours").add("insurance_claim_callback_supervisor_evaluates", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_evaluation_menu"),
        {
            content: "The sampled callback waits, with its reason",
            trigger: ".o_data_row:contains(CLM-TOUR-QA) td[name=reason]:contains(Low Satisfaction)",
        },
        {
            content: "Evaluate: one click",
            trigger: ".o_data_row:contains(CLM-TOUR-QA) button[name=action_evaluate]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The scorecard opens",
            trigger: 'button.btn:contains("Start")',
            run: "click",
        },
        ...SCORECARD.map((question) => ({
            content: `Answer: ${question}`,
            trigger: `div.js_question-wrapper:contains("${question}") label:contains("Yes")`,
            run: "click",
        })),
        {
            content: "Submit the scorecard",
            trigger: 'button[value="finish"]',
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The score",
            trigger: ".o_survey_finished:contains(100)",
        },
        {
            content: "Back to the evaluations",
            trigger: ".o_survey_finished",
            run: "goToUrl /odoo/action-insurance_claim_callback.claim_callback_evaluation_action",
            expectUnloadPage: true,
        },
        {
            content: "Show the done ones too",
            trigger: ".o_searchview_facet:contains(To Do) .o_facet_remove",
            run: "click",
        },
        {
            content: "The evaluation is done with its score",
            trigger: ".o_data_row:contains(CLM-TOUR-QA):contains(Done) td[name=score]:contains(100)",
        },
    ],
});

// An agent reading in 繁體中文 opens their scorecard (the month's figures, QA score included) and their done
// evaluation; menus are found by their XML ids, the figures by their fields, so the steps hold in any language.
registry.category("web_tour.tours").add("insurance_claim_callback_agent_scorecard_zh_tw", {
    url: "/odoo",
    steps: () => [
        ...openCallbacksMenu("insurance_claim_callback.claim_callback_agent_month_mine_menu"),
        {
            content: "The scorecard's title is in Traditional Chinese",
            trigger: ".o_breadcrumb:contains(我的)",
        },
        {
            content: "This month's row, with its QA score",
            trigger: ".o_data_row td[name=qa_score]:contains(85)",
            run: "click",
        },
        {
            content: "The month's form: the composite score and the rank",
            trigger: ".o_form_view div[name=rank]:contains(1)",
        },
        {
            content: "Callbacks menu again",
            trigger: '.o_main_navbar [data-menu-xmlid="insurance_claim_callback.claim_callback_main_menu"]',
            run: "click",
        },
        {
            content: "My Evaluations",
            trigger: '.dropdown-item[data-menu-xmlid="insurance_claim_callback.claim_callback_evaluation_my_menu"]',
            run: "click",
        },
        {
            content: "The done evaluation of the agent's callback, with its score",
            trigger: ".o_data_row:contains(CLM-TOUR-AGENT) td[name=score]:contains(85)",
            run: "click",
        },
        {
            content: "The evaluation opens, its score shown",
            trigger: ".o_form_view div[name=score]:contains(85)",
        },
    ],
});
