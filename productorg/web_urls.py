from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from productorg import views


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
