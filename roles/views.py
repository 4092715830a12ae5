"""Pages of the organisation (server-rendered, htmx partials)."""

from django.shortcuts import render


def home(request):
    return render(request, "roles/home.html")
