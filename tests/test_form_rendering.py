"""The one form renderer (pcc_portal/forms.py, templates/forms/) draws tick boxes the KRDS way: KRDS hides
the native box and draws it on the label that follows, so a label before the box hides it."""

import re

from issuance.forms import ApplicationForm, ConfirmForm


def test_tick_boxes_come_before_their_label_inside_krds_form_check():
    for form in (ApplicationForm(), ConfirmForm()):
        html = str(form)
        boxes = re.findall(r'<input type="checkbox"[^>]*id="([^"]+)"', html)
        assert boxes, "the form has tick boxes"
        for box_id in boxes:
            box = rf'<input type="checkbox"[^>]*id="{box_id}"[^>]*>'
            pattern = rf'<div class="krds-form-check medium">\s*{box}\s*<label for="{box_id}">'
            assert re.search(pattern, html), f"{box_id} is not drawn the KRDS way"


def test_other_fields_keep_their_label_first():
    html = str(ApplicationForm())
    assert re.search(r'<label for="id_english_name">.*?</label></div>\s*<div class="form-conts">\s*<input', html, re.S)
