"""Amazon S3 buckets: a put is the side effect; event notifications follow at least once, unordered."""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import model_for
from simulator.services.router import Router


@model_for("s3_bucket")
class BucketModel(Router):
    """S3: a put is the side effect; notifications follow at least once, unordered, within seconds.

    Edges out of a bucket are `notification`s (design/connections.py). One to an `event_bus` stands for
    S3's EventBridge integration: it delivers only when the bucket's `eventbridge_notifications` is on
    (EventBridge.html: S3 then sends every object event to EventBridge, in addition to any notification
    configuration). S3 cannot notify an SNS FIFO topic or an SQS FIFO queue (EventNotifications.html)."""

    def setup(self) -> None:
        super().setup()
        self.notify = []
        eventbridge = bool(self.node.prop("eventbridge_notifications"))
        for link in self.links("notification"):
            target = link.target.node
            if target.type == "event_bus" and not eventbridge:
                self.rt.finding("SIM-S3-EVENTBRIDGE-OFF", f"nodes[{self.id}].props.eventbridge_notifications",
                                f"{self.node.title} is connected to {target.title} but eventbridge_notifications "
                                "is off: S3 sends it nothing")
                continue
            if target.type in ("sns_topic", "sqs_queue") and target.prop("fifo"):
                self.rt.finding("SIM-S3-FIFO", f"edges[{link.key}]", f"S3 cannot send event notifications to a "
                                f"FIFO {'topic' if target.type == 'sns_topic' else 'queue'}: {target.title} gets "
                                "nothing")
                continue
            self.notify.append(link)

    def receive(self, link, msg: Message, reply) -> None:
        if self.refuse(link, msg, reply):
            return
        self.side_effect(msg)
        self.stats.processed += 1
        self.rt.record(msg, msg.hop_from, self.id, "stored")
        if reply:
            reply(True, None, None)
        body = msg.core.body if isinstance(msg.core.body, dict) else {"value": msg.core.body}
        obj = body.get("object") if isinstance(body.get("object"), dict) else {}
        key = str(body.get("key") or obj.get("key") or f"object-{msg.core.id}")
        size = body.get("size", obj.get("size", 0))
        name = self.node.prop("bucket_name") or self.id
        for target in self.notify:
            if target.target.node.type == "event_bus":
                # What S3 sends to EventBridge (source aws.s3, detail-type "Object Created").
                payload = {"source": "aws.s3", "detail-type": "Object Created", "resources": [f"arn:aws:s3:::{name}"],
                           "detail": {"version": "0", "bucket": {"name": name}, "object": {"key": key, "size": size},
                                      "reason": "PutObject"}}
            else:
                payload = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {
                    "bucket": {"name": name}, "object": {"key": key, "size": size}}}]}
            note = self.rt.derive(msg, payload)
            note.core.done = 0
            # "usually within seconds": a delay of 0.5–2 s, illustrative †; separate delays reorder them.
            self.copies += 1
            self.pending_copies += 1
            self.env.schedule(0.5 + 1.5 * self.rt.rng.random(), self._notify, (target, note))

    def _notify(self, args) -> None:
        target, note = args
        self.copies -= 1          # send_copy counts it again
        self.pending_copies -= 1
        self.send_copy(target, note, None)
