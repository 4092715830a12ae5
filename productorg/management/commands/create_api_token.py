"""``manage.py create_api_token <email> [--name NAME]``: print a new API token once."""

from django.core.management.base import BaseCommand, CommandError

from productorg.errors import ApplicationError
from productorg.selectors import user_get_by_email
from productorg.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for the active user with this e-mail and print it. The token "
        "is shown this once; only its digest is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail (or user name) of the login.")
        parser.add_argument(
            "--name", default="Command line", help="What the token is for (default: %(default)s)."
        )

    def handle(self, *args, email: str, name: str, **options):
        user = user_get_by_email(email=email)
        if user is None:
            raise CommandError(f"No active user with the e-mail {email!r}.")
        try:
            token, raw = api_token_create(user=user, name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # The token alone on stdout, so that `TOKEN=$(manage.py create_api_token …)` works;
        # the explanation goes to stderr.
        self.stderr.write(
            f"Created API token “{token.name}” ({token.prefix}…) for {user.get_username()}. "
            "Copy it now: it will not be shown again."
        )
        self.stdout.write(raw)
