from django.core.management.base import BaseCommand, CommandError

from vendors.core.provisioning import ProvisionError, provision_file


class Command(BaseCommand):
    help = "Create or update teams, connections, SSO group mappings and alert channels from a YAML file (idempotent; secrets from the environment)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the provisioning YAML file")

    def handle(self, *args, file, **options):
        try:
            report = provision_file(file)
        except ProvisionError as exc:
            raise CommandError(f"Nothing was changed. {exc}") from None
        self.stdout.write(self.style.SUCCESS(str(report)))
