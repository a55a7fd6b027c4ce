"""The security administrator's pages: users (with unlock), lockouts, API tokens."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.lockout import unlock, unlock_attempts
from accounts.models import ApiToken
from accounts.passwords import set_by_administrator
from accounts.tokens import issue_token, revoke_tokens

User = get_user_model()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "purpose", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "purpose", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "purpose", "expires_at"]
        return ["prefix", "user", "purpose", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        # A token's key, owner and life are fixed once made; it is revoked, not edited.
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        _token, key = issue_token(
            user=obj.user, purpose=obj.purpose, expires_at=obj.expires_at, request=request, token=obj
        )
        # The one and only time the key is shown: the page after this one shows the prefix.
        messages.warning(
            request,
            _("Copy the token's key now, it is stored nowhere and will not be shown again: %(key)s")
            % {"key": key},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for user in User.objects.filter(pk__in=queryset.filter(revoked_at__isnull=True).values("user")):
            revoke_tokens(user=user, reason="revoked by an administrator", request=request)
        self.message_user(request, _("The selected tokens are revoked."))


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """Axes' failed attempts; deleting one lifts its lock, audited UNLOCKED."""

    def delete_model(self, request, obj):
        unlock_attempts(attempts=[obj], request=request)

    def delete_queryset(self, request, queryset):
        unlock_attempts(attempts=list(queryset), request=request)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin, where a password an administrator sets must be replaced by the
    user's own, deactivating ends the user's API tokens, and a locked account is unlocked."""

    actions = ["unlock_accounts"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = role_name
        return field

    def get_readonly_fields(self, request, obj=None):
        # A security administrator gives roles (groups), never all powers at once: only a
        # superuser makes a superuser or grants permissions one by one.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def save_model(self, request, obj, form, change):
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        with set_by_administrator(request.user):
            super().save_model(request, obj, form, change)
        if deactivated:
            revoke_tokens(user=obj, reason="deactivated", request=request)

    def user_change_password(self, request, id, form_url=""):
        with set_by_administrator(request.user):
            return super().user_change_password(request, id, form_url)

    @admin.action(description=gettext_lazy("Unlock the selected accounts"), permissions=["change"])
    def unlock_accounts(self, request, queryset):
        for user in queryset:
            unlock(username=user.get_username(), request=request)
        self.message_user(request, _("The selected accounts are unlocked."))


def role_name(group) -> str:
    """A role group's name in the user's language: the names are stored in English (data,
    marked for translation where they are defined), and administrators read Chinese."""
    return _(group.name)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    list_display = ["role", "name"]

    @admin.display(description=gettext_lazy("role"), ordering="name")
    def role(self, group):
        return role_name(group)
