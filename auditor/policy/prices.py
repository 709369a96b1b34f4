"""The price table (``rules/prices.yaml``) with a site's own figures over it, and cost arithmetic.

Money is ``Decimal`` from the table's text, never binary floats, so a plan adds up to the
cent. A price is per 1,000 tokens; a destination the site runs itself costs the labelled
self-hosted assumption unless the table or the site names its own figure. A price entry that
is missing or malformed, or in another currency than the table's, is a PriceError: one line
naming the file and the entry (exit 2). auditor never converts currencies.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from auditor.catalog.schema import load_yaml, validate
from auditor.errors import ConfigError
from auditor.model import DestinationKind
from auditor.resources import resource_dir
from auditor.siteconfig import SiteConfig

THOUSAND = Decimal(1000)
PRICES_FILE = "prices.yaml"


class PriceError(ConfigError):
    """A price entry is missing, malformed, or in another currency (exit 2)."""


@dataclass(frozen=True, slots=True)
class Price:
    """What 1,000 tokens cost at one destination for the models an entry covers."""

    id: str
    destination: str
    models: tuple[str, ...]
    input: Decimal  # per 1,000 input (prompt) tokens
    output: Decimal  # per 1,000 output (completion) tokens
    currency: str
    as_of: str
    source: str
    origin: str  # the file (or "site configuration") the figure came from
    assumption: bool = False  # the self-hosted cost: a site's estimate, not a vendor's price

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        """The cost of these tokens, unrounded."""
        return (self.input * input_tokens + self.output * output_tokens) / THOUSAND


@dataclass(frozen=True)
class PriceTable:
    """Every price a plan may use, and which one applies to a destination and model."""

    currency: str
    prices: tuple[Price, ...]
    self_hosted: Price
    path: str

    def lookup(self, destination: str, kind: DestinationKind | str, model: str | None) -> Price | None:
        """The entry for ``destination`` whose longest model pattern matches ``model``; for a
        local or self-hosted destination with none, the self-hosted cost; else None."""
        name = _bare_model(model)
        best: tuple[int, int, Price] | None = None
        for position, price in enumerate(self.prices):
            if price.destination != destination:
                continue
            for pattern in price.models:
                if fnmatch.fnmatchcase(name, pattern.lower()):
                    # longest pattern first; among equals, the later entry (a site's) wins
                    rank = (len(pattern), position)
                    if best is None or rank > best[:2]:
                        best = (*rank, price)
        if best is not None:
            return best[2]
        if DestinationKind(kind) is not DestinationKind.EXTERNAL:
            return self.self_hosted
        return None

    def require(self, destination: str, kind: DestinationKind | str, model: str | None) -> Price:
        """``lookup``, or a PriceError naming the file and the entry that is missing."""
        found = self.lookup(destination, kind, model)
        if found is None:
            raise PriceError(
                f"{self.path}: no price entry for destination {destination!r} model {model or '(none)'!r}: "
                f"add one there or under [[tool.auditor.prices]] (or run with --allow-unpriced)"
            )
        return found

    @property
    def dates(self) -> tuple[str, str]:
        """The oldest and newest ``as_of`` in the table."""
        days = sorted({p.as_of for p in (*self.prices, self.self_hosted)})
        return days[0], days[-1]


def load_prices(site: SiteConfig | None = None, path: Path | None = None) -> PriceTable:
    """The shipped table (or ``path``), validated, with the site's prices and self-hosted cost."""
    site = site or SiteConfig()
    path = path or resource_dir("rules") / PRICES_FILE
    data = load_yaml(path)
    validate(data, "prices", path)
    currency = data["currency"]
    origin = str(path)
    prices = [_price(item, currency, origin) for item in data["prices"]]
    self_hosted = _self_hosted(data["self_hosted"], currency, origin)
    where = f"{site.path} [tool.auditor]" if site.path else "site configuration"
    if site.prices:
        validate({**data, "prices": list(site.prices)}, "prices", f"{where} prices")
        prices.extend(_price(item, currency, f"{where} prices") for item in site.prices)
    if site.self_hosted_cost:
        validate({**data, "self_hosted": dict(site.self_hosted_cost)}, "prices", f"{where} self_hosted_cost")
        self_hosted = _self_hosted(site.self_hosted_cost, currency, f"{where} self_hosted_cost")
    return PriceTable(currency, tuple(prices), self_hosted, origin)


def _price(item: dict[str, Any], currency: str, origin: str) -> Price:
    if item["currency"] != currency:
        raise PriceError(
            f"{origin}: entry {item['id']}: currency {item['currency']} differs from the table's {currency}; "
            "auditor does not convert currencies"
        )
    return Price(
        id=item["id"],
        destination=item["destination"],
        models=tuple(m.lower() for m in item["models"]),
        input=_money(item["input"]),
        output=_money(item["output"]),
        currency=currency,
        as_of=_as_of(item["as_of"], origin, item["id"]),
        source=item["source"],
        origin=origin,
    )


def _self_hosted(item: dict[str, Any], currency: str, origin: str) -> Price:
    own = item.get("currency", currency)
    if own != currency:
        raise PriceError(
            f"{origin}: entry self_hosted: currency {own} differs from the table's {currency}; "
            "auditor does not convert currencies"
        )
    per_1k = _money(item["per_1k_tokens"])
    return Price(
        id="self_hosted",
        destination="*",
        models=("*",),
        input=per_1k,
        output=per_1k,
        currency=currency,
        as_of=_as_of(item["as_of"], origin, "self_hosted"),
        source=item["source"],
        origin=origin,
        assumption=item.get("assumption", True),
    )


def _money(value: Any) -> Decimal:
    """A YAML number as the decimal it was written as (0.0025 stays 0.0025, not 0.00250000000000000005)."""
    return Decimal(str(value))


def _as_of(value: Any, origin: str, entry: str) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise PriceError(f"{origin}: entry {entry}: as_of {text!r} is not a date (YYYY-MM-DD)") from None
    return text


def _bare_model(model: str | None) -> str:
    """``openai/gpt-4o`` -> ``gpt-4o``: litellm and LangChain put the provider in front."""
    if not model:
        return ""
    name = model.strip().lower()
    if "/" in name and not name.startswith("meta-llama/"):
        prefix, rest = name.split("/", 1)
        if prefix.isidentifier():
            name = rest
    return name
