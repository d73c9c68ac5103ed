from lint.rule import Rule
from lint.view import node_path, referenced_ids


SPECIFIC = ("pipe", "schedule", "alarm")


class OrphanNode(Rule):
    id = "W5002"
    name = "orphan-node"
    description = "A node with no connections at all"
    source = "https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/welcome.html"

    def check(self, design):
        """Pipes, schedules and alarms are left to E3008, E3009 and E5003, which say what they lack."""
        connected = {e.source for e in design.edges} | {e.target for e in design.edges}
        referenced = referenced_ids(design)
        return [self.finding(
            node_path(node.id),
            f"{node.title} is not connected to anything: nothing reaches it and it sends nowhere, so it only "
            "costs and confuses. Connect it or remove it.",
            fix=None if node.id in referenced else "remove-node")
            for node in design.nodes if node.id not in connected and node.type not in SPECIFIC]
