from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    make_password,
)


class IamArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with explicit parameters from the OWASP password cheat sheet.

    19 MiB of memory, 2 passes, 1 lane: the cheat sheet's first
    recommendation. Django's default (100 MiB) would cost five times as much
    per login for little gain against an offline attacker with GPUs.
    Changing these values rehashes each password at its next login.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


_dummy_hash: str | None = None


def check_dummy_password(password: str) -> None:
    """Spend one real verification on a throwaway hash.

    Called where no account matched, so that an unknown email costs as much
    time as a wrong password and timing does not reveal which accounts exist.
    """
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = make_password("timing equaliser for unknown accounts")
    check_password(password, _dummy_hash)
