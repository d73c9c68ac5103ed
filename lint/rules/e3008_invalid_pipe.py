from lint.rule import Rule
from lint.view import DesignView, node_path


class InvalidPipe(Rule):
    id = "E3008"
    name = "invalid-pipe"
    description = "A pipe without exactly one source and one target, or enriched by a STANDARD workflow"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for pipe in view.of_type("pipe"):
            sources = view.into(pipe.id, "event_source", "stream")
            targets = view.out(pipe.id, "pipe_target")
            for what, edges in (("source", sources), ("target", targets)):
                if len(edges) != 1:
                    names = ", ".join(view.label(e.source if what == "source" else e.target) for e in edges)
                    found.append(self.finding(
                        node_path(pipe.id),
                        f"{pipe.title} has {len(edges)} {what}s{' (' + names + ')' if names else ''}; a pipe "
                        f"connects exactly one {what}, so EventBridge refuses it. Use one pipe per {what}."))
            enrich = view.nodes.get(pipe.prop("enrichment") or "")
            if enrich is not None and enrich.type == "state_machine" and enrich.prop("type") != "EXPRESS":
                found.append(self.finding(
                    node_path(pipe.id, "enrichment"),
                    f"{pipe.title} is enriched by {enrich.title}, a STANDARD workflow; a pipe can only wait for "
                    "an EXPRESS workflow's answer, so EventBridge refuses it."))
        return found
