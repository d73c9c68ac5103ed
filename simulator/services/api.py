"""API Gateway and AppSync: synchronous front doors that route a request to a backend and answer the caller.

API Gateway (semantics.md §8): integration timeout 29 s → 504 to the caller while the backend keeps
running; token-bucket throttling (rate, burst) → 429; direct integrations answer with the
service's response. A synchronous error goes back to the caller: nothing retries it here.
A Lambda integration (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html):
"If the Lambda API rejects the invocation request, API Gateway returns a 500 error code. If the
function runs but returns an error, or returns a response in the wrong format, API Gateway returns a
502." A throttled function (Lambda's 429) is such a rejection: the client gets 500
(https://repost.aws/knowledge-center/api-gateway-internal-server-error: "If the backend service is
throttled due to a high number of requests, the API Gateway API might return an "Internal server
error"."). Clients see only the status; the trace detail keeps the underlying error.
"""
from __future__ import annotations

from simulator.messages import Message
from simulator.services.base import Model, model_for

SYNC_KINDS = ("sync", "integration")
LAMBDA_THROTTLE = "TooManyRequestsException"
LAMBDA_REJECTED = "500 InternalServerError"     # Lambda refused the Invoke (throttle)
LAMBDA_FAILED = "502 BadGateway"                # the function ran and returned an error (or timed out)


@model_for("api_gateway")
class GatewayModel(Model):
    """API Gateway (REST or HTTP): throttle, route, integrate, time out."""

    def setup(self) -> None:
        p = self.node.prop
        self.timeout = float(p("integration_timeout_s"))
        self.rate = float(p("throttle_rate_per_s"))
        self.burst = float(p("throttle_burst"))
        self.tokens = self.burst
        self.refilled_at = 0.0
        self.routes = sorted(((l.props.get("route") or "", l) for l in self.out if l.kind in SYNC_KINDS),
                             key=lambda rl: -len(rl[0]))
        self.waiting: set = set()
        self._states: dict = {}

    def _take_token(self) -> bool:
        now = self.env.now
        self.tokens = min(self.burst, self.tokens + (now - self.refilled_at) * self.rate)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def _route(self, msg: Message):
        body = msg.core.body
        path = str(body.get("path", "")) if isinstance(body, dict) else ""
        for prefix, link in self.routes:
            if prefix and path.startswith(prefix):
                return link
        for prefix, link in self.routes:
            if not prefix:
                return link
        return None

    def receive(self, link, msg: Message, reply) -> None:
        s = self.stats
        s.received += 1
        if msg.copy:
            s.duplicates_delivered += 1
        error = self.fault_error(msg)
        if error is None and not self._take_token():
            s.throttled += 1
            error = "429 TooManyRequests"
        target = self._route(msg) if error is None else None
        if error is None and target is None:
            error = "404 NotFound"
        if error:
            self._answer_error(msg, link, reply, error)
            return
        call = msg.fresh()
        call.attempt = 1
        state = {"done": False, "msg": msg, "reply": reply, "link": link}
        self.waiting.add(id(state))
        self._states[id(state)] = state

        def answered(ok, err, output, state=state):
            if state["done"]:
                return
            self._close(state)
            if ok:
                s.processed += 1
                s.latency(self.env.now - msg.core.created)
                self.rt.record(msg, link.source.id, self.id, "answered", "200")
                if reply:
                    reply(True, None, output)
            elif target.target.node.type == "lambda":
                status = LAMBDA_REJECTED if err == LAMBDA_THROTTLE else LAMBDA_FAILED
                self._answer_error(msg, link, reply, status, counted=True, detail=f"{status} ({err})")
            else:
                # An HTTP integration to a system we do not run, or a direct service integration †.
                self._answer_error(msg, link, reply, f"502 {err}" if target.kind == "sync" else f"500 {err}",
                                   counted=True)
        if target.kind == "sync":
            self.env.schedule(self.timeout, self._timeout, state)
        self.rt.deliver(target, call, answered)

    def _close(self, state) -> None:
        state["done"] = True
        self.waiting.discard(id(state))
        self._states.pop(id(state), None)

    def _timeout(self, state) -> None:
        if state["done"]:
            return
        self._close(state)
        self.stats.timed_out += 1
        # The backend keeps running (and may still do its side effect); the caller gets 504.
        self._answer_error(state["msg"], state["link"], state["reply"], "504 IntegrationTimeout", counted=True)

    def _answer_error(self, msg, link, reply, error, counted=False, detail=None) -> None:
        s = self.stats
        s.failed += 1
        s.reported += 1
        self.rt.record(msg, link.source.id if link else "", self.id, "error", detail or error)
        if reply:
            reply(False, error, None)

    def in_flight(self) -> int:
        return len(self.waiting)


@model_for("appsync_api")
class AppSyncModel(GatewayModel):
    """AppSync: one request fans out to every resolver data source; it answers when all have."""

    def setup(self) -> None:
        self.timeout = float(self.node.prop("resolver_timeout_s"))
        self.resolvers = [l for l in self.out if l.kind == "sync"]
        self.waiting = set()
        self._states = {}

    def receive(self, link, msg: Message, reply) -> None:
        s = self.stats
        s.received += 1
        if msg.copy:
            s.duplicates_delivered += 1
        error = self.fault_error(msg) or (None if self.resolvers else "NoResolvers")
        if error:
            self._answer_error(msg, link, reply, error)
            return
        state = {"done": False, "msg": msg, "reply": reply, "link": link, "left": len(self.resolvers), "err": None}
        self.waiting.add(id(state))
        self._states[id(state)] = state

        def answered(ok, err, output, state=state):
            if state["done"]:
                return
            state["left"] -= 1
            state["err"] = state["err"] or (None if ok else err)
            if state["left"] == 0:
                self._close(state)
                s.processed += 1
                if state["err"]:
                    # GraphQL answers 200 with the data it has and an `errors` entry for the rest.
                    self.rt.record(msg, link.source.id, self.id, "answered", f"partial: {state['err']}")
                    if reply:
                        reply(False, f"200 partial data (errors: {state['err']})", output)
                else:
                    self.rt.record(msg, link.source.id, self.id, "answered")
                    if reply:
                        reply(True, None, output)
        self.env.schedule(self.timeout, self._timeout, state)
        for target in self.resolvers:
            call = msg.fresh()
            call.attempt = 1
            self.rt.deliver(target, call, answered)
