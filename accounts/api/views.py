from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout
from accounts.models import ApiToken
from core.throttling import AnonThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    read_only = serializers.BooleanField(required=False, default=False)
    name = serializers.CharField(required=False, default="API", max_length=100)


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (shown once)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "read_only": serializers.BooleanField()}
            )
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # The Django request (not DRF's wrapper): the lock marks it, as the login form's.
        user = authenticate(request._request, username=username, password=data.validated_data["password"])
        if user is None and (until := lockout.locked_until(request._request, username)):
            return lockout.locked_api_response(until)
        if user is None or not user.is_active:
            return Response(
                {"detail": _("Wrong username or password."), "code": "authentication_failed"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, key = ApiToken.issue(user, name=data.validated_data["name"], read_only=data.validated_data["read_only"])
        return Response({"token": key, "read_only": token.read_only, "expires": token.expires})
