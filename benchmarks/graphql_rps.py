"""Requests per second of a GraphQL list query against a plain Starlette endpoint.

One uvicorn process (one worker, 127.0.0.1, a free port) serves the product's
GraphQL app at /graphql. The same process and engine also serve a plain Starlette
route, /baseline/segments, that runs the equivalent SQL and returns the same JSON.
The same load generator drives each for the same time. It is `wrk`, with a Lua
script that sends the POST body and stops after a fixed number of requests. Without
wrk, it is an asyncio + httpx client with the same concurrency and bounds.

The database gets N generated contacts and a few hundred segments of 1 to 200 lines
each, so that noOfLines counts real rows.

    python -m benchmarks.graphql_rps                    # both databases
    python -m benchmarks.graphql_rps --contacts 100000 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from graphql_api.app import create_app
from segments_module.db import session_scope
from segments_module.services.env import Actor, Env
from segments_module.services.segments import create_segment

from .databases import (
    BACKENDS,
    RESULTS_DIR,
    database_version,
    fresh_database,
    open_engine,
)
from .generate import TEMPLATE_CODE, generate

logger = logging.getLogger(__name__)

DEFAULT_CONTACTS = 1_000_000
SEGMENTS = 300
MAX_LINES_PER_SEGMENT = 200
MIN_RATIO = 0.35
PAGE_SIZE = 50
QUERY = "{ segments(first: 50) { edges { node { no description noOfLines } } } }"
GRAPHQL_PATH = "/graphql"
BASELINE_PATH = "/baseline/segments"
DATABASE_URL_VARIABLE = "SEGMENTS_BENCH_DATABASE_URL"

# The first page of open segments by no., with each one's number of lines: the same
# rows the GraphQL query returns.
BASELINE_SQL = """
SELECT h.no, h.description, COUNT(l.line_no) AS no_of_lines
FROM (
    SELECT no, description FROM segment_header ORDER BY no LIMIT :page_size
) AS h
LEFT JOIN segment_line AS l ON l.segment_no = h.no
GROUP BY h.no, h.description
ORDER BY h.no
"""


# The server side -------------------------------------------------------------------


def create_bench_app() -> Starlette:
    """Build the served app: the product's GraphQL app plus the baseline route.

    The database URL comes from SEGMENTS_BENCH_DATABASE_URL, because uvicorn calls
    this factory without arguments.
    """
    engine = open_engine(os.environ[DATABASE_URL_VARIABLE])
    product = create_app(engine=engine)

    def baseline_segments(request: Request) -> JSONResponse:
        # A plain (sync) endpoint: Starlette runs it in its thread pool.
        with engine.connect() as connection:
            rows = connection.execute(text(BASELINE_SQL), {"page_size": PAGE_SIZE})
            edges = [
                {"node": {"no": no, "description": description, "noOfLines": count}}
                for no, description, count in rows
            ]
        return JSONResponse({"data": {"segments": {"edges": edges}}})

    return Starlette(
        routes=[Route(BASELINE_PATH, baseline_segments), Mount("/", app=product)]
    )


def seed_segments(engine: Engine, contacts: int) -> int:
    """Create SEGMENTS segments of 1 to MAX_LINES_PER_SEGMENT lines; return the lines.

    Segment k (0-based) gets the contacts i = k + 1, k + 1 + SEGMENTS, ... while
    (i - 1) / SEGMENTS is below its line count, so no contact repeats in a segment.
    """
    with session_scope(engine, write=True) as session:
        env = Env(session=session, actor=Actor(user_id="bench.user"))
        numbers = [
            create_segment(
                env,
                {
                    "description": f"Benchmark mailing {index}",
                    "interaction_template_code": TEMPLATE_CODE,
                },
            ).no
            for index in range(SEGMENTS)
        ]
    rows_needed = SEGMENTS * MAX_LINES_PER_SEGMENT
    if contacts < rows_needed:
        raise ValueError(
            f"--contacts {contacts} is too small: the segments need {rows_needed} "
            "contacts. Use a larger value."
        )

    # The k-th segment no. is looked up by position in a small VALUES list.
    values = ", ".join(f"({index}, '{no}')" for index, no in enumerate(numbers))
    if engine.dialect.name == "sqlite":
        sequence = (
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq "
            "WHERE i < :rows), "
        )
        source = "seq"
        contact_no = "printf('CT%07d', seq.i)"
    else:
        sequence = "WITH "
        source = "generate_series(1, :rows) AS seq(i)"
        contact_no = "'CT' || lpad(seq.i::text, 7, '0')"
    statement = (
        f"{sequence}numbers(position, segment_no) AS (VALUES {values}) "
        "INSERT INTO segment_line (segment_no, line_no, contact_no, "
        "contact_company_no, description) "
        f"SELECT n.segment_no, ((seq.i - 1) / {SEGMENTS} + 1) * 10000, {contact_no}, "
        f"'', 'Benchmark line' FROM {source} "
        f"JOIN numbers AS n ON n.position = (seq.i - 1) % {SEGMENTS} "
        f"WHERE (seq.i - 1) / {SEGMENTS} "
        f"< 1 + (n.position * 37) % {MAX_LINES_PER_SEGMENT}"
    )
    with session_scope(engine, write=True) as session:
        session.execute(text(statement), {"rows": rows_needed})
        return session.execute(text("SELECT COUNT(*) FROM segment_line")).scalar_one()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    """Start uvicorn with one worker on 127.0.0.1:`port` and wait for /healthz."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.graphql_rps:create_bench_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    environment = dict(os.environ, **{DATABASE_URL_VARIABLE: url})
    repository = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(command, env=environment, cwd=repository)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with code {server.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(
        f"uvicorn did not respond on port {port} within 30 s. Check its output above."
    )


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def fetch_both(port: int) -> tuple[dict, dict]:
    """Return the GraphQL response and the baseline response, as parsed JSON."""
    base = f"http://127.0.0.1:{port}"
    graphql = httpx.post(f"{base}{GRAPHQL_PATH}", json={"query": QUERY}, timeout=30)
    baseline = httpx.get(f"{base}{BASELINE_PATH}", timeout=30)
    graphql.raise_for_status()
    baseline.raise_for_status()
    return graphql.json(), baseline.json()


# The load generators -------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """The load on each endpoint: concurrent connections, duration and request cap."""

    connections: int
    duration: float
    max_requests: int


@dataclass(frozen=True)
class Rate:
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


# Sends the request of the `method` and `body` set by the caller, and stops a thread
# after `max_requests` responses, so that a run is bounded in count as well as time.
_WRK_SCRIPT = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
local max_requests = {max_requests}
local received = 0
response = function(status, headers, body)
    received = received + 1
    if received >= max_requests then
        wrk.thread:stop()
    end
end
done = function(summary, latency, requests)
    io.write(string.format("RESULT %d %d %d\\n", summary.requests,
        summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout, summary.duration))
end
"""


def run_wrk(url: str, method: str, body: str, load: Load) -> Rate:
    """Drive `url` with wrk (one thread) and return the completed requests."""
    script = _WRK_SCRIPT.format(
        method=method,
        body=json.dumps(body),
        max_requests=load.max_requests,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    try:
        completed = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(load.connections),
                "--duration",
                f"{load.duration:.0f}s",
                "--timeout",
                "10s",
                "--script",
                script_path,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=load.duration + 60,
        )
    finally:
        os.unlink(script_path)

    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            requests, errors, microseconds = (int(part) for part in line.split()[1:])
            return Rate(requests, errors, microseconds / 1_000_000)
    raise RuntimeError(
        f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}"
    )


async def _drive_with_httpx(url: str, method: str, body: str, load: Load) -> Rate:
    counts = {"requests": 0, "errors": 0}
    deadline = time.monotonic() + load.duration
    limits = httpx.Limits(max_connections=load.connections)
    content = body.encode() if body else None
    headers = {"Content-Type": "application/json"}

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline and counts["requests"] < load.max_requests:
            response = await client.request(
                method, url, content=content, headers=headers
            )
            counts["requests"] += 1
            if response.status_code != 200:
                counts["errors"] += 1

    started = time.monotonic()
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(load.connections)))
    return Rate(counts["requests"], counts["errors"], time.monotonic() - started)


def run_httpx(url: str, method: str, body: str, load: Load) -> Rate:
    """Drive `url` with `load.connections` concurrent asyncio + httpx clients."""
    return asyncio.run(_drive_with_httpx(url, method, body, load))


def measure(port: int, load: Load, warm_up: Load, generator: str) -> dict[str, Rate]:
    """Warm up each endpoint, then measure each for the same duration."""
    drive = run_wrk if generator == "wrk" else run_httpx
    base = f"http://127.0.0.1:{port}"
    targets = {
        "graphql": (f"{base}{GRAPHQL_PATH}", "POST", json.dumps({"query": QUERY})),
        "baseline": (f"{base}{BASELINE_PATH}", "GET", ""),
    }
    for name, (url, method, body) in targets.items():
        drive(url, method, body, warm_up)
        logger.info("warmed up %s", name)
    rates = {}
    for name, (url, method, body) in targets.items():
        rates[name] = drive(url, method, body, load)
        # wrk reports the whole duration even when the script stopped its thread early.
        if generator == "wrk" and rates[name].requests >= load.max_requests:
            raise RuntimeError(
                f"wrk reached {load.max_requests} requests on {name} before the end of "
                "the duration, so its rate would be too low. Raise --max-requests or "
                "shorten --duration."
            )
        logger.info(
            "%s: %d requests, %d errors in %.1f s",
            name,
            rates[name].requests,
            rates[name].errors,
            rates[name].seconds,
        )
    return rates


# The benchmark -------------------------------------------------------------------


@dataclass
class RpsResult:
    database: str
    version: str
    generator: str
    graphql_rps: float
    baseline_rps: float
    graphql_errors: int
    baseline_errors: int
    same_data: bool

    @property
    def ratio(self) -> float:
        return self.graphql_rps / self.baseline_rps

    @property
    def passed(self) -> bool:
        no_errors = not (self.graphql_errors or self.baseline_errors)
        return self.same_data and no_errors and self.ratio >= MIN_RATIO


def benchmark_database(
    backend: str, contacts: int, load: Load, warm_up: Load, generator: str
) -> RpsResult:
    with fresh_database(backend) as url:
        engine = open_engine(url)
        version = database_version(engine)
        generate(engine, contacts)
        lines = seed_segments(engine, contacts)
        logger.info("%s: %d segments with %d lines", backend, SEGMENTS, lines)
        engine.dispose()

        port = free_port()
        server = start_server(url, port)
        try:
            graphql, baseline = fetch_both(port)
            same_data = graphql == baseline
            if not same_data:
                logger.error("the responses differ:\n%s\n%s", graphql, baseline)
            rates = measure(port, load, warm_up, generator)
        finally:
            stop_server(server)

    return RpsResult(
        database=backend,
        version=version,
        generator=generator,
        graphql_rps=rates["graphql"].per_second,
        baseline_rps=rates["baseline"].per_second,
        graphql_errors=rates["graphql"].errors,
        baseline_errors=rates["baseline"].errors,
        same_data=same_data,
    )


def format_table(results: list[RpsResult]) -> str:
    lines = [
        "| database | GraphQL req/s | plain Starlette req/s | ratio | target |"
        " same data | errors | result |",
        "|---|--:|--:|--:|--:|---|--:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.database} | {r.graphql_rps:.0f} | {r.baseline_rps:.0f} |"
            f" {r.ratio:.2f} | {MIN_RATIO} | {'yes' if r.same_data else 'NO'} |"
            f" {r.graphql_errors + r.baseline_errors} |"
            f" {'pass' if r.passed else 'FAIL'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contacts",
        type=int,
        default=DEFAULT_CONTACTS,
        help="number of generated contacts (default: %(default)s)",
    )
    parser.add_argument(
        "--databases",
        default=",".join(BACKENDS),
        help="comma-separated backends to run (default: %(default)s)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=20,
        help="seconds of load per endpoint (default: %(default)s)",
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=3,
        help="seconds of load per endpoint before measuring (default: %(default)s)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=8,
        help="concurrent connections of the load generator (default: %(default)s)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="stop a measurement after this many requests (default: %(default)s)",
    )
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "httpx"),
        default="auto",
        help="load generator; auto takes wrk when it is installed",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # One line per created segment or HTTP request would bury the benchmark's own lines.
    for noisy in ("segments_module", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "httpx"
    load = Load(args.connections, args.duration, args.max_requests)
    warm_up = Load(args.connections, args.warm_up, args.max_requests)

    results = [
        benchmark_database(backend, args.contacts, load, warm_up, generator)
        for backend in args.databases.split(",")
    ]
    print(
        f"\n{generator}, {args.connections} connections, {args.duration:.0f} s per "
        f"endpoint after {args.warm_up:.0f} s of warm-up; {SEGMENTS} segments\n"
    )
    print(format_table(results))

    RESULTS_DIR.mkdir(exist_ok=True)
    output = RESULTS_DIR / "graphql_rps.json"
    report = [asdict(r) | {"ratio": r.ratio, "passed": r.passed} for r in results]
    output.write_text(json.dumps(report, indent=2))
    print(f"\nraw figures written to {output}")


if __name__ == "__main__":
    main()
