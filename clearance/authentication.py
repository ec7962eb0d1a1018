"""DRF plumbing of the JSON API: `Authorization: Api-Key <key>`, scopes and per-client limits."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from clearance import matching
from clearance.limits import rate_limit_wait
from clearance.models import ApiClient
from clearance.selectors import api_client_by_key

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """The client is `request.auth`; `request.user` stays anonymous (a client is not a person)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower() or not key.strip():
            raise exceptions.AuthenticationFailed(code=matching.API_KEY_INVALID)
        client = api_client_by_key(key.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(code=matching.API_KEY_INVALID)
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return KEYWORD  # so a missing key is a 401, not a 403


class HasApiScope(permissions.BasePermission):
    """The view's `required_scope` must be one of the client's scopes."""

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated(code=matching.API_KEY_MISSING)
        if not client.has_scope(view.required_scope):
            raise exceptions.PermissionDenied(code=matching.SCOPE_MISSING)
        return True


class ApiClientThrottle(throttling.BaseThrottle):
    """Per-client limit (clearance/limits.py); DRF turns a refusal into 429 with Retry-After."""

    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        self._wait = rate_limit_wait(request, client)
        return self._wait is None

    def wait(self):
        return self._wait


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How /api/schema/ documents `ApiKeyAuthentication`: the key in the Authorization header."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`{KEYWORD} <key>`: the key printed once by `manage.py create_api_client`.",
        }
