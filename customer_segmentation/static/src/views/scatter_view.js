import { _t } from "@web/core/l10n/translation";
import { loadBundle } from "@web/core/assets";
import { cookie } from "@web/core/browser/cookie";
import { getColor } from "@web/core/colors/colors";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { exprToBoolean } from "@web/core/utils/strings";
import { Model, useModel } from "@web/model/model";
import { useSetupAction } from "@web/search/action_hook";
import { CogMenu } from "@web/search/cog_menu/cog_menu";
import { Layout } from "@web/search/layout";
import { SearchBar } from "@web/search/search_bar/search_bar";
import { useSearchBarToggler } from "@web/search/search_bar/search_bar_toggler";
import { ActionHelper } from "@web/views/action_helper";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";
import { standardViewProps } from "@web/views/standard_view_props";
import { Component, onWillStart, useEffect, useRef, useState } from "@odoo/owl";

/** <scatter x_field y_field color_fields label_field open_field limit log_scale/> */
function parseScatterArch(node, fields) {
    const colorFields = (node.getAttribute("color_fields") || "").split(",").filter(Boolean);
    return {
        xField: node.getAttribute("x_field"),
        yField: node.getAttribute("y_field"),
        colorFields: colorFields.filter((name) => name in fields),
        labelField: node.getAttribute("label_field") || "display_name",
        openField: node.getAttribute("open_field"),
        limit: parseInt(node.getAttribute("limit") || "5000"),
        logScale: exprToBoolean(node.getAttribute("log_scale") || "0"),
    };
}

/** The records of the search with the largest x (up to the arch's limit), and their count. */
export class ScatterModel extends Model {
    setup(params) {
        this.params = params;
        this.records = [];
        this.count = 0;
    }

    async load({ domain, context }) {
        const { fields, xField, yField, colorFields, labelField, openField } = this.params;
        const specification = { [xField]: {}, [yField]: {} };
        for (const name of [...colorFields, labelField, openField].filter(Boolean)) {
            const many2one = fields[name]?.type === "many2one";
            specification[name] = many2one ? { fields: { display_name: {} } } : {};
        }
        const { length, records } = await this.orm.webSearchRead(this.params.resModel, domain, {
            specification,
            limit: this.params.limit,
            order: `${xField} desc, id`,
            context,
        });
        this.records = records;
        this.count = length;
    }

    /** One Chart.js dataset per value of ``colorField``, in order of appearance. */
    datasets(colorField) {
        const field = this.params.fields[colorField];
        const { xField, yField, labelField, openField } = this.params;
        const groups = new Map();
        for (const record of this.records) {
            const value = colorField ? record[colorField] : false;
            const key = value?.id ?? value;
            if (!groups.has(key)) {
                groups.set(key, { label: groupLabel(field, value), data: [] });
            }
            const label = record[labelField];
            groups.get(key).data.push({
                x: record[xField],
                y: record[yField],
                label: label?.display_name ?? label,
                resId: openField ? record[openField]?.id : record.id,
            });
        }
        const colorScheme = cookie.get("color_scheme");
        return [...groups.values()].map((group, index) => {
            const color = getColor(index, colorScheme, groups.size);
            return { ...group, backgroundColor: color, borderColor: color, clip: false };
        });
    }
}

function groupLabel(field, value) {
    if (value === false || value === null || value === undefined) {
        return _t("None");
    }
    if (field?.type === "selection") {
        return field.selection.find(([key]) => key === value)?.[1] ?? value;
    }
    return value.display_name ?? String(value);
}

function formatValue(field, value) {
    return field.type === "integer" ? formatInteger(value) : formatFloat(value, { digits: [16, 2] });
}

/**
 * Axis labels: whole numbers only for an integer field; on a log scale, 1, 2, 3 and 5 times
 * a power of 10 (and any whole number below 10).
 */
function tickLabel(field, value, logScale) {
    const integer = field.type === "integer";
    const significand = value / 10 ** Math.floor(Math.log10(value));
    const round =
        [1, 2, 3, 5, 10].some((nice) => Math.abs(significand - nice) < 1e-6) ||
        (integer && value < 10);
    if ((logScale && !round) || (integer && !Number.isInteger(value))) {
        return "";
    }
    return integer
        ? formatInteger(value)
        : formatFloat(value, { humanReadable: true, decimals: 0 });
}

export class ScatterRenderer extends Component {
    static template = "customer_segmentation.ScatterRenderer";
    static props = ["model", "records", "colorField", "openPoint"];

    setup() {
        this.canvasRef = useRef("canvas");
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                this.chart = new Chart(this.canvasRef.el, this.chartConfig());
                const points = this.chart.data.datasets.map((dataset) => dataset.data.length);
                this.canvasRef.el.dataset.pointCount = points.reduce((a, b) => a + b, 0);
                this.canvasRef.el.dataset.datasetCount = points.length;
                return () => this.chart.destroy();
            },
            () => [this.props.records, this.props.colorField]
        );
    }

    chartConfig() {
        const { fields, xField, yField, logScale } = this.props.model.params;
        const axis = (name) => ({
            type: logScale ? "logarithmic" : "linear",
            title: { display: true, text: fields[name].string },
            ticks: { callback: (value) => tickLabel(fields[name], value, logScale) },
        });
        const datasets = this.props.model.datasets(this.props.colorField);
        return {
            type: "scatter",
            data: { datasets },
            options: {
                animation: false,
                elements: { point: { radius: 4, hoverRadius: 7 } },
                maintainAspectRatio: false,
                scales: { x: axis(xField), y: axis(yField) },
                plugins: {
                    tooltip: {
                        callbacks: {
                            label: ({ raw }) =>
                                `${raw.label}: ${fields[xField].string} ${formatValue(fields[xField], raw.x)}, ` +
                                `${fields[yField].string} ${formatValue(fields[yField], raw.y)}`,
                        },
                    },
                },
                onClick: (event, elements) => {
                    if (elements.length) {
                        const { datasetIndex, index } = elements[0];
                        this.props.openPoint(datasets[datasetIndex].data[index]);
                    }
                },
            },
        };
    }
}

export class ScatterController extends Component {
    static template = "customer_segmentation.ScatterView";
    static components = { Layout, SearchBar, CogMenu, ActionHelper };
    static props = { ...standardViewProps, Model: Function, modelParams: Object, Renderer: Function };

    setup() {
        this.model = useModel(this.props.Model, this.props.modelParams);
        this.action = useService("action");
        this.searchBarToggler = useSearchBarToggler();
        const colorField = this.props.state?.colorField || this.props.modelParams.colorFields[0];
        this.state = useState({ colorField });
        // Back from a customer's form, the map keeps its colours.
        useSetupAction({ getLocalState: () => ({ colorField: this.state.colorField }) });
    }

    get colorChoices() {
        const { colorFields, fields } = this.props.modelParams;
        return colorFields.map((name) => ({ name, string: fields[name].string }));
    }

    get limitNotice() {
        const { count, records, params } = this.model;
        return _t("Showing the first %(shown)s of %(total)s records, by highest %(field)s.", {
            shown: records.length,
            total: count,
            field: params.fields[params.xField].string,
        });
    }

    openPoint(point) {
        const { openField, fields } = this.props.modelParams;
        if (!openField) {
            return this.props.selectRecord(point.resId);
        }
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: fields[openField].relation,
            res_id: point.resId,
            views: [[false, "form"]],
        });
    }
}

export const scatterView = {
    type: "scatter",
    Controller: ScatterController,
    Renderer: ScatterRenderer,
    Model: ScatterModel,
    searchMenuTypes: ["filter", "favorite"],
    props: (genericProps, view) => {
        const { arch, fields, resModel } = genericProps;
        return {
            ...genericProps,
            Model: view.Model,
            Renderer: view.Renderer,
            modelParams: { ...parseScatterArch(arch, fields), fields, resModel },
        };
    },
};

registry.category("views").add("scatter", scatterView);
