"""Process-wide sharing of botocore's parsed data and per-service parts between the clients of our sessions.

botocore rebuilds, for every client, things that depend only on the service: the service model and client
class, the endpoint rule tree, event-name aliases, and a copy of the session's whole handler tree (about
900 objects per client, which also makes the garbage collector walk the heap). A fan-out over 100 accounts
x 17 regions x 3 services builds 5,100 clients, so our sessions share, process-wide and across collections:

- one data loader (service models, paginators and endpoint rules parsed once, the data directory listed once);
- one service model and one client class per service;
- one `EndpointProvider` per loaded rule set (with its endpoint-resolution cache);
- one event-name alias cache, and a client's handler tree holds only its own service's branches
  (`building(service)`; botocore copies the handlers of all 400 services into every client);
- timestamps parsed with `datetime.fromisoformat` (dateutil is the slow part of response parsing).

Only clients of sessions passed to `share_client_parts` are affected, except the endpoint-provider sharing,
which is a pure function of its inputs and safe for every botocore user.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

_OUR_EMITTERS: weakref.WeakSet[Any] = weakref.WeakSet()
_SHARED: dict[tuple[str, str, str | None], Any] = {}
_SHARED_LOCK = threading.Lock()
_LOADERS: dict[str | None, Any] = {}
_RECENT_RULESETS = 32  # endpoint providers kept (one per service and loader)
_ALIASES: dict[str, str] = {}  # event name -> aliased name; a pure function of botocore's fixed alias table


def shared_loader() -> Any:
    """The process-wide botocore data loader for the current AWS_DATA_PATH (its caches survive collections)."""
    import os

    from botocore.loaders import create_loader

    path = os.environ.get("AWS_DATA_PATH")
    with _SHARED_LOCK:
        loader = _LOADERS.get(path)
        if loader is None:
            loader = _LOADERS[path] = create_loader(path)
        return loader


def fast_timestamp(value: Any) -> Any:
    """botocore's timestamp parser, with ISO 8601 strings (all that query/XML APIs send) parsed by
    `datetime.fromisoformat`: the same datetimes (aware when the text has an offset), without dateutil's cost."""
    from datetime import datetime

    from botocore.utils import parse_timestamp

    if isinstance(value, str) and value[4:5] == "-":  # extended ISO 8601 (botocore reads '20261125' as epoch)
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return parse_timestamp(value)


def _shared(name: str, original: Any, key: Any) -> Any:
    """`original` (a ClientCreator method), memoised by `key(args)` for clients of our own sessions only."""

    def method(self: Any, *args: Any) -> Any:
        if self._event_emitter not in _OUR_EMITTERS:
            return original(self, *args)
        cache_key = (name, *key(*args))
        with _SHARED_LOCK:
            found = _SHARED.get(cache_key)
        if found is None:
            found = original(self, *args)
            with _SHARED_LOCK:
                found = _SHARED.setdefault(cache_key, found)
        return found

    method.awsinv_shared = True  # type: ignore[attr-defined]
    return method


def share_client_parts(session: Any) -> None:
    """Clients of `session` reuse one service model and one client class per service (botocore otherwise
    rebuilds both, with hundreds of operations for EC2, for every client). Other botocore users are unaffected."""
    from botocore.client import ClientCreator

    emitter = session.get_component("event_emitter")
    _OUR_EMITTERS.add(emitter)
    _share_aliases(emitter)
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=fast_timestamp)
    patches = {
        "_load_service_model": lambda service, api_version=None: (service, api_version),
        "_create_client_class": lambda service, model: (service, model.api_version),
    }
    for name, key in patches.items():
        original = ClientCreator.__dict__.get(name)
        if original is not None and not getattr(original, "awsinv_shared", False):
            setattr(ClientCreator, name, _shared(name, original, key))
    _share_endpoint_providers()


def _share_endpoint_providers() -> None:
    """Clients built from the same endpoint rule set (same loaded data) share one `EndpointProvider`.

    botocore parses the rule set into a rule tree for every client (a third of a client's cost) although a
    provider is a pure function of its rule set, partitions and parameters, with its own resolution cache;
    sharing it also shares resolved endpoints between clients of a service. The few most recent rule sets
    are kept, by identity, so data of other loaders (other botocore users) is never held for long.
    """
    import botocore.regions

    original = botocore.regions.EndpointProvider
    if getattr(original, "awsinv_shared", False):
        return
    recent: OrderedDict[tuple[int, int, Any], tuple[Any, Any, Any]] = OrderedDict()

    def provider(ruleset_data: Any, partition_data: Any, excluded_params: Any = None) -> Any:
        key = (id(ruleset_data), id(partition_data), frozenset(excluded_params or ()))
        with _SHARED_LOCK:
            found = recent.get(key)
            if found is not None and found[0] is ruleset_data and found[1] is partition_data:
                recent.move_to_end(key)
                return found[2]
        made = original(ruleset_data=ruleset_data, partition_data=partition_data, excluded_params=excluded_params)
        with _SHARED_LOCK:
            recent[key] = (ruleset_data, partition_data, made)
            while len(recent) > _RECENT_RULESETS:
                recent.popitem(last=False)
        return made

    provider.awsinv_shared = True  # type: ignore[attr-defined]
    botocore.regions.EndpointProvider = provider


def _share_aliases(emitter: Any) -> None:
    """Copies of `emitter` (one per client) share one alias cache with every other client of ours."""
    from botocore.hooks import EventAliaser
    from botocore.utils import EVENT_ALIASES

    if type(emitter) is EventAliaser and emitter._event_aliases is EVENT_ALIASES:  # else customised: leave it
        emitter.__class__ = _shared_aliaser_class()
        emitter._alias_name_cache = _ALIASES


@functools.cache
def _shared_aliaser_class() -> type:
    from botocore.hooks import EventAliaser

    class SharedAliases(EventAliaser):  # type: ignore[misc]
        """An EventAliaser whose copies keep its alias table and alias cache (botocore copies both)."""

        def __copy__(self) -> Any:
            service = _building.__dict__.pop("service", None)  # one client per hint: never a nested one too
            service_event = _service_event_name(service) if service else None
            handlers = (
                copy.copy(self._emitter) if service_event is None else _pruned_handlers(self._emitter, service_event)
            )
            new = SharedAliases(handlers, self._event_aliases)
            new._alias_name_cache = self._alias_name_cache
            return new

    return SharedAliases


_building = threading.local()


@contextlib.contextmanager
def building(service: str) -> Iterator[None]:
    """The next client built on this thread is for `service`: its handler tree keeps only `service`'s branches.

    Resolve the session's credentials first: a credential provider that builds a client of its own (an
    assume-role profile's STS client) must not take the hint.
    """
    _building.service = service
    try:
        yield
    finally:
        _building.__dict__.pop("service", None)


def _service_event_name(service: str) -> str | None:
    """The hyphenised service id botocore uses in `service`'s event names (None before its model is loaded)."""
    with _SHARED_LOCK:
        model = _SHARED.get(("_load_service_model", service, None))
    return model.service_id.hyphenize() if model is not None else None


def _pruned_handlers(emitter: Any, service_event: str) -> Any:
    """A copy of `emitter` (a HierarchicalEmitter) without other services' handlers and without doc hooks.

    Event names are `<event>.<service id>.<operation>`, so a client only ever matches second-level nodes named
    for its own service or `*`; documentation hooks (`docs.*`) run on the session's emitter, never a client's.
    """
    from botocore.hooks import _PrefixTrie

    trie = emitter._handlers
    root = trie._root
    events = {}
    for name, node in root["children"].items():
        if name == "docs":
            continue
        children = {
            key: trie._recursive_copy(child) for key, child in node["children"].items() if key in (service_event, "*")
        }
        values = node["values"]
        events[name] = {"chunk": node["chunk"], "values": copy.copy(values) if values else values, "children": children}
    pruned = _PrefixTrie()
    pruned._root = {"chunk": None, "values": copy.copy(root["values"]) if root["values"] else None, "children": events}
    new = emitter.__class__()
    state = emitter.__dict__.copy()
    state["_handlers"] = pruned
    state["_unique_id_handlers"] = copy.copy(emitter._unique_id_handlers)
    state["_lookup_cache"] = {}  # the session's cache holds lookups in the full tree
    new.__dict__ = state
    return new
