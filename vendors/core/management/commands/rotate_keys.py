from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vendors.core import registry
from vendors.core.errors import SecretUnreadable


class Command(BaseCommand):
    help = ("Re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS. "
            "Afterwards the older keys can be removed from the list.")

    def handle(self, *args, **options):
        count = 0
        try:
            with transaction.atomic():
                for spec in registry.vendors():
                    for connection in spec.connection_model.objects.select_for_update().only("pk", "name", "secrets"):
                        connection.secrets.rotate()
                        connection.save(update_fields=["secrets"])
                        count += 1
        except SecretUnreadable as exc:
            raise CommandError(f"Nothing was changed. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the secrets of {count} connection(s) under the first key."))
