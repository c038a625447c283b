"""Schemathesis hooks for Accord's contract test (tests/tests/e2e_contract.rs).

- Every request comes from a different client address (`X-Forwarded-For`, the header the test
  edge is told to trust, as behind a proxy): the edge's per-client budgets (30 writes a minute)
  would otherwise answer most generated requests with 429 and the run would test the limiter.
- The run's own API key is never revoked: the stateful phase finds key ids in the key list and
  revokes them, and after revoking the run's key every later request would test only 401. A
  revocation of it goes to a spare key made for the purpose (ACCORD_CONTRACT_SPARE_ID) instead.
"""

import os
import random

import schemathesis

# Hypothesis seeds the `random` module for each test case, so its draws repeat; the system
# source does not.
_ADDRESSES = random.SystemRandom()


@schemathesis.hook
def before_call(context, case, **kwargs):
    address = "10.{}.{}.{}".format(_ADDRESSES.randrange(256), _ADDRESSES.randrange(256), _ADDRESSES.randrange(1, 255))
    case.headers = {**(case.headers or {}), "x-forwarded-for": address}
    key = os.environ.get("ACCORD_CONTRACT_KEY", "")
    if case.method.upper() == "DELETE" and case.path_parameters and key:
        own_id = key.split("_")[1] if key.count("_") >= 2 else None
        if case.path_parameters.get("id") == own_id:
            case.path_parameters = {**case.path_parameters, "id": os.environ["ACCORD_CONTRACT_SPARE_ID"]}
