import sys

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache

from tickets.api.errors import ServerError, as_api_exception, error_for_status, is_api_request, json_error

from .health import system_health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the deadline sweep is running, else 503.

    `?deep=1` also asks the broker (for monitors; a round trip to Redis). The body names the
    checks that failed. See hotline/health.py and README "Operations".
    """
    health = system_health(deep=request.GET.get("deep") in ("1", "true", "yes"))
    return JsonResponse(health.as_dict(), status=200 if health.ok else 503)


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links; the file itself is a static asset."""
    return HttpResponsePermanentRedirect(static("hotline/favicon.ico"))


# Django's error handlers (hotline/urls.py): under /api/ the API's JSON error, elsewhere the pages.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE arrives here as RequestDataTooBig: 413.
        return json_error(as_api_exception(exception) or error_for_status(400))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return json_error(error_for_status(403))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return json_error(error_for_status(404))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        # Called while the exception is being handled: a database or broker outage is a 503 with
        # Retry-After, anything else a 500 (logged with its traceback by django.request).
        exc = as_api_exception(sys.exc_info()[1])
        return json_error(exc if exc is not None and exc.status_code >= 500 else ServerError())
    return defaults.server_error(request)
