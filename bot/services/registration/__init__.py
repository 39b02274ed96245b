"""Registration: the sign-up lists, verification (the roles of a sign-up) and member profiles.

Services take an ``AsyncSession``, ids and plain values; they never commit and never import
discord. Addresses are only ever handled as keyed hashes (:mod:`.addresses`).
"""

from bot.services.registration.addresses import (
    RegistrationKey,
    email_hash,
    normalize_email,
    registration_key,
)
from bot.services.registration.countries import country_choices, country_code, country_name
from bot.services.registration.imports import (
    ImportReport,
    LineReport,
    PreparedImport,
    Row,
    decode,
    import_rows,
    import_text,
    parse_rows,
    prepare_text,
    store,
)
from bot.services.registration.profiles import ProfileView, get_profile, update_profile
from bot.services.registration.status import counts
from bot.services.registration.verification import (
    Linked,
    VerifyResult,
    VerifyRules,
    link_by_organizer,
    registration_of,
    roles_of,
    unlink,
    verify,
)

__all__ = [
    "ImportReport",
    "LineReport",
    "Linked",
    "PreparedImport",
    "ProfileView",
    "RegistrationKey",
    "Row",
    "VerifyResult",
    "VerifyRules",
    "country_choices",
    "country_code",
    "country_name",
    "counts",
    "decode",
    "email_hash",
    "get_profile",
    "import_rows",
    "import_text",
    "link_by_organizer",
    "normalize_email",
    "parse_rows",
    "prepare_text",
    "registration_key",
    "registration_of",
    "roles_of",
    "store",
    "unlink",
    "update_profile",
    "verify",
]
