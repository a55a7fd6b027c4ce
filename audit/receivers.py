"""What the audit log hears without being called: logins, logouts, failed logins, changes
of roles and permissions, and every change a user makes to our apps' rows.

Connected in AuditConfig.ready(). Lockouts, passwords, second factors and tokens are
recorded where they happen (accounts), not here.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.models import HistoricalRecords

from audit.events import record
from audit.models import Action, Outcome

# Whose rows' changes are recorded: our apps'. Django's own (sessions, the admin's log,
# permissions themselves) and the audit log's are not.
AUDITED_APPS = frozenset(
    {"accounts", "grids", "webhooks", "households", "monitoring", "employment", "services"}
)
WATCHED_FLAGS = ("is_superuser", "is_staff", "is_active")


def current_request():
    """The request being answered on this thread, with a signed-in user, or None.
    simple_history's HistoryRequestMiddleware keeps it for its own history rows."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return request if user is not None and user.is_authenticated else None


# Logins ------------------------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, request=request, user=user)


def logged_out(sender, request, user, **kwargs):
    record(Action.LOGOUT, request=request, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    """The typed name is kept only if it is a user's: otherwise it may be a password typed
    in the wrong box, or a resident's ID number."""
    User = get_user_model()
    typed = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    known = bool(typed) and User._default_manager.filter(**{User.USERNAME_FIELD: typed}).exists()
    record(
        Action.LOGIN_FAILED,
        request=request,
        user=None,
        username=typed if known else "",
        outcome=Outcome.FAILED,
        detail=None if known else {"unknown_user": True},
    )


# Roles and permissions ---------------------------------------------------------------
# Changes made by a user through the admin or the API, not those of migrations and of the
# role groups' creation after migrate (the shipped defaults, no one's decision).


def record_after_commit(action, **kwargs):
    """Record a change once its transaction commits (at once outside one).

    record() holds the chain's lock until the transaction that wrote the row ends; taken
    in the middle of a service's transaction, after that transaction had locked rows of
    its own, two such transactions could each wait for the other. After the commit the
    lock is held for one insert, and a change that rolled back is not recorded as made.
    """
    transaction.on_commit(partial(record, action, **kwargs))


def memberships_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear") or current_request() is None:
        return
    if action == "pre_clear":
        # The names are gone after the clear: read them now, record them as removed.
        related = getattr(instance, _accessor(sender, reverse, instance))
        pk_set, action = set(related.values_list("pk", flat=True)), "post_remove"
        if not pk_set:
            return
    names = sorted(
        str(name)
        for name in model._default_manager.filter(pk__in=pk_set).values_list(_name(model), flat=True)
    )
    field = _accessor(sender, reverse, instance)
    record_after_commit(
        Action.ROLE_CHANGED,
        request=current_request(),
        target=instance,
        detail={"field": field, "added" if action == "post_add" else "removed": names},
    )


def _accessor(through, reverse, instance) -> str:
    """The name of the relation on ``instance`` that ``through`` is the table of."""
    for field in instance._meta.get_fields():
        if getattr(field, "many_to_many", False) and getattr(field, "remote_field", None) is not None:
            if field.concrete and field.remote_field.through is through:
                return field.name
            if not field.concrete and field.through is through:
                return field.get_accessor_name()
    return through._meta.model_name


def _name(model) -> str:
    return (
        "codename"
        if model._meta.model_name == "permission"
        else ("name" if model is Group else model.USERNAME_FIELD)
    )


def user_flags_before(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or current_request() is None:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_FLAGS):
        return  # a login's last_login, a password change: not a role
    old = sender._base_manager.filter(pk=instance.pk).values(*WATCHED_FLAGS).first()
    if old is None:
        return
    changed = {
        flag: getattr(instance, flag) for flag in WATCHED_FLAGS if old[flag] != getattr(instance, flag)
    }
    if changed:
        record_after_commit(
            Action.ROLE_CHANGED, request=current_request(), target=instance, detail={"flags": changed}
        )


# Every change a user makes ---------------------------------------------------------------
# Saves and deletes of our apps' rows while a signed-in user's request is answered: the
# admin, the pages, the API. Jobs (Celery tasks, commands) are no user's change, and bulk
# paths (bulk_create, queryset.update, the ledger import) send no signals: the models'
# history and the jobs' own rows cover them. The cost, only during such a request: one
# SELECT of the old row on a change, one audit row per save.


def _audited(sender) -> bool:
    if sender._meta.app_label == "auth":
        # Accounts and role groups made, changed or deleted in the admin.
        return sender is get_user_model() or sender is Group
    return sender._meta.app_label in AUDITED_APPS and not hasattr(sender, "instance_type")


def _only_last_login(update_fields) -> bool:
    # Django's update_last_login on every login: the LOGIN row says it already.
    return update_fields is not None and set(update_fields) == {"last_login"}


def changing(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or instance._state.adding or _only_last_login(update_fields):
        return
    if current_request() is None:
        return
    fields = [f for f in sender._meta.concrete_fields if not f.primary_key]
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
    old = sender._base_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    if old is None:
        return
    # Names only, never values: a changed ID number shows as "id_number".
    instance._audit_changed_fields = [
        f.name for f in fields if _differs(f, old[f.attname], getattr(instance, f.attname))
    ]


def _differs(field, old, new) -> bool:
    if old == new:
        return False
    try:
        # A value as a form or a serializer may leave it before saving ("2026-01-01" for a
        # date, "3" for a number) is the same value as the one read back.
        return field.to_python(new) != old
    except Exception:
        return True


def saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or _only_last_login(update_fields) or current_request() is None:
        return
    if created:
        record_after_commit(Action.CREATED, request=current_request(), target=instance)
        return
    changed = instance.__dict__.pop("_audit_changed_fields", None)
    record_after_commit(
        Action.CHANGED,
        request=current_request(),
        target=instance,
        detail={"fields": changed} if changed is not None else None,
    )


def deleted(sender, instance, **kwargs):
    if not _audited(sender) or current_request() is None:
        return
    # By the commit the instance has lost its pk: name it now.
    record_after_commit(Action.DELETED, request=current_request(), target=sender, ids=[instance.pk])


def connect():
    from django.contrib.auth import signals as auth_signals
    from django.db.models import signals

    User = get_user_model()
    auth_signals.user_logged_in.connect(logged_in, dispatch_uid="audit.logged_in")
    auth_signals.user_logged_out.connect(logged_out, dispatch_uid="audit.logged_out")
    auth_signals.user_login_failed.connect(login_failed, dispatch_uid="audit.login_failed")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        signals.m2m_changed.connect(
            memberships_changed, sender=through, dispatch_uid=f"audit.m2m.{through._meta.label}"
        )
    signals.pre_save.connect(user_flags_before, sender=User, dispatch_uid="audit.user_flags")
    signals.pre_save.connect(changing, dispatch_uid="audit.changing")
    signals.post_save.connect(saved, dispatch_uid="audit.saved")
    signals.post_delete.connect(deleted, dispatch_uid="audit.deleted")
