from django.core.exceptions import ValidationError


def add_errors(form, error: ValidationError, default_field=None):
    """A service's ValidationError on the form: on its fields, else on ``default_field``."""
    if not hasattr(error, "error_dict"):
        form.add_error(default_field, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else default_field, messages)
