"""Django admin for users: Django's UserAdmin, adapted to the email login.

New users are created through `services.create_user`, so the admin obeys the same rules as
everyone else (email stored lower-cased, unique case-insensitively). A password set here kills
the user's tokens (refresh and access), as a password change through the API does.

A user's page shows their address book, read-only: the customer keeps it through the API
(`accounts.services` keeps one default shipping address among the addresses), and staff holding
`accounts.view_address` see it, to help a customer.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    BaseUserCreationForm,
    UserChangeForm,
)
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Address, User, normalize_email
from kernel.admin import adopt_created_row


def _clean_unique_email(form: forms.ModelForm) -> str:
    email = normalize_email(form.cleaned_data["email"])
    taken = services.get_user_by_email(email=email)
    if taken is not None and taken.id != form.instance.pk:
        raise forms.ValidationError(
            _("A user with this email address already exists."), code="unique"
        )
    return email


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        return _clean_unique_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_unique_email(self)


class PasswordSetForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            services.revoke_refresh_tokens(user_id=user.pk)
        return user


class AddressInline(admin.TabularInline):
    model = Address
    fields = readonly_fields = (
        "name",
        "line1",
        "line2",
        "city",
        "region",
        "postal_code",
        "country",
        "phone",
        "is_default_shipping",
        "created_at",
    )
    ordering = ("-is_default_shipping", "-created_at", "-id")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = PasswordSetForm

    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = (AddressInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "password1", "password2"),
            },
        ),
    )

    def get_inlines(self, request, obj):
        """A new user has no addresses: the add page has no inline (nor its form data)."""
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj: User, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_user(
            email=form.cleaned_data["email"], password=form.cleaned_data["password1"]
        )
        adopt_created_row(obj, pk=created.id)
