import { registry } from "@web/core/registry";
import { openMenusSteps } from "@customer_segmentation/../tests/tours/menu_steps";

const USER_MENUS = [
    ["crm.crm_menu_report", "customer_care_loyalty.menu_customer_care_offer_report", "Care Offers"],
];

registry.category("web_tour.tours").add("customer_care_loyalty_menus_user", {
    url: "/odoo",
    steps: () => openMenusSteps(USER_MENUS),
});
registry.category("web_tour.tours").add("customer_care_loyalty_menus_manager", {
    url: "/odoo",
    steps: () => openMenusSteps(USER_MENUS),
});
