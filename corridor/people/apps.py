from django.apps import AppConfig
from django.db.models.signals import post_save


class PeopleConfig(AppConfig):
    name = "corridor.people"
    label = "people"

    def ready(self):
        from corridor.core.backup import restored
        from corridor.people.models import Person
        from corridor.people.search import person_saved, reindex_persons

        post_save.connect(person_saved, sender=Person, dispatch_uid="people.search_keys")
        restored.connect(
            lambda **kwargs: reindex_persons(), weak=False, dispatch_uid="people.reindex"
        )
