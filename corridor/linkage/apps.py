from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "corridor.linkage"
    label = "linkage"
    verbose_name = _("Who is who")

    def ready(self):
        from django.db.models.signals import post_delete

        from corridor.linkage import services, tasks
        from corridor.linkage.models import PersonLink
        from corridor.people.services import person_registered, registering_person

        post_delete.connect(services.link_deleted, sender=PersonLink, dispatch_uid="linkage.settle")
        person_registered.connect(tasks.person_registered, dispatch_uid="linkage.check_new")
        registering_person.connect(
            services.seen_before_at_registration, dispatch_uid="linkage.seen_before"
        )
