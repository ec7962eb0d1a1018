from django.urls import path

from staff.views import counter, people

urlpatterns = [
    path("counter/issue/", counter.counter_issue, name="counter_issue"),
    path("counter/codes/<int:code_id>/confirmation/", counter.counter_confirmation, name="counter_confirmation"),
    path("people/", people.person_search, name="person_search"),
    path("people/<uuid:holder_id>/", people.person_detail, name="person_detail"),
    path("people/<uuid:holder_id>/change/", people.person_change, name="person_change"),
    path("people/<uuid:holder_id>/reissue/", people.person_reissue, name="person_reissue"),
    path("people/<uuid:holder_id>/suspend/", people.person_suspend, name="person_suspend"),
    path("people/<uuid:holder_id>/reinstate/", people.person_reinstate, name="person_reinstate"),
    path("people/<uuid:holder_id>/terminate/", people.person_terminate, name="person_terminate"),
]
