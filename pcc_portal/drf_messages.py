"""DRF's field and parser messages, marked so that `make messages` puts them into our catalogue.

Why: DRF renders a field's error message in the active language when it validates (pcc_portal/api.py
validates again under "ko" and "en" to give both). The Korean it finds is DRF's own
`rest_framework/locale/ko_KR` catalogue (Python's gettext also tries "ko_KR" for "ko"), whose wording
leaves English words in ("blank", "null", "datetime", "불리언") and reads unlike the rest of the portal.
Our catalogue (LOCALE_PATHS) is consulted before any app's, so an msgid marked here and translated in
locale/ko replaces DRF's Korean; `tests/test_translations.py` then keeps every one of them translated.

The msgids are DRF 3.18's, character for character (rest_framework/fields.py, serializers.py,
validators.py, exceptions.py), for the fields our input serializers use: CharField, IntegerField,
DecimalField, DateField, DateTimeField, BooleanField, ChoiceField, ListField, DictField, FileField, nested
serializers with many=True. The {placeholders} are filled by DRF after translation, so the Korean keeps
them exactly. Nothing imports this module: gettext_noop only marks, it changes nothing at run time.
DRF's parser errors (malformed JSON, unsupported media type) never reach a client in DRF's words:
pcc_portal/api.py answers them with our own messages.
"""

from django.utils.translation import gettext_noop

DRF_MESSAGES = (
    # Field: every field
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    # CharField
    gettext_noop("Not a valid string."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    # BooleanField
    gettext_noop("Must be a valid boolean."),
    # IntegerField, DecimalField
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("String value too large."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
    # DateField, DateTimeField
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Datetime value out of range."),
    # ChoiceField
    gettext_noop('"{input}" is not a valid choice.'),
    # ListField and many=True (ListSerializer)
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("This list may not be empty."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    # DictField, and a nested serializer given something else than an object
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    # FileField (spreadsheet uploads)
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("No filename could be determined."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    # exceptions.ValidationError raised without a message
    gettext_noop("Invalid input."),
)
