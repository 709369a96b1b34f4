"""Site configuration: ``[tool.auditor]`` in the scanned project's pyproject.toml, or auditor.toml.

What a site states about itself: frameworks in scope, agreements in force with vendors,
approved self-hosted hosts, the ``fail_on`` threshold, extra rule directories, the database.
Unknown keys and wrong types are a ConfigError naming the file and the key (exit 2).
"""

from __future__ import annotations

import difflib
import hashlib
import ipaddress
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.model import FailOn

FAIL_ON_VALUES = tuple(f.value for f in FailOn)  # ("unmet", "conditional", "local_only")
DEFAULT_FRAMEWORKS = ("hipaa", "sox", "itar", "privacy")


@dataclass(frozen=True, slots=True)
class Agreement:
    """What a site has agreed with one vendor (a destination id of the catalog)."""

    vendor: str
    baa: bool = False
    signed: date | None = None
    expires: date | None = None
    zdr: bool = False  # zero data retention in force
    us_only: bool = False  # processing and storage in the US with no foreign-person access
    vendor_management: bool = False  # under the site's vendor-management controls (SOX ITGC)

    def in_force(self, on: date) -> bool:
        """Signed (or undated) and not expired on ``on``."""
        return (self.signed is None or self.signed <= on) and (self.expires is None or on <= self.expires)


ROUTING_ACTIONS = ("reroute", "redact", "block", "send")
REDACTIONS = ("replace", "reversible")


@dataclass(frozen=True)
class Routing:
    """``[tool.auditor.routing]``: where the guard sends what may not go out, and what a plan may move.

    ``local_base_url`` is an OpenAI-compatible server of the site's own (Ollama, vLLM...);
    ``model_map`` names its model for each external model (``"*"`` for the rest).
    ``on_unmet`` is what the guard does with a ``conditional`` flow whose conditions the site
    does not show (reroute, redact then send, block, send); ``local_only`` flows are rerouted
    when a local route exists and blocked otherwise. ``routable_models`` and ``routable_tags``
    mark routine ``allow`` traffic a plan may move to the local model. ``redaction`` is how
    ``on_unmet = "redact"`` redacts: ``replace`` (``<ENTITY>``, nothing kept) or
    ``reversible`` (placeholders whose values stay in the guard's memory to restore the answer).
    """

    local_base_url: str | None = None
    model_map: dict[str, str] = field(default_factory=dict)
    on_unmet: str = "reroute"
    redaction: str = "replace"
    fallback_on_error: bool = False  # an upstream failure never goes to the other destination unless set
    routable_models: tuple[str, ...] = ()
    routable_tags: tuple[str, ...] = ()
    timeout_seconds: float = 60.0

    def local_model(self, model: str | None) -> str | None:
        """The local model standing in for ``model``, or None when the map has none."""
        if model and model in self.model_map:
            return self.model_map[model]
        return self.model_map.get("*")


@dataclass(frozen=True)
class SiteConfig:
    """The scanned project's own statements; defaults state nothing (no agreements)."""

    path: Path | None = None  # the file it came from, if any
    frameworks: tuple[str, ...] = DEFAULT_FRAMEWORKS
    agreements: tuple[Agreement, ...] = ()
    approved_hosts: tuple[str, ...] = ()
    approved_cidrs: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    fail_on: str = "unmet"
    rule_dirs: tuple[Path, ...] = ()
    database_url: str | None = None
    waivers_file: Path | None = None
    # A YAML file of request-log formats and metadata keys that extends the shipped ones
    # (auditor/data/log-formats.yaml): a site's own proxy or trace export.
    log_formats_file: Path | None = None
    # Overrides of catalog facts and extra matchers: {destination id: {fact or matcher: value}}.
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # For the code-flow scanner: extra sinks and sanitizers (validated there).
    sinks: tuple[dict[str, Any], ...] = ()
    sanitizers: tuple[str, ...] = ()
    # PAdES signing of report PDFs (auditor/reports/signing.py): key and certificate files.
    signing_key: Path | None = None
    signing_cert: Path | None = None
    # Prices over rules/prices.yaml (entries of the same shape) and the site's own cost of a
    # self-hosted token ({per_1k_tokens, as_of, source}); validated by auditor.policy.prices.
    prices: tuple[dict[str, Any], ...] = ()
    self_hosted_cost: dict[str, Any] = field(default_factory=dict)
    routing: Routing = field(default_factory=lambda: Routing())
    raw: dict[str, Any] = field(default_factory=dict)

    def agreement_for(self, vendor: str, on: date | None = None) -> Agreement | None:
        """The agreement in force with ``vendor`` (a destination id) on ``on`` (today)."""
        on = on or date.today()
        for agreement in self.agreements:
            if agreement.vendor == vendor and agreement.in_force(on):
                return agreement
        return None

    @property
    def sha256(self) -> str:
        """A hash of what the site stated, recorded with each scan."""
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, default=str).encode()).hexdigest()


_KEYS: dict[str, type | tuple[type, ...]] = {
    "frameworks": list,
    "agreements": list,
    "approved_hosts": list,
    "approved_cidrs": list,
    "fail_on": str,
    "rule_dirs": list,
    "database_url": str,
    "waivers_file": str,
    "log_formats": str,
    "destinations": dict,
    "sinks": list,
    "sanitizers": list,
    "signing_key": str,
    "signing_cert": str,
    "prices": list,
    "self_hosted_cost": dict,
    "routing": dict,
}
_ROUTING_KEYS: dict[str, type | tuple[type, ...]] = {
    "local_base_url": str,
    "model_map": dict,
    "on_unmet": str,
    "redaction": str,
    "fallback_on_error": bool,
    "routable_models": list,
    "routable_tags": list,
    "timeout_seconds": (int, float),
}
_AGREEMENT_KEYS: dict[str, type | tuple[type, ...]] = {
    "vendor": str,
    "baa": bool,
    "signed": (date, str),
    "expires": (date, str),
    "zdr": bool,
    "us_only": bool,
    "vendor_management": bool,
}


def project_root(start: Path) -> Path:
    """The root of the scanned project: the nearest folder up with a ``.git``, an auditor.toml
    or a pyproject.toml; else the folder scanned (or the folder of the file scanned)."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if any((folder / name).exists() for name in (".git", "auditor.toml", "pyproject.toml")):
            return folder
    return here


def find_config_file(start: Path) -> Path | None:
    """The nearest auditor.toml, or pyproject.toml with [tool.auditor], from ``start`` up.

    The search stops at the first directory that holds one of them or a ``.git``.
    """
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "auditor.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        tool = _read_toml(pyproject).get("tool", {}) if pyproject.is_file() else {}
        if isinstance(tool, dict) and "auditor" in tool:
            return pyproject
        if (folder / ".git").exists() or pyproject.is_file():
            return None
    return None


def load_site_config(path: Path | None) -> SiteConfig:
    """Parse a configuration file; None gives the defaults."""
    if path is None:
        return SiteConfig()
    data = _read_toml(path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool must be a table ([tool.auditor]), not {_kind(tool)}")
    if path.name == "pyproject.toml":
        data = tool.get("auditor", {})
        where = f"{path} [tool.auditor]"
    else:
        data = tool.get("auditor", data)
        where = str(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table ([tool.auditor]), not {_kind(data)}")
    return parse_site_config(data, where, path)


def parse_site_config(data: dict[str, Any], where: str = "configuration", path: Path | None = None) -> SiteConfig:
    """Validate a ``[tool.auditor]`` table and build the SiteConfig."""
    _check_keys(data, _KEYS, where)
    base = path.parent if path else Path.cwd()
    fail_on = data.get("fail_on", "unmet")
    if fail_on not in FAIL_ON_VALUES:
        raise ConfigError(f"{where}: fail_on must be one of {', '.join(FAIL_ON_VALUES)}, not {fail_on!r}")
    frameworks = tuple(_strings(data.get("frameworks", list(DEFAULT_FRAMEWORKS)), f"{where}: frameworks"))
    agreements = tuple(
        _agreement(item, f"{where}: agreements[{i}]") for i, item in enumerate(data.get("agreements", []))
    )
    cidrs = []
    for text in _strings(data.get("approved_cidrs", []), f"{where}: approved_cidrs"):
        try:
            cidrs.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ConfigError(f"{where}: approved_cidrs: {text!r} is not a network (e.g. 10.20.0.0/16)") from None
    destinations = data.get("destinations", {})
    for key, value in destinations.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: destinations.{key} must be a table")
    return SiteConfig(
        path=path,
        frameworks=tuple(f.lower() for f in frameworks),
        agreements=agreements,
        approved_hosts=tuple(h.lower() for h in _strings(data.get("approved_hosts", []), f"{where}: approved_hosts")),
        approved_cidrs=tuple(cidrs),
        fail_on=fail_on,
        rule_dirs=tuple((base / d) for d in _strings(data.get("rule_dirs", []), f"{where}: rule_dirs")),
        database_url=data.get("database_url"),
        waivers_file=(base / data["waivers_file"]) if "waivers_file" in data else None,
        log_formats_file=(base / data["log_formats"]) if "log_formats" in data else None,
        destinations=destinations,
        sinks=tuple(data.get("sinks", [])),
        sanitizers=tuple(_strings(data.get("sanitizers", []), f"{where}: sanitizers")),
        signing_key=(base / data["signing_key"]) if "signing_key" in data else None,
        signing_cert=(base / data["signing_cert"]) if "signing_cert" in data else None,
        prices=tuple(_dated(p) for p in data.get("prices", [])),
        self_hosted_cost=_dated(data.get("self_hosted_cost", {})),
        routing=_routing(data.get("routing", {}), f"{where}: routing"),
        raw=data,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8") from None


def _check_keys(data: dict[str, Any], allowed: dict[str, type | tuple[type, ...]], where: str) -> None:
    for key, value in data.items():
        if key not in allowed:
            near = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(sorted(allowed))}"
            raise ConfigError(f"{where}: unknown key {key!r} ({hint})")
        expected = allowed[key]
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            raise ConfigError(f"{where}: {key} must be {_TYPE_WORDS.get(names, names)}, not {_kind(value)}")


_TYPE_WORDS = {"list": "a list", "dict": "a table", "str": "a string", "bool": "true or false", "date or str": "a date"}


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


def _agreement(item: Any, where: str) -> Agreement:
    if not isinstance(item, dict):
        raise ConfigError(f'{where} must be a table with vendor = "..."')
    _check_keys(item, _AGREEMENT_KEYS, where)
    if "vendor" not in item:
        raise ConfigError(f'{where}: vendor is required (a destination id such as "openai")')
    return Agreement(
        vendor=item["vendor"],
        baa=item.get("baa", False),
        signed=_date(item.get("signed"), f"{where}: signed"),
        expires=_date(item.get("expires"), f"{where}: expires"),
        zdr=item.get("zdr", False),
        us_only=item.get("us_only", False),
        vendor_management=item.get("vendor_management", False),
    )


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{where} must be a date (YYYY-MM-DD), not {value!r}") from None


def _dated(value: Any) -> Any:
    """TOML dates as ISO text, as the YAML tables hold them (prices are validated as JSON)."""
    if isinstance(value, dict):
        return {k: _dated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _routing(data: dict[str, Any], where: str) -> Routing:
    _check_keys(data, _ROUTING_KEYS, where)
    on_unmet = data.get("on_unmet", "reroute")
    if on_unmet not in ROUTING_ACTIONS:
        raise ConfigError(f"{where}: on_unmet must be one of {', '.join(ROUTING_ACTIONS)}, not {on_unmet!r}")
    redaction = data.get("redaction", "replace")
    if redaction not in REDACTIONS:
        raise ConfigError(f"{where}: redaction must be one of {', '.join(REDACTIONS)}, not {redaction!r}")
    model_map = data.get("model_map", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in model_map.items()):
        raise ConfigError(f"{where}: model_map must map model names to local model names (strings)")
    url = data.get("local_base_url")
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: local_base_url must be an http(s) URL, not {url!r}")
    return Routing(
        local_base_url=url,
        model_map=dict(model_map),
        on_unmet=on_unmet,
        redaction=redaction,
        fallback_on_error=data.get("fallback_on_error", False),
        routable_models=tuple(_strings(data.get("routable_models", []), f"{where}: routable_models")),
        routable_tags=tuple(_strings(data.get("routable_tags", []), f"{where}: routable_tags")),
        timeout_seconds=float(data.get("timeout_seconds", 60.0)),
    )
