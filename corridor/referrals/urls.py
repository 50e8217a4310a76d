from django.urls import path, re_path

from corridor.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("directory/", views.directory, name="directory"),
    path("directory/new/", views.offer_create, name="offer_create"),
    path("directory/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("directory/<int:pk>/capacity/", views.offer_capacity, name="offer_capacity"),
    path("new/<str:case_reference>/", views.referral_create, name="create"),
    path("<str:reference>/", views.referral_detail, name="detail"),
    re_path(
        r"^(?P<reference>[^/]+)/(?P<answer>accept|decline|complete)/$",
        views.referral_answer,
        name="answer",
    ),
    path("<str:reference>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<str:reference>/deliveries/", views.delivery_create, name="delivery"),
]
