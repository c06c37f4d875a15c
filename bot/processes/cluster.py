"""``python -m bot.processes.cluster`` (make run-cluster): several Rasa servers behind nginx, sharing
PostgreSQL (knowledge base + tracker store) and Redis (lock store).

Each replica is a Rasa server with its own action server, started exactly as ``make run`` starts
them (bot/processes/servers.py). nginx (Debian's package; scripts/ensure-nginx.sh installs it if missing)
listens on the front port: REST is spread round-robin over the replicas (any replica can serve any
sender: the conversation is in PostgreSQL and Redis serialises one sender's messages), socket.io
is pinned to one replica per client address (ip_hash), because a socket.io session lives in the
memory of the server that opened it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

from bot.channels import internal_callers
from bot.paths import PROJECT_DIR, VAR_DIR
from bot.processes import capacity, env_file, nginx_log, servers
from bot.processes.supervisor import run_until_stopped, stop_on_signals
from bot.stores import settings as stores
from bot.stores.endpoints import write_endpoints
from bot.training import model

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wanqi"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
CLUSTER_DIR = VAR_DIR / "cluster"

NGINX_CONF = """\
# Written by bot/processes/cluster.py for one run; edit the template there, not this file.
{user_line}worker_processes 1;
pid {run_dir}/nginx.pid;
# To stderr, which the cluster reads and scrubs before it is logged (bot/processes/nginx_log.py):
# nginx writes a failed request's request line there, tokens and conversation ids included.
error_log stderr warn;
events {{ worker_connections 2048; }}
http {{
    # No query strings (Rasa's API takes its token as ?token=), no web chat session ids (the history
    # path holds one, and it is the key to that conversation) and no sender ids in the access log.
    map $uri $logged_path {{
        ~^/webchat/history/ /webchat/history/-;
        ~^/console/api/conversations/ /console/api/conversations/-;
        ~^/conversations/ /conversations/-;
        default $uri;
    }}
    log_format no_secrets '$remote_addr [$time_local] "$request_method $logged_path $server_protocol" '
                          '$status $body_bytes_sent $request_time';
    access_log {run_dir}/nginx-access.log no_secrets;
    client_body_temp_path {run_dir}/client_body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    # A chat message is small; anything over 1 MB is refused with 413 before it reaches Rasa.
    client_max_body_size 1m;
    client_body_buffer_size 1m;

    # No keep-alive connections to the replicas: a connection kept to a replica that has since died
    # fails only after the message was written to it (then only the delivery claim, below, keeps it
    # from running twice); a fresh one is refused before anything is sent. A loopback connect is cheap.
    upstream rasa_rest {{
{servers}
    }}
    upstream rasa_socketio {{
        ip_hash;
{servers}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    server {{
        listen {port};
        proxy_read_timeout 120s;
        location /socket.io/ {{
            proxy_pass http://rasa_socketio;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            # The replicas read the client's address from here (SANIC_PROXIES_COUNT=1): login throttling.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
        location / {{
            proxy_pass http://rasa_rest;
            proxy_set_header Host $host;
            # The replicas read the client's address from here (SANIC_PROXIES_COUNT=1): login throttling.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A replica that fails (refused, reset, closed without an answer) is skipped and the
            # message goes to the next one, POST included (non_idempotent): a replica that was dying
            # had often not read it. One that had read it claimed its request id, and the next
            # replica then does not run it again (bot/channels/rest/deliveries.py): never two runs.
            proxy_set_header X-Request-ID $request_id;
            proxy_next_upstream error timeout non_idempotent;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    front_url: str
    replica_urls: List[str]
    processes: List[servers.ManagedProcess] = field(default_factory=list)
    internal_token: str | None = None  # shared by every replica (bot/channels/internal_callers.py)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    target = make_url(url)
    maintenance = target.set(database="postgres")
    engine = sqlalchemy.create_engine(maintenance, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not exists:
                connection.execute(sqlalchemy.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        engine.dispose()


def ensure_nginx() -> str:
    """The nginx binary, installed from Debian's packages if missing."""
    found = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    if found:
        return str(found)
    result = subprocess.run([str(PROJECT_DIR / "scripts" / "ensure-nginx.sh")])
    found = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    if result.returncode != 0 or not found:
        raise servers.StartupError("nginx is not installed and could not be installed (see the message above).")
    return str(found)


def write_nginx_conf(run_dir: Path, port: int, replica_ports: List[int]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    # nginx's workers drop to "nobody" when started by root; they must write the temp dirs here.
    user_line = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in replica_ports)
    conf = run_dir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user_line=user_line, run_dir=run_dir, servers=upstreams, port=port))
    return conf


def start_nginx(run_dir: Path, port: int, replica_ports: List[int], log_dir: Path | None) -> servers.ManagedProcess:
    nginx = ensure_nginx()
    conf = write_nginx_conf(run_dir, port, replica_ports)
    test = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(run_dir)], capture_output=True, text=True)
    if test.returncode != 0:
        raise servers.StartupError(f"nginx rejected {conf}:\n{test.stderr}")
    # -e stderr: also what nginx logs before it has read the configuration goes through the scrub.
    command = [nginx, "-e", "stderr", "-c", str(conf), "-p", str(run_dir), "-g", "daemon off;"]
    process = servers._spawn("nginx", command, log_dir, servers.child_environment("nginx"), line_filter=nginx_log.scrub)
    servers.wait_until_ready(process, f"http://127.0.0.1:{port}/", timeout=30)
    return process


def start_cluster(
    model_path: Path,
    port: int,
    replica_ports: List[int],
    action_ports: List[int],
    stores_settings: stores.StoreSettings,
    extra_env: dict | None = None,
    run_dir: Path = CLUSTER_DIR,
    log_dir: Path | None = None,
    api_token: str | None = None,
) -> Cluster:
    """Action servers and Rasa replicas (started in parallel), then nginx in front of them."""
    if not stores_settings.tracker_database_url or not stores_settings.redis_url:
        raise servers.StartupError("A cluster needs a PostgreSQL DATABASE_URL and a REDIS_URL.")
    replicas = len(replica_ports)
    cluster = Cluster(f"http://127.0.0.1:{port}", [f"http://127.0.0.1:{p}" for p in replica_ports])
    cluster.internal_token = servers.internal_caller_token()
    # nginx is the one proxy in front: the replicas take the client address from its X-Forwarded-For.
    rasa_env = {**servers.redis_env(stores_settings), **(extra_env or {}),
                internal_callers.TOKEN_ENV: cluster.internal_token, "SANIC_PROXIES_COUNT": "1"}  # fmt: skip
    try:
        # Every child is spawned from this (the main) thread, so each dies with this process even on
        # kill -9 (servers._die_with_parent follows the spawning thread); only the waiting is parallel.
        for i in range(replicas):
            action = servers.spawn_action_server(action_ports[i], log_dir, extra_env, name=f"action server {i + 1}")
            cluster.processes.append(action)
        for i in range(replicas):
            endpoints = write_endpoints(
                run_dir / f"endpoints-{i + 1}.yml",
                f"http://127.0.0.1:{action_ports[i]}/webhook",
                run_dir / "unused-tracker.db",
                stores_settings,
            )
            rasa = servers.spawn_rasa_server(
                model_path, replica_ports[i], endpoints, api_token, log_dir, rasa_env, name=f"Rasa server {i + 1}"
            )
            cluster.processes.append(rasa)
        ready_urls = [servers.action_health_url(p) for p in action_ports] + [
            servers.rasa_ready_url(p) for p in replica_ports
        ]
        with ThreadPoolExecutor(max_workers=len(ready_urls)) as pool:
            waits = [
                pool.submit(servers.wait_until_ready, p, url)
                for p, url in zip(cluster.processes, ready_urls, strict=True)
            ]
            for wait in waits:
                wait.result()
        cluster.processes.append(start_nginx(run_dir, port, replica_ports, log_dir))
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main(argv: List[str] | None = None) -> int:
    env_file.load(PROJECT_DIR / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot.processes.cluster", description=__doc__.split("\n\n")[0])
    # One replica per core (as many as the memory holds): a Rasa server uses one core.
    parser.add_argument(
        "--replicas", type=int, default=int(os.environ.get("CLUSTER_REPLICAS", capacity.default_replicas()))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)), help="nginx front port")
    parser.add_argument("--first-replica-port", type=int, default=int(os.environ.get("CLUSTER_FIRST_PORT", 5101)))
    parser.add_argument("--first-action-port", type=int, default=int(os.environ.get("CLUSTER_FIRST_ACTION_PORT", 5151)))
    args = parser.parse_args(argv)
    stop_on_signals()

    database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not stores.is_postgres_url(database_url):
        print(
            f"Could not start: a cluster needs PostgreSQL; DATABASE_URL is {stores.redacted(database_url)}",
            file=sys.stderr,
        )
        return 1
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    settings = stores.StoreSettings.from_env()
    print(
        f"[1/4] Checking PostgreSQL ({stores.redacted(database_url)}) and Redis ({stores.redacted(settings.redis_url)})"
    )
    try:
        ensure_database(database_url)
        stores.check_reachable(settings, database_url)
    except stores.StoreUnreachable as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - e.g. PostgreSQL refusing CREATE DATABASE
        print(
            f"Could not start: cannot create the database of {stores.redacted(database_url)}: {error}", file=sys.stderr
        )
        return 1
    from knowledge import loader

    print("[2/4] Loading the policy knowledge base into PostgreSQL")
    loader.load(database_url)
    print("[3/4] Checking the model")
    model_path = model.ensure_model()
    print(f"[4/4] Starting {args.replicas} Rasa servers + action servers and nginx on :{args.port}")
    started = time.monotonic()

    def start() -> Cluster:
        cluster = start_cluster(
            model_path, args.port,
            [args.first_replica_port + i for i in range(args.replicas)],
            [args.first_action_port + i for i in range(args.replicas)],
            settings,
            log_dir=CLUSTER_DIR / "logs", api_token=os.environ.get("RASA_API_TOKEN"),
        )  # fmt: skip
        print(
            f"\n皖企政策助手 cluster is ready (started in {time.monotonic() - started:.0f} s): "
            f"{args.replicas} replicas behind nginx.\n"
            f"REST:      POST {cluster.front_url.replace('127.0.0.1', 'localhost')}/webhooks/rest/webhook\n"
            f"socket.io: {cluster.front_url.replace('127.0.0.1', 'localhost')}/socket.io\n"
            f"Replicas:  {', '.join(cluster.replica_urls)}   Logs: {CLUSTER_DIR / 'logs'}\n"
            "Press Ctrl-C to stop every process started here.\n",
            flush=True,
        )
        return cluster

    # A replica, action server or nginx that dies is restarted (with back-off) while the others answer.
    return run_until_stopped(start)


if __name__ == "__main__":
    sys.exit(main())
