import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_care_loyalty_offer_tour", {
    url: "/odoo/action-customer_care.action_customer_care_rule",
    steps: () => [
        {
            content: "Open the rule",
            trigger: ".o_data_row td:contains('Tour welcome offer')",
            run: "click",
        },
        {
            content: "Open the Offer tab",
            trigger: ".o_notebook .nav-link:contains('Offer')",
            run: "click",
        },
        {
            content: "Choose the coupon programme",
            trigger: ".o_field_widget[name='loyalty_program_id'] input",
            run: "edit Tour coupon",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour coupon')",
            run: "click",
        },
        {
            content: "Valid for 60 days",
            trigger: ".o_field_widget[name='loyalty_validity_days'] input",
            run: "edit 60",
        },
        {
            content: "Run the rule now (saves it first)",
            trigger: ".o_form_view button[name='action_run']",
            run: "click",
        },
        {
            content: "One action was created",
            trigger: ".o_notification:contains('1 care actions created')",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open Care Offers",
            trigger: ".o-dropdown-item[data-menu-xmlid='customer_care_loyalty.menu_customer_care_offer_report']",
            run: "click",
        },
        {
            content: "The rule's offer is counted",
            trigger: ".o_pivot th:contains('Tour welcome offer')",
        },
    ],
});
