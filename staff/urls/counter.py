from django.urls import path

from staff.views import counter, people

urlpatterns = [
    path("counter/issue/", counter.counter_issue, name="counter_issue"),
    path("counter/codes/<int:code_id>/confirmation/", counter.counter_confirmation, name="counter_confirmation"),
    path("people/", people.person_search, name="person_search"),
    path("people/<uuid:holder_id>/", people.person_detail, name="person_detail"),
]
