"""Staff look-up of a person (to be built)."""

from django.http import Http404

from staff.decorators import staff_page
from staff.roles import Permission


@staff_page(Permission.PERSON_LOOK_UP)
def person_search(request):
    raise Http404


@staff_page(Permission.PERSON_LOOK_UP)
def person_detail(request, holder_id):
    raise Http404
