from django.urls import path, re_path

from corridor.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/<str:case_reference>/", views.referral_create, name="create"),
    path("<str:reference>/", views.referral_detail, name="detail"),
    re_path(
        r"^(?P<reference>[^/]+)/(?P<answer>accept|decline|complete)/$",
        views.referral_answer,
        name="answer",
    ),
]
