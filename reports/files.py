"""A report's PDF and .xlsx: drawn once per version and language, kept in the cache.

A community's files take a tenth of a second; a province's PDF (every building and every
worker of 400,000 households) 28 s on a quiet machine (``make bench``, monthly_report):
about what gunicorn gives a request (30 s), and a request killed before the file is kept
would fail every time it is asked again. So a report of more than
``REPORTS_IN_WORKER_HOUSEHOLDS`` households has its files drawn by a worker (the bulk
queue) while the page says so and looks again; the monthly job asks for the large ones'
PDF at once. That needs a cache every process shares (Redis): with each process's own
memory (the demo) every file is drawn in the request, as before.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from common.tasks import send_once
from reports import pdf, spreadsheet
from reports.figures import SHAPE
from reports.models import MonthlyReport

RENDERERS = {"pdf": pdf.render, "xlsx": spreadsheet.render}
# A stored version never changes: its file can be kept as long as the cache keeps it.
FILE_CACHE_SECONDS = 7 * 24 * 3600
# How long one worker's drawing keeps others from drawing the same file again; past it (a
# worker lost), the next look asks again.
DRAWING_SECONDS = 15 * 60


def _key(report: MonthlyReport, kind: str, language: str) -> str:
    return f"reports:{kind}:{report.pk}:{report.generated_at.timestamp()}:{language}:{SHAPE}"


def households(report: MonthlyReport) -> int:
    return report.figures.get("tiers", {}).get("households", 0)


def drawn_by_worker(report: MonthlyReport) -> bool:
    limit = settings.REPORTS_IN_WORKER_HOUSEHOLDS
    return bool(limit) and households(report) > limit


def kept(report: MonthlyReport, kind: str) -> bytes | None:
    """The file in the current language, if it has been drawn."""
    return cache.get(_key(report, kind, translation.get_language()))


def draw(report: MonthlyReport, kind: str) -> bytes:
    """Draw the file in the current language, and keep it."""
    data = RENDERERS[kind](report)
    key = _key(report, kind, translation.get_language())
    cache.set(key, data, FILE_CACHE_SECONDS)
    cache.delete(f"{key}:drawing")
    return data


def file_or_ask(report: MonthlyReport, kind: str) -> bytes | None:
    """The file, drawn now if it is small; else None, the worker having been asked (once,
    however many people look meanwhile)."""
    data = kept(report, kind)
    if data is not None:
        return data
    if not drawn_by_worker(report):
        return draw(report, kind)
    ask(report, kind, translation.get_language())
    return None


def ask(report: MonthlyReport, kind: str, language: str) -> None:
    # By name: reports.tasks imports this module.
    send_once(
        f"{_key(report, kind, language)}:drawing",
        DRAWING_SECONDS,
        "reports.draw_file",
        [report.pk, kind, language],
    )
