import { registry } from "@web/core/registry";
import { openMenusSteps } from "./menu_steps";

const USER_MENUS = [
    ["customer_segmentation.menu_customer_insight_root", "customer_segmentation.menu_customer_insight_partners", "Classified Customers"],
    ["customer_segmentation.menu_customer_insight_root", "customer_segmentation.menu_customer_segment_history", "Classification History"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_analysis", "Customer Classification"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_segment_share", "Segment Share"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_geography", "Customers by Region"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_payment", "Payment Behaviour"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_behaviour", "Buying Behaviour"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_profile_map", "Customer Map"],
    ["crm.crm_menu_report", "customer_segmentation.menu_sale_order_heatmap", "Order Heatmap"],
    ["crm.crm_menu_report", "customer_segmentation.menu_customer_segment_snapshot", "Classification Trend"],
];
const MANAGER_MENUS = [
    ...USER_MENUS,
    ["crm.crm_menu_config", "customer_segmentation.menu_customer_rfm_segment", "RFM Segments"],
    ["crm.crm_menu_config", "customer_segmentation.menu_customer_rfm_segment_preset", "Segment Presets"],
    ["crm.crm_menu_config", "customer_segmentation.menu_customer_insight_settings", ""],
];

registry.category("web_tour.tours").add("customer_segmentation_menus_user", {
    url: "/odoo",
    steps: () => openMenusSteps(USER_MENUS),
});
registry.category("web_tour.tours").add("customer_segmentation_menus_manager", {
    url: "/odoo",
    steps: () => openMenusSteps(MANAGER_MENUS),
});
