from django.core.management.base import BaseCommand, CommandError

from vendors.core import polling, registry
from vendors.core.tasks import poll_connection


#: PollOutcome.status -> the word printed after "poll"
OUTCOME_WORDS = {"ok": "succeeded", "degraded": "degraded", "deferred": "deferred", "failed": "failed",
                 "skipped": "skipped"}


class Command(BaseCommand):
    help = "Poll connections now: all enabled ones, or one by name. --wait runs the poll here and reports."

    def add_arguments(self, parser):
        parser.add_argument("--connection", help="name of the connection to poll")
        parser.add_argument("--wait", action="store_true", help="poll in this process and wait for the outcome")

    def handle(self, *args, connection=None, wait=False, **options):
        targets = []
        for spec in registry.vendors():
            rows = spec.connection_model.objects.filter(enabled=True)
            if connection:
                rows = spec.connection_model.objects.filter(name=connection)
            targets.extend(rows)
        if connection and not targets:
            raise CommandError(f"No connection is named {connection!r}.")
        failures = []
        for target in targets:
            if not target.enabled:
                raise CommandError(f"Connection {target.name!r} is disabled; enable it first.")
            lease = polling.connection_claim(connection=target, force=True)
            if lease is None:
                self.stdout.write(f"{target.vendor} {target.name}: a poll is already running, skipped.")
                continue
            if not wait:
                poll_connection.delay(target.vendor, target.pk, lease)
                self.stdout.write(f"{target.vendor} {target.name}: poll queued.")
                continue
            outcome = polling.connection_poll(vendor=target.vendor, pk=target.pk, lease=lease)
            line = f"{target.vendor} {target.name}: poll {OUTCOME_WORDS.get(outcome.status, outcome.status)}"
            if outcome.status == "ok":
                self.stdout.write(self.style.SUCCESS(line))
            elif outcome.status == "failed":
                failures.append(line)
                self.stderr.write(f"{line}: {outcome.message}")
            else:
                self.stdout.write(self.style.WARNING(f"{line}: {outcome.message}"))
        if failures:
            raise CommandError(f"{len(failures)} poll(s) failed.")
