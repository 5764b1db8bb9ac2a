"""Time the screens a user opens, the way the web client asks for them: JSON-RPC calls to a
real Odoo HTTP server (``/web/dataset/call_kw``), with each view's default filters, groupings
and measures. Each screen is asked twice: cold (first call after the server started) and
warm (the same call again)."""

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import requests
from lxml import etree

YEAR = [("date", ">=", f"{date.today().year}-01-01"), ("date", "<=", f"{date.today().year}-12-31")]
CLASSIFIED = [
    ("customer_lifecycle_stage", "!=", False),
    "|",
    ("is_company", "=", True),
    ("parent_id", "=", False),
]
# (screen, model, view type, domain, row groupbys, column groupbys, measures), as the
# actions and views of the addons open them.
SCREENS = [
    ("classified customers, list", "res.partner", "list", CLASSIFIED, [], [], []),
    ("classified customers by stage", "res.partner", "grouped_list", CLASSIFIED,
     ["customer_lifecycle_stage"], [], []),
    ("classification graph", "customer.profile", "graph", [], ["lifecycle_stage"], [],
     ["__count"]),
    ("classification pivot", "customer.profile", "pivot", [], ["lifecycle_stage"],
     ["value_tier"], ["total_revenue"]),
    ("segment share", "customer.profile", "graph", [], ["segment_id"], [], ["__count"]),
    ("customers by region", "customer.region.summary", "pivot", [],
     ["country_id", "state_id", "city"], ["lifecycle_stage"], ["customer_count", "total_revenue"]),
    ("classification trend", "customer.segment.snapshot", "graph", [],
     ["date:day", "lifecycle_stage"], [], ["customer_count"]),
    ("channel performance (channel × month)", "customer.channel.report", "pivot", YEAR,
     ["channel_id"], ["date:month"],
     ["lead_count", "conversion_rate", "new_customer_count", "attributed_revenue", "order_count",
      "units_sold", "order_value_avg", "cost", "return_on_cost"]),
    ("channel scorecard", "customer.channel", "list", [], [], [], []),
    ("channels × classes", "customer.channel.report", "pivot", [("fact", "=", "customer")],
     ["channel_id"], ["lifecycle_stage"], ["new_customer_count", "new_customer_revenue"]),
    ("attribution models", "customer.channel.report", "pivot", [("fact", "=", "revenue")],
     ["channel_id"], ["attribution_model"], ["model_revenue"]),
    ("care analysis", "customer.care.report", "pivot", [], ["rule_id"], ["date:month"],
     ["planned_count", "done_count", "overdue_count", "on_time_rate"]),
    ("care metrics", "customer.care.metrics", "pivot", YEAR, ["date:month"], [],
     ["repeat_purchase_rate", "churn_rate", "win_back_rate", "avg_satisfaction"]),
    ("value predictions", "customer.clv.prediction", "pivot", [], ["segment_id"],
     ["churn_risk"], ["predicted_clv_12m"]),
    ("customer form", "res.partner", "form", CLASSIFIED, [], [], []),
]  # fmt: skip


class Client:
    """A logged-in JSON-RPC session on an Odoo server."""

    def __init__(self, url, db, login, password, session=None):
        self.url = url
        self.session = session or requests.Session()
        self.call_id = 0
        self.rpc("/web/session/authenticate", db=db, login=login, password=password)

    def rpc(self, path, **params):
        self.call_id += 1
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "id": self.call_id, "params": params},
            timeout=600,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RuntimeError(f"{path}: {body['error']['data']['message']}")
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}.{method}",
            model=model,
            method=method,
            args=list(args),
            kwargs={"context": {"lang": "en_US"}, **kwargs},
        )


def prefixes(groupbys):
    return [groupbys[:n] for n in range(len(groupbys) + 1)]


class Screen:
    """The calls a view makes when it opens; views and field definitions are read once,
    before the timing, as the web client caches them."""

    def __init__(self, client, name, model, kind, domain, rows, cols, measures):
        self.client, self.name, self.model, self.kind = client, name, model, kind
        self.domain, self.rows, self.cols = domain, rows, cols
        self.fields = client.call(model, "fields_get", attributes=["type", "aggregator"])
        self.measures = [self._aggregate(name) for name in measures]
        self.specification = {}
        if kind in ("list", "grouped_list", "form"):
            view_type = "form" if kind == "form" else "list"
            views = client.call(model, "get_views", [[False, view_type]])
            self.specification = self._specification(views["views"][view_type]["arch"])
        if kind == "form":
            (self.record,) = [
                row["id"]
                for row in client.call(model, "web_search_read", domain, {"id": {}}, limit=1)[
                    "records"
                ]
            ] or [None]

    def _aggregate(self, name):
        if name == "__count":
            return name
        return f"{name}:{self.fields[name]['aggregator']}"

    def _specification(self, arch):
        """What the view reads: its fields, relations with their display name."""
        spec = {}
        for node in etree.fromstring(arch).iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue  # a sub-view of a relational field
            name = node.get("name")
            kind = self.fields.get(name, {}).get("type")
            if kind in ("many2one", "many2many", "one2many"):
                spec[name] = {"fields": {"display_name": {}}}
            elif kind:
                spec[name] = {}
        return spec

    def open(self):
        """Make the calls of the view; returns how many rows or groups came back."""
        call = self.client.call
        if self.kind == "list":
            result = call(self.model, "web_search_read", self.domain, self.specification,
                          limit=80, count_limit=10001)  # fmt: skip
            return len(result["records"])
        if self.kind == "grouped_list":
            result = call(self.model, "web_read_group", self.domain, self.rows, [], limit=80,
                          unfold_read_specification=self.specification)  # fmt: skip
            return len(result["groups"])
        if self.kind == "graph":
            return len(call(self.model, "formatted_read_group", self.domain, self.rows,
                            self.measures))  # fmt: skip
        if self.kind == "pivot":
            sets = [r + c for r in prefixes(self.rows) for c in prefixes(self.cols)]
            result = call(self.model, "formatted_read_grouping_sets", self.domain, sets,
                          self.measures)  # fmt: skip
            return sum(len(groups) for groups in result)
        if self.record is None:
            return 0
        return len(call(self.model, "web_read", [self.record], self.specification))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(dbname, addons_path, port):
    odoo_bin = Path(os.environ.get("ODOO_PATH", "/opt/odoo19")) / "odoo-bin"
    server = subprocess.Popen(
        [sys.executable, str(odoo_bin), "-d", dbname, f"--db-filter=^{dbname}$",
         f"--addons-path={addons_path}", f"--http-port={port}", "--http-interface=127.0.0.1",
         "--workers=0", "--max-cron-threads=0", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if requests.get(url + "/web/health", timeout=5).ok:
                return server, url
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or too busy loading to answer (a loaded machine)
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise RuntimeError("the Odoo server for the screen timings did not start")


def time_screens(dbname, addons_path, login="admin", password="admin"):  # noqa: S107
    """[{screen, cold, warm, rows}] for every screen whose model is installed."""
    server, url = start_server(dbname, addons_path, free_port())
    try:
        client = Client(url, dbname, login, password)
        installed = {row["model"] for row in client.call("ir.model", "search_read", [], ["model"])}
        screens = [Screen(client, *spec) for spec in SCREENS if spec[1] in installed]
        results = []
        for screen in screens:
            timings = []
            for _attempt in ("cold", "warm"):
                start = time.perf_counter()
                rows = screen.open()
                timings.append(round(time.perf_counter() - start, 3))
            results.append({"screen": screen.name, "cold": timings[0], "warm": timings[1],
                            "rows": rows})  # fmt: skip
        return results
    finally:
        server.terminate()
        server.wait(timeout=60)
