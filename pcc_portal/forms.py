"""The one way forms look: KRDS markup for every field, and an error summary at the top.

Forms in every app subclass `PortalForm`; templates render `{{ form }}`."""

from django import forms
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class KrdsRadioSelect(forms.RadioSelect):
    """Radio buttons in KRDS markup (`krds-form-check`: the input, then its label). Every radio group
    of every app uses it; `inline=True` puts short options on one line."""

    template_name = "forms/widgets/krds_radio.html"
    option_template_name = "forms/widgets/krds_radio_option.html"

    def __init__(self, attrs=None, choices=(), *, inline: bool = False):
        super().__init__(attrs, choices)
        self.inline = inline

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["inline"] = self.inline
        return context


class PortalForm(forms.Form):
    """Adds KRDS classes to inputs. Choice fields render as KRDS radio or check groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            css = "krds-input" if not isinstance(widget, forms.Select) else "krds-form-select"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
