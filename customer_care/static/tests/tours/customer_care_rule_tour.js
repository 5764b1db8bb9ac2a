import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_care_rule_tour", {
    url: "/odoo/action-customer_care.action_customer_care_rule",
    steps: () => [
        {
            content: "Open the rule",
            trigger: ".o_data_row td:contains('Tour welcome call')",
            run: "click",
        },
        {
            content: "Preview the customers it would act on",
            trigger: ".o_form_view button[name='action_preview']",
            run: "click",
        },
        {
            content: "The new customer is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer')",
        },
        {
            content: "Back to the rule",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Tour welcome call')",
            run: "click",
        },
        {
            content: "Run the rule now",
            trigger: ".o_form_view button[name='action_run']",
            run: "click",
        },
        {
            content: "One action was created",
            trigger: ".o_notification:contains('1 care actions created')",
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_segmentation.menu_customer_insight_root']",
            run: "click",
        },
        {
            content: "Open the classified customers",
            trigger: ".o-dropdown-item[data-menu-xmlid='customer_segmentation.menu_customer_insight_partners']",
            run: "click",
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row td:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "The welcome call waits in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Activity:contains('Welcome Tour Customer')",
        },
    ],
});
