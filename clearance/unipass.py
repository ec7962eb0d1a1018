"""The UNI-PASS-compatible verification endpoint (Open API "API028 개인통관고유부호 검증", DOMAIN.md §6).

Forwarders' systems already call `GET /ext/rest/persEcmQry/retrievePersEcm` with `crkyCn` (key),
`persEcm` (code), `pltxNm` (name), `cralTelno` (phone) and `custPsno` (postcode), and parse
`persEcmQryRtnVo/tCnt` (1 = match) and `persEcmQryRtnVo/persEcmQryRtnErrInfoVo/errMsgCn` (a Korean
message). This view answers in exactly that shape so their code works unchanged when pointed here;
everything it decides comes from `clearance.services.code_check`.

The key travels in the query string because UNI-PASS clients send it there; the JSON API takes it in
a header. Neither Django nor gunicorn (as configured here) logs query strings.
"""

from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from audit.services import client_ip
from clearance import matching
from clearance.limits import rate_limit_wait
from clearance.models import ApiScope, CheckChannel
from clearance.selectors import api_client_by_key
from clearance.services import code_check

CONTENT_TYPE = "application/xml; charset=UTF-8"


def _xml(reasons: tuple[str, ...] = (), *, status: int = 200) -> HttpResponse:
    root = ElementTree.Element("persEcmQryRtnVo")
    ElementTree.SubElement(root, "tCnt").text = "0" if reasons else "1"
    with translation.override("ko"):  # UNI-PASS answers in Korean
        for reason in reasons:
            info = ElementTree.SubElement(root, "persEcmQryRtnErrInfoVo")
            ElementTree.SubElement(info, "errMsgCn").text = str(matching.REASON_MESSAGES[reason])
    body = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return HttpResponse(body, content_type=CONTENT_TYPE, status=status)


@require_GET
def retrieve_pers_ecm(request):
    params = request.GET
    key = params.get("crkyCn", "").strip()
    if not key:
        return _xml((matching.API_KEY_MISSING,))
    client = api_client_by_key(key)
    if client is None:
        return _xml((matching.API_KEY_INVALID,))
    if not client.has_scope(ApiScope.VERIFY):
        return _xml((matching.SCOPE_MISSING,))
    wait = rate_limit_wait(request, client)
    if wait is not None:
        response = _xml((matching.RATE_LIMITED,), status=429)
        response["Retry-After"] = str(wait)
        return response
    outcome = code_check(
        client=client,
        channel=CheckChannel.UNIPASS,
        number=params.get("persEcm", ""),
        name=params.get("pltxNm", ""),
        phone=params.get("cralTelno", ""),
        postcode=params.get("custPsno", ""),
        ip_address=client_ip(request),
    )
    return _xml(outcome.reasons)
