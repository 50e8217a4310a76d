from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IncidentsConfig(AppConfig):
    name = "corridor.incidents"
    label = "incidents"

    def ready(self) -> None:
        from corridor.cases.models import ProtectionCase
        from corridor.incidents.counting import figures_out_of_date, forget_figures
        from corridor.incidents.models import Incident, IncidentVictim, Place, RouteLeg
        from corridor.linkage.models import PersonLink
        from corridor.linkage.services import identities_changed
        from corridor.people.models import Person

        # Everything the instance's figures count: a change throws the kept figures away.
        counted = (Incident, IncidentVictim, RouteLeg, Place, Person, PersonLink, ProtectionCase)
        for model in counted:
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_figures, sender=model, dispatch_uid=f"figures-{model.__name__}"
                )
        identities_changed.connect(figures_out_of_date, dispatch_uid="figures-identities")
