import { registry } from "@web/core/registry";
import { openMenusSteps } from "@customer_segmentation/../tests/tours/menu_steps";

registry.category("web_tour.tours").add("customer_clv_menus_manager", {
    url: "/odoo",
    steps: () =>
        openMenusSteps([
            ["crm.crm_menu_report", "customer_clv.menu_customer_clv_prediction", "Customer Value Predictions"],
            ["crm.crm_menu_config", "customer_clv.menu_customer_clv_model", "Value Models"],
        ]),
});
