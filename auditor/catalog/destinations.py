"""The catalog of AI destinations (``rules/destinations.yaml``) and how a flow's target resolves.

Evidence is weighed from strongest to weakest: a URL's host, a provider name (or a
litellm/LangChain ``provider/model`` prefix), an SDK module, a model-name prefix. What cannot
be resolved is ``unknown`` and treated as external, with the reason in ``detail``.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.catalog.schema import load_yaml, validate
from auditor.model import Destination, DestinationKind
from auditor.resources import resource_dir
from auditor.siteconfig import SiteConfig

UNKNOWN = "unknown"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "host.docker.internal"})
# Fields a site may override per destination, besides facts.
_MATCHERS = ("hosts", "host_patterns", "providers", "sdk_modules", "model_prefixes", "ports")


@dataclass(frozen=True)
class CatalogEntry:
    """One destination of the catalog, with the site's overrides applied."""

    id: str
    name: str
    kind: DestinationKind
    vendor: str = ""
    hosts: tuple[str, ...] = ()
    host_patterns: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    sdk_modules: tuple[str, ...] = ()
    model_prefixes: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fact(self, name: str) -> Any:
        """A vendor fact's value (None when unknown)."""
        return self.facts.get(name, {}).get("value")

    def matches_host(self, host: str) -> bool:
        return host in self.hosts or any(fnmatch.fnmatch(host, p) for p in self.host_patterns)


class Catalog:
    """The destinations a site knows, and the resolution of URLs, providers, SDKs and models."""

    def __init__(self, entries: list[CatalogEntry], site: SiteConfig | None = None, path: str = "") -> None:
        self.entries = tuple(entries)
        self.site = site or SiteConfig()
        self.path = path
        self._by_id = {e.id: e for e in entries}

    def get(self, destination_id: str) -> CatalogEntry | None:
        return self._by_id.get(destination_id)

    def resolve(
        self,
        url: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        sdk: str | None = None,
    ) -> Destination:
        """The destination the evidence points to; ``unknown`` (external) when none does."""
        for found in (
            self.resolve_url(url, provider) if url else None,
            self.resolve_provider(provider) if provider else None,
            self.resolve_model(model) if model else None,
            self.resolve_sdk(sdk) if sdk else None,
        ):
            if found is not None:
                return found
        evidence = ", ".join(f"{k} {v!r}" for k, v in (("url", url), ("provider", provider), ("model", model)) if v)
        return unknown_destination(f"nothing in the catalog matches {evidence}" if evidence else "no evidence")

    def resolve_url(self, url: str, provider: str | None = None) -> Destination | None:
        """A URL (or bare host[:port]): catalog hosts, then the site's approved hosts, loopback, private."""
        parts = urlsplit(url if "//" in url else f"//{url}")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            return None
        try:
            port = parts.port
        except ValueError:
            port = None
        netloc = f"{host}:{port}" if port else host
        for entry in self.entries:
            # a site may name a host with its port ("10.0.0.5:8443"), e.g. a gateway in front of a vendor
            if entry.matches_host(host) or (port and entry.matches_host(netloc)):
                return self._destination(entry, "url", host, f"host {netloc} is {entry.name}")
        software = self._local_software(provider, port)
        if host in self.site.approved_hosts or netloc in self.site.approved_hosts:
            return self._self_hosted(software, host, "config", f"host {netloc} is approved in the site configuration")
        address = _address(host)
        if host in _LOOPBACK_NAMES or (address is not None and (address.is_loopback or address.is_unspecified)):
            local = software
            return Destination(
                id=local.id if local else "local",
                kind=DestinationKind.LOCAL,
                resolved_by="url",
                name=local.name if local else "local model server",
                host=netloc,
                detail=f"{netloc} is this machine (loopback)",
            )
        if address is not None:
            if any(address in network for network in self.site.approved_cidrs):
                return self._self_hosted(software, netloc, "config", f"{host} is in an approved network of the site")
            if address.is_private:
                return self._self_hosted(software, netloc, "url", f"{host} is a private address")
        return unknown_destination(f"host {host} is neither in the catalog nor approved by the site", host=netloc)

    def resolve_provider(self, provider: str) -> Destination | None:
        """A provider name as logs and litellm write it (``openai``, ``bedrock``, ``ollama``)."""
        name = provider.strip().lower()
        for entry in self.entries:
            if name in entry.providers or name == entry.id:
                return self._destination(entry, "provider", None, f"provider {provider!r}")
        return None

    def resolve_model(self, model: str) -> Destination | None:
        """A model string: ``provider/model`` prefixes (litellm, LangChain) first, then name prefixes."""
        text = model.strip()
        if "/" in text:
            prefix, rest = text.split("/", 1)
            found = self.resolve_provider(prefix)
            if found is not None:
                return replace(found, resolved_by="model", detail=f"model {model!r}: provider prefix {prefix!r}")
            text = rest if prefix.lower() in {"models"} else text
        lowered = text.lower()
        best: tuple[int, CatalogEntry] | None = None
        for entry in self.entries:
            for prefix in entry.model_prefixes:
                if lowered.startswith(prefix.lower()) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), entry)
        if best is None:
            return None
        entry = best[1]
        return self._destination(entry, "model", None, f"model {model!r} is named like {entry.name} models (a guess)")

    def resolve_sdk(self, module: str) -> Destination | None:
        """An SDK module or class (``anthropic``, ``openai.AzureOpenAI``, ``boto3.bedrock-runtime``)."""
        best: tuple[int, CatalogEntry] | None = None
        for entry in self.entries:
            for name in entry.sdk_modules:
                if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                    best = (len(name), entry)
        if best is None:
            return None
        return self._destination(best[1], "sdk", None, f"SDK {module}")

    def _local_software(self, provider: str | None, port: int | None) -> CatalogEntry | None:
        local = [e for e in self.entries if e.kind is not DestinationKind.EXTERNAL]
        if provider:
            for entry in local:
                if provider.lower() in entry.providers or provider.lower() == entry.id:
                    return entry
        if port:
            for entry in local:
                if port in entry.ports:
                    return entry
        return None

    def _self_hosted(self, software: CatalogEntry | None, host: str, resolved_by: str, detail: str) -> Destination:
        return Destination(
            id=software.id if software else "self_hosted",
            kind=DestinationKind.SELF_HOSTED,
            resolved_by=resolved_by,
            name=software.name if software else "self-hosted model server",
            host=host,
            detail=detail,
        )

    def _destination(self, entry: CatalogEntry, resolved_by: str, host: str | None, detail: str) -> Destination:
        host = host or (entry.hosts[0] if entry.hosts else None)
        return Destination(entry.id, entry.kind, resolved_by, entry.name, host, detail)


def unknown_destination(reason: str, host: str | None = None) -> Destination:
    """A destination auditor could not resolve: treated as external, saying why."""
    return Destination(UNKNOWN, DestinationKind.EXTERNAL, "none", "unresolved destination", host, reason)


def external_assumed() -> Destination:
    """The destination a document is judged against: may this go to an external API at all?"""
    return Destination(
        "any_external",
        DestinationKind.EXTERNAL,
        "assumed",
        "any external AI API",
        None,
        "a document has no destination; judged as if sent to an external API with no agreement",
    )


def load_catalog(site: SiteConfig | None = None, path: Path | None = None) -> Catalog:
    """The shipped catalog (or ``path``), validated, with the site's overrides applied."""
    site = site or SiteConfig()
    path = path or resource_dir("rules") / "destinations.yaml"
    data = load_yaml(path)
    validate(data, "destinations", path)
    raw_entries = {item["id"]: dict(item) for item in data["destinations"]}
    for dest_id, override in site.destinations.items():
        base = raw_entries.setdefault(dest_id, {"id": dest_id, "name": dest_id, "kind": "self_hosted"})
        for key, value in override.items():
            if key in _MATCHERS or key in ("name", "kind", "vendor"):
                base[key] = value
            else:  # a fact: `baa_offered = true` or a table with value/as_of/note
                fact = value if isinstance(value, dict) else {"value": value}
                base.setdefault("facts", {})
                base["facts"] = {**base["facts"], key: {**fact, "source": "site configuration"}}
    if site.destinations:  # an error now is the site's override: name its file, not the shipped one
        where = site.path or Path("the site configuration")
        validate({"schema_version": 1, "destinations": list(raw_entries.values())}, "destinations", where)
    entries = [_entry(item) for item in raw_entries.values()]
    return Catalog(entries, site, str(path))


def _entry(item: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        id=item["id"],
        name=item.get("name", item["id"]),
        kind=DestinationKind(item["kind"]),
        vendor=item.get("vendor", ""),
        hosts=tuple(h.lower() for h in item.get("hosts", ())),
        host_patterns=tuple(h.lower() for h in item.get("host_patterns", ())),
        providers=tuple(p.lower() for p in item.get("providers", ())),
        sdk_modules=tuple(item.get("sdk_modules", ())),
        model_prefixes=tuple(item.get("model_prefixes", ())),
        ports=tuple(item.get("ports", ())),
        facts={k: dict(v) for k, v in item.get("facts", {}).items()},
    )


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
