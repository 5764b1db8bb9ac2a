import { stepUtils } from "@web_tour/tour_utils";

/**
 * Steps that open the CRM app, then each menu of `menus` ([dropdownXmlid, itemXmlid, title])
 * and wait until its view shows `title` in the breadcrumb (or the settings page loads).
 */
export function openMenusSteps(menus) {
    const steps = [...stepUtils.goToAppSteps("crm.crm_menu_root", "Open the CRM app")];
    for (const [dropdown, item, title] of menus) {
        steps.push(
            {
                content: `Open the menu of ${title}`,
                trigger: `.o_main_navbar [data-menu-xmlid="${dropdown}"]`,
                run: "click",
            },
            {
                content: `Open ${title}`,
                trigger: `.o-dropdown-item[data-menu-xmlid="${item}"], .dropdown-item[data-menu-xmlid="${item}"]`,
                run: "click",
            },
            {
                content: `${title} is displayed`,
                trigger: title
                    ? `.o_breadcrumb:contains("${title}"), .o_setting_container`
                    : ".o_action_manager .o_view_controller",
            },
            {
                content: `${title} loaded without error`,
                trigger: ".o_action_manager .o_view_controller:not(:has(.o_error_dialog))",
            }
        );
    }
    return steps;
}
