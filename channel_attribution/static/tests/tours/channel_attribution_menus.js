import { registry } from "@web/core/registry";
import { openMenusSteps } from "@customer_segmentation/../tests/tours/menu_steps";

const USER_MENUS = [
    ["crm.crm_menu_report", "channel_attribution.menu_customer_channel_report", "Channel Performance"],
    ["crm.crm_menu_report", "channel_attribution.menu_customer_channel_scorecard", "Channel Scorecard"],
    ["crm.crm_menu_report", "channel_attribution.menu_customer_channel_report_conversion", "Channel Conversion"],
    ["crm.crm_menu_report", "channel_attribution.menu_customer_channel_report_models", "Attribution Models"],
    ["crm.crm_menu_report", "channel_attribution.menu_customer_channel_report_classes", "Channels and Customer Classes"],
];

registry.category("web_tour.tours").add("channel_attribution_menus_user", {
    url: "/odoo",
    steps: () => openMenusSteps(USER_MENUS),
});
registry.category("web_tour.tours").add("channel_attribution_menus_manager", {
    url: "/odoo",
    steps: () =>
        openMenusSteps([
            ...USER_MENUS,
            ["crm.crm_menu_config", "channel_attribution.menu_customer_channel", "Channels"],
            ["crm.crm_menu_config", "channel_attribution.menu_customer_channel_cost", "Channel Costs"],
            ["crm.crm_menu_config", "channel_attribution.menu_utm_source_unmapped", "Unmapped Sources"],
        ]),
});

// A channel's form shows its sales volume; the orders button opens the channel's orders in
// Channel Performance.
registry.category("web_tour.tours").add("channel_attribution_channel_form", {
    url: "/odoo/action-channel_attribution.action_customer_channel",
    steps: () => [
        {
            content: "Open the first channel",
            trigger: ".o_data_row:first-child td[name='name']",
            run: "click",
        },
        {
            content: "The sales volume of the last 30 days is shown",
            trigger: ".oe_stat_button:contains('Orders (30 days)') .o_stat_value",
        },
        {
            content: "Units and average order value too",
            trigger: ".oe_stat_button:contains('Avg. Order (30 days)') .o_stat_value",
        },
        {
            content: "Open the channel's orders",
            trigger: ".oe_stat_button:contains('Orders (30 days)')",
            run: "click",
        },
        {
            content: "Channel Performance filtered on the channel's orders",
            trigger: ".o_searchview_facet:contains('Orders')",
        },
        {
            content: "Loaded without error",
            trigger: ".o_action_manager .o_view_controller:not(:has(.o_error_dialog))",
        },
    ],
});
