"""Screenshots of the demo database for the addons' static/description, with headless Chromium.

Usage (a `make demo` database served on URL, admin / admin):
    .venv/bin/python tools/screenshots.py http://127.0.0.1:8069 customer_insight_demo

Logs in through JSON-RPC, hands the session cookie to Chromium over its DevTools protocol,
opens each page, waits until the view is rendered and writes a PNG.
"""

import base64
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

REPO = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1400, 900
# (file under the repository, Odoo path, CSS selector that shows the page is rendered,
#  CSS selector of what to click then (a notebook tab), page height)
PAGES = [
    (
        "customer_segmentation/static/description/partner_form.png",
        "/odoo/action-customer_segmentation.action_customer_insight_partners/{vip}",
        "div[name=customer_class_badges] .badge",
        "a[name=customer_segmentation]",
        1500,
    ),
    (
        "customer_segmentation/static/description/customer_map.png",
        "/odoo/action-customer_segmentation.action_customer_profile_map",
        "canvas[data-point-count]",
        None,
        HEIGHT,
    ),
    (
        "customer_segmentation/static/description/order_heatmap.png",
        "/odoo/action-customer_segmentation.action_sale_order_heatmap",
        "td[data-count]",
        None,
        HEIGHT,
    ),
]


def rpc(url, path, params, cookie=None):
    request = urllib.request.Request(
        url + path,
        json.dumps({"jsonrpc": "2.0", "params": params}).encode(),
        {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})},
    )
    with urllib.request.urlopen(request) as response:
        body = json.load(response)
        if body.get("error"):
            raise RuntimeError(body["error"])
        return body["result"], response.headers.get("Set-Cookie", "")


def login(url, db):
    _result, header = rpc(
        url, "/web/session/authenticate", {"db": db, "login": "admin", "password": "admin"}
    )
    return header.split(";")[0].split("=", 1)[1]


def top_vip(url, session):
    """A VIP customer with a payment class, the richest form to show."""
    result, _header = rpc(
        url,
        "/web/dataset/call_kw",
        {
            "model": "res.partner",
            "method": "search",
            "args": [
                [
                    ("is_company", "=", True),
                    ("customer_lifecycle_stage", "=", "vip"),
                    ("customer_payment_class", "!=", False),
                ]
            ],
            "kwargs": {"limit": 1, "order": "customer_total_revenue desc"},
        },
        cookie=f"session_id={session}",
    )
    return result[0]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp()
        self.process = subprocess.Popen(
            [
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--remote-debugging-port=9333",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen("http://127.0.0.1:9333/json") as response:
                    target = next(t for t in json.load(response) if t["type"] == "page")
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.process.terminate()
            raise RuntimeError("Chromium's DevTools did not answer on port 9333")
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"])
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def wait_for(self, selector, timeout=60):
        expression = f"!!document.querySelector({json.dumps(selector)})"
        deadline = time.time() + timeout
        while time.time() < deadline:
            result = self.send("Runtime.evaluate", expression=expression)
            if result.get("result", {}).get("value"):
                time.sleep(1.5)  # animations and late images
                return
            time.sleep(0.5)
        raise TimeoutError(selector)

    def close(self):
        self.socket.close()
        self.process.terminate()


def main(url, db):
    session = login(url, db)
    vip = top_vip(url, session)
    browser = Browser()
    try:
        browser.send("Network.enable")
        browser.send("Network.setCookie", name="session_id", value=session, url=url, httpOnly=True)
        for target, path, selector, click, height in PAGES:
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=WIDTH,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.send("Page.navigate", url=url + path.format(vip=vip))
            browser.wait_for(selector)
            if click:
                browser.send(
                    "Runtime.evaluate",
                    expression=f"document.querySelector({json.dumps(click)}).click()",
                )
                browser.wait_for(selector)
            image = browser.send("Page.captureScreenshot", format="png")["data"]
            (REPO / target).write_bytes(base64.b64decode(image))
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
