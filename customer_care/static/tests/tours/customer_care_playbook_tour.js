import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_care_playbook_tour", {
    url: "/odoo/action-customer_care.action_customer_care_rule",
    steps: () => [
        {
            content: "Open the rule",
            trigger: ".o_data_row td:contains('Tour playbook')",
            run: "click",
        },
        {
            content: "Choose a playbook instead of a single activity",
            trigger: ".o_field_widget[name='plan_id'] input",
            run: "edit Welcome and",
        },
        {
            content: "The shipped welcome playbook",
            trigger: ".o-autocomplete--dropdown-item:contains('Welcome and onboarding')",
            run: "click",
        },
        {
            content: "Stop the playbook when the customer orders",
            trigger: ".o_field_widget[name='plan_stop_on_order'] input",
            run: "click",
        },
        {
            content: "The single activity's texts give way to the playbook",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='summary']))",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
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
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Tour playbook')",
            run: "click",
        },
        {
            content: "Run the rule now",
            trigger: ".o_form_view button[name='action_run']",
            run: "click",
        },
        {
            content: "One playbook was launched",
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
            content: "The first step waits in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Activity:contains('Welcome call')",
        },
        {
            content: "The step due in three days as well",
            trigger: ".o-mail-Chatter .o-mail-Activity:contains('Send the welcome pack')",
        },
        {
            content: "The launch is noted in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('has been started')",
        },
    ],
});
