from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from kernel.address import MAX_LENGTHS


def normalize_email(email: str) -> str:
    """Emails are stored lower-cased, which makes them unique case-insensitively."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        return self.get(email=normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A customer or a member of staff; the email address is the login."""

    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Designates whether the user can run the shop (admin, staff API)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    token_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up at each logout and password change; JWTs of an older generation "
        "are refused.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Address(models.Model):
    """An entry of a user's address book: the kernel's address shape (`kernel.address`).

    At most one address of a user is their default shipping address (a partial unique index);
    `accounts.services` keeps exactly one while the book has any.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=MAX_LENGTHS["name"])
    line1 = models.CharField(max_length=MAX_LENGTHS["line1"])
    line2 = models.CharField(max_length=MAX_LENGTHS["line2"], blank=True)
    city = models.CharField(max_length=MAX_LENGTHS["city"])
    region = models.CharField(max_length=MAX_LENGTHS["region"], blank=True)
    postal_code = models.CharField(max_length=MAX_LENGTHS["postal_code"])
    country = models.CharField(
        max_length=MAX_LENGTHS["country"], help_text="ISO 3166-1 alpha-2 code, e.g. `GB`."
    )
    phone = models.CharField(max_length=MAX_LENGTHS["phone"], blank=True)
    is_default_shipping = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_shipping=True),
                name="accounts_address_one_default_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.line1}, {self.city} ({self.country})"
