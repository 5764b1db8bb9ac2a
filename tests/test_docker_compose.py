"""docker-compose.yml serves Odoo 19 with the repository as an addons path (no Docker engine
here, so the file is checked, not run)."""

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
MODULES = (
    "customer_segmentation",
    "channel_attribution",
    "customer_care",
    "customer_clv",
    "customer_care_loyalty",
    "customer_care_mass_mailing",
)


def load_compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_services_and_images():
    services = load_compose()["services"]
    dockerfile = REPO / services["odoo"]["build"]["dockerfile"]
    lines = dockerfile.read_text().splitlines()
    assert "FROM odoo:19.0" in lines
    requirements = (REPO / "requirements.txt").read_text().split()
    for package in ("numpy", "scipy"):  # customer_clv's external dependencies, same pins
        pin = next(line for line in requirements if line.startswith(f"{package}=="))
        assert any(pin in line for line in lines if line.startswith("RUN pip3 install"))
    assert services["db"]["image"] == "postgres:16"
    assert "8069:8069" in [str(port) for port in services["odoo"]["ports"]]
    assert "db" in services["odoo"]["depends_on"]


def test_repository_is_an_addons_path():
    odoo = load_compose()["services"]["odoo"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in odoo["volumes"]}
    assert mounts.get("/mnt/extra-addons") == "."
    for module in MODULES:
        assert (REPO / module / "__manifest__.py").is_file()


def test_installs_the_modules_with_demo_data():
    command = load_compose()["services"]["odoo"]["command"]
    command = " ".join(command) if isinstance(command, list) else command
    assert "-i " + ",".join(MODULES) in command
    assert "--with-demo" in command


def test_database_credentials_match():
    services = load_compose()["services"]
    db_env, odoo_env = services["db"]["environment"], services["odoo"]["environment"]
    assert odoo_env["HOST"] == "db"
    assert odoo_env["USER"] == db_env["POSTGRES_USER"]
    assert odoo_env["PASSWORD"] == db_env["POSTGRES_PASSWORD"]


def test_replica_override_serves_reads_from_a_streaming_replica():
    base = load_compose()["services"]
    override = yaml.safe_load((REPO / "docker-compose.replica.yml").read_text())["services"]
    replica = override["db-replica"]
    assert replica["image"] == base["db"]["image"], "the replica runs the primary's version"
    assert replica["environment"]["PGPASSWORD"] == base["db"]["environment"]["POSTGRES_PASSWORD"]
    command = override["odoo"]["command"]
    assert command.startswith(base["odoo"]["command"]), "same installation as without replica"
    assert command.endswith("--db_replica_host=db-replica")
    mounted = {volume.split(":")[0] for volume in replica["volumes"] + override["db"]["volumes"]}
    for path in ("./docker/replica", "./docker/replica/allow-replication.sh"):
        assert (REPO / path).exists(), path
        assert path in mounted
    start = (REPO / "docker/replica/start-replica.sh").read_text()
    assert "--write-recovery-conf" in start and "--host=db" in start
