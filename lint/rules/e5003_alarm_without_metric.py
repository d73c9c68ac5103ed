from lint.rule import Rule
from lint.view import DesignView, node_path


class AlarmWithoutMetric(Rule):
    id = "E5003"
    name = "alarm-without-metric"
    description = "A CloudWatch alarm that watches nothing, or only an external system (which has no metrics)"
    source = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for node in view.of_type("alarm"):
            watched = [view.nodes[e.source] for e in view.into(node.id, "metric")]
            if not watched:
                found.append(self.finding(
                    node_path(node.id),
                    f"{node.title} watches nothing: an alarm needs a metric of some node (a DLQ's depth, a "
                    "function's errors), so CloudWatch refuses it. Connect the node it should watch to it."))
            elif all(w.type == "external" for w in watched):
                found.append(self.finding(
                    node_path(node.id),
                    f"{node.title} watches only {watched[0].title}, an external system, which publishes no "
                    "CloudWatch metric: CloudWatch has nothing to evaluate. Watch the AWS service that calls "
                    "it (the function's errors) instead."))
        return found
