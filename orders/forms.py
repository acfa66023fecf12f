"""Forms for the admin's status actions: what staff type when they ship, deliver or cancel."""

from django import forms

from orders import services


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=services.NOTE_MAX_LENGTH,
        required=False,
        help_text="Shown to the customer in the order's history; a standard note when blank.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ShipForm(NoteForm):
    carrier = forms.CharField(max_length=services.CARRIER_MAX_LENGTH, required=False)
    tracking_number = forms.CharField(
        max_length=services.TRACKING_NUMBER_MAX_LENGTH, required=False
    )

    field_order = ["carrier", "tracking_number", "note"]


class ShipmentRowForm(forms.Form):
    """One paid order in the "ship selected" form: its carrier and tracking number."""

    order_id = forms.IntegerField(widget=forms.HiddenInput)
    carrier = forms.CharField(max_length=services.CARRIER_MAX_LENGTH, required=False)
    tracking_number = forms.CharField(
        max_length=services.TRACKING_NUMBER_MAX_LENGTH, required=False
    )


ShipmentFormSet = forms.formset_factory(ShipmentRowForm, extra=0)
