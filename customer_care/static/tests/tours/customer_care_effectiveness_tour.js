import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_care_effectiveness_tour", {
    url: "/odoo/action-customer_care.action_customer_care_effectiveness",
    steps: () => [
        {
            content: "The rule's repurchase uplift: 4 of 6 treated against 1 of 4 held out",
            trigger: ".o_pivot tr:has(th:contains('Tour win-back')) td:contains('41.67')",
        },
        {
            content: "Compare the win-back rate instead",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Win-Back Rate",
            trigger: ".o_filter_menu .o-dropdown-item:contains('Win-Back Rate')",
            run: "click",
        },
        {
            content: "Drop the repurchase filter",
            trigger: ".o_filter_menu .o-dropdown-item:contains('Repurchase Rate')",
            run: "click",
        },
        {
            content: "Same customers, all churned when targeted: same uplift",
            trigger: ".o_pivot tr:has(th:contains('Tour win-back')) td:contains('41.67')",
        },
        {
            content: "See the figures per month in the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Treated and held-out counts of the month",
            trigger: ".o_list_view .o_data_row:contains('Tour win-back'):contains('Win-Back Rate')",
        },
    ],
});
