"""A downstream service verifying IAM tokens: PyJWT with cached JWKS vs raw.

A: what a downstream service runs per request, PyJWT's PyJWKClient (JWKS
fetched once over loopback from the running service, then cached) and
jwt.decode with issuer and required claims. B: the bare ES256 signature
check with `cryptography` on the same token. Rounds alternate A B A B in
one process; prints one JSON line with the per-round rates.

Usage: python -m bench.downstream JWKS_URL HOST TOKEN ISSUER ROUNDS SECONDS
"""

import base64
import json
import sys
import time

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "jti"]


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _rate(operation, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            operation()
        count += 100
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def measure(
    jwks_url: str, host: str, token: str, issuer: str, rounds: int, seconds: float
):
    client = jwt.PyJWKClient(jwks_url, cache_keys=True, headers={"Host": host})

    def pyjwt_verify():
        key = client.get_signing_key_from_jwt(token)
        jwt.decode(
            token,
            key,
            algorithms=["ES256"],
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )

    public_key = client.get_signing_key_from_jwt(token).key
    signing_input, _, signature = token.rpartition(".")
    raw = _b64decode(signature)
    der = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    message = signing_input.encode()
    algorithm = ec.ECDSA(hashes.SHA256())

    def raw_verify():
        public_key.verify(der, message, algorithm)

    pyjwt_verify()
    raw_verify()
    a, b = [], []
    for _ in range(rounds):
        a.append(_rate(pyjwt_verify, seconds))
        b.append(_rate(raw_verify, seconds))
    return {"a_per_second": a, "b_per_second": b}


if __name__ == "__main__":
    url, host, token, issuer, rounds, seconds = sys.argv[1:7]
    result = measure(url, host, token, issuer, int(rounds), float(seconds))
    sys.stdout.write(json.dumps(result) + "\n")
