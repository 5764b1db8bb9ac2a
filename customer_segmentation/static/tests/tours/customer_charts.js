import { registry } from "@web/core/registry";

/** What the Python test computed from its data, handed over in sessionStorage. */
function expected() {
    return JSON.parse(sessionStorage.getItem("customer_segmentation.expected") || "{}");
}

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

/** Click the chart's first point (the customer with the highest spend) where it is drawn. */
function clickFirstPoint(canvas) {
    const point = Chart.getChart(canvas).getDatasetMeta(0).data[0];
    const rect = canvas.getBoundingClientRect();
    const position = { clientX: rect.left + point.x, clientY: rect.top + point.y, bubbles: true };
    canvas.dispatchEvent(new MouseEvent("mousemove", position));
    canvas.dispatchEvent(new MouseEvent("click", position));
}

registry.category("web_tour.tours").add("customer_segmentation_scatter", {
    steps: () => {
        const figures = expected();
        return [
            {
                content: "One point per customer with a positive spend, one colour per stage",
                trigger: `.o_scatter_renderer canvas[data-point-count="${figures.points}"][data-dataset-count="${figures.stages}"]`,
            },
            {
                content: "Colour by RFM segment",
                trigger: '.o_scatter_color_button[data-field="segment_id"]',
                run: "click",
            },
            {
                content: "One colour per segment",
                trigger: `.o_scatter_renderer canvas[data-point-count="${figures.points}"][data-dataset-count="${figures.segments}"]`,
            },
            {
                content: "Open the filters",
                trigger: ".o_searchview_dropdown_toggler",
                run: "click",
            },
            {
                content: "Keep the VIP customers",
                trigger: '.o_filter_menu .o-dropdown-item:contains("VIP")',
                run: "click",
            },
            {
                content: "One point per VIP customer",
                trigger: `.o_scatter_renderer canvas[data-point-count="${figures.vip_points}"]`,
                run() {
                    clickFirstPoint(this.anchor);
                },
            },
            {
                content: "The VIP customer with the highest spend opens",
                trigger: `.o_form_view .o_breadcrumb:contains("${figures.top_vip}")`,
            },
            {
                content: "Back to the map",
                trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item a",
                run: "click",
            },
            {
                content: "The map keeps its filter and its colours",
                trigger: `.o_scatter_color_button.active[data-field="segment_id"]`,
            },
            {
                trigger: `.o_scatter_renderer canvas[data-point-count="${figures.vip_points}"]`,
            },
        ];
    },
});

registry.category("web_tour.tours").add("customer_segmentation_scatter_limit", {
    steps: () => {
        const figures = expected();
        return [
            {
                content: "Only the first points are drawn",
                trigger: `.o_scatter_renderer canvas[data-point-count="${figures.points}"]`,
            },
            {
                content: "The notice says how many of how many",
                trigger: `.o_scatter_limit_notice:contains("${figures.points}"):contains("${figures.total}")`,
            },
        ];
    },
});

registry.category("web_tour.tours").add("customer_segmentation_heatmap", {
    steps: () => {
        const figures = expected();
        return [
            {
                content: "The heatmap counts every order of the search",
                trigger: `.o_heatmap_table[data-total="${figures.total}"]`,
                run() {
                    const cells = this.anchor.querySelectorAll(".o_heatmap_cell");
                    check(cells.length === 7 * 24, `${cells.length} cells instead of 168`);
                    const counts = {};
                    for (const cell of cells) {
                        if (cell.dataset.count !== "0") {
                            counts[`${cell.dataset.weekday}-${cell.dataset.hour}`] = Number(cell.dataset.count);
                        }
                    }
                    const want = JSON.stringify(figures.cells);
                    const got = JSON.stringify(Object.fromEntries(Object.entries(counts).sort()));
                    check(got === want, `cells ${got} instead of ${want}`);
                },
            },
            {
                content: "Search the orders of one customer",
                trigger: ".o_searchview_input",
                run: `edit ${figures.customer}`,
            },
            {
                content: "Search by customer",
                trigger: '.o_searchview_autocomplete .o-dropdown-item:contains("Customer")',
                run: "click",
            },
            {
                content: "The heatmap counts that customer's orders only",
                trigger: `.o_heatmap_table[data-total="${figures.customer_total}"]`,
            },
            {
                content: "Open the orders of the busiest cell",
                trigger: `.o_heatmap_cell[data-weekday="${figures.busiest[0]}"][data-hour="${figures.busiest[1]}"][data-count="${figures.busiest[2]}"]`,
                run: "click",
            },
            {
                content: "The cell's orders are listed",
                trigger: ".o_list_view .o_data_row",
                run() {
                    const rows = document.querySelectorAll(".o_list_view .o_data_row").length;
                    check(rows === figures.busiest[2], `${rows} orders listed`);
                },
            },
        ];
    },
});

registry.category("web_tour.tours").add("customer_segmentation_heatmap_empty", {
    steps: () => [
        {
            content: "No order: the action's help is shown instead of an empty grid",
            trigger: ".o_view_nocontent:not(:has(.o_heatmap_table))",
        },
    ],
});
