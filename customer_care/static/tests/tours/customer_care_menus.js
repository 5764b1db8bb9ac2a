import { registry } from "@web/core/registry";
import { openMenusSteps } from "@customer_segmentation/../tests/tours/menu_steps";

const USER_MENUS = [
    ["customer_segmentation.menu_customer_insight_root", "customer_care.menu_customer_care_log", "Care Actions"],
    ["crm.crm_menu_report", "customer_care.menu_customer_care_report", "Care Activities"],
    ["crm.crm_menu_report", "customer_care.menu_customer_care_metrics", "Care Metrics"],
    ["crm.crm_menu_report", "customer_care.menu_customer_care_churn_reasons", "Churn Reasons Analysis"],
    ["crm.crm_menu_report", "customer_care.menu_customer_care_effectiveness", "Care Effectiveness"],
];

registry.category("web_tour.tours").add("customer_care_menus_user", {
    url: "/odoo",
    steps: () => openMenusSteps(USER_MENUS),
});
registry.category("web_tour.tours").add("customer_care_menus_manager", {
    url: "/odoo",
    steps: () =>
        openMenusSteps([
            ...USER_MENUS,
            ["crm.crm_menu_config", "customer_care.menu_customer_care_rule", "Care Rules"],
            ["crm.crm_menu_config", "customer_care.menu_customer_churn_reason", "Churn Reasons"],
        ]),
});
