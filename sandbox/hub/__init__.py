"""A local Hugging Face Hub: the subset of the Hub's HTTP API the bot's checks use.

The real ``huggingface_hub`` client runs against it unmodified (pass ``endpoint=hub.url``).

Access model (the Hub's, simplified):

- No ``Authorization`` header: anonymous. Private repos and missing repos answer 401 with
  ``X-Error-Code: RepoNotFound`` (the real Hub does not tell the two apart either).
- ``Bearer hf_invalid...``: an invalid or expired token, 401 "Invalid credentials in Authorization
  header" on every route.
- Any other bearer token is a valid user. Tokens listed in ``hub.tokens`` belong to members of every
  namespace: they see private repos and pass gates. Other valid tokens get 404 ``RepoNotFound`` for
  private repos and 403 ``GatedRepo`` for gated files.
- Gated repos: repo info (and so ``cardData``), tree and commits stay public; file downloads
  need access, except ``README.md`` and ``.gitattributes`` (the card stays readable).
- Disabled repos: 403 "Access to this resource is disabled." on every route of the repo.

Faults (``hub.set_fault`` or the scenario's ``[hub.faults]``) apply to every request about that repo
(or to every request with the repo id ``"*"``): ``"429"`` answers with the Hub's ``RateLimit``
headers, ``"500"`` with a server error, ``"timeout"`` holds the request open for ``hold_seconds``
(released at once by ``close()``).
"""

from .fields import REPO_FIELDS
from .repos import FAULTS, HubRepo, blob_oid, commit_sha
from .server import LocalHub

__all__ = ["FAULTS", "REPO_FIELDS", "HubRepo", "LocalHub", "blob_oid", "commit_sha"]
