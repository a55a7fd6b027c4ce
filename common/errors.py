"""The API's one error shape, for answers given outside DRF's views (a middleware, the
catch-all under /api/, Axes' lockout). A module apart from ``common.api``: the
authentication classes that DRF's settings import use it, before DRF's views exist."""

from django.http import JsonResponse


def error_response(code: str, message: str, status: int, fields: dict | None = None) -> JsonResponse:
    """``{"code", "message", "fields"}``, as ``common.api.exception_handler`` answers."""
    return JsonResponse(
        {"code": code, "message": str(message), "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
