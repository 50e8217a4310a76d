from django.urls import path

from corridor.investigations import views

app_name = "investigations"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.case_open, name="open"),
    path("open/<str:incident_reference>/", views.case_open, name="open_from_incident"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/stage/", views.case_stage, name="stage"),
    path("<str:reference>/incidents/new/", views.incident_add, name="incident_add"),
    path("<str:reference>/offences/new/", views.offence_add, name="offence_add"),
    path("<str:reference>/suspects/new/", views.suspect_add, name="suspect_add"),
    path("<str:reference>/charges/new/", views.charge_add, name="charge_add"),
    path(
        "<str:reference>/charges/<int:charge_id>/verdict/",
        views.verdict_add,
        name="verdict_add",
    ),
    path("<str:reference>/assets/new/", views.asset_add, name="asset_add"),
    path("<str:reference>/compensation/new/", views.compensation_add, name="compensation_add"),
    path(
        "<str:reference>/compensation/<int:order_id>/payment/",
        views.payment_add,
        name="payment_add",
    ),
    path("<str:reference>/witnesses/new/", views.witness_add, name="witness_add"),
    path(
        "<str:reference>/witnesses/<str:witness_reference>/",
        views.witness_detail,
        name="witness_detail",
    ),
    path(
        "<str:reference>/witnesses/<str:witness_reference>/status/",
        views.witness_status,
        name="witness_status",
    ),
    path(
        "<str:reference>/witnesses/<str:witness_reference>/measures/new/",
        views.measure_add,
        name="measure_add",
    ),
    path(
        "<str:reference>/witnesses/<str:witness_reference>/measures/<int:measure_id>/",
        views.measure_status,
        name="measure_status",
    ),
    path("<str:reference>/legal-bases/new/", views.legal_basis_add, name="legal_basis_add"),
    path(
        "<str:reference>/legal-bases/<str:basis_reference>/revoke/",
        views.legal_basis_revoke,
        name="legal_basis_revoke",
    ),
]
