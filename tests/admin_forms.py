"""Submitting Django admin forms the way a browser does: start from the rendered page."""

import re

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def admin_form_data(client, url: str, **fields) -> dict:
    """The page's hidden inputs (formset management forms) plus the given fields."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {
        name: value for name, value in _HIDDEN.findall(page.content.decode()) if name != "csrfmiddlewaretoken"
    }
    data.update({key: value for key, value in fields.items() if value is not None})
    return data


def member_rows(*members: dict, prefix: str = "members") -> dict:
    """Inline member rows for a household form: ``member_rows({"name": ...}, ...)``."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(members))}
    for i, member in enumerate(members):
        row = {"relation": "head", "sex": "male", "ethnicity": "01", "status": "active", **member}
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def errors_of(response) -> dict:
    """Field errors of the admin form in the response, by field name."""
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}
