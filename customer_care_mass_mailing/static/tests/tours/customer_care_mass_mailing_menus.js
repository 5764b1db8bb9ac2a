import { registry } from "@web/core/registry";
import { openMenusSteps } from "@customer_segmentation/../tests/tours/menu_steps";

registry.category("web_tour.tours").add("customer_care_mass_mailing_menus_manager", {
    url: "/odoo",
    steps: () =>
        openMenusSteps([
            [
                "crm.crm_menu_report",
                "customer_care_mass_mailing.menu_customer_care_mailing_metrics",
                "Mailing Metrics per Class",
            ],
        ]),
});
registry.category("web_tour.tours").add("customer_care_mass_mailing_menus_user", {
    url: "/odoo",
    steps: () =>
        openMenusSteps([
            [
                "crm.crm_menu_report",
                "customer_care_mass_mailing.menu_customer_care_mailing_metrics",
                "Mailing Metrics per Class",
            ],
        ]),
});
