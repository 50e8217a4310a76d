from django.urls import path

from corridor.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/<str:person_reference>/", views.case_open, name="open"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/status/", views.case_status, name="status"),
    path("<str:reference>/propose/", views.case_propose, name="propose"),
    path("<str:reference>/risk/", views.case_risk, name="risk"),
    path("<str:reference>/coordinator/", views.case_coordinator, name="coordinator"),
    path(
        "<str:reference>/reflection/start/",
        views.case_reflection_start,
        name="reflection_start",
    ),
    path(
        "<str:reference>/reflection/extend/",
        views.case_reflection_extend,
        name="reflection_extend",
    ),
    path("<str:reference>/principles/", views.case_principles, name="principles"),
    path("<str:reference>/offences/new/", views.offence_new, name="offence_new"),
    path(
        "<str:reference>/offences/<int:pk>/decision/",
        views.offence_decision,
        name="offence_decision",
    ),
    path("<str:reference>/needs/new/", views.needs_new, name="needs_new"),
    path("<str:reference>/reviews/new/", views.review_new, name="review_new"),
    path(
        "<str:reference>/reviews/<int:pk>/complete/",
        views.review_complete,
        name="review_complete",
    ),
    path("<str:reference>/consents/new/", views.consent_new, name="consent_new"),
    path(
        "<str:reference>/consents/<int:pk>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
]
