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
