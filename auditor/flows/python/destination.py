"""Where a sink call's data goes: from its client's constructor and its own arguments.

Evidence, strongest first: a base URL (a constant, an f-string of constants, an environment
default); for routers, the ``provider/model`` prefix of the model; a destination the catalog
fixes (a vector store, a tracing service); the URL an SDK uses when none is given; the SDK
module; the model name (a guess). What cannot be resolved is ``unknown`` with the reason.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.catalog.destinations import Catalog, unknown_destination
from auditor.flows.python.catalog import Resolution
from auditor.flows.python.values import Client, Value, find_arg
from auditor.model import Destination

_NO_RESOLUTION = Resolution()


def resolve_destination(
    catalog: Catalog,
    sink: Resolution,
    client: Client | None,
    args: tuple[Value, ...],
    kwargs: tuple[tuple[str, Value], ...],
) -> Destination | None:
    """The destination of one sink call; None for an HTTP call that goes to no AI endpoint."""
    spec = client.spec.resolution if client else _NO_RESOLUTION
    http = sink.http or spec.http
    sdk = _sdk(sink, client)
    hint = _local_hint(catalog, sdk)

    url = _url(sink, client, args, kwargs)
    if url is not None:
        name, value = url
        if value.text:
            at_url = catalog.resolve_url(value.text, hint) or unknown_destination(f"{name} {value.text!r} has no host")
            if http and not _is_ai_endpoint(catalog, at_url):
                if not any(v.prompt_shaped for v in (*args, *(v for _, v in kwargs))):
                    return None
                # A model request ("messages", "prompt"...) to a host nobody catalogued.
                at_url = replace(at_url, detail=f"{at_url.detail}; the request body is a model request")
            return _with_env(at_url, value, name)
        if http:
            return None
        if value.env:
            return unknown_destination(f"{name} comes from ${value.env[0]}, which has no default in the code")
        return unknown_destination(f"{name} is not a constant auditor can resolve")
    if http:
        return None

    if client is not None:
        for arg, equals, destination in client.spec.switches:
            given = client.arg((arg,))
            if given and given[1].text == equals:
                found = catalog.resolve_provider(destination)
                if found:
                    return replace(
                        found, resolved_by="literal", detail=f"{client.ref}({arg}={equals}) sends to {found.name}"
                    )

    model = find_arg(sink.model_args, args, kwargs) or (client.arg(spec.model_args) if client else None)
    if sink.router or spec.router:
        provider = find_arg(sink.provider_args, args, kwargs) or (client.arg(spec.provider_args) if client else None)
        if provider and provider[1].text:
            found = catalog.resolve_provider(provider[1].text)
            if found:
                return _with_env(found, provider[1], provider[0])
        if model and model[1].text:
            text = model[1].text
            if ":" in text and "/" not in text:  # LangChain's "provider:model"
                text = text.replace(":", "/", 1)
            found = catalog.resolve_model(text)
            if found:
                return _with_env(found, model[1], model[0])
            return unknown_destination(f"model {model[1].text!r}: no provider prefix or name in the catalog")
        if model:
            return unknown_destination(f"the router's model ({model[0]}) is not a constant: its provider is unknown")

    fixed = sink.destination or spec.destination
    if fixed:
        found = catalog.resolve_provider(fixed)
        if found:
            return replace(found, resolved_by="sdk", detail=f"{_who(client, sdk)} sends to {found.name}")
        default = sink.url_default or spec.url_default
        if default:
            found = catalog.resolve_url(default)
            if found is not None:
                return replace(found, detail=f"{fixed}: {found.detail}; add it to the destination catalog")
        return unknown_destination(f"{fixed} is not in the destination catalog")

    env = spec.url_env or sink.url_env
    default = spec.url_default or sink.url_default
    if default:
        found = catalog.resolve_url(default, hint)
        if found is not None and found.id != "unknown":
            url_arg = (spec.url_args or sink.url_args or ("base_url",))[0]
            reads = f"reads ${env} if set, else uses {default}" if env else f"uses {default}"
            detail = f"no {url_arg} given: {_who(client, sdk)} {reads}"
            return replace(found, resolved_by="sdk", detail=detail + _assumed(client))

    if sdk:
        found = catalog.resolve_sdk(sdk) or _from_module(catalog, sdk, client)
        if found:
            detail = found.detail
            if env:
                detail += f"; the SDK reads ${env} for its endpoint when set"
            return replace(found, detail=detail + _assumed(client))

    if model and model[1].text:
        found = catalog.resolve_model(model[1].text)
        if found:
            return _with_env(found, model[1], model[0])
    what = _who(client, sdk)
    return unknown_destination(f"{what}: no base URL, provider or known SDK tells where it sends")


def _url(
    sink: Resolution, client: Client | None, args: tuple[Value, ...], kwargs: tuple[tuple[str, Value], ...]
) -> tuple[str, Value] | None:
    """The URL the call goes to: the call's own URL argument, joined to a session's base URL."""
    own = find_arg(sink.url_args, args, kwargs)
    if own is not None and own[1].clients:  # urlopen(Request(url, data))
        inner = own[1].clients[0]
        own = inner.arg(inner.spec.resolution.url_args)
    base = client.arg(client.spec.resolution.url_args) if client else None
    if own is not None and base is not None and own[1].text and base[1].text and own[1].text.startswith("/"):
        joined = base[1].text.rstrip("/") + own[1].text
        return base[0], replace(base[1], text=joined, env=base[1].env + own[1].env)
    if own is not None and (own[1].text is None or "//" in own[1].text or base is None):
        return own
    if base is not None:
        return base
    if client is not None and client.spec.id == "huggingface":
        model = client.arg(client.spec.resolution.model_args)
        if model and model[1].text and model[1].text.startswith("http"):
            return model
    return own


def _sdk(sink: Resolution, client: Client | None) -> str | None:
    if client is None:
        return sink.sdk
    sdk = client.spec.resolution.sdk
    if sdk and "{qualifier}" in sdk:
        qualifier = client.key.partition(":")[2]
        return sdk.replace("{qualifier}", qualifier) if qualifier else None
    if sdk is None and client.spec.sdk_from_module:
        return client.ref.rsplit(".", 1)[0]
    return sdk


def _from_module(catalog: Catalog, sdk: str, client: Client | None) -> Destination | None:
    """``llama_index.llms.anthropic`` -> anthropic, ``langchain_mistralai`` -> mistral."""
    if client is None or not client.spec.sdk_from_module:
        return None
    for word in (sdk.rsplit(".", 1)[-1], sdk.split(".")[0].removeprefix("langchain_")):
        found = catalog.resolve_provider(word)
        if found:
            return replace(found, resolved_by="sdk", detail=f"{client.ref} is a {found.name} client")
    return None


def _local_hint(catalog: Catalog, sdk: str | None) -> str | None:
    """The local server software an SDK talks to (``ollama``), for a URL without a known port."""
    if not sdk:
        return None
    found = catalog.resolve_sdk(sdk)
    return found.id if found is not None and not found.is_external else None


def _is_ai_endpoint(catalog: Catalog, destination: Destination) -> bool:
    """A plain HTTP post is a sink only when its host is an AI endpoint the catalog or site knows."""
    return catalog.get(destination.id) is not None or destination.resolved_by == "config"


def _with_env(destination: Destination, value: Value, name: str) -> Destination:
    if not value.env:
        return destination
    variables = ", ".join(f"${e}" for e in value.env)
    detail = f"depends on {variables} (default {value.text!r} in the code, for {name}); {destination.detail}"
    return replace(destination, resolved_by="env_default", detail=detail)


def _who(client: Client | None, sdk: str | None) -> str:
    if client is not None:
        return f"{client.ref}()"
    return f"the {sdk} SDK" if sdk else "the call"


def _assumed(client: Client | None) -> str:
    return " (client known from a type annotation only)" if client is not None and client.assumed else ""
