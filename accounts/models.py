"""Users and their roles.  A role fixes the scope of what a user sees: see accounts.scoping."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGIONAL_COORDINATOR = "regional", _("Regional coordinator")
    MUNICIPAL_COORDINATOR = "municipal", _("Municipal coordinator")
    METHODIST = "methodist", _("Methodist")
    CURATOR = "curator", _("Curator")
    SCHOOL_ADMIN = "school_admin", _("School administrator")


# Which organisational field each role's scope rests on.
ROLE_SCOPE_FIELD = {
    Role.REGIONAL_COORDINATOR: "region",
    Role.MUNICIPAL_COORDINATOR: "municipality",
    Role.METHODIST: "municipality",
    Role.CURATOR: "school",  # the curator's own (successful) school; scope comes from assignments
    Role.SCHOOL_ADMIN: "school",
}


class User(AbstractUser):
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    region = models.ForeignKey(
        "schools.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        "schools.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    language = models.CharField(
        _("interface language"), max_length=5, default="ru", choices=[("ru", "Русский"), ("en", "English")]
    )
    # The version for the visually impaired this person chose (core.vision token; empty: never chosen).
    vision_mode = models.CharField(_("version for the visually impaired"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip() or self.username

    def clean(self) -> None:
        super().clean()
        field = ROLE_SCOPE_FIELD.get(self.role)
        if field and not getattr(self, f"{field}_id"):
            labels = {"region": _("region"), "municipality": _("municipality"), "school": _("school")}
            raise ValidationError(
                {
                    field: _("The role «%(role)s» needs a %(field)s.")
                    % {"role": self.get_role_display(), "field": labels[field]}
                }
            )

    def save(self, *args, **kwargs):
        # Keep the organisational chain complete so that scoping can rely on it.
        if self.school_id and not self.municipality_id:
            self.municipality_id = self.school.municipality_id
        if self.municipality_id and not self.region_id:
            self.region_id = self.municipality.region_id
        # set_password() leaves the new raw password here until the save: a changed (or reset)
        # password ends every API token of the user, as it ends their other sessions.
        password_changed = self.pk is not None and getattr(self, "_password", None) is not None
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.all().delete()

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def is_coordinator(self) -> bool:
        return self.is_superuser or self.role in (Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API token. Only its hash is stored; the key is shown once at creation.

    A token carries its user's scope and may be narrowed to read-only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, default="API")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    read_only = models.BooleanField(_("read only"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, user: User, *, name: str = "API", read_only: bool = False, days: int | None = None
    ) -> tuple["ApiToken", str]:
        from django.conf import settings

        key = secrets.token_hex(20)
        days = settings.API_TOKEN_TTL_DAYS if days is None else days
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash_key(key),
            prefix=key[:8],
            read_only=read_only,
            expires=timezone.now() + timezone.timedelta(days=days) if days else None,
        )
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The token of ``key`` with its user (the query compiled once: core/compiled.py)."""
        from core.compiled import prepared

        def build(key_hash):
            return cls.objects.select_related("user").filter(key_hash=key_hash).order_by("pk")[:1]

        return next(iter(prepared(("accounts.token",), build, _hash_key(key))), None)

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()
