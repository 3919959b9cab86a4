"""Request ids, structured JSON logs and Prometheus-style metrics, as one ASGI middleware
(pure ASGI: no per-request task or body buffering)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.entropy import random_bytes

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3), "level": record.levelname.lower(),
            "logger": record.name, "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency_sum: dict[tuple[str, str], float] = defaultdict(float)
        self.latency_buckets: dict[tuple[str, str], list[int]] = defaultdict(
            lambda: [0] * (len(BUCKETS) + 1))
        self.started = time.time()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.counts[(method, route, status)] += 1
            self.latency_sum[(method, route)] += seconds
            buckets = self.latency_buckets[(method, route)]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
                    break
            else:
                buckets[-1] += 1

    def render(self) -> str:
        out = ["# HELP folio_requests_total Requests by method, route and status.",
               "# TYPE folio_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.counts.items()):
                out.append(f'folio_requests_total{{method="{method}",route="{route}",'
                           f'status="{status}"}} {n}')
            out += ["# HELP folio_request_duration_seconds Request latency.",
                    "# TYPE folio_request_duration_seconds histogram"]
            for (method, route), buckets in sorted(self.latency_buckets.items()):
                labels = f'method="{method}",route="{route}"'
                cumulative = 0
                for bound, n in zip((*BUCKETS, float("inf")), buckets, strict=True):
                    cumulative += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(f'folio_request_duration_seconds_bucket{{{labels},le="{le}"}} '
                               f"{cumulative}")
                out.append(f"folio_request_duration_seconds_sum{{{labels}}} "
                           f"{self.latency_sum[(method, route)]:.6f}")
                out.append(f"folio_request_duration_seconds_count{{{labels}}} {cumulative}")
        out.append(f"folio_uptime_seconds {time.time() - self.started:.0f}")
        return "\n".join(out) + "\n"


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.log = logging.getLogger("folio.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = "req_" + random_bytes(8).hex()
        scope["folio.request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, elapsed)
            if self.access_log:
                self.log.info("request", extra={"fields": {
                    "request_id": request_id, "method": scope["method"],
                    "path": scope["path"], "route": template, "status": status,
                    "duration_ms": round(elapsed * 1000, 2)}})
