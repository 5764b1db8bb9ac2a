import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_care_satisfaction_tour", {
    steps: () => [
        {
            content: "Mark the care activity done",
            trigger: ".o-mail-Activity:contains('Survey Tour Customer') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Four stars out of five",
            trigger: ".o-mail-ActivityMarkAsDone .o_care_satisfaction_star[data-score='4']",
            run: "click",
        },
        {
            content: "Say what the customer said",
            trigger: ".o-mail-ActivityMarkAsDone .o_care_satisfaction_comment",
            run: "edit Quick delivery",
        },
        {
            content: "Done",
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            run: "click",
        },
        {
            content: "The activity is done",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity))",
        },
    ],
});
