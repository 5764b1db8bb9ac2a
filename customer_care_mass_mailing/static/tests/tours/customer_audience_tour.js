import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_audience_tour", {
    steps: () => [
        {
            content: "Search the classified customers",
            trigger: ".o_searchview_input",
            run: "edit Tour Customer",
        },
        {
            content: "Validate the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Only the tour customer is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer')",
        },
        {
            content: "Send a mailing to this class",
            trigger: "button[name='action_send_customer_mailing']",
            run: "click",
        },
        {
            content: "The new mailing names the audience's company",
            trigger: ".o_form_view .o_field_widget[name='customer_audience_company_id']",
        },
        {
            content: "Pick the basic theme",
            trigger: ".o_mailing_template_preview_wrapper [data-name='basic']",
            run: "click",
        },
        {
            content: "Write the subject",
            trigger: "#subject_0",
            run: "edit Tour class mailing",
        },
        {
            content: "Leave the subject",
            trigger: ".o_form_view",
            run: "click",
        },
        {
            content: "Save the draft",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the breadcrumb names the mailing",
            trigger: ".o_last_breadcrumb_item:contains('Tour class mailing')",
        },
        {
            content: "Back to the classified customers",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Classified Customers')",
            run: "click",
        },
        {
            content: "The list is back",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer')",
        },
    ],
});

registry.category("web_tour.tours").add("customer_audience_segment_tour", {
    steps: () => [
        {
            content: "Send a mailing to this class",
            trigger: ".o_form_view:contains('Tour Segment') button[name='action_send_customer_mailing']",
            run: "click",
        },
        {
            content: "The new mailing is for the segment",
            trigger: ".o_form_view .o_field_widget[name='customer_audience_segment_id']:contains('Tour Segment')",
        },
        {
            content: "Its audience counts the segment's customer",
            trigger: ".o_form_view .o_field_widget[name='mailing_domain']:contains('1 record')",
        },
        {
            content: "Discard the draft",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back on the segment",
            trigger: ".o_last_breadcrumb_item:contains('Tour Segment')",
        },
    ],
});
