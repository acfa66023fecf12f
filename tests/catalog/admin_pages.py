"""What a browser sends back from an admin page: the page's forms as they were shown.

A test GETs a page, takes `page_data(response)`, changes the values staff would type and POSTs
it; so a POST carries every field, hidden input and management form the page really has, and a
test never spells out a form the admin no longer shows.
"""

from django import forms


def page_data(response) -> dict[str, str]:
    """The POST body of an admin page as shown: a change or add page's form and its inlines'
    form sets, or a list's form set (with its "Save")."""
    shown: list[forms.BaseForm] = []
    formsets = [inline.formset for inline in response.context.get("inline_admin_formsets", [])]
    if "adminform" in response.context:
        shown.append(response.context["adminform"].form)
    changelist = response.context.get("cl")
    data = {}
    if changelist is not None and changelist.formset is not None:
        formsets.append(changelist.formset)
        data["_save"] = "Save"
    for formset in formsets:
        shown += [formset.management_form, *formset.forms]
    for form in shown:
        data |= _submitted(form)
    return data


def prefixes(formset) -> dict[int, str]:
    """Each shown row's form prefix, by the primary key of its row."""
    return {form.instance.pk: form.prefix for form in formset.forms if form.instance.pk}


def new_row(data: dict[str, str], prefix: str) -> str:
    """The prefix of the first empty row of the form set `prefix` (its "add another")."""
    return f"{prefix}-{data[f'{prefix}-INITIAL_FORMS']}"


def _submitted(form: forms.BaseForm) -> dict[str, str]:
    """What a browser sends for `form`: no disabled inputs or files, an unchecked box not at
    all, and a hidden `initial-` input beside a field that shows one."""
    data = {}
    for field in form:
        if field.field.disabled or isinstance(field.field, forms.FileField):
            continue
        value = field.value()
        if isinstance(field.field.widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
            continue
        data[field.html_name] = "" if value is None else str(value)
        if field.field.show_hidden_initial:
            data[field.html_initial_name] = data[field.html_name]
    return data
