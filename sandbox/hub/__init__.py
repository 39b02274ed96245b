"""A local Hugging Face Hub: the subset of the Hub's HTTP API the bot's checks use.

The real ``huggingface_hub`` client runs against it unmodified (pass ``endpoint=hub.url``).

Access model (the Hub's, simplified):

- No ``Authorization`` header: anonymous. Private, disabled and missing repos all answer 401 with
  ``X-Error-Code: RepoNotFound`` (the real Hub does not tell them apart either).
- Only known tokens are valid: ``hub.tokens`` belong to members of every namespace (they see
  private repos, pass gates and may write), ``hub.users`` are other users (404 ``RepoNotFound``
  for private repos, 403 ``GatedRepo`` for gated files). Any other token (mistyped, revoked with
  ``hub.revoke``, expired) gets 401 "Invalid credentials in Authorization header" on every route.
- Gated repos: repo info (and so ``cardData``), tree and commits stay public; file downloads
  need access, except ``README.md`` and ``.gitattributes`` (the card stays readable).
- Disabled repos, read with a valid token: 403 "Access to this resource is disabled.".

Revisions: every change of a repo's content is a commit with its own sha and date (a scenario's
``hub.set`` at the Hub's clock, or a commit through the write API), and every read at a sha (repo
info, tree, file download) sees that commit's content. ``expand=`` limits repo info to the named
fields, as on the Hub. The write API (``sandbox.hub.writes``) serves ``create_repo``,
``create_commit`` and ``upload_file``.

Faults (``hub.set_fault`` or the scenario's ``[hub.faults]``) apply to every request about that repo
(or to every request with the repo id ``"*"``): ``"429"`` answers with the Hub's ``RateLimit``
headers, ``"500"`` with a server error, ``"timeout"`` holds the request open for ``hold_seconds``
(released at once by ``close()``).
"""

from .fields import REPO_FIELDS
from .repos import FAULTS, HubRepo, blob_oid, commit_sha
from .server import LocalHub

__all__ = ["FAULTS", "REPO_FIELDS", "HubRepo", "LocalHub", "blob_oid", "commit_sha"]
