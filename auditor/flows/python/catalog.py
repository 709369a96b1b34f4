"""The code-flow catalog (``rules/code.yaml``): clients, sinks, sanitizers and source names.

Validated at load against ``auditor/data/code-catalog.schema.json``; a site adds sinks and
sanitizers in ``[tool.auditor]``, validated the same way so errors name the entry and field.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from auditor.catalog.schema import PolicyFileError, load_yaml, validate
from auditor.model import Category
from auditor.resources import resource_dir
from auditor.siteconfig import SiteConfig

T = TypeVar("T")
_TermIndex = dict[str, list[tuple[tuple[str, ...], Category]]]

CODE_CATALOG_FILE = "code.yaml"
Arg = str | int  # a keyword name or a 0-based position


@dataclass(frozen=True)
class Resolution:
    """What tells where a client's or a call's requests go (see rules/code.yaml)."""

    sdk: str | None = None
    url_args: tuple[Arg, ...] = ()
    url_env: str | None = None
    url_default: str | None = None
    model_args: tuple[Arg, ...] = ()
    provider_args: tuple[Arg, ...] = ()
    router: bool = False
    destination: str | None = None
    http: bool = False


@dataclass(frozen=True)
class ClientSpec:
    """A constructor whose instance sends requests somewhere: ``openai.OpenAI``, ``boto3.client``."""

    id: str
    display: str
    classes: tuple[str, ...]
    resolution: Resolution
    qualifier_args: tuple[Arg, ...] = ()
    sdk_from_module: bool = False
    switches: tuple[tuple[str, str, str], ...] = ()  # (arg, equals, destination)
    ambient: bool = False  # calls go to the package's configured default model when one is set


@dataclass(frozen=True)
class SinkSpec:
    """Calls that send their arguments to a model: functions, methods of clients, decorators."""

    id: str
    calls: tuple[str, ...]
    clients: tuple[str, ...]
    methods: tuple[str, ...]
    decorators: tuple[str, ...]
    data_args: tuple[Arg, ...]  # empty: every argument carries data
    resolution: Resolution
    client_args: bool = False  # goes where the model clients among its arguments send
    collects: bool = False  # tracing set-up: exports what every model call of the app sends


@dataclass(frozen=True)
class Vocabulary:
    """Words in names that mark regulated data, per category, and the words that unmark them."""

    terms: tuple[tuple[tuple[str, ...], Category], ...]
    false_friends: frozenset[str]
    # Words that unmark one category only: a blueprint's name is not the blueprint (yet a
    # patient's name is PHI).
    category_false_friends: dict[Category, frozenset[str]] = field(default_factory=dict, compare=False, hash=False)
    _cache: dict[str, tuple[Category, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def by_first(self) -> dict[str, list[tuple[tuple[str, ...], Category]]]:
        """Terms by their first word, so a name is matched in one pass over its words."""
        # Kept in the name cache under a key no name can be (the dataclass is frozen).
        index = cast("_TermIndex | None", self._cache.get("\0index"))
        if index is None:
            index = {}
            for term, category in self.terms:
                index.setdefault(term[0], []).append((term, category))
            self._cache["\0index"] = index  # type: ignore[assignment]
        return index

    def categories(self, name: str) -> tuple[Category, ...]:
        """The categories a variable, attribute, key or column name points to (empty: none)."""
        return _match_name(self, name)


@dataclass(frozen=True)
class CodeCatalog:
    clients: tuple[ClientSpec, ...]
    sinks: tuple[SinkSpec, ...]
    sanitizers: tuple[tuple[str, tuple[str, ...]], ...]  # (id, call patterns)
    wrappers: tuple[str, ...]
    vocabulary: Vocabulary
    not_propagating: tuple[str, ...]
    markers: tuple[tuple[Category, re.Pattern[str]], ...] = ()
    _lookups: dict[str, dict[Any, Any]] = field(default_factory=dict, compare=False, repr=False)

    def client_for(self, ref: str) -> ClientSpec | None:
        """The client spec whose constructor is ``ref`` (a dotted name)."""
        return self._memo("client", ref, lambda: _first(self.clients, ref, lambda c: c.classes))

    def sinks_for_call(self, ref: str) -> list[SinkSpec]:
        return self._memo("call", ref, lambda: [s for s in self.sinks if s.calls and _matches(ref, s.calls)])

    def sinks_for_method(self, client_key: str, member: str) -> list[SinkSpec]:
        return self._memo(
            "method",
            (client_key, member),
            lambda: [s for s in self.sinks if client_key in s.clients and _matches(member, s.methods)],
        )

    def sink_for_decorator(self, ref: str) -> SinkSpec | None:
        return self._memo(
            "decorator",
            ref,
            lambda: next((s for s in self.sinks if s.decorators and _matches(ref, s.decorators)), None),
        )

    def sanitizer_for(self, ref: str) -> str | None:
        return self._memo(
            "sanitizer", ref, lambda: next((sid for sid, calls in self.sanitizers if _matches(ref, calls)), None)
        )

    def is_wrapper(self, ref: str) -> bool:
        return self._memo("wrapper", ref, lambda: _matches(ref, self.wrappers))

    def propagates(self, ref: str) -> bool:
        """False for calls whose result is not their arguments' data (len, isinstance, logging)."""
        return self._memo("propagates", ref, lambda: not _matches(ref.removeprefix("builtins."), self.not_propagating))

    def marked_categories(self, text: str) -> list[tuple[Category, str]]:
        """Classes of data that ``text`` (a comment, a prompt template) states, with the words."""
        found = []
        for category, pattern in self.markers:
            for match in pattern.finditer(text):
                if not _NEGATED.search(text[max(0, match.start() - 24) : match.start()]):
                    found.append((category, match.group(0)))
                    break
        return found

    def is_ai_module(self, dotted: str) -> bool:
        """Whether an imported module is one the catalog names (an SDK, an HTTP client...)."""
        return self._memo("root", dotted, lambda: any(_module_matches(dotted, p) for p in self._patterns()))

    def _patterns(self) -> list[str]:
        found = [c for spec in self.clients for c in spec.classes]
        found += [c for spec in self.sinks for c in (*spec.calls, *spec.decorators)]
        found += [c for _, calls in self.sanitizers for c in calls] + list(self.wrappers)
        return found

    def _memo(self, kind: str, key: Any, compute: Callable[[], T]) -> T:
        # Lookups repeat for every call of a big tree: each name is matched against the globs once.
        table = self._lookups.setdefault(kind, {})
        if key not in table:
            table[key] = compute()
        return cast(T, table[key])


def load_code_catalog(site: SiteConfig | None = None, path: Path | None = None) -> CodeCatalog:
    """The shipped catalog (or ``path``) with the site's sinks and sanitizers added."""
    site = site or SiteConfig()
    path = path or resource_dir("rules") / CODE_CATALOG_FILE
    return _load(path, site.sinks, site.sanitizers, str(site.path) if site.path else "site configuration")


def _load(
    path: Path, site_sinks: tuple[dict[str, Any], ...], site_sanitizers: tuple[str, ...], where: str
) -> CodeCatalog:
    data = _cached_yaml(path)
    validate(data, "code-catalog", path)
    if site_sinks:
        extra = {"schema_version": 1, "clients": [], "sinks": list(site_sinks), "sources": {"categories": {}}}
        validate(extra, "code-catalog", f"{where} [tool.auditor] sinks")
    clients = tuple(_client(item) for item in data["clients"])
    known = {c.id for c in clients}
    for name in {c.split(":")[0] for s in data["sinks"] for c in s.get("clients", ())} - known:
        raise PolicyFileError(f"{path}: a sink names client {name!r}, which is not in clients")
    sinks = tuple(_sink(item) for item in (*data["sinks"], *site_sinks))
    sanitizers = tuple((s["id"], tuple(s["calls"])) for s in data.get("sanitizers", ()))
    sanitizers += tuple((name, (name,)) for name in site_sanitizers)
    sources = data["sources"]
    terms = tuple(
        (tuple(_singular(w) for w in term.lower().split("_")), Category(category))
        for category, words in sources["categories"].items()
        for term in words
    )
    vocabulary = Vocabulary(
        terms,
        frozenset(w.lower() for w in sources.get("false_friends", ())),
        {
            Category(category): frozenset(w.lower() for w in words)
            for category, words in sources.get("category_false_friends", {}).items()
        },
    )
    return CodeCatalog(
        clients,
        sinks,
        sanitizers,
        tuple(data.get("wrappers", ())),
        vocabulary,
        tuple(sources.get("not_propagating", ())),
        tuple(
            (Category(category), re.compile(pattern, re.IGNORECASE))
            for category, patterns in sources.get("markers", {}).items()
            for pattern in patterns
        ),
    )


@lru_cache(maxsize=4)
def _cached_yaml(path: Path) -> Any:
    return load_yaml(path)


def _resolution(item: dict[str, Any]) -> Resolution:
    return Resolution(
        sdk=item.get("sdk"),
        url_args=tuple(item.get("url_args", ())),
        url_env=item.get("url_env"),
        url_default=item.get("url_default"),
        model_args=tuple(item.get("model_args", ())),
        provider_args=tuple(item.get("provider_args", ())),
        router=item.get("router", False),
        destination=item.get("destination"),
        http=item.get("http", False),
    )


def _client(item: dict[str, Any]) -> ClientSpec:
    return ClientSpec(
        id=item["id"],
        display=item.get("display", item["id"]),
        classes=tuple(item["classes"]),
        resolution=_resolution(item),
        qualifier_args=tuple(item.get("qualifier_args", ())),
        sdk_from_module=item.get("sdk_from_module", False),
        switches=tuple((s["arg"], s["equals"], s["destination"]) for s in item.get("switches", ())),
        ambient=item.get("ambient", False),
    )


def _sink(item: dict[str, Any]) -> SinkSpec:
    return SinkSpec(
        id=item["id"],
        calls=tuple(item.get("calls", ())),
        clients=tuple(item.get("clients", ())),
        methods=tuple(item.get("methods", ())),
        decorators=tuple(item.get("decorators", ())),
        data_args=tuple(item.get("data_args", ())),
        resolution=_resolution(item),
        client_args=item.get("client_args", False),
        collects=item.get("collects", False),
    )


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(name == p or (_is_glob(p) and fnmatch.fnmatchcase(name, p)) for p in patterns)


def _module_matches(dotted: str, pattern: str) -> bool:
    """``urllib.request`` matches ``urllib.request.Request``; ``urllib.parse`` does not."""
    parts = dotted.split(".")
    head = ".".join(pattern.split(".")[: len(parts)])
    return fnmatch.fnmatchcase(dotted, head) if _is_glob(head) else dotted == head


def _is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern or "[" in pattern


def _first(items: Iterable[T], ref: str, patterns_of: Callable[[T], tuple[str, ...]]) -> T | None:
    for item in items:
        if _matches(ref, patterns_of(item)):
            return item
    return None


_NEGATED = re.compile(r"\b(no|not|non|without|free of)\W+(\w+\W+)?$", re.IGNORECASE)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@lru_cache(maxsize=65536)
def split_words(name: str) -> tuple[str, ...]:
    """``clinicalNote_v2`` -> ("clinical", "note", "v", "2"); ``MRN`` -> ("mrn",)."""
    return tuple(w.lower() for part in name.split("_") for w in _CAMEL.findall(part))


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ses") or word.endswith("xes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _match_name(vocabulary: Vocabulary, name: str) -> tuple[Category, ...]:
    cache = vocabulary._cache
    found = cache.get(name)
    if found is None:
        found = cache[name] = _match_words(vocabulary, split_words(name))
    return found


def _match_words(vocabulary: Vocabulary, words: tuple[str, ...]) -> tuple[Category, ...]:
    if not words or any(w in vocabulary.false_friends for w in words):
        return ()
    forms = [(w, _singular(w)) for w in words]
    by_first = vocabulary.by_first
    found: list[Category] = []
    for start, (word, single) in enumerate(forms):
        for candidate in {word, single}:
            for term, category in by_first.get(candidate, ()):
                if category in found or start + len(term) > len(forms):
                    continue
                if all(term[i] in forms[start + i] for i in range(1, len(term))):
                    unmarking = vocabulary.category_false_friends.get(category)
                    if not (unmarking and any(w in unmarking for w in words)):
                        found.append(category)
    return tuple(c for c in Category if c in found)
