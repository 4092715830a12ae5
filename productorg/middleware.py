"""Request middleware of the shared kernel."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.http import HttpResponse


class LoginRequiredMiddleware(BaseLoginRequired):
    """Send anonymous visitors of any page to sign-in.

    The API answers 401 itself (DRF authentication), so it is left to DRF rather than
    redirected to an HTML sign-in form an integration cannot use; so is the calendar feed,
    whose URL carries its own secret (calendar apps cannot sign in). An htmx request whose
    session has expired gets ``HX-Redirect``, so the browser goes to the sign-in page
    instead of swapping the sign-in form into a fragment of the page.
    """

    exempt_prefixes = ("/api/", "/static/", "/calendar/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if request.headers.get("HX-Request") == "true":
            htmx_response = HttpResponse(status=204)
            htmx_response["HX-Redirect"] = response["Location"]
            return htmx_response
        return response
