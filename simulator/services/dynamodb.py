"""DynamoDB tables: conditional writes, an optional stream, TTL.

A write is a side effect. With `conditional_writes` the table refuses a second write for the same
event id (`attribute_not_exists(pk)` → ConditionalCheckFailedException, semantics.md §7); the writer
treats that as "already done", so it is answered as success and counted as deduplicated.
DynamoDB Streams keep each change once, in order per item, for 24 hours.

Stream records (API_StreamSpecification, API_streams_Record): a write of a new key is an INSERT, of an
existing key a MODIFY; `stream_view_type` decides what the record carries — KEYS_ONLY "only the key
attributes", NEW_IMAGE "the entire item, as it appears after it was modified", OLD_IMAGE "as it
appeared before", NEW_AND_OLD_IMAGES both. `Keys` is always there. The key attribute is `id`, else `pk`
(the simulator has no key schema), else the event id †. Images are plain JSON, not typed attribute values.

TTL (UpdateTimeToLive, ttl-expired-items): an item whose `ttl_attribute` holds a number expires at that
time — read as seconds on the run's clock, which starts at epoch 0 †. "DynamoDB typically deletes expired
items within two days of expiration": the background delete runs after a delay drawn uniformly from
0–48 h (illustrative †, through the seeded generator) and appears in the stream as a REMOVE whose
`userIdentity` is `{"type": "Service", "principalId": "dynamodb.amazonaws.com"}`. An item written again
before the delete with a different expiry is not deleted by the stale timer.
"""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model, model_for
from simulator.services.streams import StreamLog, store_balance

DDB_STREAM_RETENTION_S = 24 * 3600.0
TTL_DELETE_WITHIN_S = 2 * 86_400.0     # "typically ... within two days": the upper end of the illustrative draw
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
_KEY_FIELDS = ("id", "pk")


@model_for("dynamodb_table")
class TableModel(Model):
    accepts_puts = True

    def setup(self) -> None:
        p = self.node.prop
        self.conditional = bool(p("conditional_writes"))
        links = self.links("stream")
        self.log = StreamLog(self, links, 1, DDB_STREAM_RETENTION_S) if links and p("stream") else None
        if links and not p("stream"):
            self.rt.finding("SIM-NO-STREAM", f"nodes[{self.id}].props.stream", f"{self.node.title} has stream "
                            "consumers but `stream` is off: they receive nothing")
        self.view = p("stream_view_type") or "NEW_AND_OLD_IMAGES"
        self.ttl_attribute = p("ttl_attribute") or None
        # Item state only when something needs it: old images, INSERT vs MODIFY, TTL deletes.
        self.items: dict | None = {} if (self.log is not None or self.ttl_attribute) else None
        self.ttl_deleted = 0

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        s = self.stats
        if self.conditional and msg.core.done & self.bit:
            s.deduplicated += 1
            self.rt.record(msg, link.source.id, self.id, "condition_failed", "item exists: not written again")
            if reply:
                reply(False, "ConditionalCheckFailedException", None)
            return
        self.side_effect(msg)
        s.processed += 1
        self.rt.record(msg, link.source.id, self.id, "written")
        if reply:
            reply(True, None, None)
        if self.items is None:
            return
        body = msg.core.body
        keys = self._keys(body, msg)
        key = repr(sorted(keys.items()))
        old = self.items.get(key)
        self.items[key] = body
        if self.log is not None:
            change = self.rt.derive(msg, self._record("MODIFY" if old is not None else "INSERT", keys, body, old))
            self.log.append(key, change)
        if self.ttl_attribute and isinstance(body, dict):
            expires = body.get(self.ttl_attribute)
            if isinstance(expires, (int, float)) and not isinstance(expires, bool):
                delay = self.rt.rng.random() * TTL_DELETE_WITHIN_S     # illustrative †
                self.env.at(max(self.env.now, float(expires)) + delay, self._ttl_delete, (key, body, msg))

    def _keys(self, body, msg: Message) -> dict:
        if isinstance(body, dict):
            for field in _KEY_FIELDS:
                if field in body:
                    return {field: body[field]}
        return {"id": str(msg.core.id)}

    def _record(self, name: str, keys: dict, new, old) -> dict:
        view = self.view
        image = {"Keys": keys, "StreamViewType": view}
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            image["NewImage"] = new
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            image["OldImage"] = old
        return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": image}

    def _ttl_delete(self, arg) -> None:
        key, body, msg = arg
        if self.items.get(key) is not body:
            return       # rewritten since (a new expiry, or none): this timer is stale
        del self.items[key]
        self.ttl_deleted += 1
        if self.log is None:
            self.rt.record(msg, self.id, self.id, "ttl_deleted", "TTL delete (service)")
            return
        record = self._record("REMOVE", self._keys(body, msg), None, body)
        record["userIdentity"] = dict(TTL_SERVICE)
        change = self.rt.derive(msg, record)
        self.rt.record(change, self.id, self.id, "ttl_deleted", "TTL delete (service)")
        self.log.append(key, change)

    def balance(self) -> list[str]:
        return store_balance(self, self.log)
