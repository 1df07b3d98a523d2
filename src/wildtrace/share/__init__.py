"""Sharing: one redaction policy and one redaction path for every audience; FollowTheMoney, STIX 2.1 and CSV
exports and imports.

>>> from wildtrace.share import redact_record
>>> redact_record({"platform": "wechat", "display_name": "Wang Wei"}, "account", "public")
{'platform': 'wechat'}
"""

from wildtrace.share._case import case_markdown, case_study, study_of_case
from wildtrace.share._dataset import Dataset, ExportOptions, collect
from wildtrace.share._export import FORMATS, export, ftm_entities, stix_bundle
from wildtrace.share._ftm import read_ftm, to_ftm, validate_ftm
from wildtrace.share._import import ImportResult, import_file
from wildtrace.share._known import KnownValues, has_tables, known_values
from wildtrace.share._policy import Policy, PolicyError, audience_for_role, load_policy, parse_policy
from wildtrace.share._redact import (
    Redactor,
    Redactors,
    audience_key,
    canonical,
    is_pseudonym,
    pseudonym,
    redact_record,
    store_redactor,
)
from wildtrace.share._stix import read_stix, to_stix

__all__ = [
    "FORMATS", "Dataset", "ExportOptions", "ImportResult", "KnownValues", "Policy", "PolicyError", "Redactor",
    "Redactors", "audience_for_role", "audience_key", "canonical", "case_markdown", "case_study", "collect", "export",
    "ftm_entities", "has_tables", "import_file", "is_pseudonym", "known_values", "load_policy", "parse_policy",
    "pseudonym", "read_ftm", "read_stix", "redact_record", "stix_bundle", "store_redactor", "study_of_case", "to_ftm",
    "to_stix", "validate_ftm",
]
