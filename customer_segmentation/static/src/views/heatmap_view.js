import { Domain } from "@web/core/domain";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Model, useModel } from "@web/model/model";
import { CogMenu } from "@web/search/cog_menu/cog_menu";
import { Layout } from "@web/search/layout";
import { SearchBar } from "@web/search/search_bar/search_bar";
import { useSearchBarToggler } from "@web/search/search_bar/search_bar_toggler";
import { ActionHelper } from "@web/views/action_helper";
import { standardViewProps } from "@web/views/standard_view_props";
import { Component } from "@odoo/owl";

const HOURS = [...Array(24).keys()];

/**
 * Counts of the records of the search per weekday and hour of ``date_field``, in the user's
 * time zone, grouped on the server (the ORM's day_of_week and hour_number granularities).
 */
export class HeatmapModel extends Model {
    setup(params) {
        this.params = params;
        this.rows = [];
        this.total = 0;
    }

    async load({ domain, context }) {
        const { resModel, dateField } = this.params;
        const [day, hour] = [`${dateField}:day_of_week`, `${dateField}:hour_number`];
        const groups = await this.orm.formattedReadGroup(resModel, domain, [day, hour], ["__count"], {
            context,
        });
        const cells = {};
        for (const group of groups) {
            if (group[day] !== false && group[day] !== null) {
                cells[`${group[day]}-${group[hour]}`] = group;
            }
        }
        this.domain = domain;
        // PostgreSQL numbers the days from Sunday = 0; the rows go from Monday (0) to Sunday.
        const names = luxon.Info.weekdays("long");
        this.rows = names.map((name, index) => {
            const dow = (index + 1) % 7;
            return {
                weekday: index,
                name,
                cells: HOURS.map((hour) => {
                    const group = cells[`${dow}-${hour}`];
                    return { hour, count: group?.__count || 0, domain: group?.__extra_domain };
                }),
            };
        });
        const counts = this.rows.flatMap((row) => row.cells.map((cell) => cell.count));
        this.total = counts.reduce((a, b) => a + b, 0);
        this.max = Math.max(...counts);
    }
}

export class HeatmapController extends Component {
    static template = "customer_segmentation.HeatmapView";
    static components = { Layout, SearchBar, CogMenu, ActionHelper };
    static props = { ...standardViewProps, Model: Function, modelParams: Object };

    setup() {
        this.model = useModel(this.props.Model, this.props.modelParams);
        this.action = useService("action");
        this.searchBarToggler = useSearchBarToggler();
        this.hours = HOURS;
    }

    cellStyle(cell) {
        return `--o-heatmap-intensity: ${(cell.count / this.model.max).toFixed(3)}`;
    }

    cellTitle(row, cell) {
        return _t("%(weekday)s, %(from)s:00 to %(to)s:00: %(count)s", {
            weekday: row.name,
            from: cell.hour,
            to: cell.hour + 1,
            count: cell.count,
        });
    }

    /** The records of a cell, in a list. */
    openCell(row, cell) {
        if (!cell.count) {
            return;
        }
        return this.action.doAction({
            type: "ir.actions.act_window",
            name: this.cellTitle(row, cell),
            res_model: this.props.resModel,
            domain: Domain.and([this.model.domain, cell.domain]).toList(),
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }
}

export const heatmapView = {
    type: "heatmap",
    Controller: HeatmapController,
    Model: HeatmapModel,
    searchMenuTypes: ["filter", "favorite"],
    props: (genericProps, view) => ({
        ...genericProps,
        Model: view.Model,
        modelParams: {
            resModel: genericProps.resModel,
            dateField: genericProps.arch.getAttribute("date_field"),
        },
    }),
};

registry.category("views").add("heatmap", heatmapView);
