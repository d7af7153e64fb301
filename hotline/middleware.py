"""The API's error answers, and language choice (Simplified Chinese by default in the browser,
Accept-Language on the API)."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from tickets.api.errors import error_for_status, is_api_request, json_error

# Headers that describe the replaced body; every other header (Allow, Retry-After,
# WWW-Authenticate, Cache-Control, the security headers) is kept on the JSON replacement.
_BODY_HEADERS = {"content-type", "content-length", "content-disposition", "content-encoding"}


class ApiErrorMiddleware:
    """Under /api/, every error is the API's JSON body, whichever layer answered it.

    DRF's views answer JSON themselves (`tickets.api.errors.exception_handler`) and Django's error
    handlers do for /api/ paths (`hotline.views`), but some answers bypass both: with DEBUG on,
    Django's technical 404 and 500 pages; a middleware's own HTML refusal. Those are replaced
    here by the generic JSON error of their status code; the status code and the headers that
    are not about the body are kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_request(request):
            return response
        if "json" in response.get("Content-Type", ""):
            return response
        replacement = json_error(error_for_status(response.status_code, request.method))
        for header, value in response.items():
            if header.lower() not in _BODY_HEADERS:
                replacement[header] = value
        replacement.cookies = response.cookies
        # Django logs an error answer once, marking it so (django.utils.log.log_response); the
        # replacement is the same answer and must not be logged a second time.
        replacement._has_been_logged = getattr(response, "_has_been_logged", False)
        response.close()
        return replacement


class BureauLocaleMiddleware(LocaleMiddleware):
    """Pages speak the bureau's language unless the user picked another with the switch.

    Office and field browsers announce all sorts of languages; the workbench must not turn
    English because a browser was installed in English. REST clients choose per request with
    Accept-Language, as the API contract says.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class NoStoreMiddleware:
    """Nothing the application answers is kept by the browser or a proxy cache.

    Pages and API answers carry callers' names, phone numbers and addresses; on a shared office
    computer the browser's back button or disk cache must not show them to the next person.
    Static files are served by WhiteNoise above this middleware and keep their own caching. A view
    that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
