import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

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
            content: "Quality Evaluations",
            trigger: '.dropdown-item[data-menu-xmlid="insurance_claim_callback.claim_callback_evaluation_menu"]',
            run: "click",
        },
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
            content: "My Scorecard",
            trigger: '.dropdown-item[data-menu-xmlid="insurance_claim_callback.claim_callback_agent_month_mine_menu"]',
            run: "click",
        },
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
