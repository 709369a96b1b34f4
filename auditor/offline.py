"""Keep every library offline: a scan never opens a network connection.

Presidio's email recognizer calls tldextract, whose default extractor fetches the public
suffix list over HTTPS on first use. auditor replaces it with one that reads only the
snapshot tldextract ships. Model hubs are told to stay offline too, in case a site
configures a transformers pipeline.
"""

from __future__ import annotations

import os

_done = False


def ensure_offline() -> None:
    """Configure phoning-home libraries not to. Idempotent; call before building an engine."""
    global _done
    if _done:
        return
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # read at TLDExtract() creation
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(variable, "1")
    import tldextract
    import tldextract.tldextract as module

    # The module-level extract() looks this global up at call time.
    module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    _done = True
