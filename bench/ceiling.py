"""The framework's ceiling for bench/load.py: a view that answers at once and one that runs a
single primary-key SELECT, behind the same middleware as every Corridor page."""

from django.http import HttpResponse
from django.urls import include, path

from corridor.people.models import Person


def bare(request):
    return HttpResponse("ok")


def select(request):
    Person.objects.filter(pk=1).values_list("pk", flat=True).first()
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare", bare),
    path("bench/select", select),
    path("", include("corridor.urls")),
]
handler500 = "corridor.core.views.server_error"
