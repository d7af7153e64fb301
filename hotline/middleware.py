"""Language choice: Simplified Chinese by default in the browser, Accept-Language on the API."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
