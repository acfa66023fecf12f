"""`make bench`: seed a database, serve shop as production would, load it with wrk, report.

    python -m bench.run [--duration 15] [--warmup 5] [--connections 16] [--only NAME ...]

SQLite (a file in a temporary directory) by default; with `DATABASE_URL=postgres://.../NAME`
the bench creates and afterwards drops its own database `NAME_bench` on that server. gunicorn
serves `bench.settings` (production's settings plus the floor) with 2 sync workers, `DEBUG`
off, on 127.0.0.1:8077. Every scenario gets a warm-up whose figures are thrown away, then a
measured run of fixed length with a fixed number of connections. The floor comes in two kinds,
anonymous and with a JWT (the same authentication as the scenario), and is measured just before
and just after every scenario; a scenario's ratio is to the mean of those two floor runs, so
that a neighbour's load on the machine shows in both. The mixed scenario reads the product list
while a second wrk places orders (`--mixed-connections`); its floor runs under the same orders.
Results: a table on stdout, and `bench/results/<database>.json` and `.png`. Afterwards the
bench checks through the public API that for every product `stock + units sold == initial
stock`. Placing an order with and without the outbox is also compared in short runs in the
order A B B A (`--alternations`); then the bench measures the outbox in-process
(`bench.outbox`: placing with and without it, the relay's events/s to RabbitMQ, consuming).
"""

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
LUA = BENCH_DIR / "lua"
HOST = "127.0.0.1"
WORKERS = 2
# Each run of the alternation of placing with and without the outbox (`alternate`).
ALTERNATION_SECONDS = 5
# A background load starts this long before its scenario and ends this long after it.
BACKGROUND_MARGIN_S = 1


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    script: str
    path: str = "/"
    token: str = ""
    env: dict = field(default_factory=dict)
    floor: str = "anonymous"
    target: float | None = None
    target_database: str | None = None
    # Run at the same time as this scenario, on connections of its own (`run_wrk`).
    background: "Scenario | None" = None


def lua_files(seed: dict, workdir: Path) -> dict[str, str]:
    """The files the Lua scripts read, written once: the product ids, the variant ids, and the
    placing customers' tokens."""
    ids_file = workdir / "product_ids.txt"
    ids_file.write_text("\n".join(map(str, seed["product_ids"])) + "\n")
    variants_file = workdir / "variant_ids.txt"
    variants_file.write_text("\n".join(map(str, seed["variant_ids"])) + "\n")
    tokens_file = workdir / "tokens.txt"
    tokens_file.write_text("".join(f"{cid} {tok}\n" for cid, tok in seed["placing_tokens"]))
    return {
        "BENCH_PRODUCT_IDS": str(ids_file),
        "BENCH_VARIANT_IDS": str(variants_file),
        "BENCH_TOKENS": str(tokens_file),
    }


def placing_meanwhile(files: dict[str, str]) -> Scenario:
    """The mixed scenario's background: customers placing 3-line orders."""
    return Scenario("placing_meanwhile", "orders placed meanwhile", "orders.lua", env=files)


def scenarios(seed: dict, files: dict[str, str]) -> list[Scenario]:
    category, ordering = seed["filter_category"], seed["filter_ordering"]
    return [
        Scenario(
            "products", "product list, page of 20", "get.lua", "/api/v1/products/", target=0.5
        ),
        Scenario(
            "products_mixed",
            "product list, orders placed meanwhile",
            "get.lua",
            "/api/v1/products/",
            floor="mixed",
            target=0.5,
            background=placing_meanwhile(files),
        ),
        Scenario(
            "products_filtered",
            f"product list ?category&ordering={ordering}",
            "get.lua",
            f"/api/v1/products/?category={category}&ordering={ordering}",
        ),
        Scenario(
            "search",
            f"product search ?search={seed['search_term']}",
            "get.lua",
            f"/api/v1/products/?search={seed['search_term']}",
        ),
        Scenario("detail", "product detail", "detail.lua", env=files, target=0.7),
        Scenario(
            "order_list",
            "order list, page of 20 (JWT)",
            "get.lua",
            "/api/v1/orders/",
            token=seed["list_token"],
            floor="jwt",
            target=0.4,
        ),
        Scenario(
            "place",
            "place a 3-line order (JWT)",
            "orders.lua",
            env=files,
            floor="jwt",
            target=0.2,
            target_database="postgresql",
        ),
        Scenario(
            "place_without_outbox",
            "place a 3-line order, no outbox (JWT)",
            "orders.lua",
            env={**files, "BENCH_ORDERS_PATH": "/bench/orders/"},
            floor="jwt",
        ),
        Scenario(
            "place_pay",
            "place, then pay, an order (JWT)",
            "orders.lua",
            env={**files, "BENCH_PAY": "1"},
            floor="jwt",
        ),
    ]


def floors(seed: dict, files: dict[str, str]) -> dict[str, Scenario]:
    return {
        "anonymous": Scenario("floor", "floor: static page of 20", "get.lua", "/bench/floor/"),
        "mixed": Scenario(
            "floor_mixed",
            "floor: static page of 20, orders placed meanwhile",
            "get.lua",
            "/bench/floor/",
            floor="mixed",
            background=placing_meanwhile(files),
        ),
        "jwt": Scenario(
            "floor_jwt",
            "floor: static page of 20, JWT",
            "get.lua",
            "/bench/floor/",
            token=seed["list_token"],
            floor="jwt",
        ),
    }


# The database


def bench_database(workdir: Path) -> tuple[str, str, str | None]:
    """`(kind, DATABASE_URL for the bench, maintenance URL to drop it with, or None)`."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", None
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"bench: DATABASE_URL must be SQLite (unset) or PostgreSQL, not {parts.scheme}.")
    name = parts.path.lstrip("/") or "shop"
    bench_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}_bench"))
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return "postgresql", bench_url, maintenance


def _postgres(maintenance_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(statement)


def _database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


# The server


def server_env(database_url: str, workdir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        PAYMENTS_SANDBOX_WEBHOOK_SECRET="whsec_bench_only",
        STATIC_ROOT=str(workdir / "static"),
        # Without CELERY_BROKER_URL, the relay requests each commit sends land in this run's
        # embedded broker, not in the repository's `.broker/`.
        CELERY_BROKER_DIR=str(workdir / "broker"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "shop.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    with open(log, "ab") as out:
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench: gunicorn exited ({server.returncode}); see {log}:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            if http_json("GET", f"http://{HOST}:{port}/api/v1/health/")[0] == 200:
                return server
        time.sleep(0.2)
    stop_server(server)
    sys.exit(f"bench: gunicorn did not answer within 30 s; see {log}.")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def http_json(method: str, url: str, *, token: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


# wrk


def _wrk(scenario: Scenario, *, base: str, seconds: int, connections: int, threads: int):
    env = dict(os.environ, BENCH_LUA_DIR=str(LUA), BENCH_TOKEN=scenario.token, **scenario.env)
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA / scenario.script}",
        base + scenario.path,
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _result(scenario: Scenario, process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate()
    for line in stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    sys.exit(f"bench: wrk failed for {scenario.name}:\n{stdout}\n{stderr}")


def run_wrk(
    scenario: Scenario,
    *,
    base: str,
    seconds: int,
    connections: int,
    threads: int,
    background_connections: int = 4,
) -> dict:
    """wrk's result for `scenario`; with a background load, that load runs on connections of
    its own from `BACKGROUND_MARGIN_S` before to as long after, and its result is the
    result's `background`."""
    if scenario.background is None:
        return _result(
            scenario,
            _wrk(scenario, base=base, seconds=seconds, connections=connections, threads=threads),
        )
    background = _wrk(
        scenario.background,
        base=base,
        seconds=seconds + 2 * BACKGROUND_MARGIN_S,
        connections=background_connections,
        threads=1,
    )
    time.sleep(BACKGROUND_MARGIN_S)
    raw = _result(
        scenario,
        _wrk(scenario, base=base, seconds=seconds, connections=connections, threads=threads),
    )
    raw["background"] = _result(scenario.background, background)
    return raw


def alternate(pair: tuple[Scenario, Scenario], rounds: int, *, seconds: int, **options) -> dict:
    """Short runs of two scenarios in the order A B B A, `rounds` times: a drift in the
    machine's load over the sequence weighs on both alike. The ratio is B's requests a second
    to A's, each summed over its runs."""
    runs = []
    for _ in range(rounds):
        for scenario in (pair[0], pair[1], pair[1], pair[0]):
            runs.append(summarise(scenario, run_wrk(scenario, seconds=seconds, **options)))
    rps = {
        scenario.name: sum(run["rps"] for run in runs if run["name"] == scenario.name)
        / (2 * rounds)
        for scenario in pair
    }
    return {
        "order": [scenario.name for scenario in pair],
        "seconds": seconds,
        "rounds": rounds,
        "runs": runs,
        "rps": rps,
        "ratio": rps[pair[1].name] / rps[pair[0].name],
        "table": (
            f"alternating {pair[0].title} / {pair[1].title}, {rounds} × ABBA of {seconds} s: "
            + " vs ".join(f"{rps[scenario.name]:.0f}" for scenario in pair)
            + f" req/s, {rps[pair[1].name] / rps[pair[0].name]:.2f}×"
        ),
    }


def summarise(scenario: Scenario, raw: dict) -> dict:
    latency = raw["latency_us"]
    errors = raw["errors"]
    background = raw.get("background")
    return {
        "name": scenario.name,
        "title": scenario.title,
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": latency["p50"] / 1000,
        "p90_ms": latency["p90"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        "max_ms": latency["max"] / 1000,
        "non_2xx": raw["non_2xx"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors,
        "statuses": raw["statuses"],
        "counts": raw["counts"],
        **(
            {} if background is None else {"background": summarise(scenario.background, background)}
        ),
    }


# The stock check


class Ordered:
    """The units wrk's runs ordered: those acknowledged (the 201s read), and at most how many
    more the requests in flight when a run stopped may have ordered (3 a connection)."""

    def __init__(self, connections: int, background_connections: int) -> None:
        self.acknowledged = self.in_flight = 0
        self._connections = connections
        self._background_connections = background_connections

    def add(self, raw: dict) -> None:
        """Count a run's result (`run_wrk`'s or `summarise`'s), its background's too."""
        if "units_ordered" in raw["counts"]:
            self.acknowledged += raw["counts"]["units_ordered"]
            self.in_flight += 3 * self._connections
        background = raw.get("background")
        if background is not None and "units_ordered" in background["counts"]:
            self.acknowledged += background["counts"]["units_ordered"]
            self.in_flight += 3 * self._background_connections


def fetch_all(base: str, path: str, token: str) -> list[dict]:
    items, url = [], f"{base}{path}?page_size=100"
    while url:
        status, page = http_json("GET", url, token=token)
        if status != 200:
            sys.exit(f"bench: GET {url} answered {status} during the stock check.")
        items.extend(page["results"])
        url = page["next"]
    return items


def check_stock(base: str, seed: dict, client_units: int, in_flight_units: int) -> dict:
    """Every variant's stock plus its units in orders equals the initial stock.

    Also: the orders hold at least the units acknowledged to wrk (201s it read), and at most
    those plus the requests still in flight when wrk stopped (whose answers it never read).
    """
    products = fetch_all(base, "/api/v1/products/", seed["staff_token"])
    orders = fetch_all(base, "/api/v1/orders/", seed["staff_token"])
    sold: dict[int, int] = {}
    for order in orders:
        if order["status"] == "cancelled":
            continue
        for line in order["items"]:
            sold[line["variant_id"]] = sold.get(line["variant_id"], 0) + line["quantity"]
    variants = [variant for product in products for variant in product["variants"]]
    wrong = [
        variant["id"]
        for variant in variants
        if variant["stock"] + sold.get(variant["id"], 0) != seed["initial_stock"]
    ]
    seeded_units = sum(seed["seeded_units"].values())
    server_units = sum(sold.values())
    return {
        "products_checked": len(products),
        "variants_checked": len(variants),
        "orders": len(orders),
        "units_sold": server_units,
        "units_acknowledged": seeded_units + client_units,
        "variants_wrong": wrong,
        "ok": len(products) == len(seed["product_ids"])
        and len(variants) == len(seed["variant_ids"])
        and not wrong
        and 0 <= server_units - seeded_units - client_units <= in_flight_units,
    }


# Output


def machine(kind: str, env: dict) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, rest_framework, gunicorn; "
            "print(django.get_version(), rest_framework.VERSION, gunicorn.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
        "django": versions[0],
        "drf": versions[1],
        "gunicorn": versions[2],
        "wrk": wrk_version,
        "database": kind,
        "cache": "redis" if env.get("REDIS_URL") else "locmem",
    }


def floor_summary(kind: str, floors: list[dict]) -> dict:
    """One row for a floor: the mean of its runs, with the latencies of its median run."""
    median = sorted(floors, key=lambda run: run["rps"])[len(floors) // 2]
    rps = [run["rps"] for run in floors]
    return {
        **median,
        "title": f"{median['title']} ({len(floors)} runs)",
        "floor": kind,
        "rps": sum(rps) / len(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "non_2xx": sum(run["non_2xx"] for run in floors),
        "socket_errors": sum(run["socket_errors"] for run in floors),
        "floor_rps": sum(rps) / len(rps),
        "ratio": 1.0,
        "tail_ok": all(run["p99_ms"] <= 5 * run["p50_ms"] for run in floors),
        "clean": all(run["non_2xx"] == 0 and run["socket_errors"] == 0 for run in floors),
        "target": None,
        "target_ok": None,
    }


def verdicts(rows: list[dict], kind: str, scenario_list) -> None:
    """Each scenario's ratio to the mean of the floor runs just before and just after it."""
    by_name = {scenario.name: scenario for scenario in scenario_list}
    for row in rows:
        scenario = by_name[row["name"]]
        row["floor"] = scenario.floor
        row["ratio"] = row["rps"] / row["floor_rps"]
        row["tail_ok"] = row["p99_ms"] <= 5 * row["p50_ms"]
        row["clean"] = row["non_2xx"] == 0 and row["socket_errors"] == 0
        applies = scenario.target is not None and scenario.target_database in (None, kind)
        row["target"] = scenario.target if applies else None
        row["target_ok"] = None if not applies else row["ratio"] >= scenario.target


def table(rows: list[dict]) -> str:
    width = max(40, *(len(row["title"]) for row in rows))
    header = (
        f"{'scenario':<{width}} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'non-2xx':>7} {'errors':>6} {'floor':>9} {'× floor':>8}  target"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        target = ""
        if row["target"] is not None:
            target = f"≥ {row['target']:.1f} {'ok' if row['target_ok'] else 'MISSED'}"
        if not row["tail_ok"]:
            target += " p99>5×p50"
        lines.append(
            f"{row['title']:<{width}} {row['rps']:>8.0f} {row['p50_ms']:>7.2f} "
            f"{row['p90_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['non_2xx']:>7} "
            f"{row['socket_errors']:>6} {row['floor']:>9} {row['ratio']:>8.2f}  {target}".rstrip()
        )
    return "\n".join(lines)


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["scenarios"]
    titles = [row["title"] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), sharey=True)
    positions = range(len(rows))
    left.barh(positions, [row["rps"] for row in rows], color="#4c72b0")
    for position, row in zip(positions, rows, strict=True):
        left.text(row["rps"], position, f" {row['rps']:.0f} ({row['ratio']:.2f}×)", va="center")
        left.plot([row["floor_rps"]], [position], marker="|", color="black", markersize=18)
        if row["target"] is not None:
            target_rps = row["target"] * row["floor_rps"]
            left.plot([target_rps], [position], marker="|", color="red", markersize=18)
    left.set_yticks(list(positions), titles)
    left.invert_yaxis()
    left.set_xlabel("requests per second (black mark: its floor; red mark: its target)")
    for key, colour in (("p50_ms", "#55a868"), ("p90_ms", "#dd8452"), ("p99_ms", "#c44e52")):
        right.scatter([row[key] for row in rows], positions, label=key[:3], color=colour)
    right.set_xlabel("latency, ms")
    right.set_xscale("log")
    right.legend(loc="lower right")
    m = result["machine"]
    fig.suptitle(
        f"shop under wrk: {m['database']}, {m['cache']} cache, gunicorn {WORKERS} sync workers, "
        f"{result['connections']} connections, {result['duration_s']} s a scenario — "
        f"{m['nproc']} × {m['cpu']}, {m['date']}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds measured a scenario")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up a scenario")
    parser.add_argument("--floor-duration", type=int, default=10, help="seconds a floor run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--mixed-connections",
        type=int,
        default=4,
        help="connections placing orders during the mixed scenario and its floor",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--only", nargs="*", help="only these scenarios (the floor always runs)")
    parser.add_argument("--skip-boundary", action="store_true")
    parser.add_argument("--skip-outbox", action="store_true")
    parser.add_argument(
        "--alternations",
        type=int,
        default=3,
        help=f"ABBA rounds of placing with and without the outbox, {ALTERNATION_SECONDS} s a run",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("bench: wrk is not installed. On Debian or Ubuntu: sudo apt-get install wrk")
        return 2
    if not port_is_free(args.port):
        print(f"bench: port {args.port} is taken; pass another with --port.")
        return 2

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    kind, database_url, maintenance = bench_database(workdir)
    env = server_env(database_url, workdir)
    server = None
    try:
        if maintenance:
            name = _database_name(database_url)
            _postgres(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _postgres(maintenance, f'CREATE DATABASE "{name}"')
        print(f"bench: {kind} database, migrating and seeding ...", flush=True)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        # shop.wsgi refuses to start without them, as a production server would.
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        seed_file = workdir / "seed.json"
        subprocess.run(
            [sys.executable, "-m", "bench.seed", str(seed_file)], env=env, cwd=ROOT, check=True
        )
        seed = json.loads(seed_file.read_text())
        info = machine(kind, env)

        server = start_server(env, args.port, workdir / "gunicorn.log")
        base = f"http://{HOST}:{args.port}"
        files = lua_files(seed, workdir)
        plan = scenarios(seed, files)
        if args.only:
            plan = [scenario for scenario in plan if scenario.name in args.only]
        options = {
            "base": base,
            "connections": args.connections,
            "threads": args.threads,
            "background_connections": args.mixed_connections,
        }
        floor_of = {
            kind: floor
            for kind, floor in floors(seed, files).items()
            if kind != "mixed" or any(scenario.floor == "mixed" for scenario in plan)
        }
        floor_runs: dict[str, list[dict]] = {kind: [] for kind in floor_of}
        ordered = Ordered(args.connections, args.mixed_connections)
        for floor in floor_of.values():
            print(f"bench: {floor.title} (warm-up) ...", flush=True)
            ordered.add(run_wrk(floor, seconds=args.warmup, **options))
        rows = []
        for scenario in plan:
            print(f"bench: {scenario.title}, between two floors ...", flush=True)
            floor = floor_of[scenario.floor]
            before_raw = run_wrk(floor, seconds=args.floor_duration, **options)
            warm = run_wrk(scenario, seconds=args.warmup, **options)
            measured = run_wrk(scenario, seconds=args.duration, **options)
            after_raw = run_wrk(floor, seconds=args.floor_duration, **options)
            for raw in (before_raw, warm, measured, after_raw):
                ordered.add(raw)
            before, after = summarise(floor, before_raw), summarise(floor, after_raw)
            floor_runs[scenario.floor] += [before, after]
            row = summarise(scenario, measured)
            if "background" in row:
                row["title"] += f" ({row['background']['rps']:.0f} orders/s)"
            row["warmup"] = summarise(scenario, warm)
            row["floor_rps"] = (before["rps"] + after["rps"]) / 2
            rows.append(row)
        if not floor_runs["anonymous"]:
            # Every scenario's ratio to the anonymous floor needs a run of it, even when only
            # authenticated scenarios were asked for (`--only order_list`).
            anonymous = floor_of["anonymous"]
            anonymous_run = run_wrk(anonymous, seconds=args.floor_duration, **options)
            floor_runs["anonymous"].append(summarise(anonymous, anonymous_run))

        alternating = None
        by_name = {scenario.name: scenario for scenario in plan}
        if args.alternations and {"place", "place_without_outbox"} <= by_name.keys():
            print("bench: placing with and without the outbox, alternating ...", flush=True)
            pair = (by_name["place"], by_name["place_without_outbox"])
            alternating = alternate(pair, args.alternations, seconds=ALTERNATION_SECONDS, **options)
            for run in alternating["runs"]:
                ordered.add(run)

        boundary = None
        if not args.skip_boundary:
            print("bench: the price of a boundary ...", flush=True)
            boundary_file = workdir / "boundary.json"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.boundary",
                    base,
                    str(workdir / "product_ids.txt"),
                    str(boundary_file),
                ],
                env=env,
                cwd=ROOT,
                check=True,
            )
            boundary = json.loads(boundary_file.read_text())

        stock = check_stock(base, seed, ordered.acknowledged, ordered.in_flight)

        outbox = None
        if not args.skip_outbox:
            # After the stock check: its placements are not wrk's.
            print(
                "bench: the outbox (placing with and without, the relay, consuming) ...", flush=True
            )
            outbox_file = workdir / "outbox.json"
            subprocess.run(
                [sys.executable, "-m", "bench.outbox", str(seed_file), str(outbox_file)],
                env=env,
                cwd=ROOT,
                check=True,
            )
            outbox = json.loads(outbox_file.read_text())
        gunicorn_log = (workdir / "gunicorn.log").read_text()
    finally:
        if server is not None:
            stop_server(server)
        if maintenance:
            with contextlib.suppress(Exception):
                name = _database_name(database_url)
                _postgres(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    verdicts(rows, kind, plan)
    floor_rows = [floor_summary(k, runs) for k, runs in floor_runs.items() if runs]
    anonymous_rps = next(row["rps"] for row in floor_rows if row["floor"] == "anonymous")
    for row in rows:
        row["ratio_to_anonymous_floor"] = row["rps"] / anonymous_rps
    rows[:0] = floor_rows
    result = {
        "machine": info,
        "workers": WORKERS,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "floor_duration_s": args.floor_duration,
        "floor_runs": floor_runs,
        "scenarios": rows,
        "boundary": boundary,
        "outbox": outbox,
        "outbox_alternating": alternating,
        "stock_check": stock,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{kind}.json").write_text(json.dumps(result, indent=2) + "\n")
    chart(result, args.results / f"{kind}.png")

    print()
    print(
        f"shop bench — {info['database']}, {info['cache']} cache, {info['nproc']} × {info['cpu']}, "
        f"gunicorn {WORKERS} sync workers, wrk {args.connections} connections, "
        f"{args.warmup} s warm-up + {args.duration} s a scenario"
    )
    print(table(rows))
    print(
        "× floor: to the mean of the two runs of the scenario's floor (same authentication) "
        "just before and after it; floor runs ranged "
        + ", ".join(
            f"{row['floor']} {row['rps_min']:.0f}–{row['rps_max']:.0f} req/s" for row in floor_rows
        )
    )
    if boundary:
        print()
        print(boundary["table"])
    if alternating or outbox:
        print()
    if alternating:
        print(alternating["table"])
    if outbox:
        print(outbox["table"])
    print()
    verdict = "ok" if stock["ok"] else "FAILED"
    print(
        f"stock check: {verdict} — {stock['products_checked']} products, "
        f"{stock['variants_checked']} variants, {stock['orders']} orders,"
        f" {stock['units_sold']} units sold (acknowledged to clients: "
        f"{stock['units_acknowledged']}); stock + sold == initial for every variant: "
        f"{not stock['variants_wrong']}"
    )
    errors = [line for line in gunicorn_log.splitlines() if "Traceback" in line or "ERROR" in line]
    if errors:
        print(f"server log: {len(errors)} error line(s), e.g. {errors[0]}")
    print(f"results: {args.results / (kind + '.json')}, {args.results / (kind + '.png')}")
    print(f"elapsed: {result['elapsed_s']:.0f} s")
    return 0 if stock["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
