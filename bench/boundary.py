"""The price of an API boundary: the same cross-module calls in-process and over HTTP.

    python -m bench.boundary BASE_URL PRODUCT_IDS_FILE OUT.json

(run by `bench.run` against its running server, with its settings and database). Two calls
that `orders` makes into `catalog`:

- `get_products(ids=...)` for 20 ids;
- reserving 3 lines (one unit of a variant each) and releasing them again;

each (a) in this process through `catalog.services`, and (b) over HTTP on loopback through
`bench.catalog_http.CatalogClient`, which implements the same interface against the server.
Calls run one after another (no load), after a warm-up; the figures are µs a call.
"""

import json
import statistics
import sys
import time
from pathlib import Path

import django

WARMUP = 50
CALLS = 400
PAIRS = 200

LOSSES = [
    "one transaction becomes several: in-process, `place_order` reserves stock and writes the "
    "order in one transaction; over HTTP the reservation commits on the catalog's side before "
    "the order exists",
    "a failure mid-way needs compensation: if writing the order fails after the reservation "
    "succeeded, the caller must call release (and retry it until it succeeds, or leak stock); "
    "in-process the rollback does it",
    "a timeout is ambiguous: the caller cannot tell whether a reservation that timed out "
    "happened, so reservations need idempotency keys of their own",
    "errors and DTOs cross as JSON: Decimal prices become strings and back, exceptions become "
    "status codes and back (the adapter rebuilds `ReservationFailed`)",
]


def _timed(call, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter_ns()
        call()
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def _stats(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "calls": len(timings),
        "mean_us": statistics.fmean(timings),
        "p50_us": ordered[len(ordered) // 2],
        "p99_us": ordered[int(len(ordered) * 0.99) - 1],
    }


def measure(base_url: str, product_ids: list[int]) -> dict:
    from bench.catalog_http import CatalogClient
    from catalog import services as in_process
    from catalog.dtos import StockLine

    over_http = CatalogClient(base_url)
    twenty = product_ids[:20]
    three = in_process.get_products(ids=product_ids[100:103]).values()
    variant_ids = [product.variant_ids[0] for product in three]
    lines = [StockLine(1, variant_id=variant_id) for variant_id in variant_ids]
    release = [(variant_id, 1) for variant_id in variant_ids]

    if in_process.get_products(ids=twenty) != over_http.get_products(ids=twenty):
        raise SystemExit("boundary: the HTTP adapter's DTOs differ from the in-process ones.")

    def read(catalog):
        return lambda: catalog.get_products(ids=twenty)

    def reserve_release(catalog):
        def call():
            catalog.reserve_stock(lines=lines)
            catalog.release_stock(lines=release)

        return call

    results = {}
    for operation, make, count in (
        ("get_products, 20 ids", read, CALLS),
        ("reserve then release, 3 lines", reserve_release, PAIRS),
    ):
        row = {}
        for side, catalog in (("in_process", in_process), ("http", over_http)):
            _timed(make(catalog), WARMUP)
            row[side] = _stats(_timed(make(catalog), count))
        row["ratio"] = row["http"]["mean_us"] / row["in_process"]["mean_us"]
        results[operation] = row
    return results


def render(results: dict) -> str:
    header = (
        f"{'boundary: call':<32} {'in-process µs':>14} {'HTTP µs':>10} {'HTTP ÷ in-process':>18}"
    )
    lines = [header, "-" * len(header)]
    for operation, row in results.items():
        lines.append(
            f"{operation:<32} {row['in_process']['mean_us']:>14.0f} {row['http']['mean_us']:>10.0f}"
            f" {row['ratio']:>17.1f}×"
        )
    lines.append("what HTTP loses besides time:")
    lines.extend(f"  - {loss}" for loss in LOSSES)
    return "\n".join(lines)


def main() -> None:
    base_url, ids_file, out = sys.argv[1:4]
    django.setup()
    product_ids = [int(line) for line in Path(ids_file).read_text().split()]
    results = measure(base_url, product_ids)
    Path(out).write_text(
        json.dumps({"calls": results, "losses": LOSSES, "table": render(results)}, indent=2)
    )


if __name__ == "__main__":
    main()
