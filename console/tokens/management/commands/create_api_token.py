"""Create an API token for a user and print it once, alone on the last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from console.tokens.services import token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME; the token is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--write", action="store_true", help="read-write (default: read-only)")
        parser.add_argument("--days", type=int, default=None, help="expire after this many days")
        parser.add_argument("--description", default="created with manage.py", help="what uses the token")

    def handle(self, *args, username, write, days, description, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        token, plain = token_create(user=user, description=description[:100], write=write, days=days,
                                    actor="manage.py")
        expires = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
        self.stderr.write(f"API token “{token.description}” for {username} ({token.scope}{expires}). "
                          f"It is shown once; store it now:")
        self.stdout.write(plain)
