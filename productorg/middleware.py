"""Request middleware of the shared kernel."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired


class LoginRequiredMiddleware(BaseLoginRequired):
    """Send anonymous visitors of any page to sign-in.

    The API answers 401 itself (DRF authentication), so it is left to DRF rather than
    redirected to an HTML sign-in form an integration cannot use.
    """

    exempt_prefixes = ("/api/", "/static/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
