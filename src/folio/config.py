"""Configuration from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///./folio.db"
DEV_SECRET = "folio-development-secret-change-me"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret: str
    host: str
    port: int
    log_level: str
    migrate_on_start: bool
    access_log: bool
    faces: tuple[str, ...] = ("chatdash", "commet", "dollr", "dolfin")
    root_face: str | None = None
    public_url: str | None = None  # where payers reach this server (hosted invoice pages)
    # the job worker inside `folio serve` (FOLIO_WORKER=0 turns it off) and its poll
    embedded_worker: bool = False
    worker_poll_seconds: float = 5.0
    # finished jobs the worker deletes (docs/adr/0014, "Retention"): done ones after
    # this many days, failed ones (the evidence of what gave up) after more; 0 keeps them
    job_retention_days: int = 30
    failed_job_retention_days: int = 90
    job_purge_batch: int = 500  # rows per delete transaction (each one short)
    # server-wide SMTP defaults for accounts without SMTP settings of their own
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: str = "starttls"  # none | starttls | tls
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from_email: str | None = None
    smtp_from_name: str | None = None

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("FOLIO_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret=os.environ.get("FOLIO_SECRET", DEV_SECRET),
            host=os.environ.get("FOLIO_HOST", "127.0.0.1"),
            port=int(os.environ.get("FOLIO_PORT", "8000")),
            log_level=os.environ.get("FOLIO_LOG_LEVEL", "info"),
            migrate_on_start=os.environ.get("FOLIO_MIGRATE_ON_START", "1") != "0",
            access_log=os.environ.get("FOLIO_ACCESS_LOG", "1") != "0",
            faces=_faces(os.environ.get("FOLIO_FACES", ",".join(FACE_NAMES))),
            root_face=os.environ.get("FOLIO_ROOT_FACE") or None,
            public_url=os.environ.get("FOLIO_PUBLIC_URL") or None,
            embedded_worker=os.environ.get("FOLIO_WORKER", "1") != "0",
            worker_poll_seconds=float(os.environ.get("FOLIO_WORKER_POLL", "5")),
            job_retention_days=_count("FOLIO_JOB_RETENTION_DAYS", "30"),
            failed_job_retention_days=_count("FOLIO_FAILED_JOB_RETENTION_DAYS", "90"),
            job_purge_batch=_count("FOLIO_JOB_PURGE_BATCH", "500", minimum=1),
            smtp_host=os.environ.get("FOLIO_SMTP_HOST") or None,
            smtp_port=int(os.environ["FOLIO_SMTP_PORT"]) if os.environ.get(
                "FOLIO_SMTP_PORT") else None,
            smtp_tls=_smtp_tls(os.environ.get("FOLIO_SMTP_TLS", "starttls")),
            smtp_username=os.environ.get("FOLIO_SMTP_USERNAME") or None,
            smtp_password=os.environ.get("FOLIO_SMTP_PASSWORD") or None,
            smtp_from_email=os.environ.get("FOLIO_SMTP_FROM") or None,
            smtp_from_name=os.environ.get("FOLIO_SMTP_FROM_NAME") or None,
        )


FACE_NAMES = ("chatdash", "commet", "dollr", "dolfin")


def _faces(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in FACE_NAMES]
    if unknown:
        raise ValueError(f"FOLIO_FACES names unknown faces: {', '.join(unknown)}")
    return names


def _count(name: str, default: str, minimum: int = 0) -> int:
    text = os.environ.get(name, default)
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


SMTP_TLS_MODES = ("none", "starttls", "tls")


def _smtp_tls(text: str) -> str:
    if text not in SMTP_TLS_MODES:
        raise ValueError(f"FOLIO_SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}")
    return text
