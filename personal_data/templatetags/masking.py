"""Template filters over the one masking module (personal_data.masking): templates never mask by hand."""

from django import template

from issuance.codes import mask_code
from personal_data import masking
from personal_data.contact import format_phone_national

register = template.Library()

register.filter("mask_resident_number", masking.mask_resident_number)
register.filter("mask_name", masking.mask_name)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_email", masking.mask_email)
register.filter("mask_address", masking.mask_address)
register.filter("mask_passport_number", masking.mask_passport_number)
register.filter("mask_code", mask_code)
register.filter("mask_declaration_number", masking.mask_declaration_number)


@register.filter
def phone_national(e164: str) -> str:
    return format_phone_national(e164) if e164 else ""
