"""The routing plan: tokens and cost per destination and verdict, today and with the plan applied.

A plan reads requests (logged records of a scan, or runtime flows the guard stored), each with
its destination, verdict and tokens, and says:

- what **must move**: an external destination and a verdict at or above ``unmet`` (``local_only``,
  or ``conditional`` with a condition the site does not show), not waived;
- what **could move**: routine ``allow`` traffic to an external destination whose model or task
  tag the site marks as routable (``routable_models``, ``routable_tags`` under
  ``[tool.auditor.routing]``);
- the cost **today** (each request at its own destination's price) and **planned** (what moves
  at the local route's price, by default the self-hosted assumption).

Figures come from the price table (``auditor.policy.prices``) in ``Decimal``; a log's own
cost is never read. Aggregation streams: memory grows with the number of groups (destination
x verdict x day), not with the number of requests.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from auditor.catalog.destinations import Catalog
from auditor.model import AssessedFlow, Decision, DestinationKind, Usage
from auditor.policy.prices import Price, PriceError, PriceTable, load_prices
from auditor.siteconfig import Routing, SiteConfig

__all__ = ["LocalRoute", "Plan", "PlanRequest", "PriceError", "cents", "local_route", "new_plan"]

CENT = Decimal("0.01")
MUST, COULD, STAYS = "must_move", "could_move", "stays"
UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """One request as a plan sees it: where it went, its verdict, and its tokens."""

    destination: str
    kind: DestinationKind
    decision: Decision
    fails: bool  # at or above fail_on "unmet", not waived
    model: str | None
    usage: Usage | None
    where: str = ""  # path and record, to name a request without tokens


@dataclass
class _Tally:
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    estimated: int = 0
    without_tokens: int = 0
    cost_today: Decimal = Decimal(0)
    cost_planned: Decimal = Decimal(0)
    moves: dict[str, int] = field(default_factory=lambda: {MUST: 0, COULD: 0, STAYS: 0})
    prices: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class LocalRoute:
    """Where moved traffic goes: a destination of the site's own and the model standing in."""

    destination: str
    kind: DestinationKind
    routing: Routing

    def price(self, table: PriceTable, model: str | None) -> Price:
        found = table.lookup(self.destination, self.kind, self.routing.local_model(model))
        return found or table.self_hosted


class Plan:
    """Builds the plan as requests stream in; ``as_dict()`` is the JSON the CLI prints."""

    def __init__(self, prices: PriceTable, routing: Routing, local: LocalRoute, allow_unpriced: bool = False) -> None:
        self.prices = prices
        self.routing = routing
        self.local = local
        self.allow_unpriced = allow_unpriced
        self.rows: dict[tuple[str, str, str], _Tally] = {}
        self.days: dict[tuple[str, str], list[Decimal]] = {}
        self.total = _Tally()
        self.unpriced: dict[tuple[str, str], int] = {}
        self.without_tokens_examples: list[str] = []
        self._prices: dict[tuple[str, str, str | None], Price | None] = {}
        self._local_prices: dict[str | None, Price] = {}

    def add(self, request: PlanRequest) -> None:
        """Count one request."""
        move = self._move(request)
        row = self.rows.setdefault((request.destination, request.kind.value, request.decision.value), _Tally())
        usage = request.usage
        for tally in (row, self.total):
            tally.requests += 1
            tally.moves[move] += 1
        if usage is None:
            row.without_tokens += 1
            self.total.without_tokens += 1
            if len(self.without_tokens_examples) < 5 and request.where:
                self.without_tokens_examples.append(request.where)
            return
        key = (request.destination, request.kind.value, request.model)
        if key not in self._prices:  # a log repeats a few destinations and models a million times
            self._prices[key] = self.prices.lookup(request.destination, request.kind, request.model)
        price = self._prices[key]
        if price is None:
            if not self.allow_unpriced:
                self.prices.require(request.destination, request.kind, request.model)  # raises, naming the entry
            unpriced = (request.destination, request.model or "")
            self.unpriced[unpriced] = self.unpriced.get(unpriced, 0) + 1
            today = Decimal(0)
        else:
            today = price.cost(usage.input_tokens, usage.output_tokens)
            row.prices.add(price.id)
        if move == STAYS:
            planned, planned_at = today, request.destination
        else:
            local_price = self._local_prices.get(request.model)
            if local_price is None:
                local_price = self._local_prices[request.model] = self.local.price(self.prices, request.model)
            planned, planned_at = local_price.cost(usage.input_tokens, usage.output_tokens), self.local.destination
        day = usage.day or UNDATED
        for tally in (row, self.total):
            tally.input_tokens += usage.input_tokens
            tally.output_tokens += usage.output_tokens
            tally.estimated += usage.estimated
            tally.cost_today += today
            tally.cost_planned += planned
        self.days.setdefault((day, request.destination), [Decimal(0), Decimal(0)])[0] += today
        self.days.setdefault((day, planned_at), [Decimal(0), Decimal(0)])[1] += planned

    def _move(self, request: PlanRequest) -> str:
        if request.kind is not DestinationKind.EXTERNAL:
            return STAYS
        if request.fails:
            return MUST
        if request.decision is Decision.ALLOW:
            model = (request.model or "").lower()
            if any(fnmatch.fnmatchcase(model, p.lower()) for p in self.routing.routable_models):
                return COULD
            tags = request.usage.tags if request.usage else ()
            if set(tags) & set(self.routing.routable_tags):
                return COULD
        return STAYS

    def as_dict(self) -> dict[str, Any]:
        """Rows per destination and verdict, per day, totals, and the prices' provenance."""
        first, last = self.prices.dates
        sh = self.prices.self_hosted
        return {
            "currency": self.prices.currency,
            "prices": {
                "table": self.prices.path,
                "as_of": {"oldest": first, "newest": last},
                "self_hosted": {"per_1k_tokens": str(sh.input), "as_of": sh.as_of, "source": sh.source,
                                "assumption": sh.assumption, "origin": sh.origin},
                "local_route": {"destination": self.local.destination, "kind": self.local.kind.value,
                                "base_url": self.routing.local_base_url},
            },  # fmt: skip
            "rows": [
                {"destination": d, "kind": k, "verdict": v, **_tally_dict(t)}
                for (d, k, v), t in sorted(self.rows.items(), key=lambda i: (-i[1].cost_today, i[0]))
            ],
            "days": [
                {"day": day, "destination": dest, "cost_today": _money(c[0]), "cost_planned": _money(c[1])}
                for (day, dest), c in sorted(self.days.items())
            ],
            "totals": {**_tally_dict(self.total), "saving": _money(self.total.cost_today - self.total.cost_planned)},
            "unpriced": [
                {"destination": d, "model": m or None, "requests": n} for (d, m), n in sorted(self.unpriced.items())
            ],
            "without_tokens": {"requests": self.total.without_tokens, "examples": self.without_tokens_examples},
        }  # fmt: skip


def _tally_dict(t: _Tally) -> dict[str, Any]:
    return {
        "requests": t.requests,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "estimated_requests": t.estimated,
        "without_tokens": t.without_tokens,
        "must_move": t.moves[MUST],
        "could_move": t.moves[COULD],
        "cost_today": _money(t.cost_today),
        "cost_planned": _money(t.cost_planned),
        **({"price_ids": sorted(t.prices)} if t.prices else {}),
    }


def _money(value: Decimal) -> str:
    """Exact to a millionth of the currency unit; the table rounds to the cent."""
    return str(value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def cents(text: str) -> str:
    """A money string of the plan, rounded half up to the cent."""
    return str(Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP))


def requests_from_flows(flows: Iterable[AssessedFlow]) -> Iterable[PlanRequest]:
    """The requests of a scan result: record and runtime flows (code and documents carry no tokens)."""
    for item in flows:
        flow = item.flow
        if flow.kind.value not in ("record", "runtime"):
            continue
        loc = flow.sink.location
        yield PlanRequest(
            destination=flow.destination.id,
            kind=flow.destination.kind,
            decision=item.verdict.decision,
            fails=item.verdict.fails("unmet"),
            model=flow.model,
            usage=flow.usage,
            where=f"{loc.path} record {loc.record}" if loc.record is not None else loc.path,
        )


def requests_from_rows(rows: Iterable[dict[str, Any]]) -> Iterable[PlanRequest]:
    """The requests of a stored scan (``auditor.store.repository.request_rows``).

    A runtime request the guard rerouted counts where it went (the local route); one it
    blocked spent no tokens.
    """
    for row in rows:
        usage = None
        if row["input_tokens"] is not None:
            usage = Usage(
                row["input_tokens"], row["output_tokens"] or 0, bool(row["tokens_estimated"]), row["day"],
                tuple(row["tags"] or ()),
            )  # fmt: skip
        destination, kind = row["destination"], DestinationKind(row["destination_kind"])
        if row["action"] == "reroute" and row["routed_to"]:
            destination, kind = row["routed_to"], DestinationKind.LOCAL
        if row["action"] == "block" and usage is not None:
            usage = Usage(0, 0, usage.estimated, usage.day, usage.tags)
        yield PlanRequest(
            destination=destination,
            kind=kind,
            decision=Decision(row["verdict"]),
            fails=bool(row["unmet"]) and not row["waived"] and row["action"] not in ("reroute", "block"),
            model=row["model"],
            usage=usage,
            where=f"{row['path']} record {row['record']}" if row["record"] is not None else row["path"],
        )


def local_route(routing: Routing, catalog: Catalog) -> LocalRoute:
    """The destination moved traffic goes to: the site's local base URL resolved through the
    catalog (``ollama``, ``vllm``, ``local``...), or a self-hosted model when none is set."""
    if routing.local_base_url:
        found = catalog.resolve(url=routing.local_base_url)
        if found.kind is not DestinationKind.EXTERNAL:
            return LocalRoute(found.id, found.kind, routing)
    return LocalRoute("self_hosted", DestinationKind.SELF_HOSTED, routing)


def new_plan(site: SiteConfig, catalog: Catalog, prices_file: Path | None, allow_unpriced: bool) -> Plan:
    prices = load_prices(site, prices_file)
    return Plan(prices, site.routing, local_route(site.routing, catalog), allow_unpriced)
