from lint.rule import Rule
from lint.view import DesignView, node_path, upstream

TYPE_KEYS = ("detail-type", "type")


class EventRelay(Rule):
    id = "W1009"
    name = "event-relay-violated"
    description = "A function that changes the event it received and passes it on instead of publishing a new event"
    source = "https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/transactional-outbox.html"

    def check(self, design):
        """A function with `emits` that publishes (publish or async edges) relays correctly only when it
        publishes a new event: `emits` names an event type (`detail-type`, or `type`) that is not one of the
        types it receives. The types it receives are the exact `detail-type` values of the rule patterns
        and of the emitting functions upstream of it (through queues, topics, pipes and streams).
        Otherwise (no type, or the received type again) the downstream sees the received event with
        fields changed: an event altered in transit, which no one published."""
        view = DesignView(design)
        found = []
        for fn in view.of_type("lambda"):
            emits = fn.prop("emits")
            if not emits or not view.out(fn.id, "publish", "async"):
                continue
            key = next((k for k in TYPE_KEYS if k in emits), None)
            if key is None:
                found.append(self.finding(
                    node_path(fn.id, "emits"),
                    f"{fn.title} changes fields of the event it received ({', '.join(sorted(map(str, emits)))}) "
                    "and passes it on without naming a new event type: downstream sees an altered copy of "
                    "someone else's event. Publish a new event with its own detail-type (and the same "
                    "correlation id)."))
            elif isinstance(emits[key], str) and emits[key] in self._received_types(view, fn.id):
                found.append(self.finding(
                    node_path(fn.id, "emits"),
                    f"{fn.title} receives {emits[key]} events and publishes them again as {emits[key]} with "
                    "fields changed: consumers cannot tell the original from the altered copy. Publish a new "
                    "event type for what this step did."))
        return found

    @staticmethod
    def _received_types(view: DesignView, node_id: str) -> set[str]:
        types: set[str] = set()
        for edge in upstream(view, node_id):
            source = view.nodes[edge.source]
            if view.kind(edge) == "rule_target":
                pattern = DesignView.rule_pattern(view.rule_of(edge)[2])
                values = pattern.get("detail-type") if isinstance(pattern, dict) else None
                types |= {v for v in values if isinstance(v, str)} if isinstance(values, list) else set()
            elif source.type == "lambda" and isinstance(source.prop("emits"), dict):
                value = next((source.prop("emits").get(k) for k in TYPE_KEYS if k in source.prop("emits")), None)
                if isinstance(value, str):
                    types.add(value)
        return types
