import { useState } from "@odoo/owl";

import { Activity } from "@mail/core/common/activity_model";
import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { assignIn } from "@mail/utils/common/misc";

import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

patch(Activity, {
    _insert(data) {
        const activity = super._insert(...arguments);
        assignIn(activity, data, ["care_ask_satisfaction"]);
        return activity;
    },
});

/** The Mark Done popover of a care activity asks for the customer's satisfaction (1-5 stars)
 * and an optional comment, saved on the activity before it is marked done. */
patch(ActivityMarkAsDone.prototype, {
    setup() {
        super.setup(...arguments);
        this.careSatisfaction = useState({ score: 0, hover: 0, comment: "" });
    },

    get careScores() {
        return [
            { value: 1, label: _t("1 - Very Unsatisfied") },
            { value: 2, label: _t("2 - Unsatisfied") },
            { value: 3, label: _t("3 - Neutral") },
            { value: 4, label: _t("4 - Satisfied") },
            { value: 5, label: _t("5 - Very Satisfied") },
        ];
    },

    onClickCareScore(value) {
        this.careSatisfaction.score = this.careSatisfaction.score === value ? 0 : value;
    },

    async careSaveSatisfaction() {
        const { score, comment } = this.careSatisfaction;
        if (this.props.activity.care_ask_satisfaction && score) {
            await this.env.services.orm.write("mail.activity", [this.props.activity.id], {
                care_satisfaction: String(score),
                care_satisfaction_comment: comment || false,
            });
        }
    },

    async onClickDone() {
        await this.careSaveSatisfaction();
        return super.onClickDone(...arguments);
    },

    async onClickDoneAndScheduleNext() {
        await this.careSaveSatisfaction();
        return super.onClickDoneAndScheduleNext(...arguments);
    },
});
